package wire

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// call is one call made with both clients: sdk is the params object a
// Node user passes to client.images.generate or client.images.edit (a
// {"$file": name} value is that fixture, uploaded with toFile), send makes
// the same call with the wrapper.
type call struct {
	name   string
	method string // "generate" or "edit"
	sdk    string
	send   func(context.Context, *wrapper.Client, string) error
}

const safetyID = "user-7f3a9c"

var calls = []call{
	{
		name: "generation: quality xhigh, complexity, GIF with frame_count and frame_duration_ms, safety_identifier", method: "generate",
		sdk: `{"model": "gpt-image-2.5-sunburst", "prompt": "a lighthouse at night", "size": "1024x1024", "quality": "xhigh",
			"complexity": "high", "output_format": "gif", "frame_count": 6, "frame_duration_ms": 150, "safety_identifier": "` + safetyID + `"}`,
		send: func(ctx context.Context, c *wrapper.Client, _ string) error {
			_, err := c.Generate(ctx, wrapper.GenerateParams{
				Model: wrapper.ModelGPTImage25Sunburst, Prompt: "a lighthouse at night", Size: wrapper.Size1024x1024, Quality: wrapper.QualityXHigh,
				Complexity: wrapper.ComplexityHigh, OutputFormat: wrapper.OutputFormatGIF, FrameCount: 6, FrameDuration: 150 * time.Millisecond,
				SafetyIdentifier: safetyID,
			})
			return err
		},
	},
	{
		name: "generation: SVG with its author model and reasoning effort", method: "generate",
		sdk: `{"model": "gpt-image-2.5-flare", "prompt": "a fox logo", "output_format": "svg", "svg": {"model": "gpt-5", "reasoning": {"effort": "high"}}}`,
		send: func(ctx context.Context, c *wrapper.Client, _ string) error {
			_, err := c.Generate(ctx, wrapper.GenerateParams{
				Model: wrapper.ModelGPTImage25Flare, Prompt: "a fox logo", OutputFormat: wrapper.OutputFormatSVG,
				SVG: &wrapper.SVGOptions{Model: "gpt-5", ReasoningEffort: wrapper.ReasoningEffortHigh},
			})
			return err
		},
	},
	{
		// Every new multipart parameter at once, whether or not they go
		// together (frame_count is for GIF output, svg for SVG output): the
		// point is how each is encoded, so the wrapper's validation is off
		// for this call.
		name: "multipart edit: two images, markup, SVG author, complexity, frame_count, safety_identifier", method: "edit",
		sdk: `{"model": "gpt-image-2.5-sunburst", "prompt": "the two of them on a bridge", "image": [{"$file": "a.png"}, {"$file": "b.png"}],
			"markup": {"$file": "markup.png"}, "complexity": "medium", "output_format": "svg", "svg": {"model": "gpt-5-mini", "reasoning": {"effort": "low"}},
			"frame_count": 4, "frame_duration_ms": 80, "safety_identifier": "` + safetyID + `"}`,
		send: func(ctx context.Context, c *wrapper.Client, dir string) error {
			markup := wrapper.ImageFromPath(filepath.Join(dir, "markup.png"))
			_, err := c.Edit(ctx, wrapper.EditParams{
				Model: wrapper.ModelGPTImage25Sunburst, Prompt: "the two of them on a bridge",
				Images: []wrapper.Image{wrapper.ImageFromPath(filepath.Join(dir, "a.png")), wrapper.ImageFromPath(filepath.Join(dir, "b.png"))},
				Markup: &markup, Complexity: wrapper.ComplexityMedium, OutputFormat: wrapper.OutputFormatSVG,
				SVG:        &wrapper.SVGOptions{Model: "gpt-5-mini", ReasoningEffort: wrapper.ReasoningEffortLow},
				FrameCount: 4, FrameDuration: 80 * time.Millisecond, SafetyIdentifier: safetyID,
			}, wrapper.WithRequestValidation(false))
			return err
		},
	},
}

// recorded is a request the recording server got.
type recorded struct {
	key, method, path, contentType string
	body                           []byte
}

// recorder answers every images request with a small valid response in
// the format asked for, and keeps the request.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recorded{key: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), method: r.Method,
		path: r.URL.Path, contentType: r.Header.Get("Content-Type"), body: body})
	rec.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-request-id", "req_wire")
	json.NewEncoder(w).Encode(map[string]any{"created": time.Now().Unix(), "data": []any{map[string]any{"b64_json": tinyPNG}}})
}

var tinyPNG = func() string {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 1, 1)))
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}()

// fixtures writes the input images and calls.json into a directory.
func fixtures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, m image.Image) {
		var buf bytes.Buffer
		if err := png.Encode(&buf, m); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fill := func(c color.NRGBA) *image.NRGBA {
		m := image.NewNRGBA(image.Rect(0, 0, 64, 64))
		for i := 0; i < len(m.Pix); i += 4 {
			m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = c.R, c.G, c.B, c.A
		}
		return m
	}
	write("a.png", fill(color.NRGBA{200, 30, 30, 255}))
	write("b.png", fill(color.NRGBA{30, 30, 200, 255}))
	markup := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for x := 10; x < 54; x++ {
		markup.SetNRGBA(x, 32, color.NRGBA{255, 255, 0, 255})
	}
	write("markup.png", markup)
	// The params go to Node as written, keys in their order: the SDK lays
	// out multipart parts in the order of the object's keys.
	var list []map[string]any
	for _, c := range calls {
		var params bytes.Buffer
		if err := json.Compact(&params, []byte(c.sdk)); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		list = append(list, map[string]any{"method": c.method, "params": json.RawMessage(params.Bytes())})
	}
	b, _ := json.Marshal(list)
	if err := os.WriteFile(filepath.Join(dir, "calls.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// required reports whether the test must run (make test-sdk, CI).
func required() bool { return os.Getenv("SDK_REQUIRED") == "1" || os.Getenv("CI") == "true" }

// TestWireMatchesNodeSDK makes each call with the Node SDK and with the
// wrapper and compares the two requests part by part. Every difference is
// logged; the test fails on any but the order of parts of different names.
func TestWireMatchesNodeSDK(t *testing.T) {
	script, err := filepath.Abs(filepath.Join("..", "node", "wire.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join("..", "..", "..", "node_modules", "openai", "package.json"))
	}
	if err != nil {
		if required() {
			t.Fatalf("the Node SDK is required here (SDK_REQUIRED=1 or CI=true): %v; run npm ci", err)
		}
		t.Skipf("node or the pinned npm openai is not installed (%v): run npm ci; make test-sdk runs this test", err)
	}

	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := fixtures(t)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, script, srv.URL+"/v1", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, out)
	}
	t.Logf("node: %s", bytes.TrimSpace(out))

	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL+"/v1"), wrapper.WithAPIKey("sk-wire-go"), wrapper.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		if err := c.send(ctx, client, dir); err != nil {
			t.Fatalf("%s: wrapper: %v", c.name, err)
		}
	}

	var sdk, ours []recorded
	for _, r := range rec.reqs {
		switch r.key {
		case "sk-wire-node":
			sdk = append(sdk, r)
		case "sk-wire-go":
			ours = append(ours, r)
		}
	}
	if len(sdk) != len(calls) || len(ours) != len(calls) {
		t.Fatalf("%d requests from the SDK and %d from the wrapper, want %d each", len(sdk), len(ours), len(calls))
	}
	failed := false
	for i, c := range calls {
		diffs := compare(t, sdk[i], ours[i])
		if len(diffs) == 0 {
			t.Logf("%s: the same request", c.name)
		}
		for _, d := range diffs {
			t.Logf("%s: %s", c.name, d)
			failed = failed || !d.informational
		}
	}
	if failed {
		t.Error("the wrapper's requests differ from the Node SDK's (see the log)")
	}
}

// diff is one difference between the SDK's request and the wrapper's.
type diff struct {
	where, sdk, wrapper string
	// informational differences do not fail the test.
	informational bool
}

func (d diff) String() string {
	s := fmt.Sprintf("%s: SDK %s, wrapper %s", d.where, d.sdk, d.wrapper)
	if d.informational {
		s += " (reported, not enforced)"
	}
	return s
}

func compare(t *testing.T, sdk, ours recorded) []diff {
	t.Helper()
	var diffs []diff
	if sdk.method != ours.method || sdk.path != ours.path {
		diffs = append(diffs, diff{where: "request line", sdk: sdk.method + " " + sdk.path, wrapper: ours.method + " " + ours.path})
	}
	smt, sp, _ := mime.ParseMediaType(sdk.contentType)
	omt, op, _ := mime.ParseMediaType(ours.contentType)
	if smt != omt {
		return append(diffs, diff{where: "Content-Type", sdk: smt, wrapper: omt})
	}
	switch smt {
	case "application/json":
		return append(diffs, compareJSON(t, sdk.body, ours.body)...)
	case "multipart/form-data":
		return append(diffs, compareParts(readParts(t, sdk.body, sp["boundary"]), readParts(t, ours.body, op["boundary"]))...)
	}
	t.Fatalf("unexpected Content-Type %q", sdk.contentType)
	return nil
}

func compareJSON(t *testing.T, sdkBody, ourBody []byte) []diff {
	t.Helper()
	decode := func(b []byte) map[string]any {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			t.Fatalf("not a JSON object: %v: %s", err, b)
		}
		return m
	}
	sdk, ours := decode(sdkBody), decode(ourBody)
	var diffs []diff
	keys := map[string]bool{}
	for k := range sdk {
		keys[k] = true
	}
	for k := range ours {
		keys[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		sv, sok := sdk[k]
		ov, ook := ours[k]
		switch {
		case !sok:
			diffs = append(diffs, diff{where: "JSON key " + k, sdk: "absent", wrapper: render(ov)})
		case !ook:
			diffs = append(diffs, diff{where: "JSON key " + k, sdk: render(sv), wrapper: "absent"})
		case !reflect.DeepEqual(sv, ov):
			diffs = append(diffs, diff{where: "JSON key " + k, sdk: render(sv), wrapper: render(ov)})
		}
	}
	return diffs
}

func render(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// formPart is one part of a multipart body.
type formPart struct {
	name, filename, contentType string
	data                        []byte
}

func (p formPart) isFile() bool { return p.filename != "" }

func readParts(t *testing.T, body []byte, boundary string) []formPart {
	t.Helper()
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var parts []formPart
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatalf("malformed multipart body: %v", err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, formPart{name: p.FormName(), filename: p.FileName(), contentType: p.Header.Get("Content-Type"), data: data})
	}
}

// compareParts compares two multipart bodies: each name's parts in order
// (text values; file names, content types and bytes), then the order of
// the names, which is reported only.
func compareParts(sdk, ours []formPart) []diff {
	byName := func(ps []formPart) (map[string][]formPart, []string) {
		m := map[string][]formPart{}
		var order []string
		for _, p := range ps {
			if len(m[p.name]) == 0 {
				order = append(order, p.name)
			}
			m[p.name] = append(m[p.name], p)
		}
		return m, order
	}
	sm, sorder := byName(sdk)
	om, oorder := byName(ours)
	names := slices.Clone(sorder)
	for _, n := range oorder {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	describe := func(ps []formPart) string {
		var s []string
		for _, p := range ps {
			if p.isFile() {
				s = append(s, fmt.Sprintf("file %q (%s, %d bytes)", p.filename, p.contentType, len(p.data)))
			} else {
				s = append(s, fmt.Sprintf("%q", p.data))
			}
		}
		return strings.Join(s, ", ")
	}
	var diffs []diff
	for _, n := range names {
		sp, op := sm[n], om[n]
		where := "part " + n
		switch {
		case len(sp) == 0:
			diffs = append(diffs, diff{where: where, sdk: "absent", wrapper: describe(op)})
			continue
		case len(op) == 0:
			diffs = append(diffs, diff{where: where, sdk: describe(sp), wrapper: "absent"})
			continue
		case len(sp) != len(op):
			diffs = append(diffs, diff{where: where, sdk: fmt.Sprintf("%d parts: %s", len(sp), describe(sp)), wrapper: fmt.Sprintf("%d parts: %s", len(op), describe(op))})
			continue
		}
		for i := range sp {
			s, o := sp[i], op[i]
			w := where
			if len(sp) > 1 {
				w = fmt.Sprintf("%s #%d", where, i+1)
			}
			switch {
			case s.isFile() != o.isFile():
				diffs = append(diffs, diff{where: w, sdk: describe(sp[i : i+1]), wrapper: describe(op[i : i+1])})
			case !s.isFile() && !bytes.Equal(s.data, o.data):
				diffs = append(diffs, diff{where: w + " value", sdk: fmt.Sprintf("%q", s.data), wrapper: fmt.Sprintf("%q", o.data)})
			case s.isFile():
				if !bytes.Equal(s.data, o.data) {
					// The same fixture in the same position: different
					// bytes mean the images went in another order or
					// were changed.
					diffs = append(diffs, diff{where: w + " bytes", sdk: fmt.Sprintf("%d bytes", len(s.data)), wrapper: fmt.Sprintf("%d bytes", len(o.data))})
				}
				if s.filename != o.filename {
					diffs = append(diffs, diff{where: w + " file name", sdk: s.filename, wrapper: o.filename})
				}
				if s.contentType != o.contentType {
					diffs = append(diffs, diff{where: w + " content type", sdk: s.contentType, wrapper: o.contentType})
				}
			}
		}
	}
	if !slices.Equal(sorder, oorder) {
		diffs = append(diffs, diff{where: "order of the part names", sdk: strings.Join(sorder, " "), wrapper: strings.Join(oorder, " "), informational: true})
	}
	return diffs
}

// TestCompareFindsDifferences checks the comparison itself: each kind of
// difference is found, and only the order of different names is not
// enforced.
func TestCompareFindsDifferences(t *testing.T) {
	form := func(parts ...formPart) recorded {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, p := range parts {
			var w io.Writer
			if p.isFile() {
				h := make(map[string][]string)
				h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name=%q; filename=%q`, p.name, p.filename)}
				h["Content-Type"] = []string{p.contentType}
				w, _ = mw.CreatePart(h)
			} else {
				w, _ = mw.CreateFormField(p.name)
			}
			w.Write(p.data)
		}
		mw.Close()
		return recorded{method: "POST", path: "/v1/images/edits", contentType: mw.FormDataContentType(), body: buf.Bytes()}
	}
	text := func(name, v string) formPart { return formPart{name: name, data: []byte(v)} }
	file := func(name, filename, data string) formPart {
		return formPart{name: name, filename: filename, contentType: "image/png", data: []byte(data)}
	}
	base := []formPart{text("prompt", "x"), text("svg[model]", "m"), file("image[]", "a.png", "AAA"), file("image[]", "b.png", "BBB"), file("markup", "m.png", "MMM")}
	for _, c := range []struct {
		name  string
		other []formPart
		want  []string // where of the enforced differences
	}{
		{"same", base, nil},
		{"other order of names only", []formPart{base[2], base[3], base[4], base[1], base[0]}, nil},
		{"a value", []formPart{text("prompt", "y"), base[1], base[2], base[3], base[4]}, []string{"part prompt value"}},
		{"a missing part", []formPart{base[0], base[2], base[3], base[4]}, []string{"part svg[model]"}},
		{"the images swapped", []formPart{base[0], base[1], base[3], base[2], base[4]},
			[]string{"part image[] #1 bytes", "part image[] #1 file name", "part image[] #2 bytes", "part image[] #2 file name"}},
		{"markup as text", []formPart{base[0], base[1], base[2], base[3], text("markup", "MMM")}, []string{"part markup"}},
	} {
		var got []string
		for _, d := range compare(t, form(base...), form(c.other...)) {
			if !d.informational {
				got = append(got, d.where)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: differences %q, want %q", c.name, got, c.want)
		}
	}
	js := func(s string) recorded {
		return recorded{method: "POST", path: "/v1/images/generations", contentType: "application/json", body: []byte(s)}
	}
	var got []string
	for _, d := range compare(t, js(`{"a": 1, "b": {"c": "x"}, "d": 2}`), js(`{"a": 1.0, "b": {"c": "y"}, "e": 2}`)) {
		got = append(got, d.where)
	}
	if want := []string{"JSON key a", "JSON key b", "JSON key d", "JSON key e"}; !slices.Equal(got, want) {
		t.Errorf("JSON differences %q, want %q", got, want)
	}
}
