package imagestest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Fault is a failure the emulator produces on demand, for testing a
// client's retries and error handling. Zero fields do nothing; a fault can
// combine a delay with any one failure.
type Fault struct {
	// Path limits the fault to requests whose path ends with it, such as
	// "/images/edits"; empty matches every request.
	Path string
	// Delay holds the response back before its first byte (a slow first
	// byte). The wait ends early if the client goes away.
	Delay time.Duration
	// Status answers with this status and an API error body.
	Status int
	// RetryAfter, RetryAfterMs and ShouldRetry set the Retry-After,
	// Retry-After-Ms and x-should-retry headers of a Status answer.
	RetryAfter, RetryAfterMs, ShouldRetry string
	// Body and ContentType replace the error body of a Status answer (an
	// HTML page from a proxy, say).
	Body, ContentType string
	// DropConnection closes the connection before any response is sent.
	DropConnection bool
	// DropAfterEvents closes the connection abruptly after that many
	// events of a stream (0: not at all; -1: before the first event, see
	// StreamCut).
	DropAfterEvents int
	// TruncateAfterEvents ends a stream cleanly after that many events,
	// before its completed event (0: not at all; -1: before the first
	// event).
	TruncateAfterEvents int
}

// RateLimited is a 429 with Retry-After.
func RateLimited(retryAfter time.Duration) Fault {
	return Fault{Status: http.StatusTooManyRequests, RetryAfter: fmt.Sprintf("%g", retryAfter.Seconds())}
}

// ServerError answers with status (500, 502, 503, ...).
func ServerError(status int) Fault { return Fault{Status: status} }

// SlowFirstByte delays the response by d.
func SlowFirstByte(d time.Duration) Fault { return Fault{Delay: d} }

// DropMidStream resets the connection after n stream events.
func DropMidStream(n int) Fault { return Fault{DropAfterEvents: n} }

// TruncateStream ends the stream after n events, with no completed event.
func TruncateStream(n int) Fault { return Fault{TruncateAfterEvents: n} }

type armedFault struct {
	Fault
	left int
}

// InjectFault arms f for the next times requests it matches.
func (e *Emulator) InjectFault(f Fault, times int) {
	if times <= 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, &armedFault{Fault: f, left: times})
}

func (e *Emulator) takeFault(r *http.Request) *armedFault {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, f := range e.faults {
		if f.Path != "" && !strings.HasSuffix(r.URL.Path, f.Path) {
			continue
		}
		f.left--
		if f.left == 0 {
			e.faults = append(e.faults[:i], e.faults[i+1:]...)
		}
		copy := *f
		return &copy
	}
	return nil
}

// apply acts on the request; it reports true when the response is done.
func (f *armedFault) apply(w http.ResponseWriter, r *http.Request) bool {
	if f.Delay > 0 {
		// net/http notices a client hanging up only once the request body
		// is read, so read it first (into memory: this is a test fault)
		// and hand the copy on.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return true
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if !waitOrDone(r.Context(), f.Delay) {
			return true
		}
	}
	switch {
	case f.DropConnection:
		dropConnection(w)
		return true
	case f.Status != 0:
		for k, v := range map[string]string{"Retry-After": f.RetryAfter, "Retry-After-Ms": f.RetryAfterMs, "x-should-retry": f.ShouldRetry} {
			if v != "" {
				w.Header().Set(k, v)
			}
		}
		if f.Body != "" {
			ct := f.ContentType
			if ct == "" {
				ct = "text/plain; charset=utf-8"
			}
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(f.Status)
			w.Write([]byte(f.Body))
			return true
		}
		typ, code := "server_error", ""
		switch {
		case f.Status == http.StatusTooManyRequests:
			typ, code = "rate_limit_exceeded", "rate_limit_exceeded"
		case f.Status < 500:
			typ = "invalid_request_error"
		}
		apiError(w, f.Status, typ, "", code, fmt.Sprintf("emulated fault: %d %s", f.Status, http.StatusText(f.Status)))
		return true
	}
	return false
}

// dropConnection closes the client's connection without a response.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream
	}
	if tcp, ok := conn.(interface{ SetLinger(int) error }); ok {
		tcp.SetLinger(0) // a reset, not a clean close
	}
	conn.Close()
}

// faultWriter counts the events written to a stream and cuts it as the
// fault says.
type faultWriter struct {
	http.ResponseWriter
	fault  *armedFault
	events int
	cut    bool
}

func (fw *faultWriter) Write(p []byte) (int, error) {
	if fw.cut {
		return len(p), nil // swallow the rest
	}
	if !strings.HasPrefix(fw.Header().Get("Content-Type"), "text/event-stream") {
		return fw.ResponseWriter.Write(p)
	}
	switch {
	case fw.fault.DropAfterEvents < 0:
		fw.cut = true
		http.NewResponseController(fw.ResponseWriter).Flush() // the status and headers
		dropConnection(fw.ResponseWriter)
		return len(p), nil
	case fw.fault.TruncateAfterEvents < 0:
		fw.cut = true
		return len(p), nil
	}
	n, err := fw.ResponseWriter.Write(p)
	fw.events += bytes.Count(p, []byte("\n\n"))
	switch {
	case fw.fault.DropAfterEvents > 0 && fw.events >= fw.fault.DropAfterEvents:
		fw.cut = true
		http.NewResponseController(fw.ResponseWriter).Flush()
		dropConnection(fw.ResponseWriter)
	case fw.fault.TruncateAfterEvents > 0 && fw.events >= fw.fault.TruncateAfterEvents:
		fw.cut = true
	}
	return n, err
}

func (fw *faultWriter) Flush() {
	if !fw.cut {
		http.NewResponseController(fw.ResponseWriter).Flush()
	}
}

func (fw *faultWriter) Unwrap() http.ResponseWriter { return fw.ResponseWriter }
