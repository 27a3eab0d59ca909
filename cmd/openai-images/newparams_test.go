package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image"
	"image/color/palette"
	"image/gif"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/imagegen-go/openai-images/wrapper"
)

// recorded is one request a fakeAPI received.
type recorded struct {
	path, contentType string
	json              map[string]any      // a JSON body
	fields            map[string][]string // a multipart body's text fields
	files             map[string][]string // a multipart body's file parts: field -> file names
}

// fakeAPI is an images endpoint that records each request and answers with
// the images it is given, declared as format: what the tests of GIF and
// SVG results and of the request parameters need, whatever the emulator
// renders.
type fakeAPI struct {
	*httptest.Server
	env map[string]string

	mu       sync.Mutex
	requests []recorded
	format   string   // the output_format the response declares ("" for none)
	images   [][]byte // the images of each response
}

func newFakeAPI(t *testing.T, format string, images ...[]byte) *fakeAPI {
	t.Helper()
	f := &fakeAPI{format: format, images: images}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	f.env = map[string]string{"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": f.URL + "/v1"}
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	rec := recorded{path: r.URL.Path, contentType: r.Header.Get("Content-Type")}
	mt, params, _ := mime.ParseMediaType(rec.contentType)
	switch mt {
	case "application/json":
		json.NewDecoder(r.Body).Decode(&rec.json)
	case "multipart/form-data":
		rec.fields, rec.files = map[string][]string{}, map[string][]string{}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(part)
			if part.FileName() != "" {
				rec.files[part.FormName()] = append(rec.files[part.FormName()], part.FileName())
			} else {
				rec.fields[part.FormName()] = append(rec.fields[part.FormName()], string(b))
			}
		}
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	format, images := f.format, f.images
	f.mu.Unlock()
	var data []map[string]any
	for _, img := range images {
		data = append(data, map[string]any{"b64_json": base64.StdEncoding.EncodeToString(img)})
	}
	body := map[string]any{"created": 1767225600, "data": data}
	if format != "" {
		body["output_format"] = format
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-request-id", "req_fake")
	json.NewEncoder(w).Encode(body)
}

// last returns the last request received.
func (f *fakeAPI) last(t *testing.T) recorded {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		t.Fatal("no request was sent")
	}
	return f.requests[len(f.requests)-1]
}

// answer sets what the next responses hold.
func (f *fakeAPI) answer(format string, images ...[]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.format, f.images = format, images
}

// all returns the requests received.
func (f *fakeAPI) all() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func (f *fakeAPI) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// testGIF is an animated GIF of frames frames, 32x24.
func testGIF(t *testing.T, frames int) []byte {
	t.Helper()
	g := &gif.GIF{}
	for i := range frames {
		m := image.NewPaletted(image.Rect(0, 0, 32, 24), palette.Plan9)
		m.SetColorIndex(i, i, uint8(i+10))
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 12)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const testSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200" viewBox="0 0 320 200"><rect width="320" height="200" fill="#224"/><circle cx="160" cy="100" r="40" fill="#fc3"/></svg>
`

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	path := writePNG(t, t.TempDir(), "x.png", gradient(w, h, 3))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	buf.Write(b)
	return buf.Bytes()
}

// TestNewParametersOnTheWire checks that each flag of the API's newest
// parameters is sent under the API's name, as the official SDKs send it:
// JSON in a generation, form fields and a file part in a multipart edit.
func TestNewParametersOnTheWire(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, "gif", testGIF(t, 4))
	out := t.TempDir()
	runCLI(t, api.env, "generate", "-o", filepath.Join(out, "kite"), "-m", "gpt-image-2.5-flare",
		"--quality", "xhigh", "--complexity", "high", "--output-format", "gif", "--frame-count", "4",
		"--frame-duration-ms", "120", "--safety-identifier", "user-7f3a", "a kite").mustSucceed(t)
	got := api.last(t).json
	for k, want := range map[string]any{
		"model": "gpt-image-2.5-flare", "quality": "xhigh", "complexity": "high", "output_format": "gif",
		"frame_count": 4.0, "frame_duration_ms": 120.0, "safety_identifier": "user-7f3a", "prompt": "a kite",
	} {
		if !reflect.DeepEqual(got[k], want) {
			t.Errorf("generation %s = %#v, want %#v", k, got[k], want)
		}
	}
	if _, ok := got["user"]; ok {
		t.Error("user sent without --user")
	}

	api.answer("svg", []byte(testSVG))
	runCLI(t, api.env, "generate", "-o", filepath.Join(out, "logo.svg"), "-m", "gpt-image-2.6-sunburst", "--output-format", "svg",
		"--svg-model", "gpt-5", "--svg-reasoning-effort", "low", "a logo").mustSucceed(t)
	if got := api.last(t).json["svg"]; !reflect.DeepEqual(got, map[string]any{"model": "gpt-5", "reasoning": map[string]any{"effort": "low"}}) {
		t.Errorf("generation svg = %#v", got)
	}

	// A multipart edit: svg[model] and svg[reasoning][effort] parts, the
	// markup as a file part, the others as fields.
	dir := t.TempDir()
	photo := writePNG(t, dir, "photo.png", gradient(64, 64, 1))
	markup := writePNG(t, dir, "arrows.png", maskWithHole(64, 64, image.Rect(0, 0, 64, 32)))
	runCLI(t, api.env, "edit", "-o", filepath.Join(out, "edit.svg"), "-m", "gpt-image-2.5-sunburst", "-i", photo, "--markup", markup,
		"--output-format", "svg", "--svg-model", "gpt-5", "--svg-reasoning-effort", "high", "--complexity", "low",
		"--safety-identifier", "sid", "trace the arrows").mustSucceed(t)
	rec := api.last(t)
	if !strings.HasPrefix(rec.contentType, "multipart/form-data") {
		t.Fatalf("edit sent as %s", rec.contentType)
	}
	for k, want := range map[string]string{
		"svg[model]": "gpt-5", "svg[reasoning][effort]": "high", "complexity": "low", "safety_identifier": "sid", "output_format": "svg",
	} {
		if got := rec.fields[k]; len(got) != 1 || got[0] != want {
			t.Errorf("edit field %s = %q, want %q", k, got, want)
		}
	}
	if got := rec.files["markup"]; len(got) != 1 || got[0] != "arrows.png" {
		t.Errorf("markup file parts %q", got)
	}
}

// TestUserDeprecated checks that --user is still sent, with a warning.
func TestUserDeprecated(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, "png", pngBytes(t, 8, 8))
	r := runCLI(t, api.env, "generate", "-o", filepath.Join(t.TempDir(), "a.png"), "-m", "gpt-image-1.5", "--user", "u1", "a cat").mustSucceed(t)
	if got := api.last(t).json["user"]; got != "u1" {
		t.Errorf("user = %v", got)
	}
	if !strings.Contains(r.stderr, "--user is deprecated by the API: use --safety-identifier") {
		t.Errorf("stderr %q", r.stderr)
	}
	r = runCLI(t, api.env, "generate", "-q", "-o", filepath.Join(t.TempDir(), "a.png"), "-m", "gpt-image-1.5", "--user", "u1", "a cat").mustSucceed(t)
	if r.stderr != "" {
		t.Errorf("--quiet: stderr %q", r.stderr)
	}
}

// TestExtraAndNoValidate checks --extra (JSON values as JSON, others as
// strings, in JSON bodies and multipart edits) and --no-validate.
func TestExtraAndNoValidate(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, "png", pngBytes(t, 8, 8))
	out := filepath.Join(t.TempDir(), "x.png")
	runCLI(t, api.env, "generate", "-o", out, "-m", "gpt-image-2.6-flare",
		"--extra", "lighting=studio", "--extra", "seed=42", "--extra", `tag="42"`, "--extra", `svg={"model":"gpt-5"}`,
		"--extra", "flag=true", "--extra", "empty=", "--extra", "quality=ultra", "a cat").mustSucceed(t)
	got := api.last(t).json
	for k, want := range map[string]any{
		"lighting": "studio", "seed": 42.0, "tag": "42", "svg": map[string]any{"model": "gpt-5"}, "flag": true, "empty": "", "quality": "ultra",
	} {
		if !reflect.DeepEqual(got[k], want) {
			t.Errorf("--extra %s = %#v, want %#v", k, got[k], want)
		}
	}

	// Multipart: strings as they are, other values as JSON text.
	photo := writePNG(t, t.TempDir(), "photo.png", gradient(16, 16, 2))
	runCLI(t, api.env, "edit", "-o", out, "-m", "gpt-image-1.5", "-i", photo, "--extra", "lighting=studio", "--extra", "seed=42",
		"--extra", `svg={"model":"gpt-5"}`, "a cat").mustSucceed(t)
	rec := api.last(t)
	for k, want := range map[string]string{"lighting": "studio", "seed": "42", "svg": `{"model":"gpt-5"}`} {
		if got := rec.fields[k]; len(got) != 1 || got[0] != want {
			t.Errorf("multipart --extra %s = %q, want %q", k, got, want)
		}
	}

	// A bad --extra is a usage error.
	for _, bad := range []string{"novalue", "=x", "a\x01=b"} {
		if r := runCLI(t, api.env, "generate", "-o", out, "--extra", bad, "a cat"); r.code != exitUsage || !strings.Contains(r.stderr, "--extra") {
			t.Errorf("--extra %q: exit %d, %q", bad, r.code, r.stderr)
		}
	}

	// A value the checks refuse is sent with --no-validate only.
	before := api.count()
	r := runCLI(t, api.env, "generate", "-o", out, "-m", "gpt-image-2.6-flare", "--quality", "ultra", "a cat")
	if r.code != exitUsage || api.count() != before || !strings.Contains(r.stderr, "--quality=ultra") {
		t.Fatalf("exit %d, %d requests, stderr %q", r.code, api.count()-before, r.stderr)
	}
	runCLI(t, api.env, "generate", "-o", out, "-m", "gpt-image-2.6-flare", "--quality", "ultra", "--no-validate", "a cat").mustSucceed(t)
	if got := api.last(t).json["quality"]; got != "ultra" {
		t.Errorf("--no-validate: quality %v", got)
	}
	// A typo of a model is refused, unless --no-validate.
	r = runCLI(t, api.env, "generate", "-o", out, "-m", "gpt-image-2.6-flar", "a cat")
	if r.code != exitUsage || !strings.Contains(r.stderr, "did you mean gpt-image-2.6-flare?") {
		t.Errorf("typo: exit %d, %q", r.code, r.stderr)
	}
	runCLI(t, api.env, "generate", "-o", out, "-m", "gpt-image-2.6-flar", "--no-validate", "a cat").mustSucceed(t)
}

// TestGIFAndSVGResults checks that GIF and SVG results get their extension
// from -o without one, from --out-dir and from batch, and that --json
// reports a GIF's frames and an SVG's own size.
func TestGIFAndSVGResults(t *testing.T) {
	t.Parallel()
	anim := testGIF(t, 5)
	api := newFakeAPI(t, "gif", anim)
	dir := t.TempDir()

	r := runCLI(t, api.env, "generate", "--json", "-o", filepath.Join(dir, "kite"), "-m", "gpt-image-2.5-flare", "--output-format", "gif", "a kite").mustSucceed(t)
	s := parseSummary(t, r.stdout)
	if len(s.Files) != 1 || s.Files[0].Path != filepath.Join(dir, "kite.gif") || s.Files[0].Format != "gif" || s.Files[0].Frames != 5 ||
		s.Files[0].Width != 32 || s.Files[0].Height != 24 {
		t.Fatalf("files %+v", s.Files)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "kite.gif")); err != nil || !bytes.Equal(b, anim) {
		t.Fatalf("kite.gif: %v", err)
	}
	r = runCLI(t, api.env, "generate", "--out-dir", dir, "-m", "gpt-image-2.5-flare", "--output-format", "gif", "a kite").mustSucceed(t)
	if p := strings.TrimSpace(r.stdout); !strings.HasSuffix(p, ".gif") || !strings.Contains(r.stderr, "32x24 gif, 5 frames") {
		t.Errorf("--out-dir: %q, %q", p, r.stderr)
	}

	api.answer("svg", []byte(testSVG))
	r = runCLI(t, api.env, "generate", "--json", "-o", filepath.Join(dir, "logo"), "-m", "gpt-image-2.6-sunburst", "--output-format", "svg", "a logo").mustSucceed(t)
	s = parseSummary(t, r.stdout)
	if len(s.Files) != 1 || s.Files[0].Path != filepath.Join(dir, "logo.svg") || s.Files[0].Format != "svg" || s.Files[0].Width != 320 || s.Files[0].Height != 200 {
		t.Fatalf("files %+v", s.Files)
	}
	// -o naming another format than --output-format is refused before sending.
	before := api.count()
	if r := runCLI(t, api.env, "generate", "-o", filepath.Join(dir, "logo.png"), "--output-format", "svg", "a logo"); r.code != exitUsage || api.count() != before {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}

	// Batch: items named ID.gif and ID.svg.
	api.answer("", anim)
	file := filepath.Join(dir, "items.jsonl")
	os.WriteFile(file, []byte(`{"id": "loop", "prompt": "a kite", "model": "gpt-image-2.5-flare", "output_format": "gif", "frame_count": 5}`+"\n"), 0o644)
	runCLI(t, api.env, "batch", "--out-dir", filepath.Join(dir, "b"), file).mustSucceed(t)
	if b, err := os.ReadFile(filepath.Join(dir, "b", "loop.gif")); err != nil || !bytes.Equal(b, anim) {
		t.Errorf("batch loop.gif: %v", err)
	}
	if got := api.last(t).json["frame_count"]; got != 5.0 {
		t.Errorf("batch frame_count %v", got)
	}
}

// TestImageNotAsDeclared checks that a response whose image is not what
// it declared, or a broken GIF or SVG, is an error (kind image) and that
// nothing of it is written.
func TestImageNotAsDeclared(t *testing.T) {
	t.Parallel()
	anim := testGIF(t, 3)
	for name, tc := range map[string]struct {
		format string
		images [][]byte
		args   []string
	}{
		"png declared gif":       {"gif", [][]byte{pngBytes(t, 8, 8)}, []string{"--output-format", "gif"}},
		"truncated gif":          {"gif", [][]byte{anim[:len(anim)-4]}, []string{"--output-format", "gif"}},
		"svg not well-formed":    {"svg", [][]byte{[]byte(`<svg xmlns="http://www.w3.org/2000/svg"><g></svg>`)}, []string{"--output-format", "svg"}},
		"html as svg":            {"svg", [][]byte{[]byte("<html>oops</html>")}, []string{"--output-format", "svg"}},
		"no echo, asked for gif": {"", [][]byte{pngBytes(t, 8, 8)}, []string{"--output-format", "gif"}},
		"second of two is bad":   {"gif", [][]byte{anim, anim[:20]}, []string{"--output-format", "gif", "-n", "2"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(t, tc.format, tc.images...)
			for _, where := range [][]string{{"-o", "x"}, {"--out-dir", "d"}} {
				dir := t.TempDir()
				args := append([]string{"generate", "--json", where[0], filepath.Join(dir, where[1]), "-m", "gpt-image-2.5-flare"}, tc.args...)
				r := runCLI(t, api.env, append(args, "a kite")...)
				s := parseSummary(t, r.stdout)
				if r.code != exitFailure || s.Error == nil || s.Error.Kind != kindImage || len(s.Files) != 0 {
					t.Errorf("%v: exit %d, %+v", where, r.code, s.Error)
				}
				var files []string
				filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
					if err == nil && !fi.IsDir() {
						files = append(files, p)
					}
					return nil
				})
				if len(files) != 0 {
					t.Errorf("%v: files written: %v", where, files)
				}
			}
		})
	}
}

// TestRetiredModelsOnOpenAI checks that, with OpenAI's own API as the base
// URL, retired models and the variations endpoint are refused before
// anything is sent (by the wrapper for one request, by the batch command
// for every item beforehand), with --allow-retired in the message; and that
// --allow-retired sends them.
func TestRetiredModelsOnOpenAI(t *testing.T) {
	t.Parallel()
	env := map[string]string{"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": "https://api.openai.com/v1"}
	dir := t.TempDir()
	img := writePNG(t, dir, "square.png", gradient(64, 64, 1))
	prompts := filepath.Join(dir, "prompts.txt")
	os.WriteFile(prompts, []byte("a boat\na lighthouse\n"), 0o644)
	refused := func(args ...string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		sent := &countingRT{}
		inv := &invocation{stdout: &stdout, stderr: &stderr, env: func(k string) string { return env[k] }, transport: sent}
		code := inv.run(context.Background(), args)
		if code != exitUsage || sent.n() != 0 || !strings.Contains(stderr.String(), "--allow-retired") || !strings.Contains(stderr.String(), "retired") {
			t.Errorf("%v: exit %d, %d requests, stderr %q", args, code, sent.n(), stderr.String())
		}
	}
	refused("generate", "-o", filepath.Join(dir, "a.png"), "-m", "dall-e-3", "a boat")
	refused("edit", "-o", filepath.Join(dir, "a.png"), "-m", "gpt-image-1", "-i", img, "a boat")
	refused("vary", "-o", filepath.Join(dir, "a.png"), "-i", img)
	refused("batch", "-m", "dall-e-2", "-s", "256x256", "--out-dir", filepath.Join(dir, "b"), prompts)

	// --allow-retired sends them (here to a transport that answers 400).
	for _, args := range [][]string{
		{"generate", "--allow-retired", "-o", filepath.Join(dir, "a.png"), "-m", "dall-e-3", "a boat"},
		{"vary", "--allow-retired", "-o", filepath.Join(dir, "a.png"), "-i", img},
	} {
		var stdout, stderr bytes.Buffer
		sent := &countingRT{}
		inv := &invocation{stdout: &stdout, stderr: &stderr, env: func(k string) string { return env[k] }, transport: sent}
		if code := inv.run(context.Background(), append(args, "--max-retries", "0")); code != exitFailure || sent.n() != 1 {
			t.Errorf("%v: exit %d, %d requests, stderr %q", args, code, sent.n(), stderr.String())
		}
	}
}

// TestRetirementListedWithOtherProblems checks that on OpenAI's own API
// (OPENAI_BASE_URL unset, or naming it) the retirement of a model, or of
// the variations endpoint, is listed in one error with the request's other
// problems, as the library's Client.Generate, Edit and Vary list them, for
// generate, edit, vary and batch items alike; and that nothing is sent.
func TestRetirementListedWithOtherProblems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	img := writePNG(t, dir, "square.png", gradient(64, 64, 1))
	items := filepath.Join(dir, "items.jsonl")
	os.WriteFile(items, []byte(`{"id": "boat", "prompt": "a boat", "model": "dall-e-3", "quality": "xhigh"}`+"\n"+
		`{"id": "fine", "prompt": "a kite", "model": "gpt-image-1.5"}`+"\n"), 0o644)

	// What the library reports for the same requests, sent to OpenAI's API.
	lib := &countingRT{}
	client, err := wrapper.New(wrapper.WithBaseURL(wrapper.DefaultBaseURL), wrapper.WithAPIKey("test-key"),
		wrapper.WithHTTPClient(&http.Client{Transport: lib}))
	if err != nil {
		t.Fatal(err)
	}
	fields := func(err error) []string {
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("library: %v, want a validation error", err)
		}
		var out []string
		for _, p := range ve.Problems {
			out = append(out, p.Field)
		}
		return out
	}
	ctx := context.Background()
	_, genErr := client.Generate(ctx, wrapper.GenerateParams{Prompt: "a boat", Model: wrapper.ModelDallE3, Quality: wrapper.QualityXHigh})
	_, editErr := client.Edit(ctx, wrapper.EditParams{Prompt: "a boat", Model: wrapper.ModelGPTImage1, Quality: wrapper.QualityXHigh,
		Images: []wrapper.Image{wrapper.ImageFromPath(img)}})
	_, varyErr := client.Vary(ctx, wrapper.VaryParams{Image: wrapper.ImageFromPath(img), Size: "100x100"})
	if lib.n() != 0 {
		t.Fatalf("the library sent %d requests", lib.n())
	}

	for _, env := range []map[string]string{
		{"OPENAI_API_KEY": "test-key"},
		{"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": "https://api.openai.com/v1"},
	} {
		for _, tc := range []struct {
			args []string
			want []string // the problems' fields, in order
		}{
			{[]string{"generate", "-m", "dall-e-3", "--quality", "xhigh", "-o", filepath.Join(dir, "x.png"), "a boat"}, fields(genErr)},
			{[]string{"edit", "-m", "gpt-image-1", "--quality", "xhigh", "-i", img, "-o", filepath.Join(dir, "x.png"), "a boat"}, fields(editErr)},
			{[]string{"vary", "-i", img, "-s", "100x100", "-o", filepath.Join(dir, "x.png")}, fields(varyErr)},
			{[]string{"batch", "--out-dir", filepath.Join(dir, "out"), items}, []string{"model", "quality"}},
		} {
			if tc.want[0] != "model" || len(tc.want) != 2 {
				t.Fatalf("%s: the library reports %v", tc.args[0], tc.want)
			}
			var stdout, stderr bytes.Buffer
			sent := &countingRT{}
			inv := &invocation{stdout: &stdout, stderr: &stderr, env: func(k string) string { return env[k] }, transport: sent, json: true}
			code := inv.run(ctx, append(tc.args, "--json"))
			if code != exitUsage || sent.n() != 0 {
				t.Fatalf("%v: exit %d, %d requests, stderr %q", tc.args, code, sent.n(), stderr.String())
			}
			var e *errorJSON
			if tc.args[0] == "batch" {
				e = decodeStrict[batchSummary](t, stdout.String()).Error
			} else {
				e = parseSummary(t, stdout.String()).Error
			}
			var got []string
			for _, p := range e.Problems {
				got = append(got, p.Field)
			}
			if e.Kind != kindValidation || !reflect.DeepEqual(got, tc.want) || !strings.Contains(e.Problems[0].Rule, "retired") ||
				!strings.Contains(e.Problems[0].Allowed, "--allow-retired") {
				t.Errorf("%v: %+v, want the problems of %v", tc.args, e, tc.want)
			}
			// The message on stderr lists them all too.
			for _, word := range []string{"retired", "xhigh", "100x100"} {
				if strings.Contains(strings.Join(tc.args, " "), word) && !strings.Contains(stderr.String(), word) {
					t.Errorf("%v: stderr lacks %q: %s", tc.args, word, stderr.String())
				}
			}
		}
	}
}

// countingRT answers 400 to every request and counts them: no test
// request reaches the network.
type countingRT struct {
	mu    sync.Mutex
	count int
}

func (c *countingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	c.mu.Lock()
	c.count++
	c.mu.Unlock()
	return &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"error":{"message":"no network in tests","type":"invalid_request_error"}}`)), Request: r}, nil
}

func (c *countingRT) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}

// TestNewValueSuggestions checks "did you mean" for the newest values and
// the wording of their refusals in flags.
func TestNewValueSuggestions(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, "png", pngBytes(t, 8, 8))
	out := filepath.Join(t.TempDir(), "x.png")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-m", "gpt-image-2.5-sunburst", "--quality", "xhihg"}, "did you mean --quality xhigh?"},
		{[]string{"-m", "gpt-image-2.6-flare", "--output-format", "svgg"}, "did you mean --output-format svg?"},
		{[]string{"-m", "gpt-image-2.6-flare", "--complexity", "hgih"}, "did you mean --complexity high?"},
		{[]string{"-m", "gpt-image-2.6-flare", "--output-format", "svg", "--svg-model", "gpt-5", "--svg-reasoning-effort", "meduim"}, "did you mean --svg-reasoning-effort medium?"},
		// Refusals worded in flags, not in the wrapper's names.
		{[]string{"-m", "gpt-image-2.6-flare", "--frame-duration-ms", "100"}, "--frame-duration-ms=100: frame_duration_ms applies only to GIF output (allowed: output_format gif, or omit --frame-duration-ms)"},
		{[]string{"-m", "gpt-image-2.6-flare", "--output-format", "svg", "--svg-reasoning-effort", "low"}, "--svg-model: SVG options in a generation need the author model"},
		{[]string{"-m", "gpt-image-2.6-flare", "--output-format", "gif", "--stream"}, "--stream=true: GIF output cannot be streamed (allowed: output_format png, jpeg or webp, or drop --stream and --partial-images)"},
	} {
		before := api.count()
		r := runCLI(t, api.env, append([]string{"generate", "-o", out, "a cat"}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || api.count() != before {
			t.Errorf("%v: exit %d, stderr %q; want %q", tc.args, r.code, r.stderr, tc.want)
		}
		if strings.Contains(r.stderr, "SVGOptions") || strings.Contains(r.stderr, "FrameDuration") || strings.Contains(r.stderr, "call Generate") {
			t.Errorf("%v: wrapper words in %q", tc.args, r.stderr)
		}
	}
	// --json: the flag and the suggestion of a newest parameter.
	r := runCLI(t, api.env, "generate", "--json", "-o", out, "-m", "gpt-image-2.6-flare", "--output-format", "svg", "--svg-model", "gpt-5",
		"--svg-reasoning-effort", "meduim", "a cat")
	if s := parseSummary(t, r.stdout); s.Error == nil || len(s.Error.Problems) != 1 || s.Error.Problems[0].Flag != "--svg-reasoning-effort" ||
		s.Error.Problems[0].Field != "svg.reasoning.effort" || s.Error.Problems[0].Suggestion != "medium" {
		t.Errorf("--json: %+v", s.Error)
	}
	// max is a quality of the gpt-image-2.5 models only.
	r = runCLI(t, api.env, "generate", "-o", out, "-m", "gpt-image-2.6-sunburst", "--quality", "max", "a cat")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--quality=max") {
		t.Errorf("quality max on 2.6: exit %d, %q", r.code, r.stderr)
	}
	if r := runCLI(t, api.env, "generate", "-o", out, "--frame-duration-ms", "0", "-m", "gpt-image-2.6-flare", "--output-format", "gif", "a cat"); r.code != exitUsage ||
		!strings.Contains(r.stderr, "positive number of milliseconds") {
		t.Errorf("--frame-duration-ms 0: exit %d, %q", r.code, r.stderr)
	}
}

// TestBatchNewParameters checks the newest parameters in a batch: JSONL
// fields (markup as a file part of a multipart edit), flags as defaults,
// --extra as part of an item's parameters (a changed --extra is reported
// before anything runs) and --no-validate.
func TestBatchNewParameters(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, "png", pngBytes(t, 64, 64))
	dir := t.TempDir()
	writePNG(t, dir, "photo.png", gradient(64, 64, 1))
	writePNG(t, dir, "arrows.png", maskWithHole(64, 64, image.Rect(0, 0, 64, 32)))
	file := filepath.Join(dir, "items.jsonl")
	os.WriteFile(file, []byte(`{"id": "lane", "prompt": "a bike lane", "model": "gpt-image-2.5-sunburst", "images": ["photo.png"], "markup": "arrows.png", "quality": "xhigh"}
{"id": "logo", "prompt": "a logo", "model": "gpt-image-2.6-sunburst", "output_format": "png", "safety_identifier": "own"}
`), 0o644)
	out := filepath.Join(dir, "out")
	runCLI(t, api.env, "batch", "--concurrency", "1", "--complexity", "low", "--safety-identifier", "sid", "--extra", "lighting=studio",
		"--out-dir", out, file).mustSucceed(t)
	var edit, gen *recorded
	requests := api.all()
	for i := range requests {
		switch requests[i].path {
		case "/v1/images/edits":
			edit = &requests[i]
		case "/v1/images/generations":
			gen = &requests[i]
		}
	}
	if edit == nil || gen == nil {
		t.Fatalf("requests %+v", requests)
	}
	if got := edit.files["markup"]; len(got) != 1 || got[0] != "arrows.png" {
		t.Errorf("markup parts %q", got)
	}
	for k, want := range map[string]string{"quality": "xhigh", "complexity": "low", "safety_identifier": "sid", "lighting": "studio"} {
		if got := edit.fields[k]; len(got) != 1 || got[0] != want {
			t.Errorf("edit %s = %q, want %q", k, got, want)
		}
	}
	for k, want := range map[string]any{"complexity": "low", "safety_identifier": "own", "lighting": "studio"} {
		if got := gen.json[k]; got != want {
			t.Errorf("generation %s = %v, want %v", k, got, want)
		}
	}

	// Another --extra value changes the items' parameters: reported, nothing sent.
	before := api.count()
	r := runCLI(t, api.env, "batch", "--complexity", "low", "--safety-identifier", "sid", "--extra", "lighting=dusk", "--out-dir", out, file)
	if r.code != exitUsage || api.count() != before || !strings.Contains(r.stderr, "with other parameters") {
		t.Errorf("changed --extra: exit %d, %d requests, %q", r.code, api.count()-before, r.stderr)
	}

	// --no-validate: an item the checks refuse is sent.
	os.WriteFile(file, []byte(`{"id": "future", "prompt": "a kite", "model": "gpt-image-2.6-sunburst", "quality": "ultra"}`+"\n"), 0o644)
	if r := runCLI(t, api.env, "batch", "--out-dir", out, file); r.code != exitUsage || !strings.Contains(r.stderr, "quality=ultra") {
		t.Errorf("without --no-validate: exit %d, %q", r.code, r.stderr)
	}
	runCLI(t, api.env, "batch", "--no-validate", "--out-dir", out, file).mustSucceed(t)
	if got := api.last(t).json["quality"]; got != "ultra" {
		t.Errorf("--no-validate: quality %v", got)
	}
}
