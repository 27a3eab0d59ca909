package wrapper

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imagegen-go/openai-images/internal/atomicfile"
)

// BatchItem is one request of a batch: a generation or an edit (set exactly
// one of Generate and Edit).
type BatchItem struct {
	// ID names the item's image files (ID.ext, or ID-1.ext, ID-2.ext, ...
	// for several images) and its manifest entry, and is the custom_id of
	// a Batch API request. It must be unique in the batch (ignoring case,
	// for case-insensitive file systems) and safe as a file name: at most
	// 64 letters, digits, '.', '_' and '-', not starting with '.' or '-',
	// and not ending in '-' and a number, which would be the name of
	// another item's image.
	//
	// Empty means the item is keyed by its content: the prompt and every
	// parameter (uploaded images by path), as in a-sea-otter-kqzvbwem (see
	// [BatchItemIDs]). Reordering, inserting or removing items then never
	// changes another item's key, so a rerun skips exactly what is done;
	// an item whose parameters change is a new item, with new files.
	ID       string
	Generate *GenerateParams
	Edit     *EditParams
	// Line is the line of the batch file the item was read from (from
	// 1, set by ParseBatch), for messages; 0 otherwise. It is not sent.
	Line int
}

// RunBatchOptions configure [Client.RunBatch].
type RunBatchOptions struct {
	// OutDir receives the image files and the manifest. Required. It is
	// created if needed.
	OutDir string
	// Concurrency is the most requests in flight (default 4, at most 256).
	// When the server rate limits the batch, requests are also spaced out
	// to the rate it accepts (see [Client.RunBatch]).
	Concurrency int
	// OnProgress, when set, is called once when the batch starts (with the
	// items skipped as already done) and after each item finishes. Calls
	// come from the batch's goroutines, one at a time; keep it quick.
	OnProgress func(BatchProgress)
	// RequestOptions apply to every request (headers, extra body fields,
	// WithRequestTimeout, WithRequestValidation). WithRequestMaxRetries
	// sets how often an item is retried after a transient failure.
	RequestOptions []RequestOption
}

// BatchProgress reports a batch's progress to [RunBatchOptions.OnProgress].
type BatchProgress struct {
	// Total is the number of items; Done counts the finished ones,
	// including those skipped as done by an earlier run.
	Total, Done int
	// Succeeded and Failed count the items finished in this run; Skipped
	// those found done in the manifest.
	Succeeded, Failed, Skipped int
	// Item is the item that just finished (nil in the first call).
	Item *BatchItemResult
	// Interval is the current spacing of requests (0 until the server
	// rate limits the batch) and RateLimited the number of 429 answers so
	// far (RunBatch only).
	Interval    time.Duration
	RateLimited int
}

// BatchResult is the outcome of a batch, item by item in input order.
type BatchResult struct {
	Items []BatchItemResult
	// Succeeded, Failed and Skipped count the items done in this run,
	// failed in this run, and found done by an earlier run; NotRun counts
	// the items not finished because the context ended or the Batch API
	// batch did not reach them (expired, cancelled).
	Succeeded, Failed, Skipped, NotRun int
	// Manifest is the path of the manifest file (see [BatchManifestEntry]).
	Manifest string
}

// Err summarises the failures: nil when every item is done.
func (r *BatchResult) Err() error {
	if r.Failed == 0 && r.NotRun == 0 {
		return nil
	}
	var first error
	for _, it := range r.Items {
		if it.Err != nil {
			first = it.Err
			break
		}
	}
	return fmt.Errorf("openai-images: batch: %d of %d items failed, %d not run; first: %w", r.Failed, len(r.Items), r.NotRun, first)
}

// BatchItemResult is the outcome of one item.
type BatchItemResult struct {
	// Index is the item's position in the input and ID its ID.
	Index int
	ID    string
	// Files are the paths of the images written, in response order.
	Files []string
	// Err is nil when the item succeeded. A failed request is an
	// *APIError (or *ValidationError, *OperationError, ...); an item that
	// was not run wraps [ErrBatchItemNotRun].
	Err error
	// RequestID is the x-request-id of the request that produced the
	// result.
	RequestID string
	// Attempts counts the requests sent for the item in this run,
	// including those answered 429 (RunBatch only).
	Attempts int
	// Skipped reports an item found done in the manifest of an earlier
	// run; Files and RequestID come from there.
	Skipped bool
}

// ErrBatchItemNotRun marks an item that was not finished: the context ended
// first, or the Batch API batch expired or was cancelled before reaching it.
// Running the batch again runs it.
var ErrBatchItemNotRun = errors.New("openai-images: batch item not run")

// BatchManifestEntry is one line of a batch's manifest (manifest.jsonl in the
// output directory): the outcome of one item, appended and synced to disk as
// the item finishes. An item may have several entries (a failure, then a
// success on a later run); the last one counts.
type BatchManifestEntry struct {
	ID     string `json:"id"`
	Index  int    `json:"index"`
	Status string `json:"status"` // "ok" or "error"
	// Files are the image file names, relative to the output directory.
	Files     []string `json:"files,omitempty"`
	RequestID string   `json:"request_id,omitempty"`
	// Error, StatusCode and Code describe a failure.
	Error      string `json:"error,omitempty"`
	StatusCode int    `json:"status_code,omitempty"`
	Code       string `json:"code,omitempty"`
	Attempts   int    `json:"attempts,omitempty"`
	// RequestSHA256 fingerprints the request: a rerun skips an item only
	// when its request is unchanged.
	RequestSHA256 string `json:"request_sha256,omitempty"`
	// Prompt and Request are the item's prompt and its other parameters,
	// by their API names (uploaded images by path), so that a rerun can
	// say what changed.
	Prompt  string          `json:"prompt,omitempty"`
	Request json.RawMessage `json:"request,omitempty"`
	// BatchID is the Batch API batch the result came from, if any.
	BatchID string    `json:"batch_id,omitempty"`
	Time    time.Time `json:"time"`
}

// Manifest entry statuses.
const (
	manifestOK    = "ok"
	manifestError = "error"
)

// BatchManifestName is the manifest's file name in the output directory.
const BatchManifestName = "manifest.jsonl"

// ReadBatchManifest returns the last manifest entry of each item in dir,
// ordered by item index. A line cut short by a crash is skipped.
func ReadBatchManifest(dir string) ([]BatchManifestEntry, error) {
	f, err := os.Open(filepath.Join(dir, BatchManifestName))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, _, err := readManifest(f)
	slices.SortStableFunc(entries, func(a, b BatchManifestEntry) int { return a.Index - b.Index })
	return entries, err
}

func readManifest(r io.Reader) (entries []BatchManifestEntry, endsClean bool, err error) {
	br := bufio.NewReader(r)
	pos := map[string]int{}
	endsClean = true
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			endsClean = line[len(line)-1] == '\n'
			var e BatchManifestEntry
			if json.Unmarshal(line, &e) == nil && e.ID != "" {
				if i, ok := pos[e.ID]; ok {
					entries[i] = e
				} else {
					pos[e.ID] = len(entries)
					entries = append(entries, e)
				}
			}
		}
		if err == io.EOF {
			return entries, endsClean, nil
		}
		if err != nil {
			return entries, endsClean, err
		}
	}
}

// manifest appends entries to manifest.jsonl, one synced line each.
type manifest struct {
	dir, path string
	prior     map[string]BatchManifestEntry

	mu sync.Mutex
	f  *os.File
}

func openManifest(dir string) (*manifest, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// A run killed while writing an image left its temporary file behind.
	_, _ = atomicfile.RemoveStale(dir)
	path := filepath.Join(dir, BatchManifestName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	entries, clean, err := readManifest(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if !clean {
		// A crash cut the last line short: end it, so the next entry
		// starts on a line of its own.
		if _, err := f.Write([]byte("\n")); err != nil {
			f.Close()
			return nil, err
		}
	}
	m := &manifest{dir: dir, path: path, f: f, prior: map[string]BatchManifestEntry{}}
	for _, e := range entries {
		m.prior[e.ID] = e
	}
	return m, nil
}

// done returns the earlier successful entry of an item whose request is
// unchanged and whose files are all still there.
func (m *manifest) done(id, fingerprint string) (BatchManifestEntry, bool) {
	e, ok := m.prior[id]
	if !ok || e.Status != manifestOK || e.RequestSHA256 != fingerprint || len(e.Files) == 0 {
		return e, false
	}
	for _, f := range e.Files {
		if fi, err := os.Stat(filepath.Join(m.dir, f)); err != nil || !fi.Mode().IsRegular() {
			return e, false
		}
	}
	return e, true
}

func (m *manifest) append(e BatchManifestEntry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.f.Write(append(line, '\n')); err != nil {
		return err
	}
	return m.f.Sync()
}

func (m *manifest) close() error { return m.f.Close() }

func (m *manifest) paths(files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = filepath.Join(m.dir, f)
	}
	return out
}

// entryFor records an item's outcome for the manifest.
func entryFor(r *BatchItemResult, fingerprint string, req itemRequest, files []string) BatchManifestEntry {
	e := BatchManifestEntry{ID: r.ID, Index: r.Index, Status: manifestOK, Files: files, RequestID: r.RequestID,
		Attempts: r.Attempts, RequestSHA256: fingerprint, Prompt: req.prompt, Time: time.Now().UTC()}
	if req.params != nil {
		e.Request = req.paramsJSON()
	}
	if r.Err != nil {
		e.Status, e.Files, e.Error = manifestError, nil, r.Err.Error()
		var apiErr *APIError
		if errors.As(r.Err, &apiErr) {
			e.StatusCode, e.Code = apiErr.StatusCode, apiErr.Code
			if e.RequestID == "" {
				e.RequestID = apiErr.RequestID
			}
		}
		var lineErr *BatchRequestError
		if errors.As(r.Err, &lineErr) {
			e.Code = lineErr.Code
		}
	}
	return e
}

// maxBatchIDLen bounds an item ID.
const maxBatchIDLen = 64

// checkBatchID checks that an ID can name files of its own.
func checkBatchID(id string) error {
	if err := checkBatchFileName(id); err != nil {
		return err
	}
	if i := strings.LastIndexByte(id, '-'); i >= 0 && i < len(id)-1 && strings.Trim(id[i+1:], "0123456789") == "" {
		return fmt.Errorf("ID %q ends in %q, which names the images of items with several (%s-1.png, %s-2.png, ...): use another ID, such as %q",
			id, id[i:], id[:i], id[:i], id[:i]+"_"+id[i+1:])
	}
	return nil
}

// checkBatchFileName checks that an ID is safe as a file name.
func checkBatchFileName(id string) error {
	if id == "" {
		return errors.New("empty ID")
	}
	if len(id) > maxBatchIDLen {
		return fmt.Errorf("ID %q is longer than %d characters", clip(id, maxBatchIDLen), maxBatchIDLen)
	}
	if id[0] == '.' || id[0] == '-' {
		return fmt.Errorf("ID %q starts with %q", id, id[0])
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return fmt.Errorf("ID %q has %q: use letters, digits, '.', '_' and '-'", id, r)
		}
	}
	return nil
}

// fingerprint identifies an item's request: the JSON body for generations
// and JSON edits (the same bytes a Batch API input line carries), else the
// parameters with the uploaded images' names.
func (c *Client) fingerprint(it *BatchItem, rc *requestConfig) (string, error) {
	var b []byte
	var err error
	switch {
	case it.Generate != nil:
		b, err = jsonBody(generateRequest(it.Generate, false), rc.body)
	case it.Edit.isJSON():
		b, err = jsonBody(editJSONRequest(it.Edit, false), editJSONExtra(it.Edit, rc.body))
	default:
		p := *it.Edit
		names := make([]string, len(p.Images))
		for i, im := range p.Images {
			names[i] = im.Name()
		}
		mask, markup := "", ""
		if p.Mask != nil {
			mask = p.Mask.Name()
		}
		if p.Markup != nil {
			markup = p.Markup.Name()
		}
		p.Images, p.Mask, p.Markup = nil, nil, nil
		b, err = json.Marshal(struct {
			Params EditParams
			Images []string
			Mask   string
			Markup string `json:",omitempty"`
			Extra  map[string]any
		}{p, names, mask, markup, rc.body})
	}
	if err != nil {
		return "", err
	}
	return fingerprintBytes(b), nil
}

func fingerprintBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// planBatch checks the items and options, plans the run, and opens the
// manifest for appending; the caller closes r.m.
func (c *Client) planBatch(items []BatchItem, opts RunBatchOptions) (r *batchRun, todo []int, concurrency int, err error) {
	if opts.OutDir == "" {
		return nil, nil, 0, errors.New("openai-images: RunBatch: RunBatchOptions.OutDir is required")
	}
	concurrency = opts.Concurrency
	switch {
	case concurrency < 0 || concurrency > 256:
		return nil, nil, 0, fmt.Errorf("openai-images: RunBatch: Concurrency %d is not within 1-256", concurrency)
	case concurrency == 0:
		concurrency = 4
	}
	rc, err := c.requestConfig(opts.RequestOptions)
	if err != nil {
		return nil, nil, 0, err
	}
	plan, planned, err := c.plan(items, opts.OutDir, rc)
	if err != nil {
		return nil, nil, 0, err
	}
	m, err := openManifest(opts.OutDir)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("openai-images: RunBatch: manifest: %w", err)
	}

	maxRetries := c.cfg.maxRetries
	if rc.maxRetries != nil {
		maxRetries = *rc.maxRetries
	}
	r = &batchRun{
		c: c, items: items, opts: opts, m: m, maxRetries: maxRetries,
		reqOpts:  append(append([]RequestOption(nil), opts.RequestOptions...), WithRequestMaxRetries(0)),
		lim:      newLimiter(concurrency),
		res:      &BatchResult{Items: make([]BatchItemResult, len(items)), Manifest: m.path},
		planned:  planned,
		finished: make([]bool, len(items)),
	}
	for i, pi := range plan.Items {
		r.res.Items[i] = BatchItemResult{Index: i, ID: pi.ID}
		if pi.State == BatchItemDone {
			r.res.Items[i].Skipped = true
			r.res.Items[i].Files = pi.Files
			r.res.Items[i].RequestID = pi.Previous.RequestID
			r.res.Skipped++
			continue
		}
		todo = append(todo, i)
	}
	return r, todo, concurrency, nil
}

// BatchDone reports which items an earlier run into opts.OutDir finished,
// as a result with Skipped set on them.
//
// Deprecated: use PlanBatch, which also says which items changed.
func (c *Client) BatchDone(items []BatchItem, opts RunBatchOptions) (*BatchResult, error) {
	p, err := c.PlanBatch(items, opts)
	if err != nil {
		return nil, err
	}
	res := &BatchResult{Items: make([]BatchItemResult, len(items)), Manifest: p.Manifest}
	for i, pi := range p.Items {
		res.Items[i] = BatchItemResult{Index: i, ID: pi.ID}
		if pi.State == BatchItemDone {
			res.Items[i].Skipped, res.Items[i].Files, res.Items[i].RequestID = true, pi.Files, pi.Previous.RequestID
			res.Skipped++
		}
	}
	return res, nil
}

// RunBatch runs items concurrently, paced to the server's rate limit, and
// writes each item's images into opts.OutDir as it finishes: ID.ext for one
// image, ID-1.ext, ID-2.ext, ... for several (the extension from the
// bytes). Each finished item, success or failure, is appended to
// OutDir/manifest.jsonl and synced before the next is recorded (see
// [BatchManifestEntry]).
//
// The run is resumable: a rerun with the same OutDir skips the items the
// manifest records as done (same ID or content key, same request, files
// present) and runs the others, failed and changed ones included;
// [Client.PlanBatch] tells which is which beforehand. An interruption loses nothing that
// finished: image files are written atomically before their manifest line.
// Run one batch per directory at a time.
//
// Rate limits are handled by the batch, not per request. A 429 answer pauses
// every worker until its Retry-After-Ms (or Retry-After) has passed, or an
// exponential backoff when the server gives no time, and from then on the
// batch paces its requests: AIMD on the request rate, which is what a rate
// limit limits. With a Retry-After-Ms the interval between requests is set
// to what the wait implies (the gap before the rejected request plus the
// wait: the server's refill interval); with a Retry-After in whole seconds,
// or none, it is doubled (the rate halved). Every 10 successes shorten it by
// 5%, so the batch settles just under the server's rate.
// After a pause requests leave one interval apart, never as a herd.
// Concurrency stays the cap on requests in flight; with pacing, the number
// in flight follows the rate times the latency. 429s are waited out without
// a limit (bound the run with the context), except 429 insufficient_quota,
// which fails the item. Other transient failures (connection errors,
// timeouts, 408, 409, 5xx) are retried per item with the client's backoff,
// as many times as the client's [WithMaxRetries] or a [WithRequestMaxRetries]
// in RequestOptions; requests themselves are sent with retries off.
//
// Ending ctx stops new requests and cancels those in flight; the result then
// marks unfinished items with [ErrBatchItemNotRun], and RunBatch returns the
// result with ctx's error. A response already received is still saved.
// Per-item failures are in the result, not the error: see
// [BatchResult.Err].
func (c *Client) RunBatch(ctx context.Context, items []BatchItem, opts RunBatchOptions) (*BatchResult, error) {
	if ctx == nil {
		return nil, opError("RunBatch", errNilContext)
	}
	r, todo, concurrency, err := c.planBatch(items, opts)
	if err != nil {
		return nil, err
	}
	defer r.m.close()
	r.progress(nil)

	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(concurrency, len(todo)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				k := int(next.Add(1) - 1)
				if k >= len(todo) {
					return
				}
				r.runItem(ctx, todo[k])
			}
		})
	}
	wg.Wait()

	for i := range r.res.Items {
		if it := &r.res.Items[i]; !it.Skipped && !r.finished[i] {
			it.Err = notRun(ctx)
			r.res.NotRun++
		}
	}
	if err := ctx.Err(); err != nil {
		return r.res, opError("RunBatch", err)
	}
	return r.res, nil
}

func notRun(ctx context.Context) error {
	if cause := context.Cause(ctx); cause != nil {
		return fmt.Errorf("%w: %w", ErrBatchItemNotRun, cause)
	}
	return ErrBatchItemNotRun
}

type batchRun struct {
	c          *Client
	items      []BatchItem
	opts       RunBatchOptions
	reqOpts    []RequestOption
	maxRetries int
	m          *manifest
	lim        *limiter
	planned    []plannedItem

	mu       sync.Mutex // guards res and finished, and serialises OnProgress
	res      *BatchResult
	finished []bool
}

// progress counts a finished item and reports it.
func (r *batchRun) progress(it *BatchItemResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if it != nil {
		if it.Err == nil {
			r.res.Succeeded++
		} else {
			r.res.Failed++
		}
	}
	if r.opts.OnProgress == nil {
		return
	}
	var item *BatchItemResult
	if it != nil {
		cp := *it
		item = &cp
	}
	interval, limited := r.lim.stats()
	r.opts.OnProgress(BatchProgress{
		Total: len(r.items), Done: r.res.Succeeded + r.res.Failed + r.res.Skipped,
		Succeeded: r.res.Succeeded, Failed: r.res.Failed, Skipped: r.res.Skipped,
		Item: item, Interval: interval, RateLimited: limited,
	})
}

// runItem sends item i until it succeeds, fails for good, or ctx ends.
func (r *batchRun) runItem(ctx context.Context, i int) {
	r.mu.Lock()
	it := r.res.Items[i] // a copy: the result is stored once, when done
	r.mu.Unlock()
	item := &r.items[i]
	transient := 0
	for {
		ticket, err := r.lim.acquire(ctx)
		if err != nil {
			r.abandon(i, it.Attempts)
			return
		}
		it.Attempts++
		resp, err := r.send(ctx, item)
		kind, header := classify(err)
		r.lim.release(ticket, kind, header)
		switch kind {
		case outcomeOK:
			it.RequestID = resp.RequestID
			r.finish(i, &it, resp)
			return
		case outcomeRateLimited:
			continue
		case outcomeTransient:
			if transient < r.maxRetries && ctx.Err() == nil {
				wait := retryDelay(transient, header, time.Now(), maxBatchRetryAfter)
				transient++
				if sleep(ctx, wait) == nil {
					continue
				}
			}
		}
		var apiErr *APIError
		answered := errors.As(err, &apiErr)
		if ctx.Err() != nil && !answered {
			// Cancelled, not failed: nothing is recorded, a rerun
			// sends it again.
			r.abandon(i, it.Attempts)
			return
		}
		it.Err = err
		if answered {
			it.RequestID = apiErr.RequestID
		}
		r.finish(i, &it, nil)
		return
	}
}

// abandon leaves item i unfinished (marked not run when the workers stop).
func (r *batchRun) abandon(i, attempts int) {
	r.mu.Lock()
	r.res.Items[i].Attempts = attempts
	r.mu.Unlock()
}

// send makes one request for the item, retries off.
func (r *batchRun) send(ctx context.Context, item *BatchItem) (*ImagesResponse, error) {
	if item.Generate != nil {
		return r.c.Generate(ctx, *item.Generate, r.reqOpts...)
	}
	return r.c.Edit(ctx, *item.Edit, r.reqOpts...)
}

// finish saves a successful item's images, records the outcome in the
// manifest, stores it in the result and reports progress.
func (r *batchRun) finish(i int, it *BatchItemResult, resp *ImagesResponse) {
	var files []string
	if resp != nil {
		// The images are paid for: save them even if the run is being
		// cancelled (a URL download still has a bound).
		sctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
		files, it.Err = saveImages(sctx, r.m.dir, it.ID, resp.Data)
		cancel()
		it.Files = r.m.paths(files)
	}
	if err := r.m.append(entryFor(it, r.planned[i].fingerprint, r.planned[i].req, files)); err != nil && it.Err == nil {
		it.Err = fmt.Errorf("openai-images: batch manifest: %w", err)
	}
	if it.Err != nil {
		it.Files = nil
	}
	r.mu.Lock()
	r.res.Items[i] = *it
	r.finished[i] = true
	r.mu.Unlock()
	r.progress(it)
}

// saveTimeout bounds the saving of one item's images (a URL download).
const saveTimeout = 2 * time.Minute

// saveImages writes the images of one item atomically and returns their
// names relative to dir.
func saveImages(ctx context.Context, dir, id string, data []GeneratedImage) ([]string, error) {
	if len(data) == 0 {
		return nil, errors.New("openai-images: the response holds no image")
	}
	var names []string
	for k, img := range data {
		b, err := img.Content(ctx)
		if err != nil {
			return nil, err
		}
		name := id
		if len(data) > 1 {
			name = fmt.Sprintf("%s-%d", id, k+1)
		}
		ext := extensionFor(sniffContentType(b))
		if ext == "" {
			ext = ".bin"
		}
		name += ext
		if err := atomicfile.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return nil, fmt.Errorf("openai-images: save %s: %w", name, err)
		}
		names = append(names, name)
	}
	return names, nil
}

// maxBatchRetryAfter caps a server-given wait in a batch: the batch has
// time, so waits far longer than a request's retry (60 s) are honoured.
const maxBatchRetryAfter = 10 * time.Minute

type outcome int

const (
	outcomeOK outcome = iota
	outcomeRateLimited
	outcomeTransient
	outcomePermanent
)

// classify sorts one attempt's error for the batch's scheduler.
func classify(err error) (outcome, http.Header) {
	if err == nil {
		return outcomeOK, nil
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		resp := &http.Response{StatusCode: apiErr.StatusCode, Header: apiErr.Header}
		switch {
		case apiErr.StatusCode == http.StatusTooManyRequests && apiErr.Code == "insufficient_quota":
			return outcomePermanent, apiErr.Header
		case apiErr.StatusCode == http.StatusTooManyRequests && strings.ToLower(apiErr.Header.Get("x-should-retry")) != "false":
			return outcomeRateLimited, apiErr.Header
		case shouldRetry(resp):
			return outcomeTransient, apiErr.Header
		}
		return outcomePermanent, apiErr.Header
	}
	// Transport errors (*url.Error) and timed-out attempts (which wrap
	// context.DeadlineExceeded) have a Timeout method; a caller's own
	// deadline matches too, and is told apart by the context afterwards.
	var transport interface{ Timeout() bool }
	if errors.As(err, &transport) {
		return outcomeTransient, nil
	}
	return outcomePermanent, nil
}

// limiter is the batch's gate and pacer. Requests are admitted while fewer
// than max are in flight, after the end of any rate-limit pause and, once
// the server has rate limited the batch, one interval after the previous
// admission. The interval is AIMD on the request rate: a 429 sets it
// to what the server's Retry-After implies (or doubles it when the server
// gives no precise time), and every paceEvery successes shorten it by 5%.
type limiter struct {
	max int

	mu          sync.Mutex
	inflight    int
	pausedUntil time.Time     // the server's wait after a 429
	next        time.Time     // pacing: the next admission's slot
	interval    time.Duration // between admissions; 0: unpaced
	lastAdmit   time.Time
	admitted    uint64 // admissions so far: a ticket's seq
	cutAt       uint64 // admissions when the rate was last cut
	successes   int    // since the last cut
	streak      int    // consecutive 429s without a Retry-After
	rateLimited int
	changed     chan struct{} // closed and replaced on every change
}

// ticket is one admission.
type ticket struct {
	seq        uint64
	at, prevAt time.Time // its admission and the one before
}

// Pacing constants: the interval shrinks by 1/paceShrink after paceEvery
// successes in a row, grows by at most 1/paceGrow on a precise 429 once
// paced, and is dropped below minInterval; a cut without a precise wait
// makes it at least minCutInterval.
const (
	paceEvery      = 10
	paceShrink     = 20
	paceGrow       = 20
	minInterval    = 100 * time.Microsecond
	minCutInterval = 10 * time.Millisecond
	minPause       = time.Millisecond // after a 429, even one saying 0
)

func newLimiter(max int) *limiter {
	return &limiter{max: max, changed: make(chan struct{})}
}

func (l *limiter) stats() (interval time.Duration, rateLimited int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.interval, l.rateLimited
}

// broadcast wakes the waiting workers; l.mu is held.
func (l *limiter) broadcast() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// acquire waits for the gate to open and a slot under the limit.
func (l *limiter) acquire(ctx context.Context) (ticket, error) {
	for {
		if err := ctx.Err(); err != nil {
			return ticket{}, err
		}
		l.mu.Lock()
		now := time.Now()
		wait := l.pausedUntil.Sub(now)
		if l.interval > 0 {
			wait = max(wait, l.next.Sub(now))
		}
		if wait <= 0 && l.inflight < l.max {
			l.inflight++
			l.admitted++
			t := ticket{seq: l.admitted, at: now, prevAt: l.lastAdmit}
			l.lastAdmit = now
			if l.interval > 0 {
				// Keep to the schedule: a worker woken late does not
				// push the next request later (wake-up lag would add
				// up), but after an idle spell there is no catching up.
				base := l.next
				if now.Sub(base) > l.interval {
					base = now
				}
				l.next = base.Add(l.interval)
			}
			l.mu.Unlock()
			return t, nil
		}
		changed := l.changed
		l.mu.Unlock()
		if err := waitChange(ctx, changed, wait); err != nil {
			return ticket{}, err
		}
	}
}

// waitChange waits for changed to close, for wait to pass (when positive)
// or for ctx to end.
func waitChange(ctx context.Context, changed <-chan struct{}, wait time.Duration) error {
	var timer <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
	case <-timer:
	}
	return nil
}

// release returns a slot and adapts to the attempt's outcome.
func (l *limiter) release(t ticket, o outcome, header http.Header) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight--
	switch o {
	case outcomeOK:
		// Only a request sent after the last cut says the server now
		// keeps up: one sent before it says nothing new.
		if t.seq > l.cutAt && l.interval > 0 {
			l.streak = 0
			if l.successes++; l.successes >= paceEvery {
				l.successes = 0
				if l.interval -= l.interval / paceShrink; l.interval < minInterval {
					l.interval = 0
				}
			}
		}
	case outcomeRateLimited:
		l.rateLimited++
		now := time.Now()
		wait, given := serverRetryAfter(header, now)
		precise := given && header.Get("Retry-After-Ms") != ""
		if !given || wait <= 0 && !precise {
			wait, precise = backoff(l.streak), false
			l.streak++
		}
		wait = min(max(wait, minPause), maxBatchRetryAfter)
		if t.seq > l.cutAt {
			// Cut once per round: the requests already in flight
			// answer 429 too, and say nothing new.
			l.cutAt, l.successes = l.admitted, 0
			gap := time.Duration(0)
			if !t.prevAt.IsZero() {
				gap = t.at.Sub(t.prevAt)
			}
			if precise {
				// A precise wait: the server takes the next request
				// wait after this one arrived, which came gap after
				// the one before, so it keeps about one request per
				// gap+wait. Once paced, that sum is mostly network
				// jitter around the right interval (and biased up: a
				// request that arrived early is the one refused):
				// step towards it by at most 5%.
				est := min(gap+wait, maxBatchRetryAfter)
				if l.interval == 0 {
					l.interval = est
				} else {
					l.interval = max(l.interval, min(est, l.interval+l.interval/paceGrow))
				}
			} else {
				// Whole seconds or nothing: halve the rate.
				base := l.interval
				if base == 0 {
					base = gap // the rate the batch was going at
				}
				l.interval = min(max(2*base, minCutInterval), maxBatchRetryAfter)
			}
		}
		// The wait counts from the server's answer, which left about
		// half a round trip ago, and the next request takes about as
		// long to get there: count from the middle of the round trip
		// (at most 10 ms back), so that the request arrives when the
		// server said rather than a round trip later.
		until := now.Add(wait - min(now.Sub(t.at)/2, 10*time.Millisecond))
		if until.After(l.pausedUntil) {
			l.pausedUntil = until
		}
		if t.seq == l.admitted {
			// Nothing was sent after the refused request, which used
			// none of the server's rate: the pacing restarts from
			// the end of the pause, not an interval after it.
			l.next = until
		}
	}
	l.broadcast()
}

// backoff is the pause after the n-th consecutive 429 without a
// Retry-After: 0.5 s doubled each time, at most 8 s, less up to 25% jitter.
func backoff(n int) time.Duration {
	d := min(initialRetryDelay<<min(n, 10), maxRetryDelay)
	return time.Duration(float64(d) * (1 - 0.25*rand.Float64()))
}

// ReadBatchFile reads batch items from a file of one of two forms.
//
// Plain text: one prompt per line, each a generation, keyed by its content
// (see [BatchItem]).
//
// JSONL (the first non-blank line starts with '{'): one JSON object per line
// with the parameters' API names:
//
//	{"id": "otter", "prompt": "A sea otter", "model": "gpt-image-1.5", "size": "1024x1024"}
//	{"prompt": "Add a hat", "images": ["otter.png"], "mask": "mask.png"}
//	{"prompt": "Add a hat", "image_urls": ["https://example.com/otter.png"], "image_file_ids": ["file-abc"]}
//	{"prompt": "A kite", "model": "gpt-image-2.5-flare", "output_format": "gif", "frame_count": 6, "frame_duration_ms": 120}
//	{"prompt": "A logo", "output_format": "svg", "svg": {"model": "gpt-5", "reasoning": {"effort": "low"}}}
//
// Fields: id, prompt, model, n, size, quality, complexity, style, background,
// moderation, output_format, output_compression, frame_count,
// frame_duration_ms (whole milliseconds), svg ({"model", "reasoning":
// {"effort"}}), response_format, safety_identifier, user, input_fidelity,
// and for edits images (local paths, relative to the file's directory,
// uploaded as multipart), image_urls, image_file_ids (references, sent as
// JSON), mask, mask_url, mask_file_id, markup (a local path: a file part of
// a multipart edit). An object with any image is an edit.
// Unknown fields are errors, reported with their line. Parameters not given
// are left unset: see [ApplyBatchDefaults].
//
// In both forms blank lines and lines starting with # are skipped.
func ReadBatchFile(path string) ([]BatchItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("openai-images: %w", err)
	}
	defer f.Close()
	return ParseBatch(f, path)
}

// ParseBatch reads batch items as [ReadBatchFile] does. name is used in
// errors, and its directory resolves relative image paths. Each item's Line
// is set. Every line that is not an item is reported, in a
// *[BatchFileError].
func ParseBatch(r io.Reader, name string) ([]BatchItem, error) {
	br := bufio.NewReader(r)
	var items []BatchItem
	var bad []BatchLineError
	jsonl, decided := false, false
	ids := map[string]int{} // lower-cased ID -> its line
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("openai-images: %s: %w", name, err)
		}
		text := strings.TrimSpace(line)
		if lineNo == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if text != "" && !strings.HasPrefix(text, "#") {
			if !decided {
				jsonl, decided = strings.HasPrefix(text, "{"), true
			}
			it := BatchItem{Generate: &GenerateParams{Prompt: text}}
			var perr error
			if jsonl {
				it, perr = parseBatchLine([]byte(text), filepath.Dir(name))
			}
			if perr == nil && it.ID != "" {
				if perr = checkBatchID(it.ID); perr == nil {
					key := strings.ToLower(it.ID)
					if first, dup := ids[key]; dup {
						perr = fmt.Errorf("ID %q is also line %d's (IDs name files, so case is ignored)", it.ID, first)
					} else {
						ids[key] = lineNo
					}
				}
			}
			if perr != nil {
				bad = append(bad, BatchLineError{Line: lineNo, Err: perr})
			} else {
				it.Line = lineNo
				items = append(items, it)
			}
		}
		if err == io.EOF {
			break
		}
	}
	if len(bad) > 0 {
		return nil, &BatchFileError{Name: name, Lines: bad}
	}
	return items, nil
}

// BatchFileError lists every line of a batch file that is not an item.
type BatchFileError struct {
	Name  string
	Lines []BatchLineError
}

// BatchLineError is one line of a batch file that is not an item.
type BatchLineError struct {
	Line int // from 1
	Err  error
}

// Error lists the lines, as name:line: problem, separated by "; ".
func (e *BatchFileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "openai-images: ")
	for i, l := range e.Lines {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s:%d: %v", e.Name, l.Line, l.Err)
	}
	return b.String()
}

// batchLine is one JSONL line of a batch file.
type batchLine struct {
	ID                string   `json:"id"`
	Prompt            string   `json:"prompt"`
	Model             string   `json:"model"`
	N                 int      `json:"n"`
	Size              string   `json:"size"`
	Quality           string   `json:"quality"`
	Style             string   `json:"style"`
	Background        string   `json:"background"`
	Moderation        string   `json:"moderation"`
	OutputFormat      string   `json:"output_format"`
	OutputCompression *int     `json:"output_compression"`
	ResponseFormat    string   `json:"response_format"`
	User              string   `json:"user"`
	SafetyIdentifier  string   `json:"safety_identifier"`
	Complexity        string   `json:"complexity"`
	FrameCount        int      `json:"frame_count"`
	FrameDurationMS   int      `json:"frame_duration_ms"`
	SVG               *lineSVG `json:"svg"`
	InputFidelity     string   `json:"input_fidelity"`
	Images            []string `json:"images"`
	ImageURLs         []string `json:"image_urls"`
	ImageFileIDs      []string `json:"image_file_ids"`
	Mask              string   `json:"mask"`
	MaskURL           string   `json:"mask_url"`
	MaskFileID        string   `json:"mask_file_id"`
	Markup            string   `json:"markup"`
}

// lineSVG is the svg object of a JSONL line, as the API names its fields.
type lineSVG struct {
	Model     string `json:"model"`
	Reasoning *struct {
		Effort string `json:"effort"`
	} `json:"reasoning"`
}

// svgOptions returns the line's svg object as SVGOptions (nil without one).
func (l *batchLine) svgOptions() *SVGOptions {
	if l.SVG == nil {
		return nil
	}
	o := &SVGOptions{Model: l.SVG.Model}
	if l.SVG.Reasoning != nil {
		o.ReasoningEffort = ReasoningEffort(l.SVG.Reasoning.Effort)
	}
	return o
}

func parseBatchLine(b []byte, dir string) (BatchItem, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var l batchLine
	if err := dec.Decode(&l); err != nil {
		return BatchItem{}, err
	}
	if dec.More() {
		return BatchItem{}, errors.New("more than one JSON value on the line")
	}
	it := BatchItem{ID: l.ID}
	if l.FrameDurationMS < 0 {
		return it, fmt.Errorf("frame_duration_ms %d is negative", l.FrameDurationMS)
	}
	frameDuration := time.Duration(l.FrameDurationMS) * time.Millisecond
	if len(l.Images)+len(l.ImageURLs)+len(l.ImageFileIDs) == 0 {
		if l.Mask != "" || l.MaskURL != "" || l.MaskFileID != "" || l.InputFidelity != "" || l.Markup != "" {
			return it, errors.New("mask, markup and input_fidelity need images to edit")
		}
		it.Generate = &GenerateParams{
			Prompt: l.Prompt, Model: Model(l.Model), N: l.N, Size: Size(l.Size), Quality: Quality(l.Quality),
			Style: Style(l.Style), Background: Background(l.Background), Moderation: Moderation(l.Moderation),
			OutputFormat: OutputFormat(l.OutputFormat), OutputCompression: l.OutputCompression,
			ResponseFormat: ResponseFormat(l.ResponseFormat), User: l.User, SafetyIdentifier: l.SafetyIdentifier,
			Complexity: Complexity(l.Complexity), FrameCount: l.FrameCount, FrameDuration: frameDuration,
			SVG: l.svgOptions(),
		}
		return it, nil
	}
	if l.Style != "" {
		return it, errors.New("style applies to generations, not edits")
	}
	p := &EditParams{
		Prompt: l.Prompt, Model: Model(l.Model), N: l.N, Size: Size(l.Size), Quality: Quality(l.Quality),
		Background: Background(l.Background), Moderation: Moderation(l.Moderation), OutputFormat: OutputFormat(l.OutputFormat),
		OutputCompression: l.OutputCompression, ResponseFormat: ResponseFormat(l.ResponseFormat), User: l.User,
		SafetyIdentifier: l.SafetyIdentifier, InputFidelity: InputFidelity(l.InputFidelity),
		Complexity: Complexity(l.Complexity), FrameCount: l.FrameCount, FrameDuration: frameDuration,
		SVG: l.svgOptions(),
	}
	resolve := func(path string) string {
		if filepath.IsAbs(path) {
			return path
		}
		return filepath.Join(dir, path)
	}
	for _, path := range l.Images {
		p.Images = append(p.Images, ImageFromPath(resolve(path)))
	}
	for _, u := range l.ImageURLs {
		p.ImageRefs = append(p.ImageRefs, ImageURL(u))
	}
	for _, id := range l.ImageFileIDs {
		p.ImageRefs = append(p.ImageRefs, ImageFileID(id))
	}
	masks := 0
	if l.Mask != "" {
		m := ImageFromPath(resolve(l.Mask))
		p.Mask = &m
		masks++
	}
	if l.MaskURL != "" {
		p.MaskRef = &ImageRef{URL: l.MaskURL}
		masks++
	}
	if l.MaskFileID != "" {
		p.MaskRef = &ImageRef{FileID: l.MaskFileID}
		masks++
	}
	if masks > 1 {
		return it, errors.New("give one of mask, mask_url and mask_file_id")
	}
	if l.Markup != "" {
		m := ImageFromPath(resolve(l.Markup))
		p.Markup = &m
	}
	if (len(p.Images) > 0 || p.Mask != nil || p.Markup != nil) && (len(p.ImageRefs) > 0 || p.MaskRef != nil) {
		if p.Markup != nil && p.Mask == nil && len(p.Images) == 0 {
			return it, errors.New("markup is a file part of a multipart edit: give local images (images), not references")
		}
		return it, errors.New("give local images (images, mask) or references (image_urls, image_file_ids, mask_url, mask_file_id), not both")
	}
	it.Edit = p
	return it, nil
}

// ApplyBatchDefaults fills the parameters each item leaves unset from d
// (such as a command line's --model and --size): model, n, size, quality,
// complexity, background, moderation, output format and compression, frame
// count and duration, SVG options, response format, safety identifier and
// user for every item, and style for generations. d.Prompt is ignored.
func ApplyBatchDefaults(items []BatchItem, d GenerateParams) {
	for i := range items {
		if g := items[i].Generate; g != nil {
			fill(&g.Model, d.Model)
			fill(&g.N, d.N)
			fill(&g.Size, d.Size)
			fill(&g.Quality, d.Quality)
			fill(&g.Style, d.Style)
			fill(&g.Background, d.Background)
			fill(&g.Moderation, d.Moderation)
			fill(&g.OutputFormat, d.OutputFormat)
			fill(&g.ResponseFormat, d.ResponseFormat)
			fill(&g.User, d.User)
			fill(&g.SafetyIdentifier, d.SafetyIdentifier)
			fill(&g.Complexity, d.Complexity)
			fill(&g.FrameCount, d.FrameCount)
			fill(&g.FrameDuration, d.FrameDuration)
			if g.SVG == nil && d.SVG != nil {
				svg := *d.SVG
				g.SVG = &svg
			}
			if g.OutputCompression == nil {
				g.OutputCompression = d.OutputCompression
			}
		}
		if e := items[i].Edit; e != nil {
			fill(&e.Model, d.Model)
			fill(&e.N, d.N)
			fill(&e.Size, d.Size)
			fill(&e.Quality, d.Quality)
			fill(&e.Background, d.Background)
			fill(&e.Moderation, d.Moderation)
			fill(&e.OutputFormat, d.OutputFormat)
			fill(&e.ResponseFormat, d.ResponseFormat)
			fill(&e.User, d.User)
			fill(&e.SafetyIdentifier, d.SafetyIdentifier)
			fill(&e.Complexity, d.Complexity)
			fill(&e.FrameCount, d.FrameCount)
			fill(&e.FrameDuration, d.FrameDuration)
			if e.SVG == nil && d.SVG != nil {
				svg := *d.SVG
				e.SVG = &svg
			}
			if e.OutputCompression == nil {
				e.OutputCompression = d.OutputCompression
			}
		}
	}
}

func fill[T comparable](dst *T, v T) {
	var zero T
	if *dst == zero {
		*dst = v
	}
}
