package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestGenerate runs generations against the emulator and checks the files
// written (decoded: format and dimensions) and the parameters the emulator
// received for every flag.
func TestGenerate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		model  string
		args   []string
		format string
		w, h   int
		n      int
		params map[string]any // expected request body fields
	}{
		{
			name:  "dall-e-2 default format",
			model: "dall-e-2", args: []string{"--model", "dall-e-2", "--size", "256x256", "--response-format", "b64_json", "--user", "user-1"},
			format: "png", w: 256, h: 256, n: 1,
			params: map[string]any{"model": "dall-e-2", "size": "256x256", "response_format": "b64_json", "user": "user-1"},
		},
		{
			name:  "dall-e-2 url downloaded, n 2",
			model: "dall-e-2", args: []string{"--model", "dall-e-2", "--size", "256x256", "--response-format", "url", "--n", "2"},
			format: "png", w: 256, h: 256, n: 2,
			params: map[string]any{"n": 2.0, "response_format": "url"},
		},
		{
			name:  "gpt-image-2 webp",
			model: "gpt-image-2", args: []string{"--model", "gpt-image-2", "--size", "256x256", "--output-format", "webp"},
			format: "webp", w: 256, h: 256, n: 1,
			params: map[string]any{"model": "gpt-image-2", "output_format": "webp"},
		},
		{
			name:  "gpt-image-2 jpeg custom size",
			model: "gpt-image-2", args: []string{"--model", "gpt-image-2", "--size", "320x192", "--output-format", "jpeg", "--output-compression", "60",
				"--quality", "low", "--moderation", "low", "--background", "opaque"},
			format: "jpeg", w: 320, h: 192, n: 1,
			params: map[string]any{"size": "320x192", "output_format": "jpeg", "output_compression": 60.0, "quality": "low",
				"moderation": "low", "background": "opaque"},
		},
		{
			name:  "dall-e-3 style and quality",
			model: "dall-e-3", args: []string{"--model", "dall-e-3", "--size", "1024x1024", "--style", "natural", "--quality", "hd"},
			format: "png", w: 1024, h: 1024, n: 1,
			params: map[string]any{"model": "dall-e-3", "style": "natural", "quality": "hd"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The retired DALL-E models are served: their parameters are
			// what several cases check.
			srv := newRetiredServer(t)
			env := srv.env
			out := t.TempDir()
			args := append([]string{"generate", "--json", "--out", out, "--prompt", "a red fox in the snow"}, tc.args...)
			r := runCLI(t, env, args...).mustSucceed(t)
			s := parseSummary(t, r.stdout)
			if len(s.Files) != tc.n {
				t.Fatalf("%d files, want %d: %+v", len(s.Files), tc.n, s.Files)
			}
			for i, f := range s.Files {
				format, w, h := decodeConfig(t, f.Path)
				if format != tc.format || w != tc.w || h != tc.h {
					t.Errorf("file %s is %s %dx%d, want %s %dx%d", f.Path, format, w, h, tc.format, tc.w, tc.h)
				}
				if f.Format != format || f.Width != w || f.Height != h || f.Image != i+1 || f.PartialIndex != nil {
					t.Errorf("summary of %s = %+v, want %s %dx%d image %d", f.Path, f, format, w, h, i+1)
				}
				if filepath.Dir(f.Path) != out {
					t.Errorf("file %s is not in --out %s", f.Path, out)
				}
			}
			if r.stderr != "" {
				t.Errorf("stderr with --json and success: %q", r.stderr)
			}
			if tc.model == "dall-e-3" {
				if len(s.RevisedPrompts) != 1 || s.Files[0].RevisedPrompt != s.RevisedPrompts[0] || !strings.Contains(s.RevisedPrompts[0], "a red fox") {
					t.Errorf("revised prompts = %q, file %+v", s.RevisedPrompts, s.Files[0])
				}
			} else if len(s.RevisedPrompts) != 0 {
				t.Errorf("revised prompts = %q", s.RevisedPrompts)
			}
			if s.Model != tc.model {
				t.Errorf("summary model = %q, want %q", s.Model, tc.model)
			}
			reqs := srv.requests()
			if len(reqs) == 0 || reqs[0].Path != "/v1/images/generations" {
				t.Fatalf("requests: %+v", reqs)
			}
			got := reqs[0].Params
			if got["prompt"] != "a red fox in the snow" {
				t.Errorf("prompt sent = %v", got["prompt"])
			}
			for k, want := range tc.params {
				if !reflect.DeepEqual(got[k], want) {
					t.Errorf("param %s = %#v, want %#v (all: %v)", k, got[k], want, got)
				}
			}
		})
	}
}

// TestGenerateUnsetFlagsNotSent checks that only given flags become fields.
func TestGenerateUnsetFlagsNotSent(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	env := srv.env
	runCLI(t, env, "generate", "--out", t.TempDir(), "--size", "256x256", "a cat").mustSucceed(t)
	got := srv.requests()[0].Params
	want := map[string]any{"prompt": "a cat", "size": "256x256"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body = %v, want %v", got, want)
	}
}

// TestGenerateTransparent checks --background transparent: the PNG has
// transparent pixels.
func TestGenerateTransparent(t *testing.T) {
	t.Parallel()
	env := newServer(t).env
	r := runCLI(t, env, "generate", "--json", "--out", t.TempDir(), "--model", "gpt-image-2", "--size", "256x256",
		"--background", "transparent", "--output-format", "png", "a balloon").mustSucceed(t)
	s := parseSummary(t, r.stdout)
	if s.Background != "transparent" {
		t.Errorf("summary background = %q", s.Background)
	}
	m := decodeFile(t, s.Files[0].Path)
	clear := 0
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := m.At(x, y).RGBA(); a == 0 {
				clear++
			}
		}
	}
	if clear == 0 {
		t.Error("no transparent pixel in a transparent-background image")
	}
}

// TestGeneratePlainOutput checks the default output: the paths on stdout,
// one a line, named <command>-<UTC stamp>-<N>.<ext>, and one summary line
// on stderr.
func TestGeneratePlainOutput(t *testing.T) {
	t.Parallel()
	env := newServer(t).env
	out := t.TempDir()
	r := runCLI(t, env, "generate", "--model", "gpt-image-2", "--n", "2", "--size", "256x256", "--out", out, "two owls").mustSucceed(t)
	paths := lines(r.stdout)
	if len(paths) != 2 {
		t.Fatalf("stdout = %q, want two paths", r.stdout)
	}
	name := regexp.MustCompile(`^generate-\d{8}T\d{6}\.\d{3}Z-(\d)\.png$`)
	for i, p := range paths {
		m := name.FindStringSubmatch(filepath.Base(p))
		if m == nil || m[1] != fmt.Sprint(i+1) {
			t.Errorf("path %q does not follow generate-<stamp>-%d.png", p, i+1)
		}
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	if !strings.HasPrefix(r.stderr, "generate: 2 images written to "+out+" in ") || !strings.Contains(r.stderr, "(gpt-image-2, 256x256 png, ") || !strings.Contains(r.stderr, " tokens, request req_") {
		t.Errorf("stderr = %q", r.stderr)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 {
		t.Errorf("out holds %d entries, want 2", len(entries))
	}
}

// TestGenerateRevisedPrompt checks that dall-e-3's revised prompt is
// reported (TestGenerate checks it in the JSON summary), from a server that
// still serves the retired model.
func TestGenerateRevisedPrompt(t *testing.T) {
	t.Parallel()
	env := newRetiredServer(t).env
	r := runCLI(t, env, "generate", "--out", t.TempDir(), "--model", "dall-e-3", "--response-format", "url", "a lighthouse").mustSucceed(t)
	if !strings.Contains(r.stderr, "\n  revised prompt 1: A detailed rendering of: a lighthouse\n") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

// TestGenerateJSONShape checks the JSON field names scripts rely on.
func TestGenerateJSONShape(t *testing.T) {
	t.Parallel()
	env := newServer(t).env
	r := runCLI(t, env, "generate", "--json", "--out", t.TempDir(), "--model", "gpt-image-2", "--size", "256x256", "--quality", "high", "a map").mustSucceed(t)
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"command", "model", "size", "quality", "background", "output_format", "created", "request_id", "files", "usage", "elapsed_ms"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON summary lacks %q: %s", k, r.stdout)
		}
	}
	s := parseSummary(t, r.stdout)
	if s.Command != "generate" || s.Model != "gpt-image-2" || s.Size != "256x256" || s.Quality != "high" ||
		!strings.HasPrefix(s.RequestID, "req_") || s.Usage == nil || s.Usage.TotalTokens == 0 || s.Created == nil {
		t.Errorf("summary = %+v", s)
	}
	usage := m["usage"].(map[string]any)
	for _, k := range []string{"input_tokens", "output_tokens", "total_tokens"} {
		if _, ok := usage[k]; !ok {
			t.Errorf("usage lacks %q", k)
		}
	}
}

// TestGenerateJSONResponseData checks that --json reports what the
// response adds to the images, against the emulator: the SVG author's
// token usage (svg_usage) and the effective safety identifier (the
// request's, else the deprecated user's), streamed or not; and neither
// when the response has none.
func TestGenerateJSONResponseData(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dir := t.TempDir()
	r := runCLI(t, srv.env, "generate", "--json", "-o", filepath.Join(dir, "fox.svg"), "-m", "gpt-image-2.6-sunburst",
		"--output-format", "svg", "--svg-model", "gpt-5", "--svg-reasoning-effort", "low", "--safety-identifier", "user-7f3a", "a fox logo").mustSucceed(t)
	s := parseSummary(t, r.stdout)
	u := s.SVGUsage
	if u == nil || u.Model != "gpt-5" || u.InputTokens <= 0 || u.OutputTokens <= 0 || u.ReasoningTokens <= 0 ||
		u.TotalTokens != u.InputTokens+u.OutputTokens || s.SafetyIdentifier != "user-7f3a" || s.Usage == nil {
		t.Errorf("svg: svg_usage %+v, safety_identifier %q, usage %+v", u, s.SafetyIdentifier, s.Usage)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatal(err)
	}
	su, _ := m["svg_usage"].(map[string]any)
	for _, k := range []string{"model", "input_tokens", "output_tokens", "reasoning_tokens", "total_tokens"} {
		if _, ok := su[k]; !ok {
			t.Errorf("svg_usage lacks %q: %s", k, r.stdout)
		}
	}

	// Streamed, the completed event's; --user stands in for it.
	r = runCLI(t, srv.env, "generate", "--json", "-o", filepath.Join(dir, "kite.png"), "-m", "gpt-image-2", "-s", "256x256",
		"--partial-images", "1", "--user", "legacy-user", "a kite").mustSucceed(t)
	if s := parseSummary(t, r.stdout); !s.Stream || s.SafetyIdentifier != "legacy-user" || s.SVGUsage != nil {
		t.Errorf("stream: %+v", s)
	}

	// Neither: no field.
	r = runCLI(t, srv.env, "generate", "--json", "-o", filepath.Join(dir, "cat.png"), "-m", "gpt-image-1.5", "a cat").mustSucceed(t)
	if strings.Contains(r.stdout, `"svg_usage"`) || strings.Contains(r.stdout, `"safety_identifier"`) {
		t.Errorf("png without an identifier: %s", r.stdout)
	}
}

// TestGenerateStream checks --stream with --partial-images 2: the partial
// images and the final one are written, in that order.
func TestGenerateStream(t *testing.T) {
	t.Parallel()
	for _, implied := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream flag %v", !implied), func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			env := srv.env
			args := []string{"generate", "--json", "--out", t.TempDir(), "--model", "gpt-image-2", "--size", "256x192",
				"--output-format", "webp", "--partial-images", "2", "a kite"}
			if !implied {
				args = append(args, "--stream")
			}
			r := runCLI(t, env, args...).mustSucceed(t)
			s := parseSummary(t, r.stdout)
			if !s.Stream || len(s.Files) != 3 {
				t.Fatalf("summary = %+v", s)
			}
			for i, f := range s.Files {
				format, w, h := decodeConfig(t, f.Path)
				if format != "webp" || w != 256 || h != 192 {
					t.Errorf("%s is %s %dx%d", f.Path, format, w, h)
				}
				base := filepath.Base(f.Path)
				if i < 2 {
					if f.PartialIndex == nil || *f.PartialIndex != i || !strings.HasSuffix(base, fmt.Sprintf("-1-partial-%d.webp", i)) {
						t.Errorf("file %d = %+v, want partial %d", i, f, i)
					}
				} else if f.PartialIndex != nil || !strings.HasSuffix(base, "-1.webp") || strings.Contains(base, "partial") {
					t.Errorf("file %d = %+v, want the final image", i, f)
				}
			}
			if s.Usage == nil || s.RequestID == "" {
				t.Errorf("summary lacks usage or request id: %+v", s)
			}
			got := srv.requests()[0].Params
			if got["stream"] != true || got["partial_images"] != 2.0 {
				t.Errorf("stream params = %v", got)
			}
		})
	}
}

// TestGenerateStreamPlain checks that streamed files are listed as they
// are written.
func TestGenerateStreamPlain(t *testing.T) {
	t.Parallel()
	env := newServer(t).env
	r := runCLI(t, env, "generate", "--out", t.TempDir(), "--model", "gpt-image-2", "--stream", "--partial-images", "1", "--quality", "low",
		"--size", "256x256", "a kite").mustSucceed(t)
	paths := lines(r.stdout)
	if len(paths) != 2 || !strings.HasSuffix(paths[0], "-1-partial-0.png") || !strings.HasSuffix(paths[1], "-1.png") {
		t.Errorf("stdout = %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "1 image and 1 partial image written") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

// TestGeneratePromptArgument checks the prompt given as the argument, with
// flags before and after it.
func TestGeneratePromptArgument(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	env := srv.env
	runCLI(t, env, "generate", "--out", t.TempDir(), "a small boat", "--size", "256x256").mustSucceed(t)
	runCLI(t, env, "generate", "--out", t.TempDir(), "--size", "256x256", "--", "--not a flag").mustSucceed(t)
	reqs := srv.requests()
	if reqs[0].Params["prompt"] != "a small boat" || reqs[0].Params["size"] != "256x256" {
		t.Errorf("first body = %v", reqs[0].Params)
	}
	if reqs[1].Params["prompt"] != "--not a flag" {
		t.Errorf("second body = %v", reqs[1].Params)
	}
}

// TestEmulatorFlag runs against the in-process emulator, which takes the
// place of any server or key of the environment.
func TestEmulatorFlag(t *testing.T) {
	t.Parallel()
	env := map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}
	r := runCLI(t, env, "generate", "--emulator", "--json", "--out", t.TempDir(), "--size", "256x256", "a pear").mustSucceed(t)
	s := parseSummary(t, r.stdout)
	if format, w, h := decodeConfig(t, s.Files[0].Path); format != "png" || w != 256 || h != 256 {
		t.Errorf("got %s %dx%d", format, w, h)
	}
}

// TestRunsNeverOverwrite checks that runs into one directory keep each
// other's files.
func TestRunsNeverOverwrite(t *testing.T) {
	t.Parallel()
	env := newServer(t).env
	out := t.TempDir()
	seen := map[string]bool{}
	for range 3 {
		r := runCLI(t, env, "generate", "--out", out, "--size", "256x256", "a pear").mustSucceed(t)
		for _, p := range lines(r.stdout) {
			if seen[p] {
				t.Errorf("%s written twice", p)
			}
			seen[p] = true
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 3 {
		t.Errorf("%d files in out, want 3", len(entries))
	}
}
