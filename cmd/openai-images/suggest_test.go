package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
)

// TestValueSuggestions checks "did you mean" for values a model refuses
// that look like typos of ones it takes, nothing being sent.
func TestValueSuggestions(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-m", "gpt-image-1.5", "--quality", "hihg"}, "; did you mean --quality high?\n"},
		{[]string{"-m", "gpt-image-1.5", "--output-format", "jpg"}, "; did you mean --output-format jpeg?\n"},
		{[]string{"-m", "dall-e-3", "-s", "1024X1024"}, "; did you mean --size 1024x1024?\n"},
		{[]string{"-m", "gpt-image-1.5", "--background", "transparant"}, "; did you mean --background transparent?\n"},
		{[]string{"-m", "dall-e-3", "--style", "vivd"}, "; did you mean --style vivid?\n"},
	} {
		before := len(srv.requests())
		r := runCLI(t, srv.env, append([]string{"generate", "--out-dir", t.TempDir(), "a cat"}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "did you mean") != 1 || len(srv.requests()) != before {
			t.Errorf("%v: exit %d, stderr %q; want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	// A value no model is near gets no guess.
	r := runCLI(t, srv.env, "generate", "--out-dir", t.TempDir(), "-m", "gpt-image-1.5", "--quality", "splendid", "a cat")
	if r.code != exitUsage || strings.Contains(r.stderr, "did you mean") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	// --json: the suggestion as a field.
	r = runCLI(t, srv.env, "generate", "--json", "--out-dir", t.TempDir(), "-m", "gpt-image-1.5", "--quality", "hihg", "a cat")
	if s := parseSummary(t, r.stdout); s.Error == nil || len(s.Error.Problems) != 1 || s.Error.Problems[0].Suggestion != "high" {
		t.Errorf("--json: %+v", s.Error)
	}
}

// TestModelSuggestion checks a mistyped model: refused before sending,
// with the model meant named once (by the wrapper's rule) and in --json's
// suggestion; a name that looks like a new model is sent as given.
func TestModelSuggestion(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	before := len(srv.requests())
	r := runCLI(t, srv.env, "generate", "--out-dir", t.TempDir(), "-m", "gpt-imag-1.5", "a cat")
	if r.code != exitUsage || len(srv.requests()) != before || strings.Count(r.stderr, "did you mean") != 1 ||
		!strings.Contains(r.stderr, "--model=gpt-imag-1.5: unknown model gpt-imag-1.5; did you mean gpt-image-1.5?") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, srv.env, "generate", "--json", "--out-dir", t.TempDir(), "-m", "gpt-imag-1.5", "a cat")
	if s := parseSummary(t, r.stdout); s.Error == nil || len(s.Error.Problems) != 1 || s.Error.Problems[0].Suggestion != "gpt-image-1.5" {
		t.Errorf("--json: %+v", s.Error)
	}
	// A new model name: sent (the emulator, like the API, does not know it).
	r = runCLI(t, srv.env, "generate", "--out-dir", t.TempDir(), "-m", "gpt-image-7", "-s", "1024x1024", "a cat")
	if r.code != exitFailure || len(srv.requests()) != before+1 || strings.Contains(r.stderr, "did you mean") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	names := []string{"model", "size", "quality", "output", "output-format", "out-dir", "n", "partial-images"}
	for in, want := range map[string]string{
		"modle": "model", "mdoel": "model", "szie": "size", "qualty": "quality", "outpt": "output", "partial-image": "partial-images",
		"output-formt": "output-format", "model": "", "x": "", "zzzzzz": "", "qual": "quality", "out": "",
	} {
		if got := suggest(in, names); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"90": 90 * time.Second, "1.5": 1500 * time.Millisecond, "0": 0, "90s": 90 * time.Second, "1m30s": 90 * time.Second, "500ms": 500 * time.Millisecond,
	} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"soon", "90 s", "", "NaN", "Inf", "1e300"} {
		if _, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q): no error", in)
		}
	}
	// End to end: a bare number of seconds.
	srv := newFaultServer(t)
	srv.InjectFault(imagestest.SlowFirstByte(10*time.Second), 1)
	r := runCLI(t, srv.env, "generate", "--out-dir", t.TempDir(), "-s", "256x256", "--timeout", "0.1", "--max-retries", "0", "a cat")
	if r.code != exitFailure || !strings.Contains(r.stderr, "attempt timed out after 100ms") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// libraryCall is a call of the library's API in a message, such as
// WithExtraBody("quality", ...) or WithRequestValidation(false).
var libraryCall = regexp.MustCompile(`With[A-Z][a-zA-Z]*\(`)

// libraryName is any other name of the library's Go API a message could
// quote instead of the command line's words.
var libraryName = regexp.MustCompile(`\bWith[A-Z][a-zA-Z]*\b|AzureConfig|ImageRefs?\b|MaskRef\b|ImageFileID|ImageURL\b|ImageFrom[A-Z]|` +
	`Client\.|Models\(\)|SVGOptions|\bSVG nil|FrameDuration\b|GenerateStream|EditStream|call (Generate|Edit)\b`)

// TestNoLibraryWordsInMessages checks that the messages of a broad set of
// bad requests (a value of each kind the table refuses, retired and
// mistyped models, GIF and SVG options, JSON and multipart edits in a
// batch file, Azure settings, bad environment values) name flags, batch
// fields and environment variables, never the library's calls: on stderr
// and in the --json report. Nothing is sent.
func TestNoLibraryWordsInMessages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	img := writePNG(t, dir, "in.png", gradient(64, 64, 1))
	items := filepath.Join(dir, "items.jsonl")
	lines := []string{
		`{"prompt": "json edit", "image_urls": ["https://example.com/a.png"], "response_format": "url", "complexity": "high", "frame_count": 4, "frame_duration_ms": 100, "svg": {"model": "gpt-5"}}`,
		`{"prompt": "multipart moderation", "images": ["in.png"], "moderation": "low", "model": "gpt-image-1.5"}`,
		`{"prompt": "json custom size", "image_file_ids": ["file-1"], "model": "gpt-image-2", "size": "1536x864"}`,
		`{"prompt": "json dall-e-2", "image_file_ids": ["file-1"], "model": "dall-e-2"}`,
		`{"prompt": "long url", "image_urls": ["https://example.com/` + strings.Repeat("a", 70000) + `.png"]}`,
		`{"prompt": "typos", "model": "gpt-image-1.5", "quality": "hihg", "background": "glas", "moderation": "lo", "output_format": "pngg"}`,
		`{"prompt": "svg", "model": "gpt-image-2.6-flare", "output_format": "svg", "svg": {"reasoning": {"effort": "low"}}}`,
		`{"prompt": "typo model", "model": "gpt-image-2.5-sunbrust"}`,
	}
	os.WriteFile(items, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	out := filepath.Join(dir, "x.png")
	key := map[string]string{"OPENAI_API_KEY": "test-key"}
	azure := map[string]string{"AZURE_OPENAI_API_KEY": "test-key"}
	gen := func(args ...string) []string {
		return append([]string{"generate", "-o", out}, append(args, "a cat")...)
	}
	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{key, gen("-m", "gpt-image-1.5", "--quality", "hihg", "--background", "glas", "--moderation", "lo", "--output-format", "pngg", "--complexity", "hgih", "--style", "wild")},
		{key, gen("-m", "gpt-image-1.5", "--response-format", "urll", "-s", "7x7", "-n", "50")},
		{key, gen("-m", "dall-e-3", "--quality", "xhigh")},
		{key, gen("-m", "gpt-image-2.5-sunbrust")},
		{key, gen("-m", "gpt-image-2.5-flare", "--output-format", "gif", "--stream")},
		{key, gen("-m", "gpt-image-2.6-flare", "--output-format", "svg", "--stream", "-n", "2", "--output-compression", "50")},
		{key, gen("-m", "gpt-image-2.6-flare", "--output-format", "svg", "--svg-reasoning-effort", "low")},
		{key, gen("-m", "gpt-image-2.6-flare", "--output-format", "svg", "--svg-model", "m", "--svg-reasoning-effort", "huge")},
		{key, gen("-m", "gpt-image-2.6-flare", "--svg-model", "m", "--frame-duration-ms", "100", "--frame-count", "3", "--partial-images", "9")},
		{key, gen("--quality", "xhihg", "--output-format", "jpg")},
		{key, []string{"edit", "-o", out, "-m", "gpt-image-1.5", "-i", img, "--quality", "hihg", "--input-fidelity", "hihg", "a cat"}},
		{key, []string{"edit", "-o", out, "-m", "gpt-image-2", "-i", img, "--markup", img, "--mask", img, "a cat"}},
		{key, []string{"edit", "-o", out, "-m", "gpt-image-1", "-i", img, "--output-format", "gif", "--partial-images", "2", "a cat"}},
		{key, []string{"vary", "-o", out, "-i", img, "-s", "100x100", "-n", "20"}},
		{key, []string{"batch", "--out-dir", filepath.Join(dir, "b"), items}},
		{key, []string{"batch", "--out-dir", filepath.Join(dir, "b"), "-m", "gpt-image-1.5", "--quality", "hihg", items}},
		{azure, gen("--azure-endpoint", "https://x.openai.azure.com", "--api-version", "2025-04-01-preview")},
		{azure, gen("--azure-endpoint", "https://x.openai.azure.com", "--api-version", "a b", "-m", "d")},
		{azure, gen("--azure-endpoint", "https://x.openai.azure.com?x=1", "--api-version", "v", "-m", "d")},
		{azure, gen("--azure-endpoint", "https://x.openai.azure.com/openai/deployments/d", "--api-version", "v", "-m", "d")},
		{azure, gen("--azure-endpoint", "https://x.openai.azure.com/openai/v1", "--api-version", "v", "-m", "d")},
		{azure, gen("--azure-endpoint", "https://x.openai.azure.com", "--azure-deployment", "a/b", "--api-version", "v")},
		{map[string]string{"AZURE_OPENAI_API_KEY": "a\nb"}, gen("--azure-endpoint", "https://x.openai.azure.com", "--api-version", "v", "-m", "d")},
		{map[string]string{"OPENAI_API_KEY": "a\nb"}, gen()},
		{map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "https://api.openai.com"}, gen()},
		{map[string]string{"OPENAI_API_KEY": "k", "OPENAI_ORG_ID": "a\nb"}, gen()},
		{map[string]string{"OPENAI_API_KEY": "k", "OPENAI_PROJECT_ID": "a\nb"}, gen()},
	} {
		for _, json := range []bool{false, true} {
			args := tc.args
			if json {
				args = append(slices.Clone(args), "--json")
			}
			var stdout, stderr bytes.Buffer
			sent := &countingRT{}
			inv := &invocation{stdout: &stdout, stderr: &stderr, env: func(k string) string { return tc.env[k] }, transport: sent, json: json}
			code := inv.run(context.Background(), args)
			if code != exitUsage || sent.n() != 0 || stderr.Len() == 0 {
				t.Errorf("%v: exit %d, %d requests, stderr %q", args, code, sent.n(), stderr.String())
			}
			for _, s := range []string{stderr.String(), stdout.String()} {
				if m := libraryCall.FindString(s); m != "" {
					t.Errorf("%v: %q in %s", args, m, s)
				} else if m := libraryName.FindString(s); m != "" {
					t.Errorf("%v: %q in %s", args, m, s)
				}
			}
		}
	}
}

// TestInFlags checks the rewriting of the wrapper's hints.
func TestInFlags(t *testing.T) {
	for in, want := range map[string]string{
		`auto, low; a value newer than this module: WithExtraBody("quality", ...) or WithRequestValidation(false)`: "auto, low; a value newer than this version: --extra quality=VALUE or --no-validate",
		`upload Images (a multipart edit), or send it with WithExtraBody("frame_count", ...)`:                      "give the images as local files (a multipart edit), or send it with --extra frame_count=VALUE",
		`turn it off with WithValidation(false)`:                                                                   "turn it off with --no-validate",
		`gpt-image-2.5-flare; or WithRetiredModels(true) to send it anyway`:                                        "gpt-image-2.5-flare; or --allow-retired to send it anyway",
	} {
		if got := inFlags(in); got != want {
			t.Errorf("inFlags(%q) = %q, want %q", in, got, want)
		}
	}
}
