package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
)

// TestJSONOnEveryFailure checks that --json prints exactly one JSON object
// on stdout whatever ends the run, with the exit code and an error of the
// right kind, and nothing else there.
func TestJSONOnEveryFailure(t *testing.T) {
	t.Parallel()
	shared := newServer(t)
	faulty := newFaultServer(t)
	dir := t.TempDir()
	png := writePNG(t, dir, "in.png", gradient(64, 48, 1))
	cases := []struct {
		name  string
		env   map[string]string
		fault *imagestest.Fault
		args  []string
		code  int
		kind  string
		check func(t *testing.T, e *errorJSON)
	}{
		{"unknown flag", shared.env, nil, []string{"generate", "--json", "--modle", "x", "a cat"}, exitUsage, "usage",
			func(t *testing.T, e *errorJSON) { wantIn(t, e.Message, "did you mean --model?") }},
		{"bad value", shared.env, nil, []string{"generate", "--json", "-n", "two", "a cat"}, exitUsage, "usage", nil},
		{"no prompt", shared.env, nil, []string{"generate", "--json"}, exitUsage, "usage", nil},
		{"validation", shared.env, nil, []string{"generate", "--json", "-m", "gpt-image-1.5", "--quality", "hihg", "-n", "11", "a cat"}, exitUsage, "validation",
			func(t *testing.T, e *errorJSON) {
				if len(e.Problems) != 2 || e.Problems[0].Field != "n" || e.Problems[0].Flag != "--n" || e.Problems[1].Field != "quality" ||
					e.Problems[1].Value != "hihg" || e.Problems[1].Suggestion != "high" || e.Problems[1].Allowed == "" {
					t.Errorf("problems %+v", e.Problems)
				}
			}},
		{"edit image", shared.env, nil, []string{"edit", "--json", "-m", "dall-e-2", "-i", png, "a cat"}, exitUsage, "validation",
			func(t *testing.T, e *errorJSON) {
				if len(e.Problems) == 0 || e.Problems[0].Field != "image[0]" || e.Problems[0].Flag != "--image #1" {
					t.Errorf("problems %+v", e.Problems)
				}
			}},
		{"no key", map[string]string{"OPENAI_BASE_URL": shared.URL}, nil, []string{"generate", "--json", "a cat"}, exitUsage, "usage",
			func(t *testing.T, e *errorJSON) {
				if e.Code != "missing_api_key" || e.Message != noKeyMessage {
					t.Errorf("error %+v", e)
				}
			}},
		{"api", faulty.env, &imagestest.Fault{Status: 400}, []string{"generate", "--json", "-s", "256x256", "a cat"}, exitFailure, "api",
			func(t *testing.T, e *errorJSON) {
				if e.Status != 400 || e.Type != "invalid_request_error" || !strings.HasPrefix(e.RequestID, "req_") {
					t.Errorf("error %+v", e)
				}
			}},
		{"stream", faulty.env, ptr(imagestest.TruncateStream(1)), []string{"generate", "--json", "-m", "gpt-image-2", "-s", "256x256", "--partial-images", "2", "a cat"},
			exitFailure, "stream", func(t *testing.T, e *errorJSON) { wantIn(t, e.Message, "stream ended before the image was completed") }},
		{"network", faulty.env, ptr(imagestest.SlowFirstByte(10 * time.Second)), []string{"generate", "--json", "-s", "256x256", "--timeout", "0.1", "--max-retries", "0", "a cat"},
			exitFailure, "network", func(t *testing.T, e *errorJSON) { wantIn(t, e.Message, "attempt timed out after 100ms") }},
		{"file", shared.env, nil, []string{"generate", "--json", "-s", "256x256", "-o", filepath.Join(dir, strings.Repeat("x", 260)+".png"), "a cat"},
			exitFailure, "file", nil},
		{"stdout and json", shared.env, nil, []string{"generate", "--json", "-o", "-", "a cat"}, exitUsage, "usage", nil},
		{"batch file", shared.env, nil, []string{"batch", "--json", filepath.Join(dir, "missing.txt")}, exitUsage, "usage", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault != nil {
				faulty.InjectFault(*tc.fault, 1)
			}
			r := runCLI(t, tc.env, append(tc.args, "--out-dir", t.TempDir())...)
			if tc.name == "file" || tc.name == "stdout and json" {
				r = runCLI(t, tc.env, tc.args...)
			}
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
			if tc.args[0] == "batch" {
				s := decodeStrict[batchSummary](t, r.stdout)
				if s.Command != "batch" || s.ExitCode != tc.code || s.Error == nil || s.Error.Kind != tc.kind || s.Items == nil {
					t.Fatalf("report %+v, error %+v", s, s.Error)
				}
				return
			}
			s := parseSummary(t, r.stdout)
			if s.Command != tc.args[0] || s.ExitCode != tc.code || s.Error == nil || s.Error.Kind != tc.kind || s.Error.Message == "" || s.Files == nil {
				t.Fatalf("report %+v, error %+v", s, s.Error)
			}
			if tc.check != nil {
				tc.check(t, s.Error)
			}
		})
	}

	// Before any command, the object has the command ("" when none was
	// given: a flag is none), the exit code and the error.
	for _, tc := range []struct {
		args    []string
		command string
	}{
		{[]string{"--json"}, ""},
		{[]string{"--json", "generate", "a cat"}, ""},
		{[]string{"-json=true"}, ""},
		{[]string{"generat", "--json"}, "generat"},
	} {
		r := runCLI(t, nil, tc.args...)
		s := decodeStrict[failureReport](t, r.stdout)
		if r.code != exitUsage || s.ExitCode != exitUsage || s.Error == nil || s.Error.Kind != "usage" || s.Command != tc.command {
			t.Errorf("%v: exit %d, report %+v; want command %q", tc.args, r.code, s, tc.command)
		}
		if !strings.Contains(r.stdout, `"command": "`+tc.command+`"`) {
			t.Errorf("%v: %s", tc.args, r.stdout)
		}
	}

	// Interrupted: 130, and the object still.
	faulty.InjectFault(imagestest.SlowFirstByte(10*time.Second), 1)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	r := runCLIContext(ctx, faulty.env, "generate", "--json", "--out-dir", t.TempDir(), "-s", "256x256", "a cat")
	if s := parseSummary(t, r.stdout); r.code != exitInterrupted || s.ExitCode != exitInterrupted || s.Error == nil || s.Error.Kind != "interrupted" {
		t.Errorf("interrupted: exit %d, report %+v", r.code, s)
	}

	// Success: exit_code 0 and no error.
	r = runCLI(t, shared.env, "generate", "--json", "--out-dir", t.TempDir(), "-s", "256x256", "a cat").mustSucceed(t)
	if s := parseSummary(t, r.stdout); s.ExitCode != 0 || s.Error != nil || len(s.Files) != 1 {
		t.Errorf("success: %+v", s)
	}
	// Help is not a run: no object.
	if r := runCLI(t, nil, "generate", "--json", "-h").mustSucceed(t); !strings.HasPrefix(r.stdout, "Usage: openai-images generate") || strings.Contains(r.stdout, `"exit_code"`) {
		t.Errorf("help with --json: %q", r.stdout)
	}
}

// TestJSONHelp checks that the schema is documented, field by field.
func TestJSONHelp(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "help", "json").mustSucceed(t)
	for _, f := range []string{"command", "exit_code", "error", "kind", "message", "problems", "suggestion", "files", "partial_image_index",
		"revised_prompts", "usage", "svg_usage", "reasoning_tokens", "safety_identifier", "elapsed_ms", "items", "totals", "not_run",
		"invalid", "rate_limited", "batch_id"} {
		if !strings.Contains(r.stdout, f) {
			t.Errorf("help json lacks %q", f)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func wantIn(t *testing.T, s, want string) {
	t.Helper()
	if !strings.Contains(s, want) {
		t.Errorf("%q lacks %q", s, want)
	}
}
