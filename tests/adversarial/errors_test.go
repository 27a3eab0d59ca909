package adversarial

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"unicode/utf8"

	"github.com/imagegen-go/openai-images/wrapper"
)

// maxSnippet is how much of a non-JSON error body the message keeps (200
// characters and an ellipsis).
const maxSnippet = 200

// An HTML 502 from a proxy, after the retries, is an *APIError with the
// status and a one-line, truncated snippet of the page; the page's start is
// kept in Body.
func TestHTMLBadGatewayFromProxy(t *testing.T) {
	page := "<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n" +
		strings.Repeat("<p>upstream \t prematurely closed connection  while reading response header from upstream</p>\r\n", 100) +
		"<hr><center>nginx</center>\n</body>\n</html>\n"
	synctest.Test(t, func(t *testing.T) {
		proxy := respond(502, http.Header{"Content-Type": {"text/html"}, "Server": {"nginx"}}, page)
		s := &script{steps: []step{proxy, proxy, proxy}}
		_, err := scriptedClient(t, s).Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
		var apiErr *wrapper.APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("err = %#v, want *APIError", err)
		}
		if s.attempts() != 3 {
			t.Errorf("attempts = %d, want 1 + 2 retries of the 502", s.attempts())
		}
		if apiErr.StatusCode != 502 || apiErr.Operation != "createImage" || apiErr.Type != "" || apiErr.Code != "" {
			t.Errorf("APIError = %+v", apiErr)
		}
		msg := apiErr.Message
		if !strings.HasPrefix(msg, "<!DOCTYPE html> <html> <head><title>502 Bad Gateway</title></head>") {
			t.Errorf("Message = %q, want the start of the page on one line", msg)
		}
		if strings.ContainsAny(msg, "\r\n\t") || strings.Contains(msg, "  ") {
			t.Errorf("Message is not one line with single spaces: %q", msg)
		}
		if n := utf8.RuneCountInString(msg); n != maxSnippet+1 || !strings.HasSuffix(msg, "…") {
			t.Errorf("Message has %d characters, want %d and an ellipsis: %q", n, maxSnippet, msg)
		}
		if !bytes.HasPrefix([]byte(page), apiErr.Body) || len(apiErr.Body) == 0 {
			t.Errorf("Body holds %d bytes that are not the page's start", len(apiErr.Body))
		}
		full := err.Error()
		for _, part := range []string{"createImage", "502", "Bad Gateway", "<!DOCTYPE html>"} {
			if !strings.Contains(full, part) {
				t.Errorf("Error() = %q lacks %q", full, part)
			}
		}
		if n := utf8.RuneCountInString(full); n > maxSnippet+80 {
			t.Errorf("Error() is %d characters long", n)
		}
	})
}

// A 400 whose body is {"error":"text"} is still an *APIError carrying the
// text, and is not retried.
func TestErrorStringBodyIsAPIError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{
			respond(400, http.Header{"x-request-id": {"req_42"}}, `{"error":"Invalid 'prompt': too long."}`),
			ok(),
		}}
		_, err := scriptedClient(t, s).Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
		var apiErr *wrapper.APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("err = %#v, want *APIError", err)
		}
		if apiErr.StatusCode != 400 || apiErr.Message != "Invalid 'prompt': too long." || apiErr.RequestID != "req_42" {
			t.Errorf("APIError = status %d, message %q, request %q", apiErr.StatusCode, apiErr.Message, apiErr.RequestID)
		}
		if !strings.Contains(err.Error(), "Invalid 'prompt': too long.") || !strings.Contains(err.Error(), "req_42") {
			t.Errorf("Error() = %q", err.Error())
		}
		if s.attempts() != 1 {
			t.Errorf("attempts = %d, want 1", s.attempts())
		}
	})
}

// hugeBody is an endless-looking error body that counts what is read.
type hugeBody struct {
	size   int64
	read   atomic.Int64
	closed atomic.Bool
	prefix []byte
}

func (b *hugeBody) Read(p []byte) (int, error) {
	off := b.read.Load()
	if off >= b.size {
		return 0, io.EOF
	}
	n := int64(len(p))
	if rest := b.size - off; n > rest {
		n = rest
	}
	for i := range n {
		if off+i < int64(len(b.prefix)) {
			p[i] = b.prefix[off+i]
		} else {
			p[i] = 'x'
		}
	}
	b.read.Add(n)
	return int(n), nil
}

func (b *hugeBody) Close() error { b.closed.Store(true); return nil }

// A 64 MiB error body is read only up to the 64 KiB cap (on every attempt),
// is closed, and gives a bounded message.
func TestHugeErrorBodyReadOnlyToCap(t *testing.T) {
	const (
		size     = 64 << 20
		capBytes = 64 << 10 // APIError.Body: "at most 64 KiB are read"
	)
	for _, tc := range []struct {
		name, prefix string
	}{
		{"text", ""},
		{"json", `{"error":{"type":"server_error","message":"`},
	} {
		synctest.Test(t, func(t *testing.T) {
			var bodies []*hugeBody
			huge := func(r *http.Request) (*http.Response, error) {
				b := &hugeBody{size: size, prefix: []byte(tc.prefix)}
				bodies = append(bodies, b)
				return &http.Response{StatusCode: 500, Header: http.Header{"Content-Type": {"application/json"}}, Body: b, Request: r}, nil
			}
			s := &script{steps: []step{huge, huge, huge}}
			_, err := scriptedClient(t, s).Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
			var apiErr *wrapper.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
				t.Fatalf("%s: err = %v", tc.name, err)
			}
			if len(bodies) != 3 {
				t.Fatalf("%s: %d attempts", tc.name, len(bodies))
			}
			for i, b := range bodies {
				if got := b.read.Load(); got > capBytes {
					t.Errorf("%s: attempt %d read %d bytes of the error body, cap %d", tc.name, i+1, got, capBytes)
				}
				if !b.closed.Load() {
					t.Errorf("%s: attempt %d: body not closed", tc.name, i+1)
				}
			}
			if len(apiErr.Body) != capBytes || !bytes.HasPrefix(apiErr.Body, []byte(tc.prefix)) {
				t.Errorf("%s: Body holds %d bytes, want the first %d", tc.name, len(apiErr.Body), capBytes)
			}
			if n := utf8.RuneCountInString(apiErr.Message); n > maxSnippet+1 {
				t.Errorf("%s: Message is %d characters", tc.name, n)
			}
			if n := len(err.Error()); n > 2*maxSnippet+100 {
				t.Errorf("%s: Error() is %d bytes", tc.name, n)
			}
		})
	}
}
