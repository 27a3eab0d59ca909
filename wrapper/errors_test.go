package wrapper

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAPIErrorFromJSON(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /images/generations", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-request-id", "req_abc")
		jsonError(400, `{"error":{"message":"Invalid size","type":"invalid_request_error","param":"size","code":"invalid_value"}}`)(w, r)
	})
	_, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %T %v", err, err)
	}
	want := APIError{Operation: "createImage", StatusCode: 400, Type: "invalid_request_error", Code: "invalid_value", Param: "size", Message: "Invalid size", RequestID: "req_abc"}
	if apiErr.Operation != want.Operation || apiErr.StatusCode != want.StatusCode || apiErr.Type != want.Type || apiErr.Code != want.Code || apiErr.Param != want.Param || apiErr.Message != want.Message || apiErr.RequestID != want.RequestID {
		t.Errorf("APIError = %+v", apiErr)
	}
	msg := err.Error()
	for _, part := range []string{"createImage", "400", "invalid_request_error", `"size"`, "Invalid size", "req_abc"} {
		if !strings.Contains(msg, part) {
			t.Errorf("message %q lacks %q", msg, part)
		}
	}
}

func TestAPIErrorShapes(t *testing.T) {
	cases := []struct {
		name, contentType, body string
		status                  int
		wantMsg, wantCode       string
	}{
		{"string error", "application/json", `{"error":"text of the error"}`, 400, "text of the error", ""},
		{"bare object", "application/json", `{"message":"bare","code":42}`, 400, "bare", "42"},
		{"html from proxy", "text/html", "<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>", 502, "<html><body><h1>502 Bad Gateway</h1> <p>nginx</p></body></html>", ""},
		{"empty", "text/plain", "", 503, "", ""},
		{"not json", "application/json", "{{{", 500, "{{{", ""},
		{"null error", "application/json", `{"error":null,"message":"m"}`, 400, "m", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mux, _ := setup(t)
			mux.HandleFunc("POST /images/generations", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			_, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"})
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %T %v", err, err)
			}
			if apiErr.StatusCode != tc.status || apiErr.Message != tc.wantMsg || apiErr.Code != tc.wantCode {
				t.Errorf("APIError = status %d message %q code %q", apiErr.StatusCode, apiErr.Message, apiErr.Code)
			}
		})
	}
}

// A 64 MiB error body is read only up to the cap, and the snippet is short.
func TestHugeErrorBodyIsCapped(t *testing.T) {
	c, mux, _ := setup(t)
	var written int64
	mux.HandleFunc("POST /images/generations", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		chunk := bytes.Repeat([]byte("x"), 1<<20)
		for range 64 {
			n, err := w.Write(chunk)
			written += int64(n)
			if err != nil {
				return
			}
		}
	})
	_, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 502 {
		t.Fatalf("err = %v", err)
	}
	if len(apiErr.Body) != maxErrorBody {
		t.Errorf("kept %d bytes of the body, want the %d-byte cap", len(apiErr.Body), maxErrorBody)
	}
	if len(apiErr.Error()) > 400 {
		t.Errorf("message is %d bytes long", len(apiErr.Error()))
	}
}

func TestIsContentPolicyViolation(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&APIError{StatusCode: 400, Code: "content_policy_violation"}, true},
		{&APIError{StatusCode: 400, Code: "moderation_blocked"}, true},
		{&APIError{StatusCode: 400, Type: "image_generation_user_error"}, true},
		{&OperationError{Operation: "x", Err: &APIError{Code: "moderation_blocked"}}, true},
		{&StreamError{Code: "moderation_blocked"}, true},
		{&APIError{StatusCode: 400, Code: "invalid_value"}, false},
		{errors.New("content_policy_violation"), false},
		{nil, false},
	} {
		if got := IsContentPolicyViolation(tc.err); got != tc.want {
			t.Errorf("IsContentPolicyViolation(%v) = %v", tc.err, got)
		}
	}
}

// The key appears in no error and no log line, whatever happens.
func TestKeyNeverLeaks(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mux, srv := setup(t, WithLogger(logger), WithMaxRetries(1))
	mux.HandleFunc("POST /images/generations", func(w http.ResponseWriter, r *http.Request) {
		// A hostile server echoing the request's headers back.
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After-Ms", "1")
		w.WriteHeader(500)
		io.WriteString(w, `{"error":{"message":"echo"}}`)
	})
	var errs []error
	_, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"}, WithExtraQuery("q", "secret-query"))
	errs = append(errs, err)
	// Transport error: nothing listening.
	srv.Close()
	_, err = c.Generate(context.Background(), GenerateParams{Prompt: "x"}, WithExtraQuery("q", "secret-query"))
	errs = append(errs, err)
	for _, err := range errs {
		if err == nil {
			t.Fatal("expected an error")
		}
		if strings.Contains(err.Error(), testAPIKey) || strings.Contains(err.Error(), "secret-query") {
			t.Errorf("error leaks: %v", err)
		}
	}
	if !strings.Contains(logs.String(), "retry") || !strings.Contains(logs.String(), "status=500") {
		t.Errorf("debug log lacks request/retry lines:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), testAPIKey) || strings.Contains(logs.String(), "Bearer") {
		t.Errorf("log leaks the key:\n%s", logs.String())
	}
}

// A redirect to another host never carries Authorization.
func TestRedirectToOtherHostDropsAuthorization(t *testing.T) {
	var leaked, reached bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
		leaked = r.Header.Get("Authorization") != ""
		okImages(w, r)
	}))
	defer other.Close()
	// "localhost" and "127.0.0.1" are different hosts to the HTTP client.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /images/generations", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+"/v1/images/generations", http.StatusFound)
	})
	c.Generate(context.Background(), GenerateParams{Prompt: "x"})
	if !reached {
		t.Fatal("redirect not followed; the test proves nothing")
	}
	if leaked {
		t.Error("Authorization sent to another host")
	}
}
