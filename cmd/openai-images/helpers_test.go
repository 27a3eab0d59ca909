package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "golang.org/x/image/webp"

	"github.com/imagegen-go/openai-images/imagestest"
)

// result is what one run of the program did.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the program with args and the given environment.
func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runCLIContext(t.Context(), env, args...)
}

func runCLIContext(ctx context.Context, env map[string]string, args ...string) result {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr, func(k string) string { return env[k] })
	return result{code, stdout.String(), stderr.String()}
}

// mustSucceed fails the test unless the run exited 0.
func (r result) mustSucceed(t *testing.T) result {
	t.Helper()
	if r.code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	return r
}

// testServer is an emulator as one test sees it: env points the program
// at it, and requests returns what this test sent.
type testServer struct {
	*imagestest.Server
	env map[string]string
	// tag is sent as the OpenAI-Project header (OPENAI_PROJECT_ID), so
	// that tests sharing a server tell their requests apart.
	tag string
}

// shared is the emulator the tests that inject no fault share: starting
// one (parsing the spec) is the costliest part of a small test under -race.
var shared struct {
	once sync.Once
	srv  *imagestest.Server
	// retired serves the models OpenAI has retired, and the variations
	// endpoint, for the tests of what only they take (response_format,
	// style, revised prompts, variations, dall-e-2 edits).
	retiredOnce sync.Once
	retired     *imagestest.Server
}

// TestMain closes the shared emulator and fails on any response of it that
// broke the spec.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, srv := range []*imagestest.Server{shared.srv, shared.retired} {
		if srv == nil {
			continue
		}
		srv.Close()
		for _, err := range srv.Violations() {
			fmt.Fprintf(os.Stderr, "emulator response violation: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// newServer returns the shared emulator, for a test that injects no fault.
func newServer(t *testing.T) *testServer {
	t.Helper()
	shared.once.Do(func() { shared.srv = imagestest.NewServer() })
	return tagged(t, shared.srv)
}

// newRetiredServer returns the shared emulator that serves retired models
// (imagestest.AllowRetiredModels), as an OpenAI-compatible server may.
func newRetiredServer(t *testing.T) *testServer {
	t.Helper()
	shared.retiredOnce.Do(func() { shared.retired = imagestest.NewServer(imagestest.AllowRetiredModels()) })
	return tagged(t, shared.retired)
}

// newFaultServer starts an emulator of the test's own, for injecting
// faults. At the end of the test it fails on any response that broke the
// spec.
func newFaultServer(t *testing.T) *testServer {
	t.Helper()
	srv := imagestest.NewServer()
	t.Cleanup(func() {
		srv.Close()
		for _, err := range srv.Violations() {
			t.Errorf("emulator response violation: %v", err)
		}
	})
	return tagged(t, srv)
}

func tagged(t *testing.T, srv *imagestest.Server) *testServer {
	tag := "test " + t.Name()
	return &testServer{Server: srv, tag: tag,
		env: map[string]string{"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": srv.URL, "OPENAI_PROJECT_ID": tag}}
}

// requests returns the requests this test sent (image downloads, which
// carry no API headers, left out).
func (s *testServer) requests() []imagestest.Request {
	var out []imagestest.Request
	for _, r := range s.Requests() {
		if r.Header.Get("OpenAI-Project") == s.tag {
			out = append(out, r)
		}
	}
	return out
}

// parseSummary decodes the --json output.
func parseSummary(t *testing.T, stdout string) summary {
	t.Helper()
	return decodeStrict[summary](t, stdout)
}

// decodeStrict decodes --json output into a T: exactly one JSON value,
// with no field T lacks.
func decodeStrict[T any](t *testing.T, stdout string) T {
	t.Helper()
	var s T
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("--json output has more than one value:\n%s", stdout)
	}
	return s
}

// decodeConfig reads the format and dimensions of an image file.
func decodeConfig(t *testing.T, path string) (format string, width, height int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return format, cfg.Width, cfg.Height
}

// decodeFile decodes an image file.
func decodeFile(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// writePNG encodes m into dir/name and returns the path.
func writePNG(t *testing.T, dir, name string, m image.Image) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// gradient is an opaque test picture of w x h.
func gradient(w, h int, seed uint8) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x*255/w) ^ seed, uint8(y * 255 / h), seed + uint8(x+y), 255})
		}
	}
	return m
}

// maskWithHole is an opaque mask of w x h, fully transparent inside hole.
func maskWithHole(w, h int, hole image.Rectangle) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if !(image.Point{x, y}).In(hole) {
				m.SetNRGBA(x, y, color.NRGBA{255, 255, 255, 255})
			}
		}
	}
	return m
}

// lines splits output into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// syncBuffer is a buffer written by one goroutine and read by another.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
