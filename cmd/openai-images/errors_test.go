package main

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
)

// TestUsageErrors checks that bad command lines exit 2 with a message and
// send nothing.
func TestUsageErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string // in stderr
	}{
		{nil, "Usage:"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"--model", "x", "generate"}, "flag --model comes before a command"},
		{[]string{"help", "nope"}, `help: unknown command "nope"`},
		{[]string{"generate", "--bogus", "a cat"}, "generate: unknown flag --bogus (see 'openai-images help generate')"},
		{[]string{"generate", "--n", "two", "a cat"}, `generate: --n "two": not a whole number (such as 2)`},
		{[]string{"generate", "-n", "two", "a cat"}, `generate: --n "two": not a whole number (such as 2)`},
		{[]string{"generate", "--output-compression", "lots", "a cat"}, `generate: --output-compression "lots": not a whole number`},
		{[]string{"generate", "--timeout", "soon", "a cat"}, `generate: --timeout "soon": not a duration: write seconds (90) or a number with a unit (90s, 1m30s, 500ms)`},
		{[]string{"generate", "--modle", "dall-e-2", "a cat"}, "generate: unknown flag --modle; did you mean --model? (see 'openai-images help generate')"},
		{[]string{"generate", "--partial-image", "2", "a cat"}, "unknown flag --partial-image; did you mean --partial-images?"},
		{[]string{"generate", "--outpt", "x.png", "a cat"}, "unknown flag --outpt; did you mean --output?"},
		{[]string{"generat", "a cat"}, `unknown command "generat"; did you mean generate?`},
		{[]string{"help", "bach"}, `help: unknown command "bach"; did you mean batch?`},
		{[]string{"generate", "--prompt"}, "flag --prompt needs a value"},
		{[]string{"generate"}, "generate: a prompt is required"},
		{[]string{"generate", "--prompt", "  "}, "generate: a prompt is required"},
		{[]string{"generate", "--prompt", "a", "b"}, "give the prompt once"},
		{[]string{"generate", "a", "b"}, "one prompt argument expected, got 2"},
		{[]string{"generate", "--image", "x.png", "a"}, "unknown flag --image"},
		{[]string{"edit", "a cat"}, "edit: at least one --image PATH is required"},
		{[]string{"edit", "--image", "", "a cat"}, "empty path"},
		{[]string{"variation"}, "vary: --image PATH is required"},
		{[]string{"vary"}, "vary: --image PATH is required"},
		{[]string{"variation", "--prompt", "x"}, "unknown flag --prompt"},
		{[]string{"variation", "--image", "a.png", "extra"}, `unexpected argument "extra"`},
		{[]string{"variation", "--image", "a.png", "--image", "b.png"}, "vary: one --image expected, got 2"},
		{[]string{"generate", "--max-retries", "-1", "a cat"}, "openai-images: --max-retries -1: must be 0 or more"},
		{[]string{"generate", "--timeout", "-1s", "a cat"}, "openai-images: --timeout -1s: must be positive"},
		{[]string{"serve", "extra"}, `serve: unexpected argument "extra"`},
	}
	// The cases send nothing, so they share one server.
	srv := newServer(t)
	env := srv.env
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runCLI(t, env, tc.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d\nstderr: %s", r.code, exitUsage, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr = %q, want it to contain %q", r.stderr, tc.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			if n := len(srv.requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// TestValidationErrors checks that parameters a model does not accept
// exit 2 before any request, naming the flags.
func TestValidationErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	img := writePNG(t, dir, "img.png", gradient(256, 192, 1))
	square := writePNG(t, dir, "square.png", gradient(256, 256, 1))
	wrongMask := writePNG(t, dir, "mask.png", maskWithHole(128, 128, image.Rect(0, 0, 10, 10)))
	cases := []struct {
		args []string
		want []string // in stderr
	}{
		{[]string{"generate", "--model", "dall-e-3", "--n", "2", "x"}, []string{"--n=2: dall-e-3 supports only n=1"}},
		{[]string{"generate", "--model", "dall-e-2", "--size", "300x300", "x"}, []string{"--size=300x300: dall-e-2 does not support size 300x300", "allowed: 256x256"}},
		{[]string{"generate", "--model", "gpt-image-2", "--size", "250x250", "x"}, []string{"--size=250x250", "divisible by 16"}},
		{[]string{"generate", "--model", "dall-e-2", "--stream", "x"}, []string{"--stream=true: dall-e-2 does not support streaming"}},
		{[]string{"generate", "--model", "gpt-image-2", "--partial-images", "5", "x"}, []string{"--partial-images=5: partial_images must be between 0 and 3"}},
		{[]string{"generate", "--model", "gpt-image-1.5", "--output-format", "jpeg", "--background", "transparent", "x"}, []string{"--background=transparent"}},
		{[]string{"generate", "--model", "gpt-image-1.5", "--style", "vivid", "--quality", "hd", "x"}, []string{"--quality=hd", "--style=vivid"}},
		{[]string{"edit", "--image", filepath.Join(dir, "missing.png"), "x"}, []string{"--image #1=missing.png: cannot read the image"}},
		{[]string{"edit", "--model", "gpt-image-2", "--image", img, "--mask", wrongMask, "x"}, []string{"--mask=mask.png", "the mask must have the dimensions of the first image (allowed: 256x192)"}},
		{[]string{"edit", "--model", "dall-e-2", "--image", img, "x"}, []string{"needs a square input image"}},
		{[]string{"variation", "--image", img}, []string{"--image=img.png", "square"}},
		{[]string{"variation", "--image", square, "--model", "dall-e-3"}, []string{"--model=dall-e-3: dall-e-3 does not support image variations"}},
	}
	srv := newServer(t)
	env := srv.env
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runCLI(t, env, append(tc.args, "--out", t.TempDir())...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d\nstderr: %s", r.code, exitUsage, r.stderr)
			}
			if !strings.HasPrefix(r.stderr, "openai-images: invalid parameters, nothing was sent:\n  --") {
				t.Errorf("stderr = %q", r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr = %q, want it to contain %q", r.stderr, w)
				}
			}
			if n := len(srv.requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// TestNoKey checks the one-line error without a key or --emulator.
func TestNoKey(t *testing.T) {
	t.Parallel()
	for _, env := range []map[string]string{
		nil,
		{"OPENAI_API_KEY": "   "},
		{"OPENAI_BASE_URL": "https://api.openai.com/v1"},
		{"OPENAI_BASE_URL": "http://127.0.0.1:8089/v1"}, // the emulator of openai-images serve
		{"OPENAI_BASE_URL": "http://localhost:11434/v1"},
	} {
		r := runCLI(t, env, "generate", "--out", t.TempDir(), "a cat")
		const want = "openai-images: no API key: set OPENAI_API_KEY (any value for a server that needs none), or pass --emulator to use the built-in offline emulator\n"
		if r.code != exitUsage || r.stderr != want || r.stdout != "" {
			t.Errorf("env %v: exit %d, stderr %q, stdout %q; want exit 2 and %q", env, r.code, r.stderr, r.stdout, want)
		}
	}
}

// TestNoKeyLocalServer checks that without a key a server at another
// OPENAI_BASE_URL is not sent anything either: the message is the same as
// for OpenAI's API (the official SDKs want a key whatever the server).
func TestNoKeyLocalServer(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := runCLI(t, map[string]string{"OPENAI_BASE_URL": srv.URL, "OPENAI_PROJECT_ID": srv.tag}, "generate", "--out", t.TempDir(), "--size", "256x256", "a cat")
	if r.code != exitUsage || r.stderr != "openai-images: "+noKeyMessage+"\n" {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if reqs := srv.requests(); len(reqs) != 0 {
		t.Errorf("requests = %+v", reqs)
	}
}

// TestBadBaseURL checks a malformed OPENAI_BASE_URL is a usage error.
func TestBadBaseURL(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"ftp://example.com/v1", "api.openai.com", "https://user:secret@example.com/v1"} {
		r := runCLI(t, map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": base}, "generate", "--out", t.TempDir(), "a cat")
		if r.code != exitUsage || !strings.Contains(r.stderr, "OPENAI_BASE_URL must be an absolute http(s) URL") {
			t.Errorf("%s: exit %d, stderr %q", base, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "secret") {
			t.Errorf("stderr shows the URL's credentials: %q", r.stderr)
		}
	}
}

// TestOutNotADirectory checks that an --out that cannot be a directory
// fails before the request.
func TestOutNotADirectory(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, srv.env, "generate", "--out", file, "--size", "256x256", "a cat")
	if r.code != exitUsage || r.stderr != "openai-images: generate: --out-dir "+file+" is a file, not a directory\n" {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestFaultRetried checks that a 500 is retried by the client and the
// command succeeds.
func TestFaultRetried(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t)
	env := srv.env
	srv.InjectFault(imagestest.ServerError(500), 1)
	r := runCLI(t, env, "generate", "--json", "--out", t.TempDir(), "--size", "256x256", "a cat").mustSucceed(t)
	if s := parseSummary(t, r.stdout); len(s.Files) != 1 || s.Error != nil {
		t.Errorf("summary = %+v", s)
	}
	if n := len(srv.requests()); n != 2 {
		t.Errorf("%d requests, want 2 (one failed, one retried)", n)
	}
}

// TestAPIError checks that an error response exits 1 with the API's
// message, and that --max-retries 0 turns retries off.
func TestAPIError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		fault    imagestest.Fault
		times    int
		args     []string
		want     string
		requests int
	}{
		{"400 not retried", imagestest.Fault{Status: 400}, 1, nil,
			"openai-images: createImage: 400 Bad Request (invalid_request_error): emulated fault: 400 Bad Request [request req_", 1},
		{"401 permanent", imagestest.Fault{Status: 401}, 100, nil,
			"openai-images: createImage: 401 Unauthorized (invalid_request_error): emulated fault: 401 Unauthorized", 1},
		{"500 with --max-retries 0", imagestest.ServerError(500), 1, []string{"--max-retries", "0"},
			"openai-images: createImage: 500 Internal Server Error (server_error): emulated fault: 500 Internal Server Error", 1},
		{"503 after the retries", imagestest.Fault{Status: 503, RetryAfterMs: "1"}, 100, []string{"--max-retries", "1"},
			"openai-images: createImage: 503 Service Unavailable (server_error): emulated fault: 503 Service Unavailable", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFaultServer(t)
			env := srv.env
			srv.InjectFault(tc.fault, tc.times)
			args := append([]string{"generate", "--out", t.TempDir(), "--size", "256x256", "a cat"}, tc.args...)
			r := runCLI(t, env, args...)
			if r.code != exitFailure {
				t.Errorf("exit %d, want %d", r.code, exitFailure)
			}
			if !strings.HasPrefix(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("stderr = %q, want one line starting %q", r.stderr, tc.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q", r.stdout)
			}
			if n := len(srv.requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}

// TestAPIErrorJSON checks that --json reports the failure too.
func TestAPIErrorJSON(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t)
	env := srv.env
	srv.InjectFault(imagestest.Fault{Status: 400}, 1)
	r := runCLI(t, env, "generate", "--json", "--out", t.TempDir(), "--size", "256x256", "a cat")
	if r.code != exitFailure {
		t.Fatalf("exit %d", r.code)
	}
	s := parseSummary(t, r.stdout)
	if s.Error == nil || s.Error.Status != 400 || s.Error.Type != "invalid_request_error" || !strings.Contains(s.Error.Message, "emulated fault") ||
		!strings.HasPrefix(s.Error.RequestID, "req_") || len(s.Files) != 0 {
		t.Errorf("summary = %+v, error %+v", s, s.Error)
	}
	if !strings.Contains(r.stderr, "emulated fault: 400 Bad Request") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

// TestStreamCut checks a stream that ends before its final image: the
// partial images received are kept, and the command fails.
func TestStreamCut(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t)
	env := srv.env
	srv.InjectFault(imagestest.TruncateStream(2), 1)
	r := runCLI(t, env, "generate", "--json", "--out", t.TempDir(), "--model", "gpt-image-2", "--size", "256x256", "--partial-images", "2", "a cat")
	if r.code != exitFailure {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	s := parseSummary(t, r.stdout)
	if len(s.Files) != 2 || s.Files[0].PartialIndex == nil || s.Files[1].PartialIndex == nil || s.Error == nil {
		t.Errorf("summary = %+v", s)
	}
	if !strings.Contains(r.stderr, "stream ended before the image was completed") {
		t.Errorf("stderr = %q", r.stderr)
	}
	// Plain output: the partial images are listed, then the failure.
	srv.InjectFault(imagestest.TruncateStream(1), 1)
	r = runCLI(t, env, "generate", "--out", t.TempDir(), "--model", "gpt-image-2", "--size", "256x256", "--partial-images", "2", "a cat")
	if r.code != exitFailure || len(lines(r.stdout)) != 1 || !strings.Contains(r.stderr, "1 partial image written to") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestTimeout checks --timeout: an attempt slower than it fails.
func TestTimeout(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t)
	env := srv.env
	srv.InjectFault(imagestest.SlowFirstByte(10*time.Second), 1)
	start := time.Now()
	r := runCLI(t, env, "generate", "--out", t.TempDir(), "--size", "256x256", "--timeout", "100ms", "--max-retries", "0", "a cat")
	if r.code != exitFailure || !strings.Contains(r.stderr, "attempt timed out after 100ms") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestInterrupted checks that cancelling the context (SIGINT in main)
// stops a request and exits 130.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t)
	env := srv.env
	srv.InjectFault(imagestest.SlowFirstByte(10*time.Second), 1)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	r := runCLIContext(ctx, env, "generate", "--out", t.TempDir(), "--size", "256x256", "a cat")
	if r.code != exitInterrupted || r.stderr != "openai-images: interrupted\n" {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
