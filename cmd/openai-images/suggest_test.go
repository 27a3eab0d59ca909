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
