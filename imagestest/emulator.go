package imagestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/imagegen-go/openai-images/contract"
)

// Emulator is an http.Handler emulating the Images API under /v1. It is
// safe for concurrent use.
type Emulator struct {
	validator *contract.Validator
	mux       *http.ServeMux
	now       func() time.Time
	batchCfg  batchConfig

	mu        sync.Mutex
	recs      []*recording
	faults    []*armedFault
	stored    map[string]storedImage // images served for response_format=url
	storedIDs []string               // oldest first, for eviction
	responses map[string]*image.NRGBA
	files     map[string]*storedFile
	respIDs   []string
}

// maxStored bounds the images kept for URLs and sessions.
const maxStored = 512

type storedImage struct {
	data        []byte
	contentType string
}

// Option configures an Emulator.
type Option func(*Emulator)

// WithClock sets the clock used for created timestamps (default time.Now).
func WithClock(now func() time.Time) Option { return func(e *Emulator) { e.now = now } }

// New returns an Emulator.
func New(opts ...Option) (*Emulator, error) {
	v, err := contract.New(contract.WithResponseErrorHandler(func(error) {}))
	if err != nil {
		return nil, fmt.Errorf("imagestest: %w", err)
	}
	e := &Emulator{
		validator: v,
		now:       time.Now,
		stored:    map[string]storedImage{},
		responses: map[string]*image.NRGBA{},
		files:     map[string]*storedFile{},
	}
	for _, opt := range opts {
		opt(e)
	}
	api := http.NewServeMux()
	api.HandleFunc("POST /v1/images/generations", e.generate)
	api.HandleFunc("POST /v1/images/edits", e.edit)
	api.HandleFunc("POST /v1/images/variations", e.variation)
	checked := v.Middleware(api)

	e.mux = http.NewServeMux()
	e.mux.Handle("POST /v1/images/", checked)
	e.mux.HandleFunc("GET /v1/emulator/images/{id}", e.serveStored)
	e.mux.HandleFunc("POST /v1/responses", e.responsesAPI)
	e.routeFilesAndBatches(e.mux, v.Middleware)
	e.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusNotFound, "invalid_request_error", "", "unknown_url",
			fmt.Sprintf("Invalid URL (%s %s): the emulator serves the Images API under /v1", r.Method, r.URL.Path))
	})
	return e, nil
}

// ServeHTTP records the request, applies any armed fault, then serves it.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = e.record(r)
	if f := e.takeFault(r); f != nil {
		if f.apply(w, r) {
			return
		}
		w = &faultWriter{ResponseWriter: w, fault: f}
	}
	e.mux.ServeHTTP(w, r)
}

// Violations returns the emulator's own responses that broke the spec (a
// bug in the emulator; tests assert there are none).
func (e *Emulator) Violations() []error { return e.validator.Violations() }

// Server is an Emulator listening on a loopback port.
type Server struct {
	*Emulator
	// URL is the API base URL, ending in /v1: use it as OPENAI_BASE_URL.
	URL string
	srv *httptest.Server
}

// NewServer starts an Emulator on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) *Server {
	e, err := New(opts...)
	if err != nil {
		panic(err) // the embedded spec is valid; this cannot happen
	}
	srv := httptest.NewServer(e)
	return &Server{Emulator: e, URL: srv.URL + "/v1", srv: srv}
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// apiError writes the API's error shape.
func apiError(w http.ResponseWriter, status int, typ, param, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-request-id", newID("req"))
	w.WriteHeader(status)
	body := map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": nullable(param), "code": nullable(code),
	}}
	json.NewEncoder(w).Encode(body)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func newID(prefix string) string {
	var b [12]byte
	rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// storeImage keeps data for a URL response and returns its path.
func (e *Emulator) storeImage(data []byte, contentType, ext string) string {
	id := newID("img") + ext
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stored[id] = storedImage{data: data, contentType: contentType}
	e.storedIDs = append(e.storedIDs, id)
	for len(e.storedIDs) > maxStored {
		delete(e.stored, e.storedIDs[0])
		e.storedIDs = e.storedIDs[1:]
	}
	return "/v1/emulator/images/" + id
}

func (e *Emulator) serveStored(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	img, ok := e.stored[r.PathValue("id")]
	e.mu.Unlock()
	if !ok {
		apiError(w, http.StatusNotFound, "invalid_request_error", "", "not_found", "No such image (emulator URLs last as long as the emulator, up to 512 images)")
		return
	}
	w.Header().Set("Content-Type", img.contentType)
	w.Write(img.data)
}

// baseURL is the absolute URL of the emulator as the client reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// waitOrDone sleeps d unless ctx ends first.
func waitOrDone(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
