package imagestest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"io"
	"mime/multipart"
	"strconv"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/wrapper"
)

// imagesBody is what the tests read of an images response.
type imagesBody struct {
	Data []struct {
		B64 string `json:"b64_json"`
	} `json:"data"`
	OutputFormat     string  `json:"output_format"`
	Quality          string  `json:"quality"`
	Size             string  `json:"size"`
	SafetyIdentifier *string `json:"safety_identifier"`
	Usage            struct {
		OutputTokens        int `json:"output_tokens"`
		OutputTokensDetails struct {
			ImageTokens int `json:"image_tokens"`
			TextTokens  int `json:"text_tokens"`
		} `json:"output_tokens_details"`
	} `json:"usage"`
	SvgUsage *struct {
		Model           string `json:"model"`
		InputTokens     int    `json:"input_tokens"`
		OutputTokens    int    `json:"output_tokens"`
		ReasoningTokens int    `json:"reasoning_tokens"`
		TotalTokens     int    `json:"total_tokens"`
	} `json:"svg_usage"`
}

func (m inMemory) images(t *testing.T, path, contentType string, body []byte) (imagesBody, []byte) {
	t.Helper()
	var res imagesBody
	rec := m.call("POST", path, contentType, body, &res)
	if rec.Code != 200 || len(res.Data) == 0 {
		t.Fatalf("%s: %d %s", body[:min(len(body), 300)], rec.Code, rec.Body)
	}
	b, err := base64.StdEncoding.DecodeString(res.Data[0].B64)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

func generateJSON(t *testing.T, m inMemory, body string) (imagesBody, []byte) {
	t.Helper()
	return m.images(t, "/v1/images/generations", "application/json", []byte(body))
}

// orderedForm is a multipart body with parts in the order given.
type part struct {
	name, filename string
	data           []byte
}

func orderedForm(t *testing.T, parts ...part) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.filename != "" {
			w, err = mw.CreateFormFile(p.name, p.filename)
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p.data)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func field(name, value string) part { return part{name: name, data: []byte(value)} }

func file(name string, data []byte) part {
	return part{name: name, filename: name + ".png", data: data}
}

func TestGIFOutput(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	for _, c := range []struct {
		body          string
		frames, delay int
	}{
		{`{"prompt":"a spinning top","model":"gpt-image-2.5-sunburst","size":"256x256","output_format":"gif","frame_count":4,"frame_duration_ms":120}`, 4, 12},
		// The API's defaults: 9 frames of 200 ms.
		{`{"prompt":"a spinning top","model":"gpt-image-2","size":"256x256","output_format":"gif"}`, 9, 20},
		// Rounded to the nearest 10 ms, capped at 655,350 ms.
		{`{"prompt":"a top","model":"gpt-image-1.5","size":"1024x1024","output_format":"gif","frame_count":2,"frame_duration_ms":125}`, 2, 13},
		{`{"prompt":"a top","model":"gpt-image-1-mini","size":"1024x1024","output_format":"gif","frame_count":16,"frame_duration_ms":900000}`, 16, 65535},
	} {
		res, b := generateJSON(t, m, c.body)
		g, err := gif.DecodeAll(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: not a GIF: %v", c.body, err)
		}
		w, h, _ := wrapper.Size(res.Size).Dimensions()
		if len(g.Image) != c.frames || g.Config.Width != w || g.Config.Height != h || g.LoopCount != 0 {
			t.Errorf("%s: %d frames of %dx%d (size %s), loop %d", c.body, len(g.Image), g.Config.Width, g.Config.Height, res.Size, g.LoopCount)
		}
		for i, d := range g.Delay {
			if d != c.delay {
				t.Errorf("%s: frame %d delay %d, want %d", c.body, i, d, c.delay)
			}
		}
		if bytes.Equal(g.Image[0].Pix, g.Image[1].Pix) {
			t.Errorf("%s: the first two frames are identical: not an animation", c.body)
		}
		if res.OutputFormat != "gif" || res.Usage.OutputTokensDetails.ImageTokens != c.frames*(w*h/4096) {
			t.Errorf("%s: output_format %q, usage %+v", c.body, res.OutputFormat, res.Usage)
		}
	}

	// A GIF edit: multipart, frame_count as a text part.
	src := pngBytes(t, solid(256, 256, color.NRGBA{200, 40, 40, 255}))
	ct, body := orderedForm(t, field("prompt", "make it dance"), field("model", "gpt-image-2.5-flare"), field("size", "256x256"), field("output_format", "gif"),
		field("frame_count", "3"), field("frame_duration_ms", "50"), file("image", src))
	_, b := m.images(t, "/v1/images/edits", ct, body)
	g, err := gif.DecodeAll(bytes.NewReader(b))
	if err != nil || len(g.Image) != 3 || g.Delay[0] != 5 || g.Config.Width != 256 {
		t.Fatalf("GIF edit: %v, %d frames", err, len(g.Image))
	}
}

// svgDoc is what the tests read of an SVG document.
type svgRoot struct {
	XMLName xml.Name `xml:"svg"`
	Width   string   `xml:"width,attr"`
	Height  string   `xml:"height,attr"`
	ViewBox string   `xml:"viewBox,attr"`
	Title   string   `xml:"title"`
	Circles []struct {
		CX   float64 `xml:"cx,attr"`
		CY   float64 `xml:"cy,attr"`
		R    float64 `xml:"r,attr"`
		Fill string  `xml:"fill,attr"`
	} `xml:"circle"`
	Rects []struct {
		Fill string `xml:"fill,attr"`
	} `xml:"rect"`
	Groups []struct {
		Rects []struct {
			Fill string `xml:"fill,attr"`
		} `xml:"rect"`
		Texts []string `xml:"text"`
	} `xml:"g"`
}

// parseSVG checks that b is well-formed XML (every token) and reads it.
func parseSVG(t *testing.T, b []byte) svgRoot {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, b[:min(len(b), 400)])
		}
	}
	var root svgRoot
	if err := xml.Unmarshal(b, &root); err != nil || root.XMLName.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("not an SVG document (%v): %+v", err, root.XMLName)
	}
	return root
}

func TestSVGOutput(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	prompt := `a "quoted" <tag> & a lighthouse`
	body := func(format, extra string) string {
		return `{"prompt":` + strconv.Quote(prompt) + `,"model":"gpt-image-2.5-sunburst","size":"768x512","output_format":"` + format + `"` + extra + `}`
	}
	res, b := generateJSON(t, m, body("svg", `,"svg":{"model":"gpt-5.1","reasoning":{"effort":"high"}}`))
	root := parseSVG(t, b)
	if root.Width != "768" || root.Height != "512" || root.ViewBox != "0 0 768 512" || root.Title != prompt {
		t.Errorf("svg %s x %s, viewBox %q, title %q", root.Width, root.Height, root.ViewBox, root.Title)
	}
	if res.OutputFormat != "svg" || res.SvgUsage == nil || res.SvgUsage.Model != "gpt-5.1" || res.SvgUsage.ReasoningTokens != svgReasoningTokens["high"] ||
		res.SvgUsage.TotalTokens != res.SvgUsage.InputTokens+res.SvgUsage.OutputTokens || res.SvgUsage.OutputTokens < len(b)/4 {
		t.Errorf("output_format %q, svg_usage %+v", res.OutputFormat, res.SvgUsage)
	}
	if len(root.Groups) == 0 || !strings.Contains(strings.Join(root.Groups[0].Texts, " "), "a lighthouse") {
		t.Errorf("the prompt is not written: %+v", root.Groups)
	}

	// The SVG is the PNG's picture: the topmost circle's colour is the
	// PNG's at its centre (outside the caption band).
	_, pngData := generateJSON(t, m, body("png", ""))
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i := len(root.Circles) - 1; i >= 0 && checked == 0; i-- {
		c := root.Circles[i]
		if c.CY > 330 || c.CX < 0 || c.CX >= 768 || c.CY < 0 {
			continue // maybe under the caption, or off the picture
		}
		r, g, bl, _ := img.At(int(c.CX), int(c.CY)).RGBA()
		if got := fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, bl>>8); got != c.Fill {
			t.Errorf("circle at (%.0f,%.0f): SVG fill %s, PNG %s", c.CX, c.CY, c.Fill, got)
		}
		checked++
	}
	if len(root.Circles) == 0 {
		t.Error("no shapes in the SVG")
	}

	// Without svg options, the default author; complexity changes the
	// picture.
	res, b = generateJSON(t, m, body("svg", `,"complexity":"high"`))
	high := parseSVG(t, b)
	if res.SvgUsage == nil || res.SvgUsage.Model != defaultSVGAuthor || res.SvgUsage.ReasoningTokens != svgReasoningTokens[""] {
		t.Errorf("default author: %+v", res.SvgUsage)
	}
	if len(high.Circles)+len(high.Rects) <= len(root.Circles)+len(root.Rects) {
		t.Errorf("complexity high: %d shapes, default %d", len(high.Circles)+len(high.Rects), len(root.Circles)+len(root.Rects))
	}

	// An SVG edit, multipart with svg[...] parts: a mosaic of the edit.
	src := pngBytes(t, solid(320, 160, color.NRGBA{20, 120, 220, 255}))
	ct, form := orderedForm(t, field("prompt", "add <stars>"), field("model", "gpt-image-2.5-flare"), field("size", "320x160"), field("output_format", "svg"),
		field("svg[model]", "gpt-5-mini"), field("svg[reasoning][effort]", "low"), file("image", src))
	res, b = m.images(t, "/v1/images/edits", ct, form)
	edit := parseSVG(t, b)
	if edit.Width != "320" || edit.Height != "160" || edit.Title != "add <stars>" || len(edit.Groups) == 0 || len(edit.Groups[0].Rects) < 10 {
		t.Errorf("SVG edit: %sx%s %q, %d groups", edit.Width, edit.Height, edit.Title, len(edit.Groups))
	}
	if res.SvgUsage == nil || res.SvgUsage.Model != "gpt-5-mini" || res.SvgUsage.ReasoningTokens != svgReasoningTokens["low"] {
		t.Errorf("SVG edit usage %+v", res.SvgUsage)
	}
}

// A markup edit draws the markup's strokes and edits the rest as a plain
// edit does.
func TestMarkupEdit(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	src := pngBytes(t, solid(256, 256, color.NRGBA{40, 160, 90, 255}))
	markup := image.NewNRGBA(image.Rect(0, 0, 256, 256)) // transparent
	stroke := image.Rect(60, 100, 200, 110)
	red := color.NRGBA{255, 0, 0, 255}
	for y := stroke.Min.Y; y < stroke.Max.Y; y++ {
		for x := stroke.Min.X; x < stroke.Max.X; x++ {
			markup.SetNRGBA(x, y, red)
		}
	}
	edit := func(parts ...part) *image.NRGBA {
		base := []part{field("prompt", "a bridge here"), field("model", "gpt-image-2.5-sunburst"), field("size", "256x256"), file("image", src)}
		ct, body := orderedForm(t, append(base, parts...)...)
		_, b := m.images(t, "/v1/images/edits", ct, body)
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return toNRGBA(img)
	}
	plain := edit()
	marked := edit(file("markup", pngBytes(t, markup)))
	if bytes.Equal(plain.Pix, marked.Pix) {
		t.Fatal("the markup changed nothing")
	}
	for y := range 256 {
		for x := range 256 {
			in := image.Pt(x, y).In(stroke)
			if got := marked.NRGBAAt(x, y); in && got != red {
				t.Fatalf("stroke pixel (%d,%d) = %v, want the markup's %v", x, y, got, red)
			} else if !in && got != plain.NRGBAAt(x, y) {
				t.Fatalf("pixel (%d,%d) outside the strokes = %v, the plain edit's %v", x, y, got, plain.NRGBAAt(x, y))
			}
		}
	}
}

func TestSafetyIdentifierEchoed(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	for body, want := range map[string]string{
		`{"prompt":"x","model":"gpt-image-1.5","size":"1024x1024","safety_identifier":"user-hash-1"}`:                 "user-hash-1",
		`{"prompt":"x","model":"gpt-image-1.5","size":"1024x1024","user":"old-user"}`:                                 "old-user",
		`{"prompt":"x","model":"gpt-image-1.5","size":"1024x1024","safety_identifier":"new","user":"old"}`:            "new",
		`{"prompt":"x","model":"gpt-image-1.5","size":"1024x1024","safety_identifier":"","user":"fallback"}`:          "fallback",
		`{"prompt":"x","model":"gpt-image-1.5","size":"1024x1024"}`:                                                   "",
		`{"prompt":"x","model":"gpt-image-2.5-flare","size":"256x256","output_format":"gif","safety_identifier":"g"}`: "g",
	} {
		res, _ := generateJSON(t, m, body)
		if got := res.SafetyIdentifier; want == "" && got != nil || want != "" && (got == nil || *got != want) {
			t.Errorf("%s: safety_identifier %v, want %q", body, got, want)
		}
	}
	// Multipart and JSON edits, and the completed event of a stream.
	src := pngBytes(t, solid(64, 64, color.NRGBA{1, 2, 3, 255}))
	ct, body := orderedForm(t, field("prompt", "x"), field("model", "gpt-image-1.5"), field("safety_identifier", "edit-user"), file("image", src))
	if res, _ := m.images(t, "/v1/images/edits", ct, body); res.SafetyIdentifier == nil || *res.SafetyIdentifier != "edit-user" {
		t.Errorf("multipart edit: %v", res.SafetyIdentifier)
	}
	jsonEdit := `{"prompt":"x","model":"gpt-image-1.5","images":[{"image_url":"https://example.com/a.png"}],"safety_identifier":"json-user"}`
	if res, _ := m.images(t, "/v1/images/edits", "application/json", []byte(jsonEdit)); res.SafetyIdentifier == nil || *res.SafetyIdentifier != "json-user" {
		t.Errorf("JSON edit: %v", res.SafetyIdentifier)
	}
	rec := m.call("POST", "/v1/images/generations", "application/json",
		[]byte(`{"prompt":"x","model":"gpt-image-1.5","size":"1024x1024","stream":true,"partial_images":1,"safety_identifier":"s"}`), nil)
	events := strings.Split(strings.TrimSpace(rec.Body.String()), "\n\n")
	if len(events) != 2 {
		t.Fatalf("%d events", len(events))
	}
	for i, ev := range events {
		_, data, _ := strings.Cut(ev, "data: ")
		var e struct {
			Type             string  `json:"type"`
			SafetyIdentifier *string `json:"safety_identifier"`
		}
		json.Unmarshal([]byte(data), &e)
		if completed := i == 1; completed != (e.SafetyIdentifier != nil && *e.SafetyIdentifier == "s") {
			t.Errorf("event %s: safety_identifier %v", e.Type, e.SafetyIdentifier)
		}
	}
}

// Every parameter and value the newest SDKs document is accepted by the
// spec check and the model table, for a model that takes it.
func TestNewParametersAccepted(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	for _, body := range []string{
		`{"prompt":"x","model":"gpt-image-2.5-sunburst","size":"256x256","quality":"xhigh"}`,
		`{"prompt":"x","model":"gpt-image-2.5-flare-2026-09-08","size":"256x256","quality":"max","complexity":"high"}`,
		`{"prompt":"x","model":"gpt-image-2.6-sunburst","size":"1024x1024","complexity":"low","safety_identifier":"u"}`,
		`{"prompt":"x","model":"chatgpt-image-latest","size":"1024x1024","output_format":"gif","frame_count":2,"frame_duration_ms":10}`,
		`{"prompt":"x","model":"gpt-image-2","size":"256x256","output_format":"svg","svg":{"model":"gpt-5","reasoning":{"effort":"minimal"}}}`,
		`{"prompt":"x","model":"gpt-image-2","size":"256x256","output_format":"svg","svg":{"model":"gpt-5","reasoning":{"effort":"max"}}}`,
	} {
		if rec := m.call("POST", "/v1/images/generations", "application/json", []byte(body), nil); rec.Code != 200 {
			t.Errorf("%s: %d %s", body, rec.Code, rec.Body)
		}
	}
	src := pngBytes(t, solid(64, 64, color.NRGBA{1, 2, 3, 255}))
	markup := pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 64, 64)))
	ct, body := orderedForm(t, field("prompt", "x"), field("model", "gpt-image-2.5-sunburst"), field("quality", "max"), field("complexity", "medium"),
		field("output_format", "svg"), field("svg[model]", "gpt-5"), field("svg[reasoning][effort]", "xhigh"), field("safety_identifier", "u"),
		file("image", src), file("markup", markup))
	if rec := m.call("POST", "/v1/images/edits", ct, body, nil); rec.Code != 200 {
		t.Errorf("multipart edit: %d %s", rec.Code, rec.Body)
	}
}

// Refusals are worded as the API words them: code never null, the
// parameter named, the value and what is allowed in the message.
func TestRefusalsInTheAPIsWording(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	src := pngBytes(t, solid(64, 64, color.NRGBA{1, 2, 3, 255}))
	markup := pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 64, 64)))
	mask := pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 64, 64)))
	gen := func(body string) func() (string, []byte) {
		return func() (string, []byte) { return "application/json", []byte(body) }
	}
	form := func(parts ...part) func() (string, []byte) {
		return func() (string, []byte) { return orderedForm(t, parts...) }
	}
	for _, c := range []struct {
		path, param, code, msg string
		body                   func() (string, []byte)
	}{
		// Values a model does not take (the model table).
		{"generations", "quality", "invalid_value", "Invalid value: 'xhigh'. Supported values are: 'low', 'medium', 'high', and 'auto'.",
			gen(`{"prompt":"x","model":"gpt-image-2","quality":"xhigh"}`)},
		{"generations", "response_format", "unknown_parameter", "Unknown parameter: 'response_format'.",
			gen(`{"prompt":"x","model":"gpt-image-2","response_format":"url"}`)},
		{"generations", "size", "invalid_value", "Invalid value: '1536x864'. Supported values are: '1024x1024', '1536x1024', '1024x1536', and 'auto'.",
			gen(`{"prompt":"x","model":"gpt-image-2.6-sunburst","size":"1536x864"}`)},
		{"edits", "input_fidelity", "unsupported_parameter", "Unsupported parameter: 'input_fidelity' is not supported with this model.",
			form(field("prompt", "x"), field("model", "gpt-image-2"), field("input_fidelity", "high"), file("image", src))},
		{"edits", "input_fidelity", "invalid_value", "Invalid value: 'high'. Supported values are: 'low'.",
			form(field("prompt", "x"), field("model", "gpt-image-1-mini"), field("input_fidelity", "high"), file("image", src))},
		{"edits", "markup", "unsupported_parameter", "Unsupported parameter: 'markup' is not supported with this model.",
			form(field("prompt", "x"), field("model", "gpt-image-2"), file("image", src), file("markup", markup))},
		{"edits", "markup", "unsupported_parameter", "Unsupported parameter: 'markup' is not supported with 'mask'.",
			form(field("prompt", "x"), field("model", "gpt-image-2.5-sunburst"), file("image", src), file("mask", mask), file("markup", markup))},
		// How the output parameters go together.
		{"generations", "stream", "unsupported_value", "Unsupported value: 'stream' does not support true with output_format 'gif'.",
			gen(`{"prompt":"x","model":"gpt-image-2","output_format":"gif","stream":true}`)},
		{"generations", "stream", "unsupported_value", "Unsupported value: 'stream' does not support true with output_format 'svg'.",
			gen(`{"prompt":"x","model":"gpt-image-2","output_format":"svg","stream":true}`)},
		{"edits", "stream", "unsupported_value", "Unsupported value: 'stream' does not support true with output_format 'gif'.",
			form(field("prompt", "x"), field("model", "gpt-image-2"), field("output_format", "gif"), field("stream", "true"), file("image", src))},
		{"generations", "n", "integer_above_max_value", "Invalid 'n': integer above maximum value. Expected a value <= 1 with output_format 'svg', but got 2 instead.",
			gen(`{"prompt":"x","model":"gpt-image-2","output_format":"svg","n":2}`)},
		{"generations", "frame_count", "unsupported_parameter", "Unsupported parameter: 'frame_count' is not supported with output_format 'png'.",
			gen(`{"prompt":"x","model":"gpt-image-2","frame_count":4}`)},
		{"generations", "background", "unsupported_value", "Unsupported value: 'background' does not support 'transparent' with output_format 'jpeg'. Supported values are: 'png' and 'webp'.",
			gen(`{"prompt":"x","model":"gpt-image-2","background":"transparent","output_format":"jpeg"}`)},
		{"edits", "mask", "unsupported_parameter", "Unsupported parameter: 'mask' is not supported with output_format 'gif'.",
			form(field("prompt", "x"), field("model", "gpt-image-2"), field("output_format", "gif"), file("image", src), file("mask", mask))},
		{"generations", "svg.model", "missing_required_parameter", "Missing required parameter: 'svg.model'.",
			gen(`{"prompt":"x","model":"gpt-image-2","output_format":"svg","svg":{"reasoning":{"effort":"low"}}}`)},
		// The effective spec (the contract validator), reworded.
		{"generations", "frame_count", "integer_above_max_value", "Invalid 'frame_count': integer above maximum value. Expected a value <= 16, but got 40 instead.",
			gen(`{"prompt":"x","model":"gpt-image-2","output_format":"gif","frame_count":40}`)},
		{"generations", "frame_count", "integer_below_min_value", "Invalid 'frame_count': integer below minimum value. Expected a value >= 2, but got 1 instead.",
			gen(`{"prompt":"x","model":"gpt-image-2","output_format":"gif","frame_count":1}`)},
		{"generations", "quality", "invalid_value", "Invalid value: 'ultra'. Supported values are: 'low', 'medium', 'high', 'xhigh', 'max', and 'auto'.",
			gen(`{"prompt":"x","model":"gpt-image-2.5-sunburst","quality":"ultra"}`)},
		{"generations", "svg.reasoning.effort", "invalid_value", "Invalid value: 'huge'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', 'xhigh', and 'max'.",
			gen(`{"prompt":"x","model":"gpt-image-2","output_format":"svg","svg":{"model":"m","reasoning":{"effort":"huge"}}}`)},
		{"generations", "n", "invalid_type", "Invalid type for 'n': expected an integer, but got a string instead.",
			gen(`{"prompt":"x","model":"gpt-image-2","n":"two"}`)},
		{"generations", "n", "integer_above_max_value", "Invalid 'n': integer above maximum value. Expected a value <= 10, but got 11 instead.",
			gen(`{"prompt":"x","model":"gpt-image-2","n":11}`)},
		{"generations", "prompt", "missing_required_parameter", "Missing required parameter: 'prompt'.",
			gen(`{"model":"gpt-image-2"}`)},
	} {
		ct, body := c.body()
		rec := m.call("POST", "/v1/images/"+c.path, ct, body, nil)
		e := decodeErr(t, rec)
		if rec.Code != 400 || e.Error.Type != "invalid_request_error" || str(e.Error.Param) != c.param || str(e.Error.Code) != c.code || e.Error.Message != c.msg {
			t.Errorf("%s\n got %d param %s code %s: %s\nwant 400 param %s code %s: %s", body[:min(len(body), 200)],
				rec.Code, str(e.Error.Param), str(e.Error.Code), e.Error.Message, c.param, c.code, c.msg)
		}
	}
}

// The Responses API's image tool renders GIF and SVG output too.
func TestResponsesToolGIFAndSVG(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	for _, c := range []struct{ tool, format string }{
		{`{"type":"image_generation","model":"gpt-image-2.5-sunburst","size":"256x256","output_format":"gif","frame_count":3}`, "gif"},
		{`{"type":"image_generation","size":"1024x1024","output_format":"svg","svg":{"model":"gpt-5"}}`, "svg"},
	} {
		var resp struct {
			SafetyIdentifier string `json:"safety_identifier"`
			Output           []struct {
				Type         string          `json:"type"`
				Result       string          `json:"result"`
				OutputFormat string          `json:"output_format"`
				SvgUsage     json.RawMessage `json:"svg_usage"`
			} `json:"output"`
		}
		rec := m.call("POST", "/v1/responses", "application/json", []byte(`{"model":"gpt-5","input":"a kite","safety_identifier":"kite-user","tools":[`+c.tool+`]}`), &resp)
		if rec.Code != 200 || len(resp.Output) != 1 || resp.Output[0].OutputFormat != c.format || resp.SafetyIdentifier != "kite-user" {
			t.Fatalf("%s: %d %s", c.tool, rec.Code, rec.Body.String()[:min(rec.Body.Len(), 300)])
		}
		b, _ := base64.StdEncoding.DecodeString(resp.Output[0].Result)
		switch c.format {
		case "gif":
			if g, err := gif.DecodeAll(bytes.NewReader(b)); err != nil || len(g.Image) != 3 {
				t.Errorf("tool GIF: %v", err)
			}
		case "svg":
			parseSVG(t, b)
			if !bytes.Contains(resp.Output[0].SvgUsage, []byte(`"model":"gpt-5"`)) {
				t.Errorf("tool svg_usage %s", resp.Output[0].SvgUsage)
			}
		}
	}
}
