package contract

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"runtime"
	"strings"
	"testing"
)

func TestMultipartEdit(t *testing.T) {
	v := newValidator(t)
	valid := map[string][]part{
		"one image": {field("prompt", "add a hat"), file("image", "cat.png", 256)},
		"three image[] parts": {field("prompt", "add a hat"), field("model", "gpt-image-1.5"),
			file("image[]", "a.png", 64), file("image[]", "b.png", 64), file("image[]", "c.png", 64)},
		"one image[] part": {field("prompt", "add a hat"), file("image[]", "a.png", 64)},
		"mask and options": {field("prompt", "add a hat"), file("image", "cat.png", 256), file("mask", "mask.png", 128),
			field("n", "2"), field("size", "1024x1024"), field("quality", "high"), field("background", "transparent"),
			field("output_format", "webp"), field("output_compression", "80"), field("input_fidelity", "high"),
			field("stream", "true"), field("partial_images", "2"), field("response_format", "b64_json"), field("user", "u")},
		"image without content type":          {field("prompt", "x"), {name: "image", filename: "a.png", data: "raw"}},
		"image as a text part":                {field("prompt", "x"), field("image", "not really a file")},
		"empty image":                         {field("prompt", "x"), file("image", "a.png", 0)},
		"sixteen images":                      append([]part{field("prompt", "x")}, repeat(file("image[]", "a.png", 16), 16)...),
		"unknown field (allowed by the spec)": {field("prompt", "x"), file("image", "a.png", 16), field("not_a_real_field", "s")},
		"unknown file field":                  {field("prompt", "x"), file("image", "a.png", 16), file("extra", "x.png", 16)},
	}
	for name, parts := range valid {
		t.Run(name, func(t *testing.T) {
			noError(t, v.ValidateRequest(multipartRequest(t, editURL, parts...)))
		})
	}
	invalid := []struct {
		name  string
		parts []part
		field string
	}{
		{"no image", []part{field("prompt", "x")}, "image"},
		{"no prompt", []part{file("image", "a.png", 16)}, "prompt"},
		{"n not a number", []part{field("prompt", "x"), file("image", "a.png", 16), field("n", "two")}, "n"},
		{"n too large", []part{field("prompt", "x"), file("image", "a.png", 16), field("n", "11")}, "n"},
		{"quality not in enum", []part{field("prompt", "x"), file("image", "a.png", 16), field("quality", "not-a-quality")}, "quality"},
		{"response_format not in enum", []part{field("prompt", "x"), file("image", "a.png", 16), field("response_format", "not-a-format")}, "response_format"},
		{"stream not a boolean", []part{field("prompt", "x"), file("image", "a.png", 16), field("stream", "yes")}, "stream"},
		{"input_fidelity not in enum", []part{field("prompt", "x"), file("image", "a.png", 16), field("input_fidelity", "not-a-fidelity")}, "input_fidelity"},
		{"two prompts", []part{field("prompt", "x"), field("prompt", "y"), file("image", "a.png", 16)}, "prompt"},
		{"seventeen images", append([]part{field("prompt", "x")}, repeat(file("image[]", "a.png", 16), 17)...), "image"},
		{"image and image[]", []part{field("prompt", "x"), file("image", "a.png", 16), file("image[]", "b.png", 16)}, "image"},
	}
	for _, c := range invalid {
		t.Run(c.name, func(t *testing.T) {
			wantViolation(t, v.ValidateRequest(multipartRequest(t, editURL, c.parts...)), InBody, c.field)
		})
	}
}

func TestMultipartUnknownFieldStrict(t *testing.T) {
	v := newValidator(t, WithDisallowUnknownFields())
	noError(t, v.ValidateRequest(multipartRequest(t, editURL, field("prompt", "x"), file("image[]", "a.png", 16), file("image[]", "b.png", 16))))
	e := wantViolation(t, v.ValidateRequest(multipartRequest(t, editURL, field("prompt", "x"), file("image", "a.png", 16), field("not_a_real_field", "s"))), InBody, "not_a_real_field")
	if !strings.Contains(e.Message, "unknown field") {
		t.Errorf("message = %q", e.Message)
	}
	// A bracketed name the schema does not declare is reported as sent.
	wantViolation(t, v.ValidateRequest(multipartRequest(t, editURL, field("prompt", "x"), file("image", "a.png", 16), file("masks[]", "m.png", 16))), InBody, "masks[]")
	// JSON bodies too.
	wantViolation(t, v.ValidateRequest(jsonRequest(t, genURL, `{"prompt":"x","promt":"y"}`)), InBody, "promt")
}

func TestMultipartVariation(t *testing.T) {
	v := newValidator(t)
	noError(t, v.ValidateRequest(multipartRequest(t, variationURL, file("image", "a.png", 64))))
	noError(t, v.ValidateRequest(multipartRequest(t, variationURL, file("image", "a.png", 64), field("model", "dall-e-2"),
		field("n", "3"), field("size", "512x512"), field("response_format", "url"), field("user", "u"))))
	for _, c := range []struct {
		name  string
		parts []part
		field string
	}{
		{"no image", []part{field("n", "1")}, "image"},
		{"size not in enum", []part{file("image", "a.png", 64), field("size", "1536x1024")}, "size"},
		{"n not a number", []part{file("image", "a.png", 64), field("n", "two")}, "n"},
		{"n zero", []part{file("image", "a.png", 64), field("n", "0")}, "n"},
		{"response_format not in enum", []part{file("image", "a.png", 64), field("response_format", "not-a-format")}, "response_format"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := wantViolation(t, v.ValidateRequest(multipartRequest(t, variationURL, c.parts...)), InBody, c.field)
			if e.Operation != "createImageVariation" {
				t.Errorf("Operation = %q", e.Operation)
			}
		})
	}
}

func TestMultipartMalformed(t *testing.T) {
	v := newValidator(t)
	r := multipartRequest(t, editURL, field("prompt", "x"), file("image", "a.png", 16))
	r.Header.Set("Content-Type", "multipart/form-data")
	wantViolation(t, v.ValidateRequest(r), InHeader, "Content-Type")

	body, ct := multipartBody(t, field("prompt", "x"), file("image", "a.png", 1000))
	r, _ = http.NewRequest(http.MethodPost, editURL, strings.NewReader(string(body[:len(body)/2])))
	r.Header.Set("Content-Type", ct)
	r.Header.Set("Authorization", "Bearer k")
	e := wantViolation(t, v.ValidateRequest(r), InBody, "image")
	if !strings.Contains(e.Message, "malformed") {
		t.Errorf("message = %q", e.Message)
	}
	// Restored, even so.
	got, _ := io.ReadAll(r.Body)
	if string(got) != string(body[:len(body)/2]) {
		t.Error("body not restored")
	}

	// A part that is not form-data.
	var b strings.Builder
	mw := multipart.NewWriter(&b)
	w, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain"}})
	io.WriteString(w, "x")
	mw.Close()
	r, _ = http.NewRequest(http.MethodPost, editURL, strings.NewReader(b.String()))
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Authorization", "Bearer k")
	wantViolation(t, v.ValidateRequest(r), InBody, "")
}

func repeat(p part, n int) []part {
	ps := make([]part, n)
	for i := range ps {
		ps[i] = p
		ps[i].filename = fmt.Sprintf("%d-%s", i, p.filename)
	}
	return ps
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestMultipartStreamingMemory checks that binary parts are counted, not
// kept: decoding a 16 x 8 MiB edit allocates a small fraction of it.
func TestMultipartStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 128 MiB")
	}
	const images, size = 16, 8 << 20
	v := newValidator(t)
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("prompt", "x")
		for i := range images {
			w, _ := mw.CreateFormFile("image[]", fmt.Sprintf("%d.png", i))
			io.Copy(w, io.LimitReader(zeros{}, size))
		}
		pw.CloseWithError(mw.Close())
	}()
	schema := v.doc.Paths.Value("/images/edits").Post.RequestBody.Value.Content.Get("multipart/form-data").Schema.Value

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	form, e := v.decodeMultipart(pr, mw.Boundary(), schema)
	runtime.ReadMemStats(&after)
	if e != nil {
		t.Fatal(e)
	}
	if got := form["image"].([]any); len(got) != images || got[0] != fmt.Sprintf("<binary data: %d bytes>", size) {
		t.Fatalf("image = %v", form["image"])
	}
	if e := v.checkValue(true, schema, form); e != nil {
		t.Fatal(e)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Fatalf("decoding %d MiB allocated %d MiB", images*size>>20, alloc>>20)
	}
}
