package imagestest

import (
	"context"
	"image"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/imagegen-go/openai-images/internal/redact"
)

// Request is a request the emulator received, for assertions in tests.
type Request struct {
	Time   time.Time
	Method string
	// Path is the URL path, such as /v1/images/edits.
	Path  string
	Query string
	// Header holds the request headers except the credentials, which are
	// never recorded: Authorization, Proxy-Authorization, Cookie, and any
	// header whose name says it carries a key, token or secret (Api-Key,
	// X-Api-Key, ...). Their values, and those of query parameters named
	// the same way (api_key=...), are also cut from everything else
	// recorded (the query, other headers, the body's fields).
	Header      http.Header
	ContentType string
	// Params holds the body's fields: the decoded JSON object, or the
	// multipart text fields (a repeated field as []string).
	Params map[string]any
	// Files holds the multipart file parts, in order.
	Files []File
	// Status is the response's status code, RequestID its x-request-id
	// header and Duration the time to the end of the response; they are
	// zero until the response is done (and Status stays 0 when the
	// connection was dropped before any response).
	Status    int
	RequestID string
	Duration  time.Duration
}

// File describes an uploaded file part.
type File struct {
	Field, Filename, ContentType string
	Size                         int
	// Format, Width and Height are read from the file's header when it is
	// an image.
	Format        string
	Width, Height int
}

type recordKey struct{}

type recording struct {
	mu  sync.Mutex
	req Request
	seq uint64 // 1, 2, ... in arrival order
	// thumbs holds small copies of the images returned (kept for the
	// newest requests only; see maxThumbRequests).
	thumbs []*image.NRGBA
	done   bool
	// scrub cuts the request's credentials from what is recorded.
	scrub *redact.Scrubber
}

// credentialHeader reports a header (or query parameter) that carries a
// credential.
func credentialHeader(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"authorization", "cookie", "key", "token", "secret", "password", "credential", "session", "signature"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// record adds r to the log and returns a context carrying the entry.
func (e *Emulator) record(r *http.Request) *http.Request {
	h := r.Header.Clone()
	var secrets []string
	for k, vs := range h {
		if credentialHeader(k) {
			for _, v := range vs {
				scheme, token, ok := strings.Cut(v, " ")
				if ok && !strings.ContainsAny(scheme, "=") {
					secrets = append(secrets, token)
				}
				secrets = append(secrets, v)
			}
			delete(h, k)
		}
	}
	for k, vs := range r.URL.Query() {
		if credentialHeader(k) {
			secrets = append(secrets, vs...)
		}
	}
	scrub := redact.New(secrets...)
	rec := &recording{scrub: scrub, req: Request{
		Time: e.now(), Method: r.Method, Path: scrub.String(r.URL.Path), Query: scrub.String(r.URL.RawQuery),
		Header: scrub.Header(h), ContentType: r.Header.Get("Content-Type"),
	}}
	e.mu.Lock()
	e.appendRecording(rec)
	e.mu.Unlock()
	return r.WithContext(context.WithValue(r.Context(), recordKey{}, rec))
}

// setParams stores what the handler decoded from the body.
func setParams(ctx context.Context, params map[string]any, files []File) {
	rec, _ := ctx.Value(recordKey{}).(*recording)
	if rec == nil {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.scrub != nil {
		params = scrubValue(rec.scrub, params).(map[string]any)
		for i := range files {
			files[i].Filename = rec.scrub.String(files[i].Filename)
		}
	}
	rec.req.Params, rec.req.Files = params, files
}

// scrubValue returns a copy of a decoded body value with the request's
// credentials cut from every string in it.
func scrubValue(s *redact.Scrubber, v any) any {
	switch v := v.(type) {
	case string:
		return s.String(v)
	case []string:
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = s.String(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = scrubValue(s, x)
		}
		return out
	case map[string]any:
		if v == nil {
			return v
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[s.String(k)] = scrubValue(s, x)
		}
		return out
	}
	return v
}

// Requests returns the requests received so far, oldest first: all of
// them, or the newest ones when more arrived than the log keeps (see
// WithRequestLog).
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	recs := slices.Clone(e.recs)
	e.mu.Unlock()
	out := make([]Request, len(recs))
	for i, rec := range recs {
		rec.mu.Lock()
		out[i] = rec.req
		out[i].Header = rec.req.Header.Clone()
		out[i].Params = maps.Clone(rec.req.Params)
		out[i].Files = slices.Clone(rec.req.Files)
		rec.mu.Unlock()
	}
	return out
}

// Reset forgets the recorded requests and any armed faults.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.recs, e.faults = nil, nil
}

// resetRequests forgets the recorded requests only.
func (e *Emulator) resetRequests() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.recs = nil
}
