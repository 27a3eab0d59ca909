package tests

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/imagegen-go/openai-images/contract"
	"github.com/imagegen-go/openai-images/gen"
)

// Spec-valid canned responses.
const (
	imagesJSON = `{"created":1700000000,"data":[{"b64_json":"iVBORw0KGgo="}],"background":"opaque","output_format":"png","size":"1024x1024","quality":"high","usage":{"input_tokens":50,"total_tokens":100,"output_tokens":50,"input_tokens_details":{"text_tokens":10,"image_tokens":40}}}`

	genPartial   = `{"type":"image_generation.partial_image","b64_json":"iVBORw0KGgo=","created_at":1700000000,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","partial_image_index":0}`
	genCompleted = `{"type":"image_generation.completed","b64_json":"iVBORw0KGgo=","created_at":1700000001,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","usage":{"total_tokens":100,"input_tokens":50,"output_tokens":50,"input_tokens_details":{"text_tokens":10,"image_tokens":40}}}`
	// genPartialBad lacks the required partial_image_index.
	genPartialBad = `{"type":"image_generation.partial_image","b64_json":"iVBORw0KGgo=","created_at":1700000000,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png"}`

	editPartial   = `{"type":"image_edit.partial_image","b64_json":"iVBORw0KGgo=","created_at":1700000000,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","partial_image_index":0}`
	editCompleted = `{"type":"image_edit.completed","b64_json":"iVBORw0KGgo=","created_at":1700000001,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","usage":{"total_tokens":100,"input_tokens":50,"output_tokens":50,"input_tokens_details":{"text_tokens":10,"image_tokens":40}}}`
	// editCompletedBad lacks the required usage.
	editCompletedBad = `{"type":"image_edit.completed","b64_json":"iVBORw0KGgo=","created_at":1700000001,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png"}`
)

// streamHeader selects the fake API's answer: a JSON body by default, or the
// stream of events named by the header, one "|"-separated event per write.
const streamHeader = "X-Test-Stream"

// fakeAPI is an httptest server playing the Images API behind the contract
// Middleware. Requests that reach it passed the contract.
type fakeAPI struct {
	*httptest.Server
	v       *contract.Validator
	calls   atomic.Int32                   // requests that reached the handler
	gotForm atomic.Pointer[multipart.Form] // the last multipart form it parsed
	taken   int                            // violations the test took
}

// newFakeAPI starts a fake API; at the end of the test it fails on any
// response violation the test did not take with takeViolations.
func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeAPI{v: v}
	f.Server = httptest.NewServer(v.Middleware(http.HandlerFunc(f.serve)))
	t.Cleanup(func() {
		f.Close() // waits for the handlers
		for _, err := range v.Violations()[f.taken:] {
			t.Errorf("response violation: %v", err)
		}
	})
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		// The body reaches the handler whole after validation.
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		f.gotForm.Store(r.MultipartForm)
	} else {
		io.Copy(io.Discard, r.Body)
	}
	events := r.Header.Get(streamHeader)
	if events == "" {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, imagesJSON)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	for _, data := range strings.Split(events, "|") {
		io.WriteString(w, "data: "+data+"\n\n")
		w.(http.Flusher).Flush()
	}
}

// takeViolations returns the response violations found since the last
// call; the test then owns them. A response's violations are all recorded
// by the time its body has been read to the end.
func (f *fakeAPI) takeViolations() []error {
	vs := f.v.Violations()[f.taken:]
	f.taken += len(vs)
	return vs
}

// authorized adds the API key, as every client must.
func authorized(_ context.Context, r *http.Request) error {
	r.Header.Set("Authorization", "Bearer sk-test")
	return nil
}

// stream asks the fake API for a stream of events.
func stream(events ...string) gen.RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Set(streamHeader, strings.Join(events, "|"))
		return nil
	}
}

// client is the generated raw client for the fake API, as a user would
// create it: the server URL with /v1.
func (f *fakeAPI) client(t *testing.T, opts ...gen.ClientOption) *gen.ImagesApi {
	t.Helper()
	c, err := gen.NewClient(f.URL+"/v1", append([]gen.ClientOption{gen.WithRequestEditorFn(authorized)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// clientWithResponses is the generated parsing client.
func (f *fakeAPI) clientWithResponses(t *testing.T) *gen.ClientWithResponses {
	t.Helper()
	c, err := gen.NewClientWithResponses(f.URL+"/v1", gen.WithRequestEditorFn(authorized))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// openAIError is the error body the Middleware answers invalid requests with.
type openAIError struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

// part is one part of a multipart/form-data body.
type part struct {
	name, filename, contentType, data string
}

func field(name, value string) part { return part{name: name, data: value} }

// png is a file part with a PNG signature and size bytes in all.
func png(name, filename string, size int) part {
	b := make([]byte, size)
	copy(b, "\x89PNG\r\n\x1a\n")
	return part{name: name, filename: filename, contentType: "image/png", data: string(b)}
}

// form encodes parts as multipart/form-data, for the generated client's
// ...WithBody methods, which take a Content-Type and a reader.
func form(t *testing.T, parts ...part) (string, io.Reader) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := `form-data; name="` + p.name + `"`
		if p.filename != "" {
			disp += `; filename="` + p.filename + `"`
		}
		h.Set("Content-Disposition", disp)
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
	return mw.FormDataContentType(), &buf
}

// wantField checks that err is a contract violation of the body field.
func wantField(t *testing.T, err error, field string) *contract.Error {
	t.Helper()
	var e *contract.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want a contract violation of %q", err, field)
	}
	if e.Field != field || !strings.Contains(err.Error(), `"`+field+`"`) {
		t.Fatalf("got %v, want a violation naming %q", err, field)
	}
	return e
}

func ptr[T any](v T) *T { return &v }
