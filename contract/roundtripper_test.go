package contract

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// cannedServer answers every request with the given Content-Type and body,
// counting requests and recording the last body it got.
type cannedServer struct {
	*httptest.Server
	calls    atomic.Int32
	lastBody atomic.Value
}

func newCannedServer(t *testing.T, contentType, body string) *cannedServer {
	s := &cannedServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		s.lastBody.Store(b)
		w.Header().Set("Content-Type", contentType)
		io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestRoundTripperRequests(t *testing.T) {
	v := newValidator(t)
	srv := newCannedServer(t, "application/json", imagesJSON)
	client := &http.Client{Transport: v.RoundTripper(nil)}

	req := jsonRequest(t, srv.URL+"/v1/images/generations", `{"prompt":"x","n":"two"}`)
	_, err := client.Do(req)
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v", err)
	}
	wantViolation(t, err, InBody, "n")
	if srv.calls.Load() != 0 {
		t.Fatal("an invalid request was sent")
	}

	req = jsonRequest(t, srv.URL+"/v1/images/generations", `{"prompt":"x","n":2}`)
	resp, err := client.Do(req)
	noError(t, err)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != imagesJSON || srv.calls.Load() != 1 {
		t.Fatalf("response body %q, %d calls", got, srv.calls.Load())
	}
	if req.Header.Get("Authorization") != "Bearer sk-test" || req.URL.Path != "/v1/images/generations" {
		t.Fatal("the caller's request was modified")
	}
}

// TestRoundTripperStreamingUpload sends a multipart body of unknown length
// (an io.Pipe, as a streaming client would) through the RoundTripper.
func TestRoundTripperStreamingUpload(t *testing.T) {
	v := newValidator(t, WithBodyMemoryLimit(4096))
	srv := newCannedServer(t, "application/json", imagesJSON)
	client := &http.Client{Transport: v.RoundTripper(http.DefaultTransport)}
	var sent bytes.Buffer
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(io.MultiWriter(pw, &sent))
	go func() {
		mw.WriteField("prompt", "x")
		for _, name := range []string{"a.png", "b.png", "c.png"} {
			w, _ := mw.CreateFormFile("image[]", name)
			io.WriteString(w, pngBytes(20_000))
		}
		pw.CloseWithError(mw.Close())
	}()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/images/edits", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer k")
	resp, err := client.Do(req)
	noError(t, err)
	resp.Body.Close()
	if got := srv.lastBody.Load().([]byte); !bytes.Equal(got, sent.Bytes()) {
		t.Fatalf("server got %d bytes, want %d", len(got), sent.Len())
	}
}

func TestRoundTripperResponses(t *testing.T) {
	v := newValidator(t)
	srv := newCannedServer(t, "application/json", `{"created":"yesterday"}`)
	client := &http.Client{Transport: v.RoundTripper(nil)}
	_, err := client.Do(jsonRequest(t, srv.URL+"/v1/images/generations", `{"prompt":"x"}`))
	e := wantViolation(t, err, InBody, "created")
	if e.Op != "response" {
		t.Fatalf("Op = %q", e.Op)
	}

	srv = newCannedServer(t, "text/plain", `hello`)
	_, err = client.Do(jsonRequest(t, srv.URL+"/v1/images/generations", `{"prompt":"x"}`))
	wantViolation(t, err, InHeader, "Content-Type")
}

func TestRoundTripperStreams(t *testing.T) {
	v := newValidator(t)
	client := &http.Client{Transport: v.RoundTripper(nil)}

	good := sse(genPartial, genPartial, genCompleted)
	srv := newCannedServer(t, "text/event-stream", good)
	resp, err := client.Do(jsonRequest(t, srv.URL+"/v1/images/generations", `{"prompt":"x","stream":true}`))
	noError(t, err)
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(got) != good {
		t.Fatalf("got %q, %v", got, err)
	}

	srv = newCannedServer(t, "text/event-stream", sse(editPartial, strings.Replace(editCompleted, `"b64_json":"AAAA",`, "", 1)))
	body, ct := multipartBody(t, field("prompt", "x"), file("image", "a.png", 10), field("stream", "true"))
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/images/edits", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer k")
	resp, err = client.Do(req)
	noError(t, err)
	got, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	e := wantViolation(t, err, InEvent, "b64_json")
	if e.Event != 2 || e.Operation != "createImageEdit" {
		t.Fatalf("violation = %v", e)
	}
	if string(got) != sse(editPartial) {
		t.Fatalf("delivered %q, want only the first event", got)
	}
}
