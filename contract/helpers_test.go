package contract

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
)

// newValidator returns a Validator for the embedded spec.
func newValidator(t testing.TB, opts ...Option) *Validator {
	t.Helper()
	v, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// jsonRequest is an authenticated POST of a JSON body.
func jsonRequest(t testing.TB, url, body string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer sk-test")
	return r
}

// part is one part of a multipart/form-data body.
type part struct {
	name, filename, contentType string
	data                        string
}

func field(name, value string) part { return part{name: name, data: value} }

func file(name, filename string, size int) part {
	return part{name: name, filename: filename, contentType: "image/png", data: pngBytes(size)}
}

// pngBytes is size bytes starting with the PNG signature.
func pngBytes(size int) string {
	b := make([]byte, size)
	copy(b, "\x89PNG\r\n\x1a\n")
	return string(b)
}

// multipartBody encodes parts, returning the body and its Content-Type.
func multipartBody(t testing.TB, parts ...part) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if p.filename != "" {
			h.Set("Content-Disposition", `form-data; name="`+p.name+`"; filename="`+p.filename+`"`)
		} else {
			h.Set("Content-Disposition", `form-data; name="`+p.name+`"`)
		}
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// multipartRequest is an authenticated POST of a multipart body.
func multipartRequest(t testing.TB, url string, parts ...part) *http.Request {
	t.Helper()
	body, ct := multipartBody(t, parts...)
	r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", ct)
	r.Header.Set("Authorization", "Bearer sk-test")
	return r
}

// wantViolation checks that err is an *Error about field (In and Field) and
// that its message names the field.
func wantViolation(t testing.TB, err error, in, field string) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a violation of %s %q", in, field)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want *contract.Error", err, err)
	}
	if e.In != in || e.Field != field {
		t.Fatalf("got violation of %s %q (%v), want %s %q", e.In, e.Field, err, in, field)
	}
	if field != "" && !strings.Contains(err.Error(), `"`+field+`"`) {
		t.Fatalf("message %q does not name %q", err, field)
	}
	return e
}

func noError(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

const (
	genURL       = "http://127.0.0.1:1234/v1/images/generations"
	editURL      = "http://127.0.0.1:1234/v1/images/edits"
	variationURL = "http://127.0.0.1:1234/v1/images/variations"
)

// Stream events valid for the spec.
const (
	genPartial   = `{"type":"image_generation.partial_image","b64_json":"AAAA","created_at":1700000000,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","partial_image_index":0}`
	genCompleted = `{"type":"image_generation.completed","b64_json":"AAAA","created_at":1700000001,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","usage":{"total_tokens":100,"input_tokens":50,"output_tokens":50,"input_tokens_details":{"text_tokens":10,"image_tokens":40}}}`
	// genPartialNoIndex lacks the required partial_image_index.
	genPartialNoIndex = `{"type":"image_generation.partial_image","b64_json":"AAAA","created_at":1700000000,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png"}`
	editPartial       = `{"type":"image_edit.partial_image","b64_json":"AAAA","created_at":1700000000,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","partial_image_index":0}`
	editCompleted     = `{"type":"image_edit.completed","b64_json":"AAAA","created_at":1700000001,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","usage":{"total_tokens":100,"input_tokens":50,"output_tokens":50,"input_tokens_details":{"text_tokens":10,"image_tokens":40}}}`

	imagesJSON = `{"created":1700000000,"data":[{"b64_json":"AAAA"}],"background":"opaque","output_format":"png","size":"1024x1024","quality":"high","usage":{"input_tokens":50,"total_tokens":100,"output_tokens":50,"input_tokens_details":{"text_tokens":10,"image_tokens":40}}}`
)

// sse frames events as a text/event-stream.
func sse(events ...string) string {
	var b strings.Builder
	for _, e := range events {
		b.WriteString("event: ")
		if i := strings.Index(e, `"type":"`); i >= 0 {
			name := e[i+len(`"type":"`):]
			b.WriteString(name[:strings.IndexByte(name, '"')])
		} else {
			b.WriteString("message")
		}
		b.WriteString("\ndata: ")
		b.WriteString(e)
		b.WriteString("\n\n")
	}
	return b.String()
}

// response is a response with a body and a Content-Type.
func response(status int, contentType, body string) *http.Response {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}
