package imagestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"net/http"
	"net/http/httptest"
	"strings"
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

	allowRetired bool
	azure        *Azure // WithAzure: Azure OpenAI's shapes

	mu         sync.Mutex
	recs       []*recording
	faults     []*armedFault
	stored     map[string]storedImage // images served for response_format=url
	storedIDs  []string               // oldest first, for eviction
	responses  map[string]*storedResponse
	callImages map[string]*image.NRGBA // image_generation_call id -> image
	files      map[string]*storedFile
	respIDs    []respKey // oldest first, for eviction

	latency latencyConfig
	random  *randomFaults

	logLimit  int
	seq       uint64                     // of the last recording
	subs      map[chan struct{}]struct{} // inspector event streams
	closed    chan struct{}              // closed by Close
	closeOnce sync.Once
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
		validator:  v,
		now:        time.Now,
		stored:     map[string]storedImage{},
		responses:  map[string]*storedResponse{},
		callImages: map[string]*image.NRGBA{},
		logLimit:   DefaultRequestLog,
		subs:       map[chan struct{}]struct{}{},
		closed:     make(chan struct{}),
		files:      map[string]*storedFile{},
	}
	for _, opt := range opts {
		opt(e)
	}
	checked := e.specChecked
	e.mux = http.NewServeMux()
	e.mux.Handle("POST /v1/images/generations", checked(e.generate))
	e.mux.Handle("POST /v1/images/edits", checked(e.edit))
	e.mux.Handle("POST /v1/images/variations", checked(e.variation))
	e.mux.HandleFunc("GET /v1/emulator/images/{id}", e.serveStored)
	e.mux.HandleFunc("POST /v1/responses", e.responsesAPI)
	e.mux.HandleFunc("GET /v1/responses/{response_id}", e.getResponse)
	e.routeFilesAndBatches(e.mux, v.Middleware)
	e.routeInspector(e.mux)
	e.mux.HandleFunc("/", unknownURL)
	return e, nil
}

// unknownURL answers a method and path the emulator does not serve as the
// API does: 404, "Invalid URL (METHOD PATH)", code null. Source: the API's
// answer to an unknown path, as captured in client code and issue threads
// ({"message": "Invalid URL (POST /v1/chat/not-found)", "type":
// "invalid_request_error", "param": null, "code": null}).
func unknownURL(w http.ResponseWriter, r *http.Request) {
	apiError(w, http.StatusNotFound, "invalid_request_error", "", "", fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path))
}

// missingKey is the API's message for a request without a key; the API
// sends it with status 401 and code null.
const missingKey = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys."

// InvalidAPIKey is an API key the emulator refuses as the API refuses a
// wrong one (401, code invalid_api_key), so that a client's handling of a bad
// key can be tested; every other non-empty key is accepted.
const InvalidAPIKey = "sk-invalid"

// authorized answers 401 for a request to the API (not the emulator's own
// pages) without a usable key, and reports whether the request may go on.
func authorized(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, "/v1/") || strings.HasPrefix(r.URL.Path, "/v1/emulator/") {
		return true
	}
	scheme, key, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	key = strings.TrimSpace(key)
	switch {
	case !strings.EqualFold(scheme, "Bearer") || key == "":
		apiError(w, http.StatusUnauthorized, "invalid_request_error", "", "", missingKey)
		return false
	case key == InvalidAPIKey:
		// The API quotes the key with most of it masked; the emulator
		// quotes none of it.
		apiError(w, http.StatusUnauthorized, "invalid_request_error", "", "invalid_api_key",
			"Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.")
		return false
	}
	return true
}

// ServeHTTP records the request, applies any armed fault, then serves it.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !logged(r) {
		e.mux.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	r = e.record(r)
	sw := &statusWriter{ResponseWriter: w}
	defer e.finish(r, sw, start)
	w = sw
	if e.azure != nil {
		w = &azureWriter{ResponseWriter: w}
		var ok bool
		if r, ok = e.azureRequest(w, r); !ok {
			return
		}
		// Ends the rewriting of a multipart body the handler left unread.
		defer r.Body.Close()
	} else if !authorized(w, r) {
		return
	}
	if _, pattern := e.mux.Handler(r); pattern == "" {
		unknownURL(w, r) // a known path with another method
		return
	}
	if f := e.injectedFault(r); f != nil {
		if f.apply(w, r) {
			return
		}
		w = &faultWriter{ResponseWriter: w, fault: f}
	}
	e.mux.ServeHTTP(w, r)
}

// Violations returns the emulator's own responses that broke the spec (a
// bug in the emulator; tests assert there are none).
//
// One mismatch is not counted: size outside the vendored spec's enum in an
// image response or stream event. The API echoes the real WIDTHxHEIGHT
// (custom sizes included; see job.size), which the vendored spec does not
// know yet.
func (e *Emulator) Violations() []error {
	var out []error
	for _, err := range e.validator.Violations() {
		var ce *contract.Error
		if errors.As(err, &ce) && ce.Op == "response" && ce.Field == "size" && (ce.In == contract.InBody || ce.In == contract.InEvent) {
			continue
		}
		out = append(out, err)
	}
	return out
}

// Server is an Emulator listening on a loopback port.
type Server struct {
	*Emulator
	// URL is the API base URL, ending in /v1: use it as OPENAI_BASE_URL.
	URL string
	// Endpoint is the server's root, http://127.0.0.1:PORT: the Azure
	// endpoint of an emulator made with [WithAzure].
	Endpoint string
	srv      *httptest.Server
}

// NewServer starts an Emulator on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) *Server {
	e, err := New(opts...)
	if err != nil {
		panic(err) // the embedded spec is valid; this cannot happen
	}
	srv := httptest.NewServer(e)
	return &Server{Emulator: e, URL: srv.URL + "/v1", Endpoint: srv.URL, srv: srv}
}

// Close shuts the server down.
func (s *Server) Close() {
	s.Emulator.Close()
	s.srv.Close()
}

// Close ends the inspector's open event streams (GET /v1/emulator/events),
// which would otherwise keep a server's graceful shutdown waiting; call it
// before shutting down a server of your own. The emulator goes on serving
// everything else.
func (e *Emulator) Close() { e.closeOnce.Do(func() { close(e.closed) }) }

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
