package imageform

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/gen"
	"github.com/imagegen-go/openai-images/wrapper"
)

// capture is a server that records the multipart parts of each edit it is
// sent, keyed by part name and the index of the part among those of its
// name ("image[]#1"), and refuses the edit (the wrapper then returns).
type capture struct {
	*httptest.Server
	mu       sync.Mutex
	requests []captured
}

type captured struct {
	parts         map[string]part
	contentLength int64
	chunked       bool
}

func newCapture(t *testing.T) *capture {
	c := &capture{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := captured{parts: map[string]part{}, contentLength: r.ContentLength, chunked: slices.Contains(r.TransferEncoding, "chunked")}
		if err := readParts(r, got.parts); err != nil {
			t.Errorf("%s %s: %v", r.Method, r.URL.Path, err)
		}
		c.mu.Lock()
		c.requests = append(c.requests, got)
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error": {"message": "captured", "type": "invalid_request_error", "param": null, "code": null}}`)
	}))
	t.Cleanup(c.Close)
	return c
}

func readParts(r *http.Request, into map[string]part) error {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/images/edits" {
		return fmt.Errorf("not an edit")
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return fmt.Errorf("content type %q: %v", r.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	seen := map[string]int{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("%s#%d", p.FormName(), seen[p.FormName()])
		seen[p.FormName()]++
		into[key] = part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), data}
	}
}

// An edit with every field of Edit set goes out as the wrapper sends the
// same edit: the same parts, each with the same name, file name, content
// type and bytes (the parts' order is not compared), and both with a
// Content-Length.
func TestEditMatchesWrapper(t *testing.T) {
	dir := t.TempDir()
	soap := filepath.Join(dir, "soap.jpg")
	if err := os.WriteFile(soap, jpegBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	maskBytes := append(slices.Clone(pngBytes), 3)
	markupBytes := append(slices.Clone(pngBytes), 4, 4)
	srv := newCapture(t)
	ctx := t.Context()

	mask, markup := Bytes("mask.png", maskBytes), Bytes("arrows.png", markupBytes)
	e := Edit{
		Images:            []File{Bytes("lotion.png", pngBytes), Path(soap)},
		Mask:              &mask,
		Markup:            &markup,
		Prompt:            "Put both items in a gift basket",
		Model:             "gpt-image-2.5-flare",
		N:                 1,
		Size:              "1024x1024",
		Quality:           "high",
		Complexity:        "medium",
		Background:        "opaque",
		OutputFormat:      "svg",
		OutputCompression: ptr(80),
		FrameCount:        4,
		FrameDuration:     250*time.Millisecond + 700*time.Microsecond, // sent as 250
		SVG:               &SVGOptions{Model: "gpt-5", ReasoningEffort: "low"},
		InputFidelity:     "high",
		ResponseFormat:    "b64_json",
		SafetyIdentifier:  "hashed-user-1",
		User:              "user-1",
		Stream:            true,
		PartialImages:     ptr(2),
		// moderation is no field of multipart edits (CreateImageEditRequest):
		// both send it as an extra field.
		Extra: map[string]string{"moderation": "low"},
	}
	assertAllSet(t, reflect.ValueOf(e), nil)
	p := wrapper.EditParams{
		Images:            []wrapper.Image{wrapper.ImageFromBytes("lotion.png", pngBytes), wrapper.ImageFromPath(soap)},
		Mask:              ptr(wrapper.ImageFromBytes("mask.png", maskBytes)),
		Markup:            ptr(wrapper.ImageFromBytes("arrows.png", markupBytes)),
		Prompt:            e.Prompt,
		Model:             wrapper.Model(e.Model),
		N:                 e.N,
		Size:              wrapper.Size(e.Size),
		Quality:           wrapper.Quality(e.Quality),
		Complexity:        wrapper.Complexity(e.Complexity),
		Background:        wrapper.Background(e.Background),
		OutputFormat:      wrapper.OutputFormat(e.OutputFormat),
		OutputCompression: e.OutputCompression,
		FrameCount:        e.FrameCount,
		FrameDuration:     e.FrameDuration,
		SVG:               &wrapper.SVGOptions{Model: e.SVG.Model, ReasoningEffort: wrapper.ReasoningEffort(e.SVG.ReasoningEffort)},
		InputFidelity:     wrapper.InputFidelity(e.InputFidelity),
		ResponseFormat:    wrapper.ResponseFormat(e.ResponseFormat),
		SafetyIdentifier:  e.SafetyIdentifier,
		User:              e.User,
		PartialImages:     e.PartialImages,
	}
	// Every multipart parameter of the wrapper is set, but the JSON edit's
	// references and moderation (sent above as an extra field).
	assertAllSet(t, reflect.ValueOf(p), []string{"ImageRefs", "MaskRef", "Moderation"})

	// The wrapper's request: a stream (the edit has Stream set), without
	// the validation that refuses this mix of parameters.
	client, err := wrapper.New(wrapper.WithAPIKey("sk-test"), wrapper.WithBaseURL(srv.URL+"/v1"),
		wrapper.WithValidation(false), wrapper.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := client.EditStream(ctx, p, wrapper.WithExtraBody("moderation", "low")); err == nil {
		s.Close()
		t.Fatal("the capturing server's 400 was not an error")
	}

	// imageform's, through the generated client.
	api, err := gen.NewClient(srv.URL + "/v1")
	if err != nil {
		t.Fatal(err)
	}
	body, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := api.CreateImageEditWithBody(ctx, body.ContentType(), body, body.SetLength)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.requests) != 2 {
		t.Fatalf("%d requests captured, want 2", len(srv.requests))
	}
	want, got := srv.requests[0], srv.requests[1]
	for _, r := range []captured{want, got} {
		if r.contentLength <= 0 || r.chunked {
			t.Errorf("Content-Length %d, chunked %v: want a length", r.contentLength, r.chunked)
		}
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range want.parts {
			yield(k)
		}
		for k := range got.parts {
			if _, ok := want.parts[k]; !ok {
				yield(k)
			}
		}
	})
	for _, k := range keys {
		w, inWrapper := want.parts[k]
		g, inForm := got.parts[k]
		switch {
		case !inForm:
			t.Errorf("%s: sent by the wrapper (%s), not by imageform", k, describe(w))
		case !inWrapper:
			t.Errorf("%s: sent by imageform (%s), not by the wrapper", k, describe(g))
		case g.name != w.name || g.filename != w.filename || g.contentType != w.contentType || !bytes.Equal(g.data, w.data):
			t.Errorf("%s: imageform sent %s, the wrapper %s", k, describe(g), describe(w))
		}
	}
	// The comparison covers the new parts.
	for _, k := range []string{"markup#0", "complexity#0", "frame_count#0", "frame_duration_ms#0", "svg[model]#0", "svg[reasoning][effort]#0", "safety_identifier#0"} {
		if _, ok := want.parts[k]; !ok {
			t.Errorf("the wrapper sent no %s", k)
		}
	}
	if d := got.parts["frame_duration_ms#0"].data; string(d) != "250" {
		t.Errorf("frame_duration_ms = %q, want 250", d)
	}
}

func describe(p part) string {
	if p.filename == "" && p.contentType == "" {
		return fmt.Sprintf("%q", p.data)
	}
	return fmt.Sprintf("file %q, %s, %d bytes", p.filename, p.contentType, len(p.data))
}

// assertAllSet fails unless every exported field of the struct v but skip
// holds a non-zero value, so that a field added later is not left out of
// the comparison.
func assertAllSet(t *testing.T, v reflect.Value, skip []string) {
	t.Helper()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		if slices.Contains(skip, f.Name) != v.Field(i).IsZero() {
			t.Errorf("%s.%s: set %v; a test edit sets every field it sends (add it to the test)", v.Type(), f.Name, !v.Field(i).IsZero())
		}
	}
}

func ptr[T any](v T) *T { return &v }
