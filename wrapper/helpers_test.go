package wrapper

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// testAPIKey is a recognisable fake key; tests assert it never leaks.
const testAPIKey = "sk-test-SECRET-0123456789"

// setup returns a client talking to an httptest server whose mux is served
// under /v1, like the real API's base URL.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, *httptest.Server) {
	t.Helper()
	mux := http.NewServeMux()
	api := http.NewServeMux()
	api.Handle("/v1/", http.StripPrefix("/v1", mux))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c, err := New(append([]Option{WithBaseURL(srv.URL + "/v1"), WithAPIKey(testAPIKey), WithMaxRetries(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, mux, srv
}

// recorded is one request as the server saw it.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	ContentType            string
	Body                   []byte
	JSON                   map[string]any
	Fields                 map[string][]string
	Files                  []recordedFile
}

type recordedFile struct {
	Field, Filename, ContentType string
	Data                         []byte
}

// recorder collects requests and answers them with respond.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

func (rec *recorder) all() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recorded(nil), rec.reqs...)
}

func (rec *recorder) last(t *testing.T) recorded {
	t.Helper()
	all := rec.all()
	if len(all) == 0 {
		t.Fatal("no request reached the server")
	}
	return all[len(all)-1]
}

func record(t *testing.T, r *http.Request) recorded {
	t.Helper()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("server: read body: %v", err)
	}
	out := recorded{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), ContentType: r.Header.Get("Content-Type"), Body: body}
	mt, params, _ := mime.ParseMediaType(out.ContentType)
	switch mt {
	case "application/json":
		if err := json.Unmarshal(body, &out.JSON); err != nil {
			t.Errorf("server: body is not JSON: %v", err)
		}
	case "multipart/form-data":
		out.Fields = map[string][]string{}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("server: bad multipart body: %v", err)
				break
			}
			data, _ := io.ReadAll(p)
			if p.FileName() != "" {
				out.Files = append(out.Files, recordedFile{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), data})
			} else {
				out.Fields[p.FormName()] = append(out.Fields[p.FormName()], string(data))
			}
		}
	}
	return out
}

// handle records each request on path and answers with respond.
func (rec *recorder) handle(t *testing.T, mux *http.ServeMux, path string, respond http.HandlerFunc) {
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		got := record(t, r)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, got)
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(got.Body))
		respond(w, r)
	})
}

// okImages answers with a one-image b64 response.
func okImages(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-request-id", "req_123")
	io.WriteString(w, `{"created":1700000000,"data":[{"b64_json":"`+pngB64+`","revised_prompt":"an otter"}],`+
		`"usage":{"input_tokens":10,"input_tokens_details":{"text_tokens":8,"image_tokens":2},"output_tokens":20,"total_tokens":30},`+
		`"background":"opaque","output_format":"png","quality":"high","size":"1024x1024"}`)
}

func jsonError(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// testPNG encodes a w x h image; with alpha, its left half is transparent.
func testPNG(t testing.TB, w, h int, alpha bool) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(x * 7), uint8(y * 13), 200, 255}
			if alpha && x < w/2 {
				c.A = 0
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngB64 is a 2x2 PNG, base64-encoded, for canned responses.
var pngB64 = func() string {
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return b64(buf.Bytes())
}()

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
