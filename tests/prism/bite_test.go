package prism

import (
	"strings"
	"testing"
)

// rawCase is a request sent to Prism without the wrapper, and what Prism
// must answer.
type rawCase struct {
	name string
	path string
	// json is sent as application/json when parts is nil.
	json  any
	parts []part
	// noAuth leaves out the Authorization header.
	noAuth bool
	status int
	// violation is a substring of one of Prism's 422 validation messages.
	violation string
}

func (c rawCase) run(t *testing.T, base string) rawResult {
	t.Helper()
	if c.parts != nil {
		ct, body := multipartBody(t, c.parts)
		return send(t, base, c.path, ct, body, !c.noAuth)
	}
	return send(t, base, c.path, "application/json", jsonBytes(t, c.json), !c.noAuth)
}

func (c rawCase) check(t *testing.T, r rawResult) {
	t.Helper()
	if r.status != c.status {
		t.Fatalf("status %d, want %d; body: %.600s", r.status, c.status, r.body)
	}
	if c.violation == "" {
		return
	}
	for _, v := range r.violations {
		if strings.Contains(v, c.violation) {
			return
		}
	}
	t.Fatalf("no violation mentions %q; Prism said: %q", c.violation, r.violations)
}

// TestPrismBites proves that Prism, fed the derived spec, validates every
// operation: known-invalid requests get 422 naming what is wrong, while the
// same requests made valid get 200 (so the 422s are not Prism rejecting
// everything).
func TestPrismBites(t *testing.T) {
	srv := needPrism(t)
	img := pngImage(t, 64, true)
	file := func(name string) part { return part{name: name, file: img} }
	field := func(name, value string) part { return part{name: name, value: value} }
	ref := map[string]any{"image_url": "https://example.com/source.png"}

	cases := []rawCase{
		// POST /images/generations (application/json)
		{name: "generate/valid", path: "/images/generations", json: map[string]any{"prompt": "an otter", "n": 1}, status: 200},
		{name: "generate/no prompt", path: "/images/generations", json: map[string]any{"model": "gpt-image-1.5"}, status: 422, violation: "required property 'prompt'"},
		{name: "generate/n string", path: "/images/generations", json: map[string]any{"n": "x"}, status: 422, violation: "n must be integer"},
		{name: "generate/n string with prompt", path: "/images/generations", json: map[string]any{"prompt": "an otter", "n": "x"}, status: 422, violation: "n must be integer"},
		{name: "generate/n over maximum", path: "/images/generations", json: map[string]any{"prompt": "an otter", "n": 11}, status: 422, violation: "n must be <= 10"},
		{name: "generate/quality not in enum", path: "/images/generations", json: map[string]any{"prompt": "an otter", "quality": "not-a-quality"}, status: 422, violation: "quality must be equal to one of the allowed values"},
		{name: "generate/model not a string", path: "/images/generations", json: map[string]any{"prompt": "an otter", "model": 3}, status: 422, violation: "model must be string"},
		{name: "generate/no key", path: "/images/generations", json: map[string]any{"prompt": "an otter"}, noAuth: true, status: 401},

		// POST /images/edits, multipart/form-data
		{name: "edit multipart/valid", path: "/images/edits", parts: []part{field("prompt", "a hat"), file("image")}, status: 200},
		{name: "edit multipart/no image", path: "/images/edits", parts: []part{field("prompt", "a hat"), field("model", "gpt-image-1.5")}, status: 422, violation: "required property 'image'"},
		{name: "edit multipart/no prompt", path: "/images/edits", parts: []part{file("image")}, status: 422, violation: "required property 'prompt'"},
		{name: "edit multipart/n string", path: "/images/edits", parts: []part{field("prompt", "a hat"), file("image"), field("n", "x")}, status: 422, violation: "n must be integer"},
		{name: "edit multipart/quality not in enum", path: "/images/edits", parts: []part{field("prompt", "a hat"), file("image"), field("quality", "hd")}, status: 422, violation: "quality must be equal to one of the allowed values"},

		// POST /images/edits, application/json
		{name: "edit json/valid", path: "/images/edits", json: map[string]any{"prompt": "a hat", "images": []any{ref}}, status: 200},
		{name: "edit json/no images", path: "/images/edits", json: map[string]any{"prompt": "a hat"}, status: 422, violation: "required property 'images'"},
		{name: "edit json/empty images", path: "/images/edits", json: map[string]any{"prompt": "a hat", "images": []any{}}, status: 422, violation: "images must NOT have fewer than 1 items"},
		{name: "edit json/url and file id", path: "/images/edits", json: map[string]any{"prompt": "a hat", "images": []any{map[string]any{"image_url": "https://example.com/a.png", "file_id": "file-1"}}}, status: 422, violation: "images.0 must NOT be valid"},
		{name: "edit json/empty prompt", path: "/images/edits", json: map[string]any{"prompt": "", "images": []any{ref}}, status: 422, violation: "prompt must NOT have fewer than 1 characters"},

		// POST /images/variations (multipart/form-data)
		{name: "variation/valid", path: "/images/variations", parts: []part{file("image"), field("response_format", "b64_json")}, status: 200},
		{name: "variation/no image", path: "/images/variations", parts: []part{field("n", "1")}, status: 422, violation: "required property 'image'"},
		{name: "variation/response_format not in enum", path: "/images/variations", parts: []part{file("image"), field("response_format", "not-a-format")}, status: 422, violation: "response_format must be equal to one of the allowed values"},
		{name: "variation/n zero", path: "/images/variations", parts: []part{file("image"), field("n", "0")}, status: 422, violation: "n must be >= 1"},
		{name: "variation/size not in enum", path: "/images/variations", parts: []part{file("image"), field("size", "1536x1024")}, status: 422, violation: "size must be equal to one of the allowed values"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.check(t, c.run(t, srv.URL))
		})
	}
}
