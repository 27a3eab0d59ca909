// Package prism runs the wrapper against Stoplight Prism, the OpenAPI mock
// server, pinned by the repository's package.json and package-lock.json
// (@stoplight/prism-cli 5.16.0, installed with `npm ci`).
//
// Prism validates each request against the vendored spec and answers 422 to
// one that breaks it. The tests first prove that it does (known-invalid
// requests for every operation get 422), then send every operation through
// the wrapper and expect success. Prism is fed the variant of openapi.yaml
// that [Derive] makes at test time; see there why the document as it is
// would make Prism validate nothing.
//
// Without Prism installed the tests skip, unless CI=true or PRISM_REQUIRED=1,
// when they fail. PRISM_BIN names another Prism executable.
package prism

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// InstallHint says how to install the pinned Prism.
const InstallHint = "install the pinned Prism at the repository root with `npm ci` (Node.js and npm needed), or set PRISM_BIN to a prism executable"

// Required reports whether a missing Prism is a failure rather than a skip:
// in CI (CI=true) or with PRISM_REQUIRED=1.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("PRISM_REQUIRED") == "1"
}

// RepoRoot returns the directory of go.mod, searching up from the working
// directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Binary returns the Prism executable: $PRISM_BIN, else
// node_modules/.bin/prism at the repository root. It fails when the file
// does not exist.
func Binary() (string, error) {
	bin := os.Getenv("PRISM_BIN")
	if bin == "" {
		root, err := RepoRoot()
		if err != nil {
			return "", err
		}
		bin = filepath.Join(root, "node_modules", ".bin", "prism")
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("prism not found: %w", err)
	}
	return bin, nil
}

// Server is a running `prism mock`.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT (the spec's paths hang
	// directly off it).
	URL string

	cmd  *exec.Cmd
	log  *tailBuffer
	done chan struct{} // closed when the process has exited
	err  error         // the process's exit status, once done is closed
	once sync.Once
}

// StartupTimeout bounds the wait for Prism to listen.
const StartupTimeout = 60 * time.Second

// Start runs `bin mock --errors -h 127.0.0.1 -p PORT spec` on a free
// loopback port and returns once Prism answers HTTP.
//
// Flags, as Prism 5.16 defines them: without -d (--dynamic) responses are
// static, built from the schemas' examples or types, so they are
// deterministic. Request violations get 422 with or without --errors (the
// spec defines no 4xx response, so Prism makes one); --errors adds that a
// generated response violating its own schema gets 500, so the responses the
// wrapper parses are also checked against the spec.
func Start(bin, spec string) (*Server, error) {
	var lastErr error
	for range 3 { // the free port may be taken before Prism binds it
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := start(bin, spec, port)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func start(bin, spec string, port int) (*Server, error) {
	cmd := exec.Command(bin, "mock", "--errors", "-h", "127.0.0.1", "-p", strconv.Itoa(port), spec)
	log := &tailBuffer{max: 256 << 10}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FORCE_COLOR=0")
	cmd.WaitDelay = 5 * time.Second // do not wait on pipes a stray child holds open
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start prism: %w", err)
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()

	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(StartupTimeout)
	for {
		select {
		case <-s.done:
			s.Stop()
			return nil, fmt.Errorf("prism exited before listening (%v); its output:\n%s", s.err, s.Log())
		case <-time.After(100 * time.Millisecond):
		}
		// Any HTTP answer means Prism is serving: GET / matches no
		// operation and gets 404.
		if resp, err := hc.Get(s.URL + "/"); err == nil {
			resp.Body.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("prism did not listen on %s within %v; its output:\n%s", s.URL, StartupTimeout, s.Log())
		}
	}
}

// Stop ends Prism and every process of its process group: SIGTERM, then
// SIGKILL after 5 s. It is safe to call more than once.
func (s *Server) Stop() {
	s.once.Do(func() {
		signalGroup(s.cmd, false)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
		}
		// Kill whatever is left in the group (a wrapper script's children).
		signalGroup(s.cmd, true)
		<-s.done
	})
}

// Log returns the last 256 KiB Prism wrote.
func (s *Server) Log() string { return s.log.String() }

// Ping checks that Prism still runs and answers.
func (s *Server) Ping(ctx context.Context) error {
	select {
	case <-s.done:
		return fmt.Errorf("prism has exited (%v)", s.err)
	default:
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.ToValidUTF8(string(t.b), "?")
}
