package imagestest

import (
	"context"
	"encoding/json"
	"image"
	"maps"
	"net/http"
	"strings"
	"time"
)

// The request log: every request is recorded (see Requests), the newest
// DefaultRequestLog of them by default, with its response's status, request
// id and duration, and small copies of the images it returned for the
// inspector page. GET /v1/emulator/requests reads the log as JSON and
// DELETE /v1/emulator/requests empties it.

// DefaultRequestLog is how many requests the log keeps by default.
const DefaultRequestLog = 1000

// maxThumbRequests is how many of the newest requests keep thumbnails, and
// maxThumbs how many images of one request; thumbSide bounds their sides.
const (
	maxThumbRequests = 100
	maxThumbs        = 4
	thumbSide        = 96
)

// WithRequestLog keeps the newest n requests in the log (default
// DefaultRequestLog); older ones are forgotten. n < 1 keeps one.
func WithRequestLog(n int) Option { return func(e *Emulator) { e.logLimit = max(n, 1) } }

// appendRecording adds rec to the log, dropping the oldest entries past
// the limit and the thumbnails of entries past maxThumbRequests; e.mu is
// held.
func (e *Emulator) appendRecording(rec *recording) {
	e.seq++
	rec.seq = e.seq
	e.recs = append(e.recs, rec)
	if n := len(e.recs) - e.logLimit; n > 0 {
		clear(e.recs[:n])
		e.recs = e.recs[n:]
	}
	if i := len(e.recs) - maxThumbRequests - 1; i >= 0 {
		old := e.recs[i]
		old.mu.Lock()
		old.thumbs = nil
		old.mu.Unlock()
	}
}

// logged reports whether a request goes into the log: everything but the
// inspector's own page, log and events.
func logged(r *http.Request) bool {
	p := r.URL.Path
	return p != "/" && !strings.HasPrefix(p, "/v1/emulator/requests") && p != "/v1/emulator/events"
}

// statusWriter notes the status and request id of a response.
type statusWriter struct {
	http.ResponseWriter
	status    int
	requestID string
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 && code >= 200 {
		s.status, s.requestID = code, s.Header().Get("x-request-id")
		if s.requestID == "" {
			s.requestID = s.Header().Get("apim-request-id") // Azure's gateway answers
		}
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(p)
}

// Flush keeps streams flowing; Unwrap lets http.ResponseController reach
// the connection (to hijack it for a dropped-connection fault).
func (s *statusWriter) Flush() {
	if s.status == 0 {
		s.WriteHeader(http.StatusOK)
	}
	http.NewResponseController(s.ResponseWriter).Flush()
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// finish completes the log entry of a request and tells the inspector.
func (e *Emulator) finish(r *http.Request, sw *statusWriter, start time.Time) {
	rec, _ := r.Context().Value(recordKey{}).(*recording)
	if rec == nil {
		return
	}
	rec.mu.Lock()
	rec.req.Status, rec.req.RequestID, rec.req.Duration = sw.status, sw.requestID, time.Since(start)
	rec.done = true
	rec.mu.Unlock()
	e.mu.Lock()
	for ch := range e.subs {
		select {
		case ch <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
	e.mu.Unlock()
}

// addThumb keeps a small copy of an image a request returned.
func addThumb(ctx context.Context, img image.Image) {
	rec, _ := ctx.Value(recordKey{}).(*recording)
	if rec == nil {
		return
	}
	rec.mu.Lock()
	full := len(rec.thumbs) >= maxThumbs
	rec.mu.Unlock()
	if full {
		return
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return
	}
	tw, th := thumbSide, thumbSide
	if w > h {
		th = max(h*thumbSide/w, 1)
	} else {
		tw = max(w*thumbSide/h, 1)
	}
	t := resize(img, tw, th)
	rec.mu.Lock()
	if len(rec.thumbs) < maxThumbs {
		rec.thumbs = append(rec.thumbs, t)
	}
	rec.mu.Unlock()
}

// logEntry is a request as GET /v1/emulator/requests and the inspector
// show it. Headers are left out: they may carry credentials.
type logEntry struct {
	Seq        uint64         `json:"seq"`
	Time       time.Time      `json:"time"`
	Method     string         `json:"method"`
	Path       string         `json:"path"`
	Query      string         `json:"query,omitempty"`
	Model      string         `json:"model,omitempty"`
	Params     map[string]any `json:"params,omitempty"`
	Files      []File         `json:"files,omitempty"`
	Done       bool           `json:"done"`
	Status     int            `json:"status,omitempty"`
	DurationMs float64        `json:"duration_ms"`
	RequestID  string         `json:"request_id,omitempty"`
	Images     int            `json:"images"`
}

// entries returns the log, oldest first, from seq after on.
func (e *Emulator) entries(after uint64) []logEntry {
	e.mu.Lock()
	recs := make([]*recording, 0, len(e.recs))
	for _, rec := range e.recs {
		if rec.seq > after {
			recs = append(recs, rec)
		}
	}
	e.mu.Unlock()
	out := make([]logEntry, len(recs))
	for i, rec := range recs {
		rec.mu.Lock()
		q := rec.req
		params := maps.Clone(q.Params)
		delete(params, "image") // data URLs and uploads are shown as files, not text
		delete(params, "images")
		delete(params, "mask")
		model, _ := params["model"].(string)
		out[i] = logEntry{
			Seq: rec.seq, Time: q.Time, Method: q.Method, Path: q.Path, Query: q.Query, Model: model,
			Params: params, Files: q.Files, Done: rec.done, Status: q.Status, RequestID: q.RequestID,
			DurationMs: float64(q.Duration.Microseconds()) / 1000, Images: len(rec.thumbs),
		}
		rec.mu.Unlock()
	}
	return out
}

// serveLog answers GET /v1/emulator/requests (the log as JSON, oldest
// first; ?after=SEQ for the entries after one) and DELETE (empties it).
func (e *Emulator) serveLog(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		e.resetRequests()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var after uint64
	if s := r.URL.Query().Get("after"); s != "" {
		if err := json.Unmarshal([]byte(s), &after); err != nil {
			apiError(w, 400, "invalid_request_error", "after", "invalid_value", "Invalid 'after': expected a sequence number.")
			return
		}
	}
	writeJSON(w, map[string]any{"object": "list", "data": e.entries(after)})
}
