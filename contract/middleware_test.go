package contract

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// openAIError is the error body of the OpenAI API.
type openAIError struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

func post(t *testing.T, url, contentType string, body []byte, auth bool) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if auth {
		req.Header.Set("Authorization", "Bearer sk-test")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func decodeError(t *testing.T, resp *http.Response) openAIError {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	var e openAIError
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if e.Error.Type != "invalid_request_error" || e.Error.Code != nil || e.Error.Message == "" {
		t.Fatalf("error body = %+v", e)
	}
	return e
}

func TestMiddlewareRejectsRequests(t *testing.T) {
	v := newValidator(t)
	var calls atomic.Int32
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, imagesJSON)
	})))
	defer srv.Close()

	cases := []struct {
		name, path, ct, body string
		auth                 bool
		status               int
		param                string // "" for null
	}{
		{"wrong type", "/v1/images/generations", "application/json", `{"prompt":"x","n":"two"}`, true, 400, "n"},
		{"missing prompt", "/images/generations", "application/json", `{}`, true, 400, "prompt"},
		{"not JSON", "/v1/images/generations", "application/json", `{`, true, 400, ""},
		{"wrong content type", "/v1/images/variations", "application/json", `{}`, true, 400, ""},
		{"no credentials", "/v1/images/generations", "application/json", `{"prompt":"x"}`, false, 401, ""},
		{"unknown path", "/v1/images/upscale", "application/json", `{"prompt":"x"}`, true, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := post(t, srv.URL+c.path, c.ct, []byte(c.body), c.auth)
			if resp.StatusCode != c.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, c.status)
			}
			e := decodeError(t, resp)
			switch {
			case c.param == "" && e.Error.Param != nil:
				t.Errorf("param = %q, want null", *e.Error.Param)
			case c.param != "" && (e.Error.Param == nil || *e.Error.Param != c.param):
				t.Errorf("param = %v, want %q", e.Error.Param, c.param)
			}
			if c.param != "" && !strings.Contains(e.Error.Message, `"`+c.param+`"`) {
				t.Errorf("message %q does not name %q", e.Error.Message, c.param)
			}
		})
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("next was called %d times for invalid requests", n)
	}
	resp := post(t, srv.URL+"/v1/images/generations", "application/json", []byte(`{"prompt":"x"}`), true)
	if resp.StatusCode != 200 || calls.Load() != 1 {
		t.Fatalf("valid request: status %d, %d calls", resp.StatusCode, calls.Load())
	}
	if got := v.Violations(); len(got) != 0 {
		t.Fatalf("violations: %v", got)
	}
}

func TestMiddlewarePassesBodyThrough(t *testing.T) {
	v := newValidator(t, WithBodyMemoryLimit(1024)) // spooled to a file
	body, ct := multipartBody(t, field("prompt", "x"), file("image[]", "a.png", 50_000), file("image[]", "b.png", 50_000), file("mask", "m.png", 2000))
	var got []byte
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		got, err = io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, imagesJSON)
	})))
	defer srv.Close()
	resp := post(t, srv.URL+"/v1/images/edits", ct, body, true)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !bytes.Equal(got, body) {
		t.Fatalf("handler got %d bytes, want the %d sent", len(got), len(body))
	}
}

func TestMiddlewareResponseViolations(t *testing.T) {
	var mu sync.Mutex
	var reported []error
	v := newValidator(t, WithResponseErrorHandler(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, err)
	}))
	bad := `{"created":"1700000000"}`
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("case") {
		case "no-content-type":
			w.Write([]byte(imagesJSON))
		case "error-status":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(429)
			io.WriteString(w, `{"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":null}}`)
		default:
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, bad[:10])
			io.WriteString(w, bad[10:])
		}
	})))
	defer srv.Close()

	resp := post(t, srv.URL+"/v1/images/generations", "application/json", []byte(`{"prompt":"x"}`), true)
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(got) != bad {
		t.Fatalf("the response was altered: %d %q", resp.StatusCode, got)
	}
	vs := v.Violations()
	if len(vs) != 1 {
		t.Fatalf("violations = %v", vs)
	}
	wantViolation(t, vs[0], InBody, "created")

	post(t, srv.URL+"/v1/images/generations?case=error-status", "application/json", []byte(`{"prompt":"x"}`), true)
	if n := len(v.Violations()); n != 1 {
		t.Fatalf("an undeclared status was checked: %v", v.Violations())
	}
	post(t, srv.URL+"/v1/images/generations?case=no-content-type", "application/json", []byte(`{"prompt":"x"}`), true)
	vs = v.Violations()
	if len(vs) != 2 {
		t.Fatalf("violations = %v", vs)
	}
	wantViolation(t, vs[1], InHeader, "Content-Type")
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 2 {
		t.Fatalf("reported %v", reported)
	}
}

// TestMiddlewareStreams checks that a stream reaches the client event by
// event (the handler waits for the client to read each event before writing
// the next), unchanged, and that a bad event is recorded without stopping it.
func TestMiddlewareStreams(t *testing.T) {
	v := newValidator(t)
	events := []string{genPartial, genPartialNoIndex, genCompleted}
	read := make(chan struct{})
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		for _, e := range events {
			io.WriteString(w, sse(e))
			w.(http.Flusher).Flush()
			<-read // the client got it: nothing was held back
		}
	})))
	defer srv.Close()

	resp := post(t, srv.URL+"/v1/images/generations", "application/json", []byte(`{"prompt":"x","stream":true}`), true)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(resp.Body)
	var got strings.Builder
	for range events {
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			got.WriteString(line)
			if line == "\n" {
				break
			}
		}
		read <- struct{}{}
	}
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Fatalf("unexpected trailing data %q", rest)
	}
	if got.String() != sse(events...) {
		t.Fatalf("stream altered:\n%s", got.String())
	}
	vs := v.Violations()
	if len(vs) != 1 {
		t.Fatalf("violations = %v", vs)
	}
	e := wantViolation(t, vs[0], InEvent, "partial_image_index")
	if e.Event != 2 {
		t.Fatalf("violation at event %d, want 2", e.Event)
	}
}

func TestMiddlewareStreamCutOff(t *testing.T) {
	v := newValidator(t)
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, sse(editPartial)+"data: "+editCompleted) // no blank line at the end
	})))
	defer srv.Close()
	body, ct := multipartBody(t, field("prompt", "x"), file("image", "a.png", 10), field("stream", "true"))
	resp := post(t, srv.URL+"/v1/images/edits", ct, body, true)
	io.ReadAll(resp.Body)
	resp.Body.Close()
	srv.Close() // waits for the handler, so the violation is recorded
	vs := v.Violations()
	if len(vs) != 1 || !errors.Is(vs[0], vs[0]) {
		t.Fatalf("violations = %v", vs)
	}
	var e *Error
	if !errors.As(vs[0], &e) || e.In != InEvent || e.Event != 2 || !strings.Contains(e.Message, "ended inside an event") {
		t.Fatalf("violation = %v", vs[0])
	}
}

// A handler that gives up because its client went away writes nothing; the
// Middleware does not count that as a violation, though the same empty
// answer to a client still waiting is one.
func TestMiddlewareIgnoresAbandonedResponses(t *testing.T) {
	v := newValidator(t)
	handlerDone := make(chan struct{}, 2)
	waiting := make(chan struct{})
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { handlerDone <- struct{}{} }()
		if r.URL.Query().Get("case") == "wait" {
			close(waiting)
			<-r.Context().Done() // the client gives up first
		}
		// Writes nothing either way.
	})))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/images/generations?case=wait", strings.NewReader(`{"prompt":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer k")
	go func() {
		<-waiting
		cancel()
	}()
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the cancelled request succeeded")
	}
	<-handlerDone
	if vs := v.Violations(); len(vs) != 0 {
		t.Fatalf("abandoned response recorded: %v", vs)
	}
	resp := post(t, srv.URL+"/v1/images/generations", "application/json", []byte(`{"prompt":"x"}`), true)
	resp.Body.Close()
	<-handlerDone
	if vs := v.Violations(); len(vs) == 0 {
		t.Fatal("an empty 200 to a waiting client was not recorded")
	}
}
