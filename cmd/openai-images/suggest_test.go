package main

import (
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
		{[]string{"-m", "gpt-image-1.5", "--quality", "hihg"}, "--quality=hihg: gpt-image-1.5 does not support quality hihg (allowed: auto, low, medium, high); did you mean --quality high?"},
		{[]string{"-m", "gpt-image-1.5", "--output-format", "jpg"}, "; did you mean --output-format jpeg?"},
		{[]string{"-m", "dall-e-3", "-s", "1024X1024"}, "; did you mean --size 1024x1024?"},
		{[]string{"-m", "gpt-image-1.5", "--background", "transparant"}, "; did you mean --background transparent?"},
		{[]string{"-m", "dall-e-3", "--style", "vivd"}, "; did you mean --style vivid?"},
	} {
		before := len(srv.requests())
		r := runCLI(t, srv.env, append([]string{"generate", "--out-dir", t.TempDir(), "a cat"}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || len(srv.requests()) != before {
			t.Errorf("%v: exit %d, stderr %q; want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	// A value no model is near gets no guess.
	r := runCLI(t, srv.env, "generate", "--out-dir", t.TempDir(), "-m", "gpt-image-1.5", "--quality", "splendid", "a cat")
	if r.code != exitUsage || strings.Contains(r.stderr, "did you mean") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestModelSuggestion checks a model the table does not know: it is sent
// (a model released tomorrow is never blocked) after a warning naming the
// model it looks like, and the API's refusal says it again.
func TestModelSuggestion(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t)
	srv.InjectFault(imagestest.Fault{Status: 400, ContentType: "application/json",
		Body: `{"error": {"message": "Invalid value: 'gpt-image-15'.", "type": "invalid_request_error", "param": "model", "code": "invalid_value"}}`}, 1)
	r := runCLI(t, srv.env, "generate", "--out-dir", t.TempDir(), "-m", "gpt-image-15", "a cat")
	if r.code != exitFailure || len(srv.requests()) != 1 {
		t.Fatalf("exit %d, %d requests\nstderr: %s", r.code, len(srv.requests()), r.stderr)
	}
	for _, want := range []string{
		"openai-images: warning: model gpt-image-15 is not one this version knows; did you mean gpt-image-1.5? (sent as given)\n",
		"Invalid value: 'gpt-image-15'.",
		"; did you mean --model gpt-image-1.5?\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	// A name far from every known model: no warning.
	r = runCLI(t, srv.env, "generate", "--out-dir", t.TempDir(), "-m", "image-model-of-2030", "-s", "256x256", "a cat").mustSucceed(t)
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("stderr %q", r.stderr)
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
