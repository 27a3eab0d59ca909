package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/imagegen-go/openai-images/internal/atomicfile"
	"github.com/imagegen-go/openai-images/wrapper"
)

// Batch settings.
const (
	defaultConcurrency = 4   // wrapper.RunBatch's default
	maxConcurrency     = 256 // wrapper.RunBatch's limit
	// The first wait between polls of a Batch API batch; it doubles while
	// nothing changes, up to a minute (the emulator's: a second).
	defaultPollInterval  = 5 * time.Second
	emulatorPollInterval = 100 * time.Millisecond
	emulatorMaxPoll      = time.Second
	// pendingBatchName is the file in --out naming a Batch API batch
	// submitted but not yet downloaded, so that a rerun waits for it
	// instead of submitting the items again.
	pendingBatchName = "pending-batch.json"
	// maxListed bounds the items listed in one validation message.
	maxListed = 20
)

func runBatch(ctx context.Context, inv *invocation, args []string) error {
	var (
		d           wrapper.GenerateParams
		compression optInt
		file        string
		outDir      = "out"
		jsonOut     bool
		concurrency optInt
		batchAPI    bool
		poll        time.Duration
		conn        connFlags
	)
	c := newFlags("batch", "batch [flags] FILE",
		"Generate (or edit) the images of every item of a batch file, FILE or --file FILE\n"+
			"(- reads standard input): plain text, one prompt a line, or JSONL, one object a\n"+
			"line with the item's parameters by their API names:\n"+
			"  {\"id\": \"otter\", \"prompt\": \"a sea otter\", \"model\": \"gpt-image-2\", \"size\": \"1024x768\"}\n"+
			"  {\"prompt\": \"add a hat\", \"images\": [\"otter.png\"], \"mask\": \"mask.png\"}\n"+
			"An object with images is an edit; blank lines and lines starting with # are\n"+
			"skipped. The request flags fill in what an item does not set. Items run here,\n"+
			"--concurrency at a time, or with --batch-api through the OpenAI Batch API (half\n"+
			"price, results within 24 hours). Each item's images go to --out as ID.ext\n"+
			"(ID-1.ext, ID-2.ext, ... for several; IDs default to item-00001, ... by position)\n"+
			"and its outcome to --out/manifest.jsonl as it finishes. Rerunning the same command\n"+
			"skips the items done and runs the others, failed ones included.",
		`openai-images batch --emulator --model dall-e-2 --size 256x256 prompts.txt`,
		`openai-images batch --model gpt-image-1-mini --quality low --concurrency 8 --out otters items.jsonl`,
		`openai-images batch --batch-api --model gpt-image-1.5 --size 1024x1024 --out nightly prompts.txt`,
		`grep -v draft ideas.txt | openai-images batch --json --model dall-e-3 - > summary.json`,
	)
	c.section("Input")
	c.str(&file, "file", "FILE", "the batch file (or give it as the argument); - reads standard input")
	c.section("Request parameters for the items that do not set them (sent only when given)")
	c.str((*string)(&d.Model), "model", "NAME", "model (default: the API's, dall-e-2 for generations, gpt-image-1.5 for edits)")
	c.integer(&d.N, "n", "N", helpN)
	c.str((*string)(&d.Size), "size", "SIZE", "WIDTHxHEIGHT or auto, e.g. 1024x1024; gpt-image-2 takes custom sizes (sides divisible by 16, aspect 1:3 to 3:1)")
	c.str((*string)(&d.Quality), "quality", "Q", helpQuality)
	c.str((*string)(&d.Style), "style", "STYLE", "vivid or natural (dall-e-3 generations)")
	c.str((*string)(&d.Background), "background", "BG", helpBackground)
	c.str((*string)(&d.Moderation), "moderation", "LEVEL", "auto or low (GPT image models)")
	c.str((*string)(&d.OutputFormat), "output-format", "FORMAT", helpOutputFormat)
	c.value(&compression, "output-compression", "0-100", helpCompression)
	c.str((*string)(&d.ResponseFormat), "response-format", "FORMAT", helpResponseFormat)
	c.str(&d.User, "user", "ID", helpUser)
	c.section("Running")
	c.value(&concurrency, "concurrency", "N", fmt.Sprintf("requests in flight at once in a local run, 1-%d (default %d); on a 429 the batch also paces its requests to the server's rate", maxConcurrency, defaultConcurrency))
	c.boolean(&batchAPI, "batch-api", "submit the items to the Batch API instead (half price, results within 24 hours), wait for the batch and download its results into --out; Ctrl-C stops the wait, not the batch, and a rerun resumes it")
	c.duration(&poll, "poll-interval", "DURATION", fmt.Sprintf("--batch-api: the first wait between polls of the batch, doubled while nothing changes, up to 1m (default %v; %v with --emulator)", defaultPollInterval, emulatorPollInterval))
	c.section("Output")
	c.str(&outDir, "out", "DIR", "directory for the images and manifest.jsonl, created if needed; a rerun into the same DIR skips the items done (default ./out)")
	c.boolean(&jsonOut, "json", "print a JSON summary on stdout (every item's status, files and error; totals) instead of the paths written")
	conn.register(c)

	rest, err := c.parse(inv, args)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case len(rest) > 1:
		return usagef("batch: one file expected, got %d", len(rest))
	case len(rest) == 1 && file != "":
		return usagef("batch: give the file once, as --file or as the argument")
	case len(rest) == 1:
		file = rest[0]
	}
	switch {
	case file == "":
		return usagef("batch: a batch file is required: batch FILE (one prompt a line, or JSONL; - reads standard input)")
	case concurrency.set && (concurrency.v < 1 || concurrency.v > maxConcurrency):
		return usagef("batch: --concurrency %d: must be 1 to %d", concurrency.v, maxConcurrency)
	case concurrency.set && batchAPI:
		return usagef("batch: --concurrency applies to local runs: the Batch API schedules a batch's requests itself")
	case set["poll-interval"] && !batchAPI:
		return usagef("batch: --poll-interval applies to --batch-api")
	case set["poll-interval"] && poll <= 0:
		return usagef("batch: --poll-interval %v: must be positive", poll)
	case outDir == "":
		return usagef("batch: --out DIR must not be empty")
	}

	bf, err := readBatchFile(inv, file)
	if err != nil {
		return err
	}
	d.OutputCompression = compression.ptr()
	wrapper.ApplyBatchDefaults(bf.items, d)
	ids, err := wrapper.BatchItemIDs(bf.items)
	if err != nil {
		return usagef("batch: %s", strings.TrimPrefix(err.Error(), "openai-images: batch: "))
	}
	for i := range bf.items {
		bf.items[i].ID = ids[i]
	}
	if batchAPI {
		if err := bf.checkBatchAPI(); err != nil {
			return err
		}
	}
	if err := bf.validate(batchAPI); err != nil {
		return err
	}

	client, release, err := inv.client(&conn)
	if err != nil {
		return err
	}
	defer release()
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	b := &batchCmd{inv: inv, bf: bf, outDir: outDir, json: jsonOut, api: batchAPI, start: time.Now()}
	if !batchAPI {
		return b.runLocal(ctx, client, orDefault(concurrency.v, defaultConcurrency))
	}
	maxPoll := time.Duration(0) // WaitBatch's default, a minute
	if conn.emulator {
		if !set["poll-interval"] {
			poll = emulatorPollInterval
		}
		maxPoll = max(emulatorMaxPoll, poll)
	} else if !set["poll-interval"] {
		poll = defaultPollInterval
	}
	return b.runBatchAPI(ctx, client, conn.emulator, wrapper.WaitBatchOptions{PollInterval: poll, MaxPollInterval: maxPoll})
}

// orDefault returns v, or def when v is 0.
func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// batchFile is a parsed batch file.
type batchFile struct {
	name  string // as given, "stdin" for -
	items []wrapper.BatchItem
	lines []int // the line of each item, from 1
	jsonl bool
}

// readBatchFile reads and parses the batch file at path ("-": standard
// input). Items get their default IDs set, so that the IDs stay the same
// when only some of the items are submitted. A file that cannot be read or
// parsed is a usage error: nothing was sent.
func readBatchFile(inv *invocation, path string) (*batchFile, error) {
	name := path
	var data []byte
	var err error
	switch {
	case path == "-" && inv.stdin == nil:
		return nil, usagef("batch: no standard input to read")
	case path == "-":
		name = "stdin"
		data, err = io.ReadAll(inv.stdin)
	default:
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, usagef("batch: %v", err)
	}
	items, err := wrapper.ParseBatch(bytes.NewReader(data), name)
	if err != nil {
		return nil, usagef("batch: %s", strings.TrimPrefix(err.Error(), "openai-images: "))
	}
	if len(items) == 0 {
		return nil, usagef("batch: %s has no items (blank lines and lines starting with # are skipped)", name)
	}
	bf := &batchFile{name: name, items: items, lines: itemLines(data)}
	if len(bf.lines) != len(items) {
		bf.lines = make([]int, len(items)) // unknown; cannot happen
	}
	bf.jsonl = bf.items[0].Generate == nil || strings.HasPrefix(strings.TrimSpace(lineAt(data, bf.lines[0])), "{")
	return bf, nil
}

// itemLines returns the numbers of the lines that hold items, as
// wrapper.ParseBatch reads them: not blank, not starting with #.
func itemLines(data []byte) []int {
	var out []int
	for n, line := range bytes.Split(data, []byte("\n")) {
		text := bytes.TrimSpace(line)
		if n == 0 {
			text = bytes.TrimPrefix(text, []byte("\ufeff"))
		}
		if len(text) > 0 && text[0] != '#' {
			out = append(out, n+1)
		}
	}
	return out
}

// lineAt returns line n (from 1) of data, BOM removed.
func lineAt(data []byte, n int) string {
	ls := bytes.SplitN(data, []byte("\n"), n+1)
	if n < 1 || n > len(ls) {
		return ""
	}
	return strings.TrimPrefix(string(ls[n-1]), "\ufeff")
}

// label names item i in messages: its ID and where it is.
func (bf *batchFile) label(i int) string {
	if bf.lines[i] == 0 {
		return bf.items[i].ID
	}
	return fmt.Sprintf("%s (%s:%d)", bf.items[i].ID, bf.name, bf.lines[i])
}

// checkBatchAPI reports the items a Batch API batch cannot take.
func (bf *batchFile) checkBatchAPI() error {
	var gens, edits int
	for i, it := range bf.items {
		if it.Generate != nil {
			gens++
			continue
		}
		edits++
		if len(it.Edit.Images) > 0 || it.Edit.Mask != nil {
			return usagef("batch: --batch-api: %s edits local files (images, mask), and a Batch API request cannot carry uploads: "+
				"reference the images with image_urls or image_file_ids, or run without --batch-api", bf.label(i))
		}
	}
	if gens > 0 && edits > 0 {
		return usagef("batch: --batch-api: %s has %s and %s, and a Batch API batch has one endpoint: "+
			"put them in separate files, or run without --batch-api", bf.name, plural(gens, "generation"), plural(edits, "edit"))
	}
	return nil
}

// validate checks every item as Generate and Edit would. Local items that
// a model cannot take fail on their own when the batch runs; but when no
// item could be sent, or with --batch-api (the Batch API takes a batch
// whole), the problems are a usage error and nothing is sent.
func (bf *batchFile) validate(batchAPI bool) error {
	errs := make([]error, len(bf.items))
	invalid := 0
	for i, it := range bf.items {
		if it.Generate != nil {
			errs[i] = wrapper.CheckGenerate(*it.Generate, false)
		} else {
			errs[i] = wrapper.CheckEdit(*it.Edit, false)
		}
		if errs[i] != nil {
			invalid++
		}
	}
	if invalid == 0 || !batchAPI && invalid < len(bf.items) {
		return nil
	}
	var b strings.Builder
	if invalid == len(bf.items) && sameProblems(errs) {
		fmt.Fprintf(&b, "batch: invalid parameters in every item of %s, nothing was sent:", bf.name)
		var ve *wrapper.ValidationError
		if !errors.As(errs[0], &ve) {
			fmt.Fprintf(&b, "\n  %s", briefError(errs[0]))
		} else {
			for _, p := range ve.Problems {
				if !bf.jsonl {
					p.Field = flagName(p.Field) // every parameter came from a flag
				}
				fmt.Fprintf(&b, "\n  %s", p)
			}
		}
		return &usageError{b.String()}
	}
	fmt.Fprintf(&b, "batch: invalid parameters in %d of %d items, nothing was sent:", invalid, len(bf.items))
	shown := 0
	for i, err := range errs {
		if err == nil {
			continue
		}
		if shown == maxListed {
			fmt.Fprintf(&b, "\n  ... and %d more", invalid-shown)
			break
		}
		shown++
		fmt.Fprintf(&b, "\n  %s: %s", bf.label(i), problemList(err))
	}
	if batchAPI && invalid < len(bf.items) {
		b.WriteString("\nThe Batch API takes a batch whole: fix or remove these items, or run the batch without --batch-api (they alone fail).")
	}
	return &usageError{b.String()}
}

// sameProblems reports whether every error lists the same problems.
func sameProblems(errs []error) bool {
	for _, err := range errs[1:] {
		if problemList(err) != problemList(errs[0]) {
			return false
		}
	}
	return true
}

// problemList renders a validation error's problems on one line.
func problemList(err error) string {
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) {
		return briefError(err)
	}
	ps := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		ps[i] = p.String()
	}
	return strings.Join(ps, "; ")
}

// briefError renders an item's error on one line of reasonable length.
func briefError(err error) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	for {
		rest, ok := strings.CutPrefix(msg, "openai-images: ")
		if !ok {
			break
		}
		msg = rest
	}
	if len(msg) > 300 {
		msg = msg[:297] + "..."
	}
	return msg
}

// batchCmd is one run of the batch command: it reports the items as they
// finish and sums the run up.
type batchCmd struct {
	inv    *invocation
	bf     *batchFile
	outDir string
	json   bool
	api    bool // --batch-api
	start  time.Time
	prog   *progress

	// The Batch API batch: its ID once submitted (or resumed), its
	// latest status, and the batch once done.
	batchID     string
	batchStatus wrapper.BatchStatus
	batch       *wrapper.Batch

	mu          sync.Mutex // serialises the reports of a local run
	lastStatus  wrapper.BatchStatus
	lastID      string
	lastPace    time.Duration
	rateLimited int
}

// batchSummary is the --json output of the batch command.
type batchSummary struct {
	Command string `json:"command"` // "batch"
	File    string `json:"file"`
	// Mode is "local" or "batch_api".
	Mode     string `json:"mode"`
	Out      string `json:"out"`
	Manifest string `json:"manifest"`
	// BatchID and BatchStatus are the Batch API batch's (batch_api mode).
	BatchID     string          `json:"batch_id,omitempty"`
	BatchStatus string          `json:"batch_status,omitempty"`
	Items       []batchItemJSON `json:"items"`
	Totals      batchTotals     `json:"totals"`
	// RateLimited counts the 429 answers of a local run.
	RateLimited int        `json:"rate_limited,omitempty"`
	ElapsedMS   int64      `json:"elapsed_ms"`
	Error       *errorJSON `json:"error,omitempty"`
}

// batchItemJSON is one item of the summary.
type batchItemJSON struct {
	ID   string `json:"id"`
	Line int    `json:"line"`
	// Status is ok (done in this run), skipped (done by an earlier run),
	// failed, or not_run (interrupted, or not reached by the batch).
	Status    string     `json:"status"`
	Files     []string   `json:"files"`
	RequestID string     `json:"request_id,omitempty"`
	Attempts  int        `json:"attempts,omitempty"`
	Error     *errorJSON `json:"error,omitempty"`
}

type batchTotals struct {
	Items     int `json:"items"`
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
	NotRun    int `json:"not_run"`
}

// Item statuses of the summary.
const (
	statusOK      = "ok"
	statusSkipped = "skipped"
	statusFailed  = "failed"
	statusNotRun  = "not_run"
)

func itemStatus(it *wrapper.BatchItemResult) string {
	switch {
	case it.Skipped:
		return statusSkipped
	case it.Err == nil:
		return statusOK
	case errors.Is(it.Err, wrapper.ErrBatchItemNotRun):
		return statusNotRun
	}
	return statusFailed
}

// say prints a line of information on stderr, above the progress line,
// unless the output is JSON.
func (b *batchCmd) say(format string, a ...any) {
	if b.json {
		return
	}
	b.prog.above(func() { fmt.Fprintf(b.inv.stderr, "batch: "+format+"\n", a...) })
}

// paths prints the paths of files written on stdout, unless the output is
// JSON.
func (b *batchCmd) paths(files []string) {
	if b.json || len(files) == 0 {
		return
	}
	b.prog.above(func() {
		for _, f := range files {
			fmt.Fprintln(b.inv.stdout, f)
		}
	})
}

// runLocal runs the items here with wrapper.RunBatch.
func (b *batchCmd) runLocal(ctx context.Context, client *wrapper.Client, concurrency int) error {
	b.prog = newProgress(b.inv.stderr, b.inv.tty, "batch", "running")
	res, err := client.RunBatch(ctx, b.bf.items, wrapper.RunBatchOptions{
		OutDir: b.outDir, Concurrency: concurrency,
		OnProgress: func(p wrapper.BatchProgress) { b.onProgress(p, concurrency) },
	})
	b.prog.stop()
	if res == nil {
		res = &wrapper.BatchResult{Items: make([]wrapper.BatchItemResult, len(b.bf.items)), NotRun: len(b.bf.items)}
		for i := range res.Items {
			res.Items[i] = wrapper.BatchItemResult{Index: i, ID: b.bf.items[i].ID, Err: wrapper.ErrBatchItemNotRun}
		}
	}
	return b.finish(res, err)
}

// onProgress reports a local run's progress: the paths of the files
// written on stdout, failures on stderr, and on a terminal a status line
// (otherwise a line per item).
func (b *batchCmd) onProgress(p wrapper.BatchProgress, concurrency int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p.Item == nil {
		if todo := p.Total - p.Skipped; todo > 0 {
			b.started(p.Skipped, fmt.Sprintf("running %d, %d at a time", todo, min(concurrency, todo)))
		} else {
			b.started(p.Skipped, "nothing to run")
		}
		b.prog.setDetail(fmt.Sprintf("0/%d done", p.Total-p.Skipped))
		return
	}
	todo := p.Total - p.Skipped
	n := p.Succeeded + p.Failed
	detail := fmt.Sprintf("%d/%d done", n, todo)
	if p.Failed > 0 {
		detail += fmt.Sprintf(", %d failed", p.Failed)
	}
	b.rateLimited = p.RateLimited
	if p.RateLimited > 0 {
		detail += fmt.Sprintf(", %s", plural(p.RateLimited, "rate-limit wait"))
		if p.Interval > 0 {
			detail += fmt.Sprintf(" (requests %v apart)", p.Interval.Round(time.Millisecond))
		}
	}
	b.prog.setDetail(detail)
	i := p.Item.Index
	if p.Item.Err == nil {
		b.paths(p.Item.Files)
		if !b.inv.tty {
			b.say("[%d/%d] %s ok", n, todo, b.bf.label(i))
		}
	} else {
		b.say("[%d/%d] %s failed: %s", n, todo, b.bf.label(i), briefError(p.Item.Err))
	}
	if p.Interval > b.lastPace && !b.inv.tty {
		b.say("rate limited by the server (%s so far): requests now %v apart", plural(p.RateLimited, "429 answer"), p.Interval.Round(time.Millisecond))
	}
	b.lastPace = p.Interval
}

// started reports the items found done by an earlier run, and what
// happens to the others.
func (b *batchCmd) started(skipped int, next string) {
	total := len(b.bf.items)
	if skipped == 0 {
		b.say("%s from %s into %s: %s", plural(total, "item"), b.bf.name, b.outDir, next)
		return
	}
	b.say("%s from %s into %s: %d skipped as done by an earlier run, %s", plural(total, "item"), b.bf.name, b.outDir, skipped, next)
}

// finish reports the outcome, item by item in file order: a JSON summary
// or a line on stderr. It returns the error of the run, errReported when
// items failed, or nil.
func (b *batchCmd) finish(res *wrapper.BatchResult, err error) error {
	b.prog.stop()
	sum := batchSummary{
		Command: "batch", File: b.bf.name, Mode: "local", Out: b.outDir,
		Manifest: filepath.Join(b.outDir, wrapper.BatchManifestName), Items: []batchItemJSON{},
		RateLimited: b.rateLimited,
	}
	if b.api {
		sum.Mode, sum.BatchID, sum.BatchStatus = "batch_api", b.batchID, string(b.batchStatus)
		if err == nil && b.batch != nil {
			err = b.batch.Err() // failed, expired or cancelled
		}
	}
	for i := range res.Items {
		it := &res.Items[i]
		j := batchItemJSON{ID: it.ID, Line: b.bf.lines[i], Status: itemStatus(it), Files: it.Files,
			RequestID: it.RequestID, Attempts: it.Attempts}
		if j.Files == nil {
			j.Files = []string{}
		}
		if it.Err != nil {
			j.Error = errorInfo(it.Err)
		}
		switch j.Status {
		case statusOK:
			sum.Totals.Succeeded++
		case statusSkipped:
			sum.Totals.Skipped++
		case statusFailed:
			sum.Totals.Failed++
		default:
			sum.Totals.NotRun++
		}
		sum.Items = append(sum.Items, j)
	}
	sum.Totals.Items = len(sum.Items)
	sum.ElapsedMS = time.Since(b.start).Milliseconds()
	if err != nil {
		sum.Error = errorInfo(err)
	}
	if b.json {
		enc := json.NewEncoder(b.inv.stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(sum); jerr != nil && err == nil {
			err = jerr
		}
	} else {
		fmt.Fprintln(b.inv.stderr, b.humanLine(&sum))
	}
	if err == nil && sum.Totals.Failed+sum.Totals.NotRun > 0 {
		err = errReported
	}
	return err
}

// humanLine is the one-line account of a batch, e.g. "batch: 5 of 6 items
// done (4 now, 1 by an earlier run), 1 failed; images and manifest.jsonl in
// out (1.2s)".
func (b *batchCmd) humanLine(s *batchSummary) string {
	var w strings.Builder
	w.WriteString("batch: ")
	if s.BatchID != "" {
		fmt.Fprintf(&w, "%s %s: ", s.BatchID, s.BatchStatus)
	}
	t := s.Totals
	done := t.Succeeded + t.Skipped
	if done == t.Items {
		fmt.Fprintf(&w, "all %s done", plural(t.Items, "item"))
	} else {
		fmt.Fprintf(&w, "%d of %s done", done, plural(t.Items, "item"))
	}
	switch {
	case t.Skipped > 0 && t.Succeeded > 0:
		fmt.Fprintf(&w, " (%d now, %d skipped as done by an earlier run)", t.Succeeded, t.Skipped)
	case t.Skipped > 0:
		fmt.Fprintf(&w, " (%d skipped as done by an earlier run)", t.Skipped)
	}
	if t.Failed > 0 {
		fmt.Fprintf(&w, ", %d failed", t.Failed)
	}
	if t.NotRun > 0 {
		fmt.Fprintf(&w, ", %d not run", t.NotRun)
	}
	fmt.Fprintf(&w, "; images and %s in %s (%v)", wrapper.BatchManifestName, s.Out, time.Duration(s.ElapsedMS)*time.Millisecond)
	switch {
	case t.NotRun > 0:
		w.WriteString("; rerun the command to finish")
	case t.Failed > 0:
		w.WriteString("; a rerun retries the failed ones")
	}
	return w.String()
}

// pendingBatch is the content of pendingBatchName.
type pendingBatch struct {
	BatchID     string    `json:"batch_id"`
	BaseURL     string    `json:"base_url"`
	File        string    `json:"file"`
	Items       int       `json:"items"`
	SubmittedAt time.Time `json:"submitted_at"`
}

func (b *batchCmd) pendingPath() string { return filepath.Join(b.outDir, pendingBatchName) }

func (b *batchCmd) readPending() (*pendingBatch, error) {
	data, err := os.ReadFile(b.pendingPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p pendingBatch
	if err := json.Unmarshal(data, &p); err != nil || p.BatchID == "" {
		return nil, fmt.Errorf("%s: not a pending batch (%v): remove it to submit the items again", b.pendingPath(), err)
	}
	return &p, nil
}

func (b *batchCmd) writePending(p pendingBatch) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(b.pendingPath(), append(data, '\n'), 0o644)
}

func (b *batchCmd) removePending() {
	if err := os.Remove(b.pendingPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		b.say("warning: %v", err)
	}
}

// runBatchAPI submits the items not done yet as a Batch API batch (or,
// when an earlier run was interrupted, takes up the batch it submitted),
// waits for it, and downloads its results into the output directory.
func (b *batchCmd) runBatchAPI(ctx context.Context, client *wrapper.Client, emulator bool, wait wrapper.WaitBatchOptions) error {
	b.prog = newProgress(b.inv.stderr, b.inv.tty, "batch", "starting")
	defer b.prog.stop()
	// The items done by an earlier run (same ID, same request, files
	// present), found without sending anything.
	probe, err := client.BatchDone(b.bf.items, wrapper.RunBatchOptions{OutDir: b.outDir})
	if err != nil {
		return err
	}
	notRun := func(err error) *wrapper.BatchResult {
		res := &wrapper.BatchResult{Items: append([]wrapper.BatchItemResult(nil), probe.Items...)}
		for i := range res.Items {
			if !res.Items[i].Skipped {
				res.Items[i].Err = err
			}
		}
		return res
	}

	pend, err := b.readPending()
	if err != nil {
		return err
	}
	if pend != nil && pend.BaseURL != client.BaseURL() {
		return usagef("batch: %s names batch %s of %s, not of this server (%s): run against that server to collect it, or remove the file to submit the items again",
			b.pendingPath(), pend.BatchID, pend.BaseURL, client.BaseURL())
	}
	var batch *wrapper.Batch
	if pend != nil {
		b.say("resuming batch %s, submitted %s with %s (%s)", pend.BatchID, pend.SubmittedAt.Local().Format(time.DateTime), plural(pend.Items, "item"), b.pendingPath())
		batch, err = b.wait(ctx, client, pend.BatchID, wait, emulator)
		var apiErr *wrapper.APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == 404 {
			b.say("batch %s is not found at %s: submitting the items again", pend.BatchID, client.BaseURL())
			b.removePending()
			pend = nil
		} else if err != nil {
			return b.finish(notRun(fmt.Errorf("%w: %w", wrapper.ErrBatchItemNotRun, err)), err)
		}
	}
	if pend == nil {
		var todo []wrapper.BatchItem
		for i, it := range probe.Items {
			if !it.Skipped {
				todo = append(todo, b.bf.items[i])
			}
		}
		if len(todo) == 0 {
			b.started(probe.Skipped, "nothing to submit")
			return b.finish(probe, nil)
		}
		b.started(probe.Skipped, fmt.Sprintf("submitting %d to the Batch API", len(todo)))
		b.prog.setPhase("submitting")
		batch, err = client.SubmitBatch(ctx, todo, wrapper.SubmitBatchOptions{
			Metadata: map[string]string{"openai_images_file": clipString(filepath.Base(b.bf.name), 512)},
		})
		if err != nil {
			return b.finish(notRun(fmt.Errorf("%w: %w", wrapper.ErrBatchItemNotRun, err)), err)
		}
		b.batchID, b.batchStatus = batch.ID, batch.Status
		if !emulator {
			// The emulator's batches end with the command: nothing
			// to resume.
			p := pendingBatch{BatchID: batch.ID, BaseURL: client.BaseURL(), File: b.bf.name, Items: len(todo), SubmittedAt: time.Now().UTC()}
			if err := b.writePending(p); err != nil {
				b.say("warning: %v (a rerun cannot resume batch %s)", err, batch.ID)
			}
			b.say("submitted %s as batch %s; waiting for it (Ctrl-C stops the wait, not the batch: rerun the command to resume)", plural(len(todo), "item"), batch.ID)
		} else {
			b.say("submitted %s as batch %s to the emulator; waiting for it", plural(len(todo), "item"), batch.ID)
		}
		batch, err = b.wait(ctx, client, batch.ID, wait, emulator)
		if err != nil {
			return b.finish(notRun(fmt.Errorf("%w: %w", wrapper.ErrBatchItemNotRun, err)), err)
		}
	}
	b.batch = batch

	b.prog.setPhase("downloading the results of batch " + batch.ID)
	res, err := client.DownloadBatchResults(ctx, batch, b.outDir)
	if err == nil {
		b.removePending()
	}
	// The outcome of every item of the file: the batch's result where it
	// has one, else done by an earlier run, else not run.
	merged := notRun(fmt.Errorf("%w: not in batch %s (rerun the command to submit it)", wrapper.ErrBatchItemNotRun, batch.ID))
	if res != nil {
		at := map[string]int{}
		for i, it := range b.bf.items {
			at[it.ID] = i
		}
		for _, it := range res.Items {
			if i, ok := at[it.ID]; ok {
				it.Index = i
				merged.Items[i] = it
			}
		}
	} else if err != nil {
		merged = notRun(fmt.Errorf("%w: %w", wrapper.ErrBatchItemNotRun, err))
	}
	for i := range merged.Items {
		it := &merged.Items[i]
		switch itemStatus(it) {
		case statusOK:
			b.paths(it.Files)
		case statusFailed:
			b.say("%s failed: %s", b.bf.label(i), briefError(it.Err))
		}
	}
	b.prog.stop()
	return b.finish(merged, err)
}

// wait polls the batch until it is done, reporting its status changes.
func (b *batchCmd) wait(ctx context.Context, client *wrapper.Client, id string, opts wrapper.WaitBatchOptions, emulator bool) (*wrapper.Batch, error) {
	b.batchID = id
	opts.OnPoll = func(bt *wrapper.Batch) {
		b.batchStatus = bt.Status
		b.prog.setPhase(fmt.Sprintf("%s %s", bt.ID, bt.Status))
		if bt.Total > 0 {
			detail := fmt.Sprintf("%d/%d done", bt.Completed+bt.Failed, bt.Total)
			if bt.Failed > 0 {
				detail += fmt.Sprintf(", %d failed", bt.Failed)
			}
			b.prog.setDetail(detail)
		}
		if bt.Status != b.lastStatus || bt.ID != b.lastID {
			b.lastStatus, b.lastID = bt.Status, bt.ID
			if bt.Total > 0 {
				b.say("%s %s: %d of %d requests done, %d failed", bt.ID, bt.Status, bt.Completed+bt.Failed, bt.Total, bt.Failed)
			} else {
				b.say("%s %s", bt.ID, bt.Status)
			}
		}
	}
	batch, err := client.WaitBatch(ctx, id, opts)
	if err != nil && ctx.Err() != nil && !emulator {
		b.say("stopped waiting; batch %s goes on at the API: rerun the same command to wait for it and download its results", id)
	}
	if batch != nil {
		b.batchStatus = batch.Status
	}
	return batch, err
}

// clipString shortens s to at most n bytes.
func clipString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
