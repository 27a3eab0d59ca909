package wrapper

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/imagegen-go/openai-images/gen"
)

// The Batch API runs many requests asynchronously at half the price, within
// a 24-hour window: the requests go up as a JSONL file (Files API), a batch is
// created from it, and the results come back as JSONL output and error
// files, matched to the requests by custom_id. SubmitBatch, WaitBatch and
// DownloadBatchResults do the three steps for image generations and edits.

// BatchStatus is the status of a Batch API batch.
type BatchStatus string

// Batch statuses.
const (
	BatchValidating BatchStatus = "validating"
	BatchFailed     BatchStatus = "failed"
	BatchInProgress BatchStatus = "in_progress"
	BatchFinalizing BatchStatus = "finalizing"
	BatchCompleted  BatchStatus = "completed"
	BatchExpired    BatchStatus = "expired"
	BatchCancelling BatchStatus = "cancelling"
	BatchCancelled  BatchStatus = "cancelled"
)

// Done reports whether the status is final: completed, failed, expired or
// cancelled.
func (s BatchStatus) Done() bool {
	switch s {
	case BatchCompleted, BatchFailed, BatchExpired, BatchCancelled:
		return true
	}
	return false
}

// Batch is a Batch API batch.
type Batch struct {
	ID       string
	Status   BatchStatus
	Endpoint string
	// CompletionWindow is the time frame the batch runs in ("24h").
	CompletionWindow string
	// Model is the model that processed the requests, as the API reports
	// it once known ("" before).
	Model string
	// InputFileID is the uploaded requests; OutputFileID and ErrorFileID,
	// set once the batch is done, hold the successful results and the
	// failed requests.
	InputFileID, OutputFileID, ErrorFileID string
	// Total, Completed and Failed count the batch's requests.
	Total, Completed, Failed int
	// Errors are problems with the input file (a failed batch).
	Errors []BatchInputError
	// The times of the batch's transitions; zero when not reached.
	CreatedAt, InProgressAt, FinalizingAt, CompletedAt time.Time
	FailedAt, ExpiresAt, ExpiredAt, CancellingAt       time.Time
	CancelledAt                                        time.Time

	Metadata map[string]string
	// Usage is the token usage of the batch's requests, when the API
	// reports it (batches created after September 7, 2025).
	Usage *BatchUsage
	// RequestID is the x-request-id of the response this was read from.
	RequestID string
}

// BatchUsage is the token usage of a batch.
type BatchUsage struct {
	InputTokens, CachedInputTokens      int
	OutputTokens, ReasoningOutputTokens int
	TotalTokens                         int
}

// BatchInputError is a problem the Batch API found in the input file.
type BatchInputError struct {
	Code, Message, Param string
	// Line is the input line at fault (from 1), or 0.
	Line int
}

func (e BatchInputError) String() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Code != "" {
		b.WriteString(e.Code + ": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Err returns nil for a completed batch, and an error saying why for a
// failed, expired or cancelled one (whose results may still be partly
// there: see [Client.DownloadBatchResults]).
func (b *Batch) Err() error {
	switch b.Status {
	case BatchCompleted:
		return nil
	case BatchFailed:
		msgs := make([]string, len(b.Errors))
		for i, e := range b.Errors {
			msgs[i] = e.String()
		}
		return fmt.Errorf("openai-images: batch %s failed: %s", b.ID, strings.Join(msgs, "; "))
	case BatchExpired, BatchCancelled:
		return fmt.Errorf("openai-images: batch %s %s with %d of %d requests done", b.ID, b.Status, b.Completed+b.Failed, b.Total)
	}
	return fmt.Errorf("openai-images: batch %s is %s, not done", b.ID, b.Status)
}

func batchFrom(g *gen.Batch, requestID string) *Batch {
	t := func(p *int) time.Time {
		if p == nil || *p == 0 {
			return time.Time{}
		}
		return time.Unix(int64(*p), 0).UTC()
	}
	b := &Batch{
		ID: g.Id, Status: BatchStatus(g.Status), Endpoint: g.Endpoint,
		CompletionWindow: g.CompletionWindow, Model: deref(g.Model),
		InputFileID: g.InputFileId, OutputFileID: deref(g.OutputFileId), ErrorFileID: deref(g.ErrorFileId),
		CreatedAt: t(&g.CreatedAt), InProgressAt: t(g.InProgressAt), FinalizingAt: t(g.FinalizingAt),
		CompletedAt: t(g.CompletedAt), FailedAt: t(g.FailedAt), ExpiresAt: t(g.ExpiresAt), ExpiredAt: t(g.ExpiredAt),
		CancellingAt: t(g.CancellingAt), CancelledAt: t(g.CancelledAt),
		RequestID: requestID,
	}
	if g.RequestCounts != nil {
		b.Total, b.Completed, b.Failed = g.RequestCounts.Total, g.RequestCounts.Completed, g.RequestCounts.Failed
	}
	if g.Metadata != nil {
		b.Metadata = map[string]string(*g.Metadata)
	}
	if u := g.Usage; u != nil {
		b.Usage = &BatchUsage{
			InputTokens: u.InputTokens, CachedInputTokens: u.InputTokensDetails.CachedTokens,
			OutputTokens: u.OutputTokens, ReasoningOutputTokens: u.OutputTokensDetails.ReasoningTokens,
			TotalTokens: u.TotalTokens,
		}
	}
	if g.Errors != nil && g.Errors.Data != nil {
		for _, e := range *g.Errors.Data {
			b.Errors = append(b.Errors, BatchInputError{Code: deref(e.Code), Message: deref(e.Message), Param: deref(e.Param), Line: deref(e.Line)})
		}
	}
	return b
}

// File is a file stored with the Files API.
type File struct {
	ID        string
	Filename  string
	Purpose   string
	Bytes     int64
	CreatedAt time.Time
	ExpiresAt time.Time
	RequestID string
}

// Limits of a Batch API input file.
const (
	MaxBatchRequests  = 50_000
	MaxBatchFileBytes = 200 << 20
)

// SubmitBatchOptions configure [Client.SubmitBatch].
type SubmitBatchOptions struct {
	// Metadata is attached to the batch (up to 16 pairs).
	Metadata map[string]string
	// OutputExpiresAfter sets when the output and error files expire,
	// from 1 hour to 30 days after they are written; zero leaves the API's
	// default (30 days).
	OutputExpiresAfter time.Duration
}

// batchRequestLine is one line of a Batch API input file.
type batchRequestLine struct {
	CustomID string          `json:"custom_id"`
	Method   string          `json:"method"`
	URL      string          `json:"url"`
	Body     json.RawMessage `json:"body"`
}

// Batch API endpoints of image items.
const (
	batchGenerations = "/v1/images/generations"
	batchEdits       = "/v1/images/edits"
)

// SubmitBatch sends items to the Batch API: it writes them as a JSONL input
// file (one request per item, custom_id = the item's ID, or its content key:
// see [BatchItemIDs]), uploads it
// (POST /files, purpose batch) and creates the batch (POST /batches). Follow
// with [Client.WaitBatch] and [Client.DownloadBatchResults].
//
// A batch has one endpoint, so items are all generations or all edits. An
// edit must use image references (ImageRefs, MaskRef): a JSONL line cannot
// carry uploads; upload local images first with [Client.UploadFile] and
// reference them with [ImageFileID]. Items are validated as Generate and Edit
// would (unless validation is off) before anything is sent. reqOpts apply to
// the upload and create requests, and WithExtraBody to the create request's
// body; the items' own requests are the items'.
//
// To submit only some items of a list (those [Client.PlanBatch] does not
// find done), set their IDs from the whole list's first: identical items
// are told apart by their place among their copies.
//
// API: POST /batches
func (c *Client) SubmitBatch(ctx context.Context, items []BatchItem, opts SubmitBatchOptions, reqOpts ...RequestOption) (*Batch, error) {
	const op = "SubmitBatch"
	rc, err := c.requestConfig(reqOpts)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("openai-images: %s: no items", op)
	}
	if len(items) > MaxBatchRequests {
		return nil, fmt.Errorf("openai-images: %s: %d items, over the Batch API's %d requests per batch", op, len(items), MaxBatchRequests)
	}
	ids, _, err := batchIDs(items)
	if err != nil {
		return nil, err
	}
	endpoint := batchGenerations
	if items[0].Edit != nil {
		endpoint = batchEdits
	}
	// The items' requests carry no per-call options: a batch line is
	// only a body.
	itemRC := &requestConfig{}
	// On Azure every line's model is the batch deployment's name, the
	// same on every line (azure-ai-docs how-to/batch.md: "The same Global
	// Batch model deployment name must be present on each line").
	deployment := ""
	for i := range items {
		it := &items[i]
		if az := c.cfg.azure; az != nil && (it.Generate != nil || it.Edit != nil) {
			var model Model
			if it.Generate != nil {
				model = it.Generate.Model
			} else {
				model = it.Edit.Model
			}
			dep, err := az.route(model, "model")
			if err != nil {
				return nil, fmt.Errorf("openai-images: %s: item %s: %w", op, ids[i], err)
			}
			if deployment != "" && dep != deployment {
				return nil, fmt.Errorf("openai-images: %s: item %s: deployment %s, but earlier items go to %s: an Azure batch goes to one deployment (submit one batch per deployment)", op, ids[i], dep, deployment)
			}
			deployment = dep
		}
		switch {
		case it.Generate != nil && endpoint == batchEdits, it.Edit != nil && endpoint == batchGenerations:
			return nil, fmt.Errorf("openai-images: %s: item %s: a batch has one endpoint: submit generations and edits as separate batches", op, ids[i])
		case it.Edit != nil && (len(it.Edit.Images) > 0 || it.Edit.Mask != nil):
			return nil, fmt.Errorf("openai-images: %s: item %s: a Batch API edit must reference its images (ImageRefs, MaskRef; upload local files with UploadFile): JSONL cannot carry uploads", op, ids[i])
		case it.Edit != nil && !it.Edit.isJSON():
			return nil, fmt.Errorf("openai-images: %s: item %s: the edit has no image", op, ids[i])
		}
		if c.validating(rc) {
			var verr error
			if it.Generate != nil {
				verr = validateGenerate(it.Generate, false, c.policy())
			} else {
				verr = validateEdit(it.Edit, false, c.policy())
			}
			if verr != nil {
				return nil, fmt.Errorf("openai-images: %s: item %s: %w", op, ids[i], verr)
			}
		}
	}

	// The input file goes to disk, not memory: it can be 200 MB.
	tmp, err := os.CreateTemp("", "openai-images-batch-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("openai-images: %s: %w", op, err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	w := bufio.NewWriter(tmp)
	for i := range items {
		body, err := c.batchBody(&items[i], itemRC, Model(deployment))
		if err != nil {
			return nil, fmt.Errorf("openai-images: %s: item %s: %w", op, ids[i], err)
		}
		line, err := json.Marshal(batchRequestLine{CustomID: ids[i], Method: http.MethodPost, URL: endpoint, Body: body})
		if err != nil {
			return nil, fmt.Errorf("openai-images: %s: item %s: %w", op, ids[i], err)
		}
		w.Write(line)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("openai-images: %s: write input file: %w", op, err)
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("openai-images: %s: %w", op, err)
	}
	if size > MaxBatchFileBytes {
		return nil, fmt.Errorf("openai-images: %s: the input file is %s, over the Batch API's %s", op, formatBytes(size), formatBytes(MaxBatchFileBytes))
	}
	upload := *rc
	upload.body = nil // extra body fields are the create request's
	in, err := c.uploadFile(ctx, "batch", formFile{
		field: "file", img: ImageFromReaderAt("batch.jsonl", tmp, size), contentType: "application/octet-stream", size: size,
	}, &upload)
	if err != nil {
		return nil, err
	}

	req := gen.CreateBatchRequest{
		InputFileId:      in.ID,
		Endpoint:         gen.CreateBatchRequestEndpoint(endpoint),
		CompletionWindow: gen.CreateBatchRequestCompletionWindowN24h,
	}
	if opts.Metadata != nil {
		md := gen.Metadata(opts.Metadata)
		req.Metadata = &md
	}
	if opts.OutputExpiresAfter != 0 {
		req.OutputExpiresAfter = &gen.BatchFileExpirationAfter{
			Anchor: gen.BatchFileExpirationAfterAnchorCreatedAt, Seconds: int64(opts.OutputExpiresAfter / time.Second),
		}
	}
	body, err := jsonBody(req, rc.body)
	if err != nil {
		return nil, fmt.Errorf("openai-images: createBatch: %w", err)
	}
	return c.batchCall(ctx, call{
		op: "createBatch", path: "POST /batches", replayable: true,
		send: func(ctx context.Context, editors []gen.RequestEditorFn) (*http.Response, error) {
			return c.api.CreateBatchWithBody(ctx, "application/json", bytes.NewReader(body), editors...)
		},
	}, rc, func(r *http.Response) (*gen.Batch, error) {
		p, err := gen.ParseCreateBatchResponse(r)
		if err != nil {
			return nil, err
		}
		return p.JSON200, nil
	})
}

// batchBody is the JSON body of an item's request, as Generate or Edit
// would send it; model, when set, replaces the item's (an Azure
// deployment).
func (c *Client) batchBody(it *BatchItem, rc *requestConfig, model Model) ([]byte, error) {
	if it.Generate != nil {
		p := *it.Generate
		if model != "" {
			p.Model = model
		}
		return jsonBody(generateRequest(&p, false), rc.body)
	}
	p := *it.Edit
	if model != "" {
		p.Model = model
	}
	return jsonBody(editJSONRequest(&p, false), editJSONExtra(&p, rc.body))
}

// RetrieveBatch returns a batch's current state.
//
// API: GET /batches/{batch_id}
func (c *Client) RetrieveBatch(ctx context.Context, id string, opts ...RequestOption) (*Batch, error) {
	rc, err := c.requestConfig(opts)
	if err != nil {
		return nil, err
	}
	return c.retrieveBatch(ctx, id, rc)
}

func (c *Client) retrieveBatch(ctx context.Context, id string, rc *requestConfig) (*Batch, error) {
	if id == "" {
		return nil, errors.New("openai-images: retrieveBatch: empty batch ID")
	}
	return c.batchCall(ctx, call{
		op: "retrieveBatch", path: "GET /batches/{batch_id}", replayable: true,
		send: func(ctx context.Context, editors []gen.RequestEditorFn) (*http.Response, error) {
			return c.api.RetrieveBatch(ctx, id, editors...)
		},
	}, rc, func(r *http.Response) (*gen.Batch, error) {
		p, err := gen.ParseRetrieveBatchResponse(r)
		if err != nil {
			return nil, err
		}
		return p.JSON200, nil
	})
}

// CancelBatch asks the API to cancel a batch. It turns cancelling, then
// cancelled; requests already done keep their results.
//
// API: POST /batches/{batch_id}/cancel
func (c *Client) CancelBatch(ctx context.Context, id string, opts ...RequestOption) (*Batch, error) {
	rc, err := c.requestConfig(opts)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, errors.New("openai-images: cancelBatch: empty batch ID")
	}
	return c.batchCall(ctx, call{
		op: "cancelBatch", path: "POST /batches/{batch_id}/cancel", replayable: true,
		send: func(ctx context.Context, editors []gen.RequestEditorFn) (*http.Response, error) {
			return c.api.CancelBatch(ctx, id, editors...)
		},
	}, rc, func(r *http.Response) (*gen.Batch, error) {
		p, err := gen.ParseCancelBatchResponse(r)
		if err != nil {
			return nil, err
		}
		return p.JSON200, nil
	})
}

func (c *Client) batchCall(ctx context.Context, cl call, rc *requestConfig, parse func(*http.Response) (*gen.Batch, error)) (*Batch, error) {
	var out *Batch
	err := c.do(ctx, cl, rc, func(_ context.Context, resp *http.Response, _ func()) error {
		g, err := parseJSON(cl.op, resp, c.cfg.maxResponseSize, parse)
		if err != nil {
			return err
		}
		out = batchFrom(g, resp.Header.Get("x-request-id"))
		return nil
	})
	return out, err
}

// WaitBatchOptions configure [Client.WaitBatch].
type WaitBatchOptions struct {
	// PollInterval is the first wait between polls (default 5 s). The wait
	// doubles after each poll that shows no progress, up to
	// MaxPollInterval (default 1 min), and drops back to PollInterval
	// when the batch moves.
	PollInterval, MaxPollInterval time.Duration
	// OnPoll, when set, sees the batch after every poll.
	OnPoll func(*Batch)
}

// WaitBatch polls a batch until it is done (completed, failed, expired or
// cancelled) and returns it; check [Batch.Err] for how it ended. Polls back
// off while nothing changes, with 10% jitter. Ending ctx stops the wait, not
// the batch.
//
// API: GET /batches/{batch_id}
func (c *Client) WaitBatch(ctx context.Context, id string, opts WaitBatchOptions, reqOpts ...RequestOption) (*Batch, error) {
	rc, err := c.requestConfig(reqOpts)
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, opError("WaitBatch", errNilContext)
	}
	first := opts.PollInterval
	if first <= 0 {
		first = 5 * time.Second
	}
	maxWait := opts.MaxPollInterval
	if maxWait <= 0 {
		maxWait = time.Minute
	}
	maxWait = max(maxWait, first)
	wait := first
	var last *Batch
	for {
		b, err := c.retrieveBatch(ctx, id, rc)
		if err != nil {
			return last, err
		}
		if opts.OnPoll != nil {
			opts.OnPoll(b)
		}
		if b.Status.Done() {
			return b, nil
		}
		switch {
		case last == nil:
		case b.Status != last.Status || b.Completed+b.Failed != last.Completed+last.Failed:
			wait = first
		default:
			wait = min(wait*2, maxWait)
		}
		last = b
		if err := sleep(ctx, jittered(wait)); err != nil {
			return last, opError("WaitBatch", err)
		}
	}
}

// jittered spreads d by up to ±10%.
func jittered(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
}

// UploadFile uploads a file with the Files API, for example an image to edit
// through the Batch API (purpose "vision" or "user_data"), referenced then
// with [ImageFileID]. The file is streamed from its source.
//
// API: POST /files
func (c *Client) UploadFile(ctx context.Context, purpose string, file Image, opts ...RequestOption) (*File, error) {
	rc, err := c.requestConfig(opts)
	if err != nil {
		return nil, err
	}
	info, err := file.Probe()
	if err != nil {
		return nil, fmt.Errorf("openai-images: createFile: %w", err)
	}
	return c.uploadFile(ctx, purpose, formFile{field: "file", img: file, contentType: info.ContentType, size: info.Size}, rc)
}

func (c *Client) uploadFile(ctx context.Context, purpose string, file formFile, rc *requestConfig) (*File, error) {
	const op = "createFile"
	f := newForm()
	f.field("purpose", purpose)
	if err := f.extra(rc.body); err != nil {
		return nil, fmt.Errorf("openai-images: %s: %w", op, err)
	}
	f.files = append(f.files, file)
	var out *File
	err := c.do(ctx, call{
		op: op, path: "POST /files", replayable: f.replayable(),
		send: c.sendForm(f, c.api.CreateFileWithBody),
	}, rc, func(_ context.Context, resp *http.Response, _ func()) error {
		g, err := parseJSON(op, resp, c.cfg.maxResponseSize, func(r *http.Response) (*gen.OpenAIFile, error) {
			p, err := gen.ParseCreateFileResponse(r)
			if err != nil {
				return nil, err
			}
			return p.JSON200, nil
		})
		if err != nil {
			return err
		}
		out = &File{ID: g.Id, Filename: g.Filename, Purpose: string(g.Purpose), Bytes: int64(g.Bytes),
			CreatedAt: time.Unix(int64(g.CreatedAt), 0).UTC(), RequestID: resp.Header.Get("x-request-id")}
		if g.ExpiresAt != nil {
			out.ExpiresAt = time.Unix(int64(*g.ExpiresAt), 0).UTC()
		}
		return nil
	})
	return out, err
}

// downloadFile streams a file's content to read. The per-attempt timeout
// covers the response headers, then each wait for more bytes: an output
// file of images can be large, but must keep coming. A line longer than
// the client's maximum response size fails the download.
//
// API: GET /files/{file_id}/content
func (c *Client) downloadFile(ctx context.Context, id string, rc *requestConfig, read func(io.Reader) error) error {
	const op = "downloadFile"
	return c.do(ctx, call{
		op: op, path: "GET /files/{file_id}/content", replayable: true, stream: true,
		send: func(ctx context.Context, editors []gen.RequestEditorFn) (*http.Response, error) {
			return c.api.DownloadFile(ctx, id, editors...)
		},
	}, rc, func(_ context.Context, resp *http.Response, release func()) error {
		defer release()
		defer resp.Body.Close()
		r := newIdleReader(resp.Body, c.timeout(rc), "byte", release)
		if err := read(&lineLimitReader{r: r, max: c.cfg.maxResponseSize, op: op}); err != nil {
			return fmt.Errorf("openai-images: %s %s: %w", op, id, err)
		}
		return nil
	})
}

// lineLimitReader fails once a line grows past max bytes, so a JSONL file
// is decoded with at most one (bounded) line in memory.
type lineLimitReader struct {
	r    io.Reader
	max  int64
	line int64
	op   string
}

func (l *lineLimitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for rest := p[:n]; ; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			l.line += int64(len(rest))
			break
		}
		if l.line+int64(i) > l.max {
			l.line += int64(i)
			break
		}
		l.line, rest = 0, rest[i+1:]
	}
	if l.line > l.max {
		return n, &TooLargeError{Operation: l.op, What: "Batch API file line", Limit: l.max, Size: -1, Option: "WithMaxResponseSize"}
	}
	return n, err
}

// batchResponseLine is one line of a Batch API output or error file.
type batchResponseLine struct {
	ID       string `json:"id"`
	CustomID string `json:"custom_id"`
	Response *struct {
		StatusCode int             `json:"status_code"`
		RequestID  string          `json:"request_id"`
		Body       json.RawMessage `json:"body"`
	} `json:"response"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// BatchRequestError is a Batch API request that failed without an HTTP
// response (the line's "error" object), such as one the batch did not reach
// before it expired.
type BatchRequestError struct {
	CustomID, Code, Message string
}

func (e *BatchRequestError) Error() string {
	return fmt.Sprintf("openai-images: batch request %s: %s: %s", e.CustomID, e.Code, e.Message)
}

// DownloadBatchResults downloads a done batch's results into outDir, as
// [Client.RunBatch] writes them: each successful request's images as ID.ext
// (ID-1.ext, ... for several), decoded from base64 and written atomically,
// and a manifest line per request. Results are matched to requests by
// custom_id and returned in the input file's order (the input file is read
// back for it), so only the batch is needed, not the items. Requests in the
// error file are failed items, with an *APIError (or *BatchRequestError);
// requests in neither file (the batch expired or was cancelled first) wrap
// [ErrBatchItemNotRun].
//
// Files are streamed one line at a time, so memory does not grow with the
// batch. Downloading again into the same outDir skips the items the
// manifest already has.
//
// The input, output and error files are each downloaded once.
//
// API: GET /files/{file_id}/content
func (c *Client) DownloadBatchResults(ctx context.Context, b *Batch, outDir string, opts ...RequestOption) (*BatchResult, error) {
	const op = "DownloadBatchResults"
	if ctx == nil {
		return nil, opError(op, errNilContext)
	}
	rc, err := c.requestConfig(opts)
	if err != nil {
		return nil, err
	}
	if !b.Status.Done() {
		return nil, fmt.Errorf("openai-images: %s: batch %s is %s, not done", op, b.ID, b.Status)
	}
	if outDir == "" {
		return nil, fmt.Errorf("openai-images: %s: no output directory", op)
	}
	if b.InputFileID == "" {
		// The input file names the items; without it the call would ask
		// for /files//content.
		return nil, fmt.Errorf("openai-images: %s: batch %s has no input_file_id: pass the Batch that SubmitBatch, WaitBatch or RetrieveBatch returned", op, b.ID)
	}
	imagesOp := "createImage"
	if b.Endpoint == batchEdits {
		imagesOp = "createImageEdit"
	}
	m, err := openManifest(outDir)
	if err != nil {
		return nil, fmt.Errorf("openai-images: %s: manifest: %w", op, err)
	}
	defer m.close()

	res := &BatchResult{Manifest: m.path}
	index := map[string]int{}
	var fps []string
	var reqs []itemRequest
	err = c.downloadFile(ctx, b.InputFileID, rc, func(r io.Reader) error {
		dec := json.NewDecoder(r)
		for dec.More() {
			var l batchRequestLine
			if err := dec.Decode(&l); err != nil {
				return fmt.Errorf("input file: %w", err)
			}
			if _, dup := index[l.CustomID]; dup || l.CustomID == "" {
				return fmt.Errorf("input file: custom_id %q is empty or repeated", l.CustomID)
			}
			index[l.CustomID] = len(res.Items)
			res.Items = append(res.Items, BatchItemResult{Index: len(res.Items), ID: l.CustomID})
			fps = append(fps, fingerprintBytes(l.Body))
			reqs = append(reqs, requestFromBody(l.Body))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	finished := make([]bool, len(res.Items))
	for i := range res.Items {
		it := &res.Items[i]
		if checkBatchFileName(it.ID) != nil {
			// Not written by SubmitBatch: the ID cannot name files.
			return nil, fmt.Errorf("openai-images: %s: custom_id %q cannot name a file", op, it.ID)
		}
		if e, ok := m.done(it.ID, fps[i]); ok {
			it.Skipped, it.Files, it.RequestID = true, m.paths(e.Files), e.RequestID
			finished[i] = true
			res.Skipped++
		}
	}

	record := func(i int, files []string) error {
		it := &res.Items[i]
		e := entryFor(it, fps[i], reqs[i], files)
		e.BatchID = b.ID
		if err := m.append(e); err != nil {
			return fmt.Errorf("manifest: %w", err)
		}
		finished[i] = true
		if it.Err == nil {
			res.Succeeded++
		} else {
			res.Failed++
		}
		return nil
	}
	readResults := func(r io.Reader) error {
		dec := json.NewDecoder(r)
		for dec.More() {
			var l batchResponseLine
			if err := dec.Decode(&l); err != nil {
				return err
			}
			i, ok := index[l.CustomID]
			if !ok || finished[i] {
				continue // not a request of this batch, or already saved
			}
			it := &res.Items[i]
			var files []string
			switch {
			case l.Response != nil && l.Response.StatusCode == http.StatusOK:
				it.RequestID = l.Response.RequestID
				var g gen.ImagesResponse
				if err := json.Unmarshal(l.Response.Body, &g); err != nil {
					it.Err = opError(imagesOp, fmt.Errorf("read batch response %s: %w", l.CustomID, err))
					break
				}
				files, it.Err = saveImages(ctx, outDir, it.ID, c.imagesResponse(&g, l.Response.RequestID).Data)
				it.Files = m.paths(files)
			case l.Response != nil:
				it.RequestID = l.Response.RequestID
				e := &APIError{Operation: imagesOp, StatusCode: l.Response.StatusCode, RequestID: l.Response.RequestID, Body: l.Response.Body}
				e.Type, e.Code, e.Param, e.Message = parseErrorBody(l.Response.Body)
				it.Err = e
			case l.Error != nil:
				it.Err = &BatchRequestError{CustomID: l.CustomID, Code: l.Error.Code, Message: l.Error.Message}
			default:
				it.Err = &BatchRequestError{CustomID: l.CustomID, Code: "no_response", Message: "the line has neither a response nor an error"}
			}
			if it.Err != nil {
				it.Files = nil
			}
			if err := record(i, files); err != nil {
				return err
			}
		}
		return nil
	}
	for _, id := range []string{b.OutputFileID, b.ErrorFileID} {
		if id == "" {
			continue
		}
		if err := c.downloadFile(ctx, id, rc, readResults); err != nil {
			return res, err
		}
	}
	for i := range res.Items {
		if !finished[i] {
			res.Items[i].Err = fmt.Errorf("%w: batch %s ended %s", ErrBatchItemNotRun, b.ID, b.Status)
			res.NotRun++
		}
	}
	return res, nil
}

// requestFromBody reads an item's prompt and parameters back from the body
// of its Batch API request, for the manifest.
func requestFromBody(body json.RawMessage) itemRequest {
	var r itemRequest
	if json.Unmarshal(body, &r.params) != nil {
		return itemRequest{}
	}
	r.prompt, _ = r.params["prompt"].(string)
	delete(r.params, "prompt")
	return r
}
