package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
		d            wrapper.GenerateParams
		np           newerParams
		escape       escapeFlags
		compression  optInt
		file         string
		outDir       = "out"
		jsonOut      bool
		quiet        bool
		concurrency  optInt
		batchAPI     bool
		rerunChanged bool
		poll         time.Duration
		conn         connFlags
	)
	sum := &batchSummary{Command: "batch", Mode: "local", Items: []batchItemJSON{}}
	inv.report = sum
	c := newFlags("batch", "batch [flags] FILE",
		"Generate (or edit) the images of every item of a batch file, FILE or --file FILE\n"+
			"(- reads standard input): plain text, one prompt a line, or JSONL, one object a\n"+
			"line with the item's parameters by their API names:\n"+
			"  {\"id\": \"otter\", \"prompt\": \"a sea otter\", \"model\": \"gpt-image-2\", \"size\": \"1024x768\"}\n"+
			"  {\"prompt\": \"add a hat\", \"images\": [\"otter.png\"], \"mask\": \"mask.png\"}\n"+
			"An object with images is an edit; blank lines and lines starting with # are\n"+
			"skipped. The request flags fill in what an item does not set. Every item is\n"+
			"checked before the first request. Items run here, --concurrency at a time, or\n"+
			"with --batch-api through the OpenAI Batch API (half price, results within 24\n"+
			"hours). Each item's images go to --out-dir as ID.ext (ID-1.ext, ID-2.ext, ...\n"+
			"for several), its outcome to --out-dir/manifest.jsonl as it finishes. An item\n"+
			"without an id is known by its content, prompt and parameters (its ID is the\n"+
			"prompt's first words and a hash: a-sea-otter-kqzvbwem), so rerunning the\n"+
			"command, with lines added, removed or reordered, runs only what is not done.\n"+
			"An item done before with other parameters is reported and nothing is sent,\n"+
			"unless --rerun-changed.",
		`openai-images batch --emulator -m gpt-image-1-mini -s 1024x1024 prompts.txt`,
		`openai-images batch -m gpt-image-1-mini --quality low --concurrency 8 --out-dir otters items.jsonl`,
		`openai-images batch --batch-api -m gpt-image-1.5 -s 1024x1024 --out-dir nightly prompts.txt`,
		`openai-images batch -m gpt-image-2.5-flare --output-format gif --frame-count 6 --out-dir loops prompts.txt`,
		`grep -v draft ideas.txt | openai-images batch --json -m gpt-image-2 - > summary.json`,
	)
	c.section("Input")
	c.str(&file, "file", "FILE", "the batch file (or give it as the argument); - reads standard input")
	c.short("f", "file")
	c.section("Request parameters for the items that do not set them (sent only when given)")
	requestFlags(c, nil, &d.Model, &d.N, &d.Size)
	c.setUsage("model", modelHelp(wrapper.OpGenerate))
	c.setUsage("size", helpSize)
	c.str((*string)(&d.Quality), "quality", "Q", helpQuality)
	np.registerComplexity(c)
	c.str((*string)(&d.Style), "style", "STYLE", "vivid or natural (generations with the retired dall-e-3)")
	c.str((*string)(&d.Background), "background", "BG", helpBackground)
	c.str((*string)(&d.Moderation), "moderation", "LEVEL", "auto or low (GPT image models)")
	c.str((*string)(&d.OutputFormat), "output-format", "FORMAT", helpOutputFormat)
	c.value(&compression, "output-compression", "0-100", helpCompression)
	np.registerOutput(c)
	c.str((*string)(&d.ResponseFormat), "response-format", "FORMAT", helpResponseFormat)
	c.str(&d.SafetyIdentifier, "safety-identifier", "ID", helpSafetyID)
	c.str(&d.User, "user", "ID", helpUser)
	escape.register(c)
	c.section("Running")
	c.value(&concurrency, "concurrency", "N", fmt.Sprintf("requests in flight at once in a local run, 1-%d (default %d); on a 429 the batch also paces its requests to the server's rate", maxConcurrency, defaultConcurrency))
	c.boolean(&batchAPI, "batch-api", "submit the items to the Batch API instead (half price, results within 24 hours), wait for the batch and download its results into --out-dir; Ctrl-C stops the wait, not the batch, and a rerun resumes it")
	c.duration(&poll, "poll-interval", "DURATION", fmt.Sprintf("--batch-api: the first wait between polls of the batch, doubled while nothing changes, up to 1m (default %v; %v with --emulator)", defaultPollInterval, emulatorPollInterval))
	c.boolean(&rerunChanged, "rerun-changed", "run again the items an earlier run into --out-dir did with other parameters (items without an id get new files beside the earlier ones; items with an id have theirs replaced)")
	c.section("Output")
	c.str(&outDir, "out-dir", "DIR", "directory for the images and manifest.jsonl, created if needed; a rerun into the same DIR skips the items done (default ./out)")
	c.alias("out", "out-dir")
	c.boolean(&jsonOut, "json", "print one JSON object on stdout when done (every item's status, files and error; totals), on success and on failure")
	c.boolean(&quiet, "quiet", "print no progress on stderr: only failures")
	c.short("q", "quiet")
	conn.register(c)

	rest, err := c.parse(inv, args)
	if err != nil {
		return err
	}
	inv.warnUser(c, quiet)
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
		return usagef("batch: --out-dir DIR must not be empty")
	}
	sum.Out, sum.Manifest = outDir, filepath.Join(outDir, wrapper.BatchManifestName)
	if batchAPI {
		sum.Mode = "batch_api"
	}

	bf, err := readBatchFile(inv, file)
	if err != nil {
		return err
	}
	sum.File = bf.name
	d.OutputCompression = compression.ptr()
	d.Complexity, d.FrameCount, d.SVG = np.complexity, np.frameCount, np.svg()
	if d.FrameDuration, err = np.frameDuration("batch"); err != nil {
		return err
	}
	wrapper.ApplyBatchDefaults(bf.items, d)
	if bf.ids, err = wrapper.BatchItemIDs(bf.items); err != nil {
		return usagef("batch: %s", strings.TrimPrefix(err.Error(), "openai-images: batch: "))
	}
	// Until the items run, the report lists them as not run (a line that
	// is not an item as invalid).
	sum.Items, sum.Totals = bf.summaryItems()
	if batchAPI && len(bf.bad) == 0 {
		if err := bf.checkBatchAPI(); err != nil {
			return err
		}
	}
	// Every item is checked, and every problem of the file reported with
	// the lines that are not items, before the first request. On Azure the
	// items' models name deployments, whose models only the client knows:
	// they are checked once it is made.
	azure, err := conn.azure(inv)
	if err != nil {
		return err
	}
	validate := func(check checker) error {
		err := bf.validate(batchAPI, check)
		if err != nil {
			sum.Items, sum.Totals = bf.summaryItems()
		}
		return err
	}
	switch {
	case escape.noValidate:
		if err := validate(nil); err != nil { // the lines that are not items
			return err
		}
	case !azure:
		judge, err := inv.judge(&conn)
		if err != nil {
			return err
		}
		if err := validate(judge); err != nil {
			return err
		}
	}
	conn.model = d.Model
	client, release, err := inv.client(&conn)
	if err != nil {
		return err
	}
	defer release()
	if azure && !escape.noValidate {
		if err := validate(client); err != nil {
			return err
		}
	}
	reqOpts := escape.options()
	plan, err := client.PlanBatch(bf.items, wrapper.RunBatchOptions{OutDir: outDir, RequestOptions: reqOpts})
	if err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	if err := bf.checkChanged(plan, outDir, rerunChanged); err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("--out-dir: %w", err)
	}
	b := &batchCmd{inv: inv, bf: bf, plan: plan, sum: sum, outDir: outDir, json: jsonOut, quiet: quiet, api: batchAPI,
		reqOpts: reqOpts, start: time.Now(), now: time.Now}
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
	ids   []string // the items' IDs: their own, or their content keys
	jsonl bool
	// bad are the lines that are not items (JSON syntax, unknown fields,
	// ...): items holds the others, so that their problems are found too.
	bad []wrapper.BatchLineError
	// problems are the problems validate found in each item (nil: none,
	// or not checked).
	problems []error
}

// readBatchFile reads and parses the batch file at path ("-": standard
// input). A file that cannot be read or parsed is a usage error, with
// every bad line: nothing was sent.
func readBatchFile(inv *invocation, path string) (*batchFile, error) {
	name := path
	var data []byte
	var err error
	if path == "-" {
		name = "stdin"
		data, err = inv.readStdin("batch", maxBatchFile)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			return nil, err
		}
		return nil, usagef("batch: %v", err)
	}
	items, err := wrapper.ParseBatch(bytes.NewReader(data), name)
	var fe *wrapper.BatchFileError
	var bad []wrapper.BatchLineError
	if errors.As(err, &fe) {
		// The other lines are items still: parsed again without the bad
		// ones (blanked, so that every line keeps its number), they are
		// checked too, and every problem of the file reported at once.
		bad = fe.Lines
		if items, err = wrapper.ParseBatch(bytes.NewReader(blankLines(data, bad)), name); err != nil {
			return nil, lineErrors(fe)
		}
	}
	if err != nil {
		return nil, usagef("batch: %s", strings.TrimPrefix(err.Error(), "openai-images: "))
	}
	if len(items) == 0 && len(bad) == 0 {
		return nil, usagef("batch: %s has no items (blank lines and lines starting with # are skipped)", name)
	}
	// Only JSONL lines can be bad: a line of text is a prompt.
	bf := &batchFile{name: name, items: items, bad: bad, jsonl: len(bad) > 0}
	if len(items) > 0 {
		bf.jsonl = strings.HasPrefix(strings.TrimSpace(lineAt(data, items[0].Line)), "{")
	}
	return bf, nil
}

// blankLines returns data with the bad lines emptied.
func blankLines(data []byte, bad []wrapper.BatchLineError) []byte {
	ls := bytes.Split(data, []byte("\n"))
	for _, l := range bad {
		if l.Line >= 1 && l.Line <= len(ls) {
			ls[l.Line-1] = nil
		}
	}
	return bytes.Join(ls, []byte("\n"))
}

// maxBatchFile bounds a batch file read from standard input.
const maxBatchFile = 1 << 30

// lineErrors reports every bad line of a batch file.
func lineErrors(fe *wrapper.BatchFileError) error {
	var b strings.Builder
	ue := &usageError{}
	if len(fe.Lines) == 1 {
		l := fe.Lines[0]
		fmt.Fprintf(&b, "batch: %s:%d: %v", fe.Name, l.Line, l.Err)
	} else {
		fmt.Fprintf(&b, "batch: %d lines of %s are not items, nothing was sent:", len(fe.Lines), fe.Name)
		for i, l := range fe.Lines {
			if i == maxListed {
				fmt.Fprintf(&b, "\n  ... and %d more", len(fe.Lines)-i)
				break
			}
			fmt.Fprintf(&b, "\n  %s:%d: %v", fe.Name, l.Line, l.Err)
		}
	}
	for _, l := range fe.Lines {
		ue.problems = append(ue.problems, problemJSON{Line: l.Line, Rule: l.Err.Error()})
	}
	ue.msg = b.String()
	return ue
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
	if bf.items[i].Line == 0 {
		return bf.ids[i]
	}
	return fmt.Sprintf("%s (%s:%d)", bf.ids[i], bf.name, bf.items[i].Line)
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

// checker checks an item as Generate or Edit would: a client (on Azure,
// the one that sends; elsewhere inv.judge's).
type checker interface {
	CheckGenerate(p wrapper.GenerateParams, stream bool) error
	CheckEdit(p wrapper.EditParams, stream bool) error
}

// validate checks every item as Generate and Edit would, images included,
// before anything is sent (with check nil, when --no-validate turns the
// checks off, none is). Any problem, or any line that is not an item, is
// a usage error listing them all, each with its line, and nothing is
// sent.
func (bf *batchFile) validate(batchAPI bool, check checker) error {
	bf.problems = make([]error, len(bf.items))
	invalid := 0
	for i, it := range bf.items {
		switch {
		case check == nil:
			continue
		case it.Generate != nil:
			bf.problems[i] = check.CheckGenerate(*it.Generate, false)
		default:
			bf.problems[i] = check.CheckEdit(*it.Edit, false)
		}
		if bf.problems[i] != nil {
			invalid++
		}
	}
	errs := bf.problems
	switch {
	case invalid == 0 && len(bf.bad) == 0:
		return nil
	case invalid == 0:
		fe := &wrapper.BatchFileError{Name: bf.name, Lines: bf.bad}
		return lineErrors(fe)
	}
	ue := &usageError{kind: kindValidation}
	for _, e := range bf.entries() {
		ue.problems = append(ue.problems, e.problems...)
	}
	var b strings.Builder
	if len(bf.bad) == 0 && invalid == len(bf.items) && len(bf.items) > 1 && sameProblems(errs) {
		fmt.Fprintf(&b, "batch: invalid parameters in every item of %s, nothing was sent:", bf.name)
		var ve *wrapper.ValidationError
		if !errors.As(errs[0], &ve) {
			fmt.Fprintf(&b, "\n  %s", briefError(errs[0]))
		} else {
			for _, p := range ve.Problems {
				s := suggestProblem(p)
				if !bf.jsonl {
					p.Field = flagName(p.Field) // every parameter came from a flag
				}
				p.Rule, p.Allowed = inFlags(p.Rule), inFlags(p.Allowed)
				fmt.Fprintf(&b, "\n  %s", p)
				if s != "" {
					fmt.Fprintf(&b, "; did you mean %s?", s)
				}
			}
		}
		ue.msg = b.String()
		return ue
	}
	what := "these items"
	if len(bf.bad) == 0 {
		fmt.Fprintf(&b, "batch: invalid parameters in %d of %s, nothing was sent:", invalid, plural(len(bf.items), "item"))
	} else {
		what = "these lines"
		fmt.Fprintf(&b, "batch: %s of %s %s, and %d of %s %s invalid parameters, nothing was sent:",
			plural(len(bf.bad), "line"), bf.name, map[bool]string{true: "is not an item", false: "are not items"}[len(bf.bad) == 1],
			invalid, plural(len(bf.items), "item"), map[bool]string{true: "has", false: "have"}[invalid == 1])
	}
	shown, total := 0, invalid+len(bf.bad)
	for _, e := range bf.entries() {
		if e.status != statusInvalid {
			continue
		}
		if shown == maxListed {
			fmt.Fprintf(&b, "\n  ... and %d more (--json lists them all)", total-shown)
			break
		}
		shown++
		fmt.Fprintf(&b, "\n  %s", e.text)
	}
	if batchAPI {
		fmt.Fprintf(&b, "\nThe Batch API takes a batch whole: fix or remove %s.", what)
	} else {
		fmt.Fprintf(&b, "\nFix or remove %s: the others run once they are.", what)
	}
	ue.msg = b.String()
	return ue
}

// fileEntry is an item of the batch file, or a line that is not one, as
// the checks before the first request found it.
type fileEntry struct {
	line   int
	id     string // "" for a line that is not an item
	status string // statusInvalid or statusNotRun
	text   string // what is wrong, on one line, starting with where
	err    *errorJSON
	// problems are the error's problems, each with the item and line.
	problems []problemJSON
}

// entries lists the items and the lines that are not items, in the order
// of the file, with the problems found.
func (bf *batchFile) entries() []fileEntry {
	var out []fileEntry
	for _, l := range bf.bad {
		p := problemJSON{Line: l.Line, Rule: l.Err.Error()}
		text := fmt.Sprintf("%s:%d: %v", bf.name, l.Line, l.Err)
		out = append(out, fileEntry{line: l.Line, status: statusInvalid, text: text, problems: []problemJSON{p},
			err: &errorJSON{Kind: kindUsage, Message: text, Problems: []problemJSON{p}}})
	}
	for i, it := range bf.items {
		e := fileEntry{line: it.Line, id: bf.ids[i], status: statusNotRun}
		if i < len(bf.problems) && bf.problems[i] != nil {
			err := bf.problems[i]
			e.status, e.text = statusInvalid, bf.label(i)+": "+problemList(err)
			var ve *wrapper.ValidationError
			if errors.As(err, &ve) {
				for _, p := range ve.Problems {
					e.problems = append(e.problems, problemJSON{Item: bf.ids[i], Line: it.Line, Field: p.Field, Flag: flagName(p.Field),
						Value: p.Value, Rule: inFlags(p.Rule), Allowed: inFlags(p.Allowed), Suggestion: suggestion(p)})
				}
				e.err = &errorJSON{Kind: kindValidation, Message: problemList(err), Problems: e.problems}
			} else {
				e.problems = []problemJSON{{Item: bf.ids[i], Line: it.Line, Rule: briefError(err)}}
				e.err = errorInfo(err)
			}
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b fileEntry) int { return cmp.Compare(a.line, b.line) })
	return out
}

// summaryItems are the --json items of a run that has not run them: the
// items not run, or invalid, and the lines that are not items (invalid,
// without an ID), in the order of the file.
func (bf *batchFile) summaryItems() ([]batchItemJSON, batchTotals) {
	items := []batchItemJSON{}
	var t batchTotals
	for _, e := range bf.entries() {
		items = append(items, batchItemJSON{ID: e.id, Line: e.line, Status: e.status, Files: []string{}, Error: e.err})
		if e.status == statusInvalid {
			t.Invalid++
		} else {
			t.NotRun++
		}
	}
	t.Items = len(items)
	return items, t
}

// checkChanged refuses to run items an earlier run did with other
// parameters, unless asked to: a changed flag would otherwise rerun (and
// pay for) every item without a word.
func (bf *batchFile) checkChanged(plan *wrapper.BatchPlan, outDir string, rerun bool) error {
	if plan.Changed == 0 || rerun {
		return nil
	}
	ue := &usageError{code: "batch_items_changed"}
	var b strings.Builder
	fmt.Fprintf(&b, "batch: %s of %s %s done by an earlier run into %s with other parameters, nothing was sent:",
		plural(plan.Changed, "item"), bf.name, map[bool]string{true: "was", false: "were"}[plan.Changed == 1], outDir)
	shown := 0
	for i, pi := range plan.Items {
		if pi.State != wrapper.BatchItemChanged {
			continue
		}
		ue.problems = append(ue.problems, problemJSON{Item: pi.ID, Line: pi.Line, Rule: "changed since the earlier run: " + strings.Join(pi.Changes, ", ")})
		if shown == maxListed {
			continue
		}
		shown++
		fmt.Fprintf(&b, "\n  %s: %s", bf.label(i), strings.Join(pi.Changes, ", "))
	}
	if shown < plan.Changed {
		fmt.Fprintf(&b, "\n  ... and %d more (--json lists them all)", plan.Changed-shown)
	}
	b.WriteString("\nTo run them again, add --rerun-changed (items without an id get new files beside the earlier ones;" +
		" items with an id have theirs replaced), or use another --out-dir.")
	ue.msg = b.String()
	return ue
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

// problemList renders a validation error's problems on one line, with
// the value a refused one looks like a typo of.
func problemList(err error) string {
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) {
		return briefError(err)
	}
	ps := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		s := suggestProblem(p)
		p.Rule, p.Allowed = inFlags(p.Rule), inFlags(p.Allowed)
		if s != "" {
			p.Rule += "; did you mean " + s + "?"
		}
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
	inv     *invocation
	bf      *batchFile
	plan    *wrapper.BatchPlan
	reqOpts []wrapper.RequestOption // --extra, --no-validate
	sum     *batchSummary
	outDir  string
	json    bool
	quiet   bool
	api     bool // --batch-api
	start   time.Time
	now     func() time.Time
	prog    *progress
	meter   *meter

	// The Batch API batch: its ID once submitted (or resumed), its
	// latest status, and the batch once done.
	batchID     string
	batchStatus wrapper.BatchStatus
	batch       *wrapper.Batch

	mu          sync.Mutex // serialises the reports of a local run
	lastID      string
	reported    int // the statuses of the path of batch lastID reported (statusPath)
	lastPace    time.Duration
	rateLimited int
	pace        string // the rate-limit part of the status line
}

// batchSummary is the --json output of the batch command (see jsonHelp).
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
	ExitCode    int        `json:"exit_code"`
	Error       *errorJSON `json:"error,omitempty"`
}

func (s *batchSummary) setOutcome(code int, e *errorJSON) { s.ExitCode, s.Error = code, e }

// batchItemJSON is one item of the summary.
type batchItemJSON struct {
	ID   string `json:"id"`
	Line int    `json:"line"`
	// Status is ok (done in this run), skipped (done by an earlier run),
	// failed, not_run (interrupted, not reached by the batch, or the run
	// ended before the items ran), or invalid (refused before the first
	// request; ID "" for a line that is not an item).
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
	// Invalid counts the items refused before the first request, and the
	// lines that are not items.
	Invalid int `json:"invalid,omitempty"`
}

// Item statuses of the summary.
const (
	statusOK      = "ok"
	statusSkipped = "skipped"
	statusFailed  = "failed"
	statusNotRun  = "not_run"
	statusInvalid = "invalid" // refused before the first request: nothing was sent
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
// unless the output is JSON or quiet.
func (b *batchCmd) say(format string, a ...any) {
	if b.json || b.quiet {
		return
	}
	b.prog.above(func() { fmt.Fprintf(b.inv.stderr, "batch: "+format+"\n", a...) })
}

// failed reports an item that failed: on stderr, --quiet or not (not with
// --json, whose report has it).
func (b *batchCmd) failed(format string, a ...any) {
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

// startProgress starts the status line (on a terminal, unless quiet or
// JSON), which shows the meter.
func (b *batchCmd) startProgress(phase string) {
	b.meter = newMeter(len(b.bf.items), b.plan.Done, b.now)
	b.prog = b.inv.newProgress(b.inv.tty && !b.quiet && !b.json, "batch", phase)
	b.prog.render = func(label, phase string, elapsed time.Duration) string {
		b.mu.Lock()
		defer b.mu.Unlock()
		line := label + ": " + b.meter.String()
		if phase != "" {
			line = label + ": " + phase + ", " + b.meter.String()
		}
		return line + b.pace
	}
}

// runLocal runs the items here with wrapper.RunBatch.
func (b *batchCmd) runLocal(ctx context.Context, client *wrapper.Client, concurrency int) error {
	b.startProgress("")
	res, err := client.RunBatch(ctx, b.bf.items, wrapper.RunBatchOptions{
		OutDir: b.outDir, Concurrency: concurrency, RequestOptions: b.reqOpts,
		OnProgress: func(p wrapper.BatchProgress) { b.onProgress(p, concurrency) },
	})
	b.prog.stop()
	if res == nil {
		res = &wrapper.BatchResult{Items: make([]wrapper.BatchItemResult, len(b.bf.items)), NotRun: len(b.bf.items)}
		for i := range res.Items {
			res.Items[i] = wrapper.BatchItemResult{Index: i, ID: b.bf.ids[i], Err: wrapper.ErrBatchItemNotRun}
		}
	}
	return b.finish(res, err)
}

// onProgress reports a local run's progress: the paths of the files
// written on stdout, failures on stderr, and a status line on a terminal
// (otherwise a line per item) with the items done of all, resumed ones
// included, the rate and the time left.
func (b *batchCmd) onProgress(p wrapper.BatchProgress, concurrency int) {
	if p.Item == nil {
		todo := p.Total - p.Skipped
		b.mu.Lock()
		b.meter.begin()
		b.mu.Unlock()
		switch {
		case todo == 1:
			b.started(p.Skipped, "running 1")
		case todo > 1:
			b.started(p.Skipped, fmt.Sprintf("running %d, %d at a time", todo, min(concurrency, todo)))
		default:
			b.started(p.Skipped, "nothing to run")
		}
		b.prog.redraw()
		return
	}
	b.mu.Lock()
	b.meter.update(p.Succeeded, p.Failed)
	b.rateLimited = p.RateLimited
	b.pace = ""
	if p.RateLimited > 0 {
		b.pace = ", " + plural(p.RateLimited, "rate-limit wait")
		if p.Interval > 0 {
			b.pace += fmt.Sprintf(" (requests %v apart)", p.Interval.Round(time.Millisecond))
		}
	}
	line, tail := b.meter.itemLine(), b.meter.tail()
	paced := p.Interval > b.lastPace
	b.lastPace = p.Interval
	b.mu.Unlock()

	i := p.Item.Index
	if p.Item.Err == nil {
		b.paths(p.Item.Files)
		if !b.inv.tty {
			b.say("%s %s ok%s", line, b.bf.label(i), tail)
		}
	} else if b.quiet || b.inv.tty {
		b.failed("%s failed: %s", b.bf.label(i), briefError(p.Item.Err))
	} else {
		b.failed("%s %s failed: %s%s", line, b.bf.label(i), briefError(p.Item.Err), tail)
	}
	if paced && !b.inv.tty {
		b.say("rate limited by the server (%s so far): requests now %v apart", plural(p.RateLimited, "429 answer"), p.Interval.Round(time.Millisecond))
	}
	b.prog.redraw()
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

// finish records the outcome, item by item in file order, in the --json
// report, and sums it up in a line on stderr. It returns the error of the
// run, errReported when items failed, or nil.
func (b *batchCmd) finish(res *wrapper.BatchResult, err error) error {
	b.prog.stop()
	sum := b.sum
	sum.RateLimited = b.rateLimited
	if b.api {
		sum.BatchID, sum.BatchStatus = b.batchID, string(b.batchStatus)
		if err == nil && b.batch != nil {
			err = b.batch.Err() // failed, expired or cancelled
		}
	}
	sum.Items, sum.Totals = []batchItemJSON{}, batchTotals{}
	for i := range res.Items {
		it := &res.Items[i]
		j := batchItemJSON{ID: it.ID, Line: b.bf.items[i].Line, Status: itemStatus(it), Files: it.Files,
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
	if !b.json && (!b.quiet || err != nil || sum.Totals.Failed+sum.Totals.NotRun > 0) {
		fmt.Fprintln(b.inv.stderr, b.humanLine(sum))
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

// planResult is the plan as a result: the items done by an earlier run
// skipped, the others marked with err.
func (b *batchCmd) planResult(err error) *wrapper.BatchResult {
	res := &wrapper.BatchResult{Items: make([]wrapper.BatchItemResult, len(b.plan.Items))}
	for i, pi := range b.plan.Items {
		it := wrapper.BatchItemResult{Index: i, ID: pi.ID}
		if pi.State == wrapper.BatchItemDone {
			it.Skipped, it.Files, it.RequestID = true, pi.Files, pi.Previous.RequestID
		} else {
			it.Err = err
		}
		res.Items[i] = it
	}
	return res
}

// runBatchAPI submits the items not done yet as a Batch API batch (or,
// when an earlier run was interrupted, takes up the batch it submitted),
// waits for it, and downloads its results into the output directory.
func (b *batchCmd) runBatchAPI(ctx context.Context, client *wrapper.Client, emulator bool, wait wrapper.WaitBatchOptions) error {
	b.startProgress("starting")
	defer b.prog.stop()
	notRun := func(err error) *wrapper.BatchResult { return b.planResult(err) }

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
		// The items not done, under the IDs the whole file gives them
		// (identical items are told apart by their place among copies).
		var todo []wrapper.BatchItem
		for i, pi := range b.plan.Items {
			if pi.State != wrapper.BatchItemDone {
				it := b.bf.items[i]
				it.ID = pi.ID
				todo = append(todo, it)
			}
		}
		if len(todo) == 0 {
			b.started(b.plan.Done, "nothing to submit")
			return b.finish(notRun(nil), nil)
		}
		b.started(b.plan.Done, fmt.Sprintf("submitting %d to the Batch API", len(todo)))
		b.prog.setPhase("submitting")
		batch, err = client.SubmitBatch(ctx, todo, wrapper.SubmitBatchOptions{
			Metadata: map[string]string{"openai_images_file": clipString(filepath.Base(b.bf.name), 512)},
		}, b.reqOpts...)
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
		b.mu.Lock()
		b.meter.begin()
		b.mu.Unlock()
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
		for i, id := range b.bf.ids {
			at[id] = i
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
			b.failed("%s failed: %s", b.bf.label(i), briefError(it.Err))
		}
	}
	b.prog.stop()
	return b.finish(merged, err)
}

// wait polls the batch until it is done, reporting every status it goes
// through and the items done of all (those of earlier runs included).
func (b *batchCmd) wait(ctx context.Context, client *wrapper.Client, id string, opts wrapper.WaitBatchOptions, emulator bool) (*wrapper.Batch, error) {
	b.batchID = id
	opts.OnPoll = func(bt *wrapper.Batch) {
		b.batchStatus = bt.Status
		b.mu.Lock()
		b.meter.update(bt.Completed, bt.Failed)
		b.mu.Unlock()
		b.prog.setPhase(fmt.Sprintf("%s %s", bt.ID, bt.Status))
		if bt.ID != b.lastID {
			b.lastID, b.reported = bt.ID, 0
		}
		path := statusPath(bt)
		for _, st := range path[min(b.reported, len(path)):] {
			b.say("%s", statusLine(bt, st))
		}
		b.reported = max(b.reported, len(path))
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

// statusPath lists the statuses a batch has gone through, in order, as its
// status and the times of its transitions tell: validating, in_progress,
// finalizing, cancelling, then how it ended. A poll sees the batch at one
// moment, and how many polls fall in each status depends on timing; the
// path does not, so that the lines reporting it are the same whatever the
// timing (the emulator's batches, made in milliseconds, included).
func statusPath(bt *wrapper.Batch) []wrapper.BatchStatus {
	path := []wrapper.BatchStatus{wrapper.BatchValidating}
	for _, step := range []struct {
		status wrapper.BatchStatus
		at     time.Time
	}{
		{wrapper.BatchInProgress, bt.InProgressAt},
		{wrapper.BatchFinalizing, bt.FinalizingAt},
		{wrapper.BatchCancelling, bt.CancellingAt},
	} {
		if !step.at.IsZero() || bt.Status == step.status {
			path = append(path, step.status)
		}
	}
	if bt.Status.Done() {
		path = append(path, bt.Status)
	}
	return path
}

// statusLine reports that batch bt reached status st: with the number of
// its requests once they are known, and how many were done and failed
// once it is over.
func statusLine(bt *wrapper.Batch, st wrapper.BatchStatus) string {
	switch {
	case bt.Total == 0 || st == wrapper.BatchValidating:
		return fmt.Sprintf("%s %s", bt.ID, st)
	case st.Done():
		return fmt.Sprintf("%s %s: %d of %d requests done, %d failed", bt.ID, st, bt.Completed+bt.Failed, bt.Total, bt.Failed)
	case st == wrapper.BatchInProgress:
		return fmt.Sprintf("%s %s: %s", bt.ID, st, plural(bt.Total, "request"))
	}
	return fmt.Sprintf("%s %s", bt.ID, st)
}

// clipString shortens s to at most n bytes.
func clipString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
