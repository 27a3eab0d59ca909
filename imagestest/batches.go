package imagestest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"
)

// The Batch API is emulated for image batches: POST /v1/batches creates a
// batch from an uploaded JSONL input file (purpose batch) whose lines are
// requests to /v1/images/generations or /v1/images/edits (JSON edits), GET
// /v1/batches/{id} reports it, and POST /v1/batches/{id}/cancel cancels it.
//
// A batch runs in the background as soon as it is created (at most two at
// once per emulator, four requests at a time each): validating (the input
// file's lines are checked; a bad line fails the whole batch, with the
// problems in its errors), in_progress (each line is served by the
// emulator's own image handlers, behind the same contract check as a direct
// request, and request_counts follow), finalizing, then completed with an
// output file (the 200 responses) and an error file (the others), as JSONL
// lines {"id", "custom_id", "response": {"status_code", "request_id",
// "body"}, "error"} in the order the requests finished: match them by
// custom_id. A cancelled batch stops starting requests, writes the files of
// those done, and turns cancelled. Batches never expire.
//
// The requests a batch makes are not recorded (see Requests) and do not meet
// injected faults.

// WithBatchDelay makes each Batch API batch spend d validating, at least d in
// progress and d finalizing, so that a poller sees each status (default 0:
// a batch completes as fast as its requests run). In a testing/synctest
// bubble the delay costs no real time.
func WithBatchDelay(d time.Duration) Option {
	return func(e *Emulator) { e.batchCfg.delay = d }
}

type batchConfig struct{ delay time.Duration }

// Bounds of the emulator's batch work.
const (
	maxRunningBatches = 2
	batchWorkers      = 4
	maxBatchRequests  = 50_000
	maxBatchErrors    = 10 // input problems reported per failed batch
)

// batchStore holds an emulator's batches.
type batchStore struct {
	e     *Emulator
	cfg   batchConfig
	lines http.Handler // the image endpoints, behind the contract check
	slots chan struct{}

	mu      sync.Mutex
	batches map[string]*emuBatch
	order   []*emuBatch // oldest first
}

// emuBatch is one batch; its fields are guarded by batchStore.mu.
type emuBatch struct {
	id, endpoint, inputFileID, status string
	metadata                          map[string]string
	created, expires                  int64
	inProgressAt, finalizingAt        int64
	completedAt, failedAt             int64
	cancellingAt, cancelledAt         int64
	total, completed, failed          int
	outputFileID, errorFileID         string
	errors                            []map[string]any
	// host and secure rebuild the client's base URL for url responses.
	host   string
	secure bool
	cancel chan struct{} // closed when the batch is cancelled
}

func (e *Emulator) routeBatches(mux *http.ServeMux, checked func(http.Handler) http.Handler) {
	lines := http.NewServeMux()
	lines.HandleFunc("POST /v1/images/generations", e.generate)
	lines.HandleFunc("POST /v1/images/edits", e.edit)
	s := &batchStore{e: e, cfg: e.batchCfg, lines: checked(lines), slots: make(chan struct{}, maxRunningBatches), batches: map[string]*emuBatch{}}
	mux.Handle("POST /v1/batches", checked(http.HandlerFunc(s.create)))
	mux.Handle("GET /v1/batches/{batch_id}", checked(http.HandlerFunc(s.retrieve)))
	mux.HandleFunc("GET /v1/batches", s.list)
	mux.Handle("POST /v1/batches/{batch_id}/cancel", checked(http.HandlerFunc(s.cancelBatch)))
}

// object renders b as the API's Batch object; s.mu is held.
func (b *emuBatch) object() map[string]any {
	m := map[string]any{
		"id": b.id, "object": "batch", "endpoint": b.endpoint, "input_file_id": b.inputFileID,
		"completion_window": "24h", "status": b.status, "created_at": b.created, "expires_at": b.expires,
		"request_counts": map[string]any{"total": b.total, "completed": b.completed, "failed": b.failed},
	}
	for k, v := range map[string]int64{
		"in_progress_at": b.inProgressAt, "finalizing_at": b.finalizingAt, "completed_at": b.completedAt,
		"failed_at": b.failedAt, "cancelling_at": b.cancellingAt, "cancelled_at": b.cancelledAt,
	} {
		if v != 0 {
			m[k] = v
		}
	}
	if b.outputFileID != "" {
		m["output_file_id"] = b.outputFileID
	}
	if b.errorFileID != "" {
		m["error_file_id"] = b.errorFileID
	}
	if len(b.errors) > 0 {
		m["errors"] = map[string]any{"object": "list", "data": b.errors}
	}
	if b.metadata != nil {
		m["metadata"] = b.metadata
	}
	return m
}

func (s *batchStore) reply(w http.ResponseWriter, b *emuBatch) {
	s.mu.Lock()
	obj := b.object()
	s.mu.Unlock()
	writeJSON(w, obj)
}

func (s *batchStore) lookup(w http.ResponseWriter, r *http.Request) (*emuBatch, bool) {
	id := r.PathValue("batch_id")
	s.mu.Lock()
	b, ok := s.batches[id]
	s.mu.Unlock()
	if !ok {
		apiError(w, http.StatusNotFound, "invalid_request_error", "batch_id", "", "No batch found with id '"+id+"'.")
	}
	return b, ok
}

// create emulates POST /v1/batches.
func (s *batchStore) create(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var params map[string]any
	json.Unmarshal(body, &params)
	setParams(r.Context(), params, nil)
	var req struct {
		InputFileID string            `json:"input_file_id"`
		Endpoint    string            `json:"endpoint"`
		Metadata    map[string]string `json:"metadata"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		apiError(w, 400, "invalid_request_error", "", "invalid_json", "We could not parse the JSON body of your request: "+err.Error())
		return
	}
	f, ok := s.e.lookupFile(req.InputFileID)
	switch {
	case req.Endpoint != "/v1/images/generations" && req.Endpoint != "/v1/images/edits":
		apiError(w, 400, "invalid_request_error", "endpoint", "unsupported_value",
			fmt.Sprintf("The emulator runs image batches only (/v1/images/generations, /v1/images/edits), not %s.", req.Endpoint))
		return
	case !ok:
		apiError(w, 400, "invalid_request_error", "input_file_id", "invalid_file", "No such File object: "+req.InputFileID)
		return
	case f.purpose != "batch":
		apiError(w, 400, "invalid_request_error", "input_file_id", "invalid_file",
			fmt.Sprintf("File %s has purpose '%s'; a batch input file must be uploaded with purpose 'batch'.", f.id, f.purpose))
		return
	}
	now := s.e.now()
	b := &emuBatch{
		id: newID("batch"), endpoint: req.Endpoint, inputFileID: f.id, status: "validating", metadata: req.Metadata,
		created: now.Unix(), expires: now.Add(24 * time.Hour).Unix(),
		host: r.Host, secure: r.TLS != nil, cancel: make(chan struct{}),
	}
	s.mu.Lock()
	s.batches[b.id] = b
	s.order = append(s.order, b)
	s.mu.Unlock()
	go s.run(b, f.data)
	s.reply(w, b)
}

// list emulates GET /v1/batches: the batches newest first.
func (s *batchStore) list(w http.ResponseWriter, r *http.Request) {
	p, ok := readPage(w, r, 20, 100, false)
	if !ok {
		return
	}
	s.mu.Lock()
	newest := slices.Clone(s.order)
	slices.Reverse(newest)
	objects := make(map[*emuBatch]map[string]any, len(newest))
	for _, b := range newest {
		objects[b] = b.object()
	}
	s.mu.Unlock()
	writePage(w, p, newest, func(b *emuBatch) string { return b.id }, func(b *emuBatch) map[string]any { return objects[b] })
}

// retrieve emulates GET /v1/batches/{batch_id}.
func (s *batchStore) retrieve(w http.ResponseWriter, r *http.Request) {
	if b, ok := s.lookup(w, r); ok {
		s.reply(w, b)
	}
}

// cancelBatch emulates POST /v1/batches/{batch_id}/cancel.
func (s *batchStore) cancelBatch(w http.ResponseWriter, r *http.Request) {
	b, ok := s.lookup(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	status := b.status
	switch status {
	case "validating", "in_progress":
		b.status, b.cancellingAt = "cancelling", s.e.now().Unix()
		close(b.cancel)
	}
	obj := b.object() // before the batch's goroutine moves on to cancelled
	s.mu.Unlock()
	switch status {
	case "validating", "in_progress", "cancelling":
		writeJSON(w, obj)
	default:
		apiError(w, 400, "invalid_request_error", "", "", fmt.Sprintf("Cannot cancel a batch with status '%s'.", status))
	}
}

func (s *batchStore) update(b *emuBatch, f func(now int64)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.e.now().Unix())
}

// pause waits the configured delay; it reports false if the batch was
// cancelled meanwhile.
func (s *batchStore) pause(b *emuBatch) bool {
	if s.cfg.delay > 0 {
		t := time.NewTimer(s.cfg.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-b.cancel:
		}
	}
	select {
	case <-b.cancel:
		return false
	default:
		return true
	}
}

// inputLine is one request of an input file.
type inputLine struct {
	CustomID string          `json:"custom_id"`
	Method   string          `json:"method"`
	URL      string          `json:"url"`
	Body     json.RawMessage `json:"body"`
}

// run takes a batch through its statuses.
func (s *batchStore) run(b *emuBatch, input []byte) {
	s.slots <- struct{}{}
	defer func() { <-s.slots }()
	if !s.pause(b) {
		s.finish(b, nil, nil)
		return
	}
	lines, problems := parseInput(input, b.endpoint)
	if len(problems) > 0 {
		s.update(b, func(now int64) {
			if b.status != "cancelling" {
				b.status, b.failedAt, b.errors = "failed", now, problems
			}
		})
		if s.cancelled(b) {
			s.finish(b, nil, nil)
		}
		return
	}
	s.update(b, func(now int64) {
		if b.status == "validating" {
			b.status, b.inProgressAt = "in_progress", now
		}
		b.total = len(lines)
	})

	var mu sync.Mutex
	var out, errs bytes.Buffer
	next := make(chan inputLine)
	var wg sync.WaitGroup
	for range min(batchWorkers, len(lines)) {
		wg.Go(func() {
			for l := range next {
				line, ok := s.exec(b, l)
				mu.Lock()
				if ok {
					out.Write(line)
				} else {
					errs.Write(line)
				}
				mu.Unlock()
				s.update(b, func(int64) {
					if ok {
						b.completed++
					} else {
						b.failed++
					}
				})
			}
		})
	}
feed:
	for _, l := range lines {
		select {
		case next <- l:
		case <-b.cancel:
			break feed
		}
	}
	close(next)
	wg.Wait()
	if s.pause(b) {
		s.update(b, func(now int64) { b.status, b.finalizingAt = "finalizing", now })
	}
	s.finish(b, out.Bytes(), errs.Bytes())
}

func (s *batchStore) cancelled(b *emuBatch) bool {
	select {
	case <-b.cancel:
		return true
	default:
		return false
	}
}

// finish stores the output and error files and ends the batch completed or
// cancelled.
func (s *batchStore) finish(b *emuBatch, out, errs []byte) {
	var outID, errID string
	if len(out) > 0 {
		outID = s.e.storeFile(b.id+"_output.jsonl", "batch_output", out).id
	}
	if len(errs) > 0 {
		errID = s.e.storeFile(b.id+"_error.jsonl", "batch_output", errs).id
	}
	if !s.cancelled(b) {
		s.pause(b) // finalizing
	}
	s.update(b, func(now int64) {
		b.outputFileID, b.errorFileID = outID, errID
		if b.status == "cancelling" {
			b.status, b.cancelledAt = "cancelled", now
		} else {
			b.status, b.completedAt = "completed", now
		}
	})
}

// parseInput checks an input file's lines, as the API's validating step
// does.
func parseInput(input []byte, endpoint string) ([]inputLine, []map[string]any) {
	var lines []inputLine
	var problems []map[string]any
	problem := func(n int, code, msg string) {
		if len(problems) < maxBatchErrors {
			problems = append(problems, map[string]any{"code": code, "message": msg, "line": n})
		}
	}
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(input))
	sc.Buffer(nil, len(input)+1)
	for n := 1; sc.Scan(); n++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var l inputLine
		switch err := json.Unmarshal(text, &l); {
		case err != nil:
			problem(n, "invalid_json_line", "This line is not a JSON object: "+err.Error())
		case l.CustomID == "":
			problem(n, "missing_custom_id", "The request has no custom_id.")
		case seen[l.CustomID] != 0:
			problem(n, "duplicate_custom_id", fmt.Sprintf("The custom_id %q is also on line %d.", l.CustomID, seen[l.CustomID]))
		case l.Method != http.MethodPost:
			problem(n, "invalid_method", fmt.Sprintf("The method must be POST, not %q.", l.Method))
		case l.URL != endpoint:
			problem(n, "mismatched_endpoint", fmt.Sprintf("The url %q does not match the batch's endpoint %s.", l.URL, endpoint))
		case len(l.Body) == 0 || l.Body[0] != '{':
			problem(n, "invalid_body", "The body must be a JSON object.")
		default:
			seen[l.CustomID] = n
			lines = append(lines, l)
		}
	}
	switch {
	case len(problems) > 0:
	case len(lines) == 0:
		problem(0, "empty_file", "The input file has no requests.")
	case len(lines) > maxBatchRequests:
		problem(0, "too_many_requests", fmt.Sprintf("A batch can have up to %d requests.", maxBatchRequests))
	}
	for _, p := range problems {
		if p["line"] == 0 {
			delete(p, "line")
		}
	}
	return lines, problems
}

// exec serves one request of a batch and returns its output line and
// whether it succeeded.
func (s *batchStore) exec(b *emuBatch, l inputLine) ([]byte, bool) {
	req, err := http.NewRequest(http.MethodPost, l.URL, bytes.NewReader(s.e.azureBatchBody(l.Body)))
	rec := httptest.NewRecorder()
	if err != nil {
		apiError(rec, 400, "invalid_request_error", "url", "invalid_url", "Invalid url: "+err.Error())
	} else {
		req.RequestURI = l.URL
		req.Host = b.host
		if b.secure {
			req.TLS = &tls.ConnectionState{}
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer emulator-batch")
		s.lines.ServeHTTP(rec, req)
	}
	requestID := rec.Header().Get("x-request-id")
	if requestID == "" {
		requestID = newID("req") // the contract check's answers carry none
	}
	body := bytes.TrimSpace(rec.Body.Bytes())
	if !json.Valid(body) {
		body, _ = json.Marshal(map[string]any{"error": map[string]any{
			"message": string(body), "type": "server_error", "param": nil, "code": nil,
		}})
	}
	line, _ := json.Marshal(map[string]any{
		"id": newID("batch_req"), "custom_id": l.CustomID, "error": nil,
		"response": map[string]any{
			"status_code": rec.Code, "request_id": requestID, "body": json.RawMessage(body),
		},
	})
	return append(line, '\n'), rec.Code == http.StatusOK
}
