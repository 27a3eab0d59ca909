package adversarial

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/imagegen-go/openai-images/wrapper"
)

// TestMain fails the run if any test leaves a goroutine behind. No
// goroutine is ignored: every client made here either uses an in-memory
// transport or has its idle connections closed when its test ends, and
// every httptest server is closed.
func TestMain(m *testing.M) {
	code := m.Run()
	removeCLI()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// testKey is the API key every client here carries; no error, log line or
// foreign host may ever see it.
const testKey = "sk-adversarial-7f3c9a1e5b-SECRET-KEY"

const memBaseURL = "http://api.test/v1"

// ---------------------------------------------------------------------------
// In-memory transport: no sockets, so waits inside a synctest bubble use the
// fake clock.

// step answers one attempt.
type step func(*http.Request) (*http.Response, error)

// script answers attempt i with steps[i] and records every attempt: when it
// arrived, its headers and its whole body.
type script struct {
	mu      sync.Mutex
	steps   []step
	times   []time.Time
	headers []http.Header
	bodies  [][]byte
}

func (s *script) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	i := len(s.times)
	s.times = append(s.times, time.Now())
	s.headers = append(s.headers, r.Header.Clone())
	s.bodies = append(s.bodies, body)
	s.mu.Unlock()
	if i >= len(s.steps) {
		return nil, fmt.Errorf("script: unexpected attempt %d", i+1)
	}
	return s.steps[i](r)
}

func (s *script) attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.times)
}

// gaps returns the time between consecutive attempts.
func (s *script) gaps() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(s.times); i++ {
		out = append(out, s.times[i].Sub(s.times[i-1]))
	}
	return out
}

func respond(status int, header http.Header, body string) step {
	return func(r *http.Request) (*http.Response, error) {
		h := http.Header{"Content-Type": {"application/json"}}
		for k, v := range header {
			h[http.CanonicalHeaderKey(k)] = v
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
}

const okJSON = `{"created":1700000000,"data":[{"b64_json":"aGk="}]}`

func ok() step { return respond(200, nil, okJSON) }

func scriptedClient(t *testing.T, s *script, opts ...wrapper.Option) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(append([]wrapper.Option{
		wrapper.WithBaseURL(memBaseURL), wrapper.WithAPIKey(testKey),
		wrapper.WithHTTPClient(&http.Client{Transport: s}),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ---------------------------------------------------------------------------
// In-memory network: a real http.Server and http.Transport connected by
// net.Pipe, for tests that need the transport's own behaviour (cancelling a
// request closes its connection, request bodies are streamed) inside a
// synctest bubble.

type memNet struct {
	pending  chan net.Conn
	done     chan struct{}
	once     sync.Once
	srv      *http.Server
	tr       *http.Transport
	served   chan struct{}
	conns    sync.WaitGroup // the server's connections, until closed
	accepted atomic.Int64
}

type memAddr struct{}

func (memAddr) Network() string { return "mem" }
func (memAddr) String() string  { return "api.test:80" }

func (n *memNet) Accept() (net.Conn, error) {
	select {
	case c := <-n.pending:
		n.accepted.Add(1)
		return c, nil
	case <-n.done:
		return nil, net.ErrClosed
	}
}

func (n *memNet) Close() error   { n.once.Do(func() { close(n.done) }); return nil }
func (n *memNet) Addr() net.Addr { return memAddr{} }

func (n *memNet) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case n.pending <- server:
		return client, nil
	case <-n.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// newMemNet serves h over in-memory connections; it must be called inside
// a synctest bubble. Everything is shut down when the test ends.
func newMemNet(t *testing.T, h http.Handler) *memNet {
	n := &memNet{pending: make(chan net.Conn), done: make(chan struct{}), served: make(chan struct{})}
	n.srv = &http.Server{Handler: h, ConnState: func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			n.conns.Add(1)
		case http.StateHijacked, http.StateClosed:
			n.conns.Done()
		}
	}}
	n.tr = &http.Transport{DialContext: n.dial}
	go func() {
		defer close(n.served)
		n.srv.Serve(n)
	}()
	t.Cleanup(n.shutdown)
	return n
}

// shutdown closes the client's idle connections and the server with all of
// its connections, and waits until every server goroutine is gone (a
// connection closed after an unread request body lingers 500 ms). Handlers
// still running must return by themselves.
func (n *memNet) shutdown() {
	n.tr.CloseIdleConnections()
	n.srv.Close()
	<-n.served
	n.conns.Wait()
}

func (n *memNet) client(t *testing.T, opts ...wrapper.Option) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(append([]wrapper.Option{
		wrapper.WithBaseURL(memBaseURL), wrapper.WithAPIKey(testKey),
		wrapper.WithHTTPClient(&http.Client{Transport: n.tr}),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ---------------------------------------------------------------------------
// Loopback servers, for the tests that need real TCP.

// counter counts the requests a server receives.
type counter struct{ n atomic.Int64 }

func (c *counter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.n.Add(1)
		h.ServeHTTP(w, r)
	})
}

// newServer starts a loopback server whose handler h sees paths without
// the /v1 prefix, and returns a client for it with its own transport, whose
// idle connections are closed when the test ends.
func newServer(t *testing.T, h http.Handler, opts ...wrapper.Option) (*wrapper.Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(http.StripPrefix("/v1", h))
	tr := &http.Transport{}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		srv.Close()
	})
	c, err := wrapper.New(append([]wrapper.Option{
		wrapper.WithBaseURL(srv.URL + "/v1"), wrapper.WithAPIKey(testKey),
		wrapper.WithHTTPClient(&http.Client{Transport: tr}),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

// hijack takes over the connection of a request after draining its body.
func hijack(t *testing.T, w http.ResponseWriter, r *http.Request) (net.Conn, *bufio.ReadWriter) {
	io.Copy(io.Discard, r.Body)
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return nil, nil
	}
	return conn, buf
}

// reset closes conn with a TCP RST instead of a FIN.
func reset(t *testing.T, conn net.Conn) {
	tcp, ok := conn.(*net.TCPConn)
	if !ok {
		t.Errorf("not a TCP connection: %T", conn)
		conn.Close()
		return
	}
	if err := tcp.SetLinger(0); err != nil {
		t.Errorf("SetLinger: %v", err)
	}
	tcp.Close()
}

// ---------------------------------------------------------------------------
// Images, multipart bodies and streams.

// pngImage encodes a w x h image; with alpha, its left half is transparent.
func pngImage(t testing.TB, w, h int, alpha bool) []byte {
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
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type formPart struct {
	name, filename, contentType string
	data                        []byte
}

// parseForm parses a multipart/form-data body, failing the test if it is
// malformed.
func parseForm(t *testing.T, contentType string, body []byte) []formPart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("content type %q: %v", contentType, err)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var parts []formPart
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return parts
		}
		if err != nil {
			t.Fatalf("multipart body: %v", err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("multipart part: %v", err)
		}
		_, dp, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		parts = append(parts, formPart{dp["name"], dp["filename"], p.Header.Get("Content-Type"), data})
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// partialEvent and completedEvent are SSE events of a generation stream.
func partialEvent(index int, img []byte) string {
	return fmt.Sprintf("event: image_generation.partial_image\ndata: {\"type\":\"image_generation.partial_image\",\"b64_json\":%q,\"created_at\":1700000000,\"size\":\"1024x1024\",\"quality\":\"low\",\"background\":\"opaque\",\"output_format\":\"png\",\"partial_image_index\":%d}\n\n", b64(img), index)
}

func completedEvent(img []byte) string {
	return fmt.Sprintf("event: image_generation.completed\ndata: {\"type\":\"image_generation.completed\",\"b64_json\":%q,\"created_at\":1700000000,\"size\":\"1024x1024\",\"quality\":\"low\",\"background\":\"opaque\",\"output_format\":\"png\",\"usage\":{\"input_tokens\":1,\"input_tokens_details\":{\"image_tokens\":0,\"text_tokens\":1},\"output_tokens\":2,\"total_tokens\":3}}\n\n", b64(img))
}

// collect reads a stream to its end.
func collect(s *wrapper.ImageStream) (events []wrapper.StreamEvent, err error) {
	for ev, err := range s.All() {
		if err != nil {
			return events, err
		}
		events = append(events, ev)
	}
	return events, nil
}

// streamParams is a valid streaming generation.
func streamParams() wrapper.GenerateParams {
	return wrapper.GenerateParams{Model: wrapper.ModelGPTImage15, Prompt: "a lighthouse", PartialImages: wrapper.Ptr(2)}
}
