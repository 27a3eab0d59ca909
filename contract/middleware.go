package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// Middleware returns a handler that checks each request and the response
// next writes to it.
//
// A request that violates the spec is answered with an OpenAI-style error,
//
//	{"error": {"message": "...", "type": "invalid_request_error", "param": "n", "code": null}}
//
// (param is the body field at fault, or null), with status 400, or 401 for
// missing credentials and 404 for a method and path the spec does not define;
// next is not called. A valid request reaches next with its body restored.
//
// Responses are passed through unchanged, as next writes them, flushes
// included; they are checked on the side, and each violation is recorded (see
// Violations) and passed to the handler of WithResponseErrorHandler. A JSON
// response is copied while it is written and checked when next returns. A
// text/event-stream response is checked event by event as it is written,
// keeping only the event in progress.
func (v *Validator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		orig := r.Body
		route, err := v.validateRequest(r)
		if r.Body != orig {
			defer r.Body.Close() // the restored copy: removes its spool file
		}
		if err != nil {
			writeError(w, err)
			return
		}
		cw := &checkingWriter{w: w, v: v, r: r, route: route}
		next.ServeHTTP(cw, r)
		cw.finish()
	})
}

// writeError answers a rejected request the way the OpenAI API does.
func writeError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrNoOperation):
		status = http.StatusNotFound
	case errors.Is(err, ErrUnauthorized):
		status = http.StatusUnauthorized
	}
	var param any
	var e *Error
	if errors.As(err, &e) {
		param = e.param()
	}
	body, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": err.Error(),
		"type":    "invalid_request_error",
		"param":   param,
		"code":    nil,
	}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// checkingWriter passes a response through while checking it.
type checkingWriter struct {
	w     http.ResponseWriter
	v     *Validator
	r     *http.Request
	route *routers.Route

	wroteHeader bool
	status      int
	// what to check, decided when the header is written
	mt        *openapi3.MediaType
	mediaType string
	buf       bytes.Buffer     // copy of a non-stream body
	sv        *streamValidator // checker of a stream
}

func (cw *checkingWriter) Header() http.Header { return cw.w.Header() }

// Unwrap lets http.ResponseController reach the underlying writer.
func (cw *checkingWriter) Unwrap() http.ResponseWriter { return cw.w }

func (cw *checkingWriter) WriteHeader(code int) {
	if cw.wroteHeader || code < 200 {
		cw.w.WriteHeader(code) // informational, or superfluous
		return
	}
	cw.wroteHeader, cw.status = true, code
	mt, mediaType, err := cw.v.responseMedia(cw.route, cw.r, code, cw.w.Header())
	if err != nil {
		cw.v.recordViolation(err)
	}
	if mt != nil {
		cw.mt, cw.mediaType = mt, mediaType
		if isSSE(mediaType) {
			sv := cw.v.newStreamValidator(cw.route.Operation.OperationID, eventSchema(mt))
			sv.parser.onEvent = func(ev sseEvent) error {
				if e := sv.checkEvent(ev); e != nil {
					cw.v.recordViolation(e)
				}
				return nil // go on checking the next events
			}
			cw.sv = sv
		}
	}
	cw.w.WriteHeader(code)
}

func (cw *checkingWriter) Write(p []byte) (int, error) {
	if !cw.wroteHeader {
		cw.WriteHeader(http.StatusOK)
	}
	n, err := cw.w.Write(p)
	switch {
	case cw.sv != nil:
		cw.sv.parser.feed(p[:n])
	case cw.mt != nil:
		cw.buf.Write(p[:n])
	}
	return n, err
}

// Flush implements http.Flusher, so that streams reach the client as they
// are written.
func (cw *checkingWriter) Flush() {
	if !cw.wroteHeader {
		cw.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(cw.w).Flush()
}

// finish checks what only the end of the response tells. A handler that
// stopped because the client went away (its request context is done) wrote
// a response nobody reads: that is not a violation.
func (cw *checkingWriter) finish() {
	if cw.r.Context().Err() != nil {
		return
	}
	if !cw.wroteHeader {
		cw.WriteHeader(http.StatusOK) // what net/http does when next writes nothing
	}
	switch {
	case cw.sv != nil:
		if e := cw.sv.end(); e != nil {
			cw.v.recordViolation(e)
		}
	case cw.mt != nil:
		op := cw.route.Operation.OperationID
		ct := cw.w.Header().Get("Content-Type")
		if err := cw.v.validateBody(&cw.buf, "response", op, cw.mediaType, ct, cw.mt, true); err != nil {
			cw.v.recordViolation(err)
		}
	}
}
