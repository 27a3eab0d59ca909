package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
)

// defaultServeAddr is where serve listens unless --addr says otherwise.
const defaultServeAddr = "127.0.0.1:8089"

func runServe(ctx context.Context, inv *invocation, args []string) error {
	addr := defaultServeAddr
	var quiet bool
	c := newFlags("serve", "serve [--addr HOST:PORT] [--quiet]",
		"Run the offline emulator of the Images API on a loopback address until\n"+
			"interrupted (Ctrl-C or SIGTERM). It prints OPENAI_BASE_URL=http://HOST:PORT/v1\n"+
			"on stdout: point any OpenAI SDK, or this command, at it, with any API key\n"+
			"(one must be sent). Requests are logged on stderr.",
		`openai-images serve`,
		`openai-images serve --addr 127.0.0.1:0    # any free port`,
		`OPENAI_BASE_URL=http://127.0.0.1:8089/v1 OPENAI_API_KEY=any openai-images generate "a cat"`,
	)
	c.str(&addr, "addr", "HOST:PORT", "loopback address to listen on: 127.0.0.1, ::1 or localhost; port 0 picks a free one (default "+defaultServeAddr+")")
	c.boolean(&quiet, "quiet", "do not log requests")
	rest, err := c.parse(inv, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("serve: unexpected argument %q", rest[0])
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("serve: --addr %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usagef("serve: --addr %s is not a loopback address: the emulator listens only on 127.0.0.1, ::1 or localhost", addr)
	}
	emu, err := imagestest.New()
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		return usagef("serve: %s resolved to %v, which is not a loopback address", addr, ln.Addr())
	}
	base := fmt.Sprintf("http://%s/v1", tcp.String())

	var handler http.Handler = emu
	if !quiet {
		handler = logRequests(inv, emu)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	fmt.Fprintf(inv.stdout, "OPENAI_BASE_URL=%s\n", base)
	fmt.Fprintf(inv.stderr, "openai-images: emulator serving the Images API at %s (offline; send any API key); Ctrl-C stops it\n", base)

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close() // streams still open after the grace period
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(inv.stderr, "openai-images: emulator stopped")
	return nil
}

// logRequests logs one line per request on stderr: method, path, status
// and duration.
func logRequests(inv *invocation, next http.Handler) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(inv.stderr, "%s %s %s %d %s\n", start.Format("15:04:05"), r.Method, r.URL.Path, rec.status,
			time.Since(start).Round(100*time.Microsecond))
	})
}

// statusRecorder remembers the status written. Unwrap lets
// http.ResponseController reach the connection for flushing streams.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(p)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
