package wrapper

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// A batch item is known by its ID. An item without one is keyed by its
// content: the operation, the prompt and every parameter as sent (images by
// path), so the key stays the same wherever the item sits in the list, and
// an item whose content changes is a new item. A key reads
// <prompt slug>-<8 letters of the content's SHA-256>, e.g.
// a-sea-otter-kqzvbwem; identical items get keys of their own (the hash
// counts the occurrence), so that a list may ask for the same image twice.

// maxSlugLen bounds the prompt part of a content key.
const maxSlugLen = 40

// itemRequest is what identifies an item's request: its prompt and its
// other parameters under their API names (uploaded images as
// "image"/"mask"/"markup", by path, or by name when they have none).
type itemRequest struct {
	op     string // "generate" or "edit"
	prompt string
	params map[string]any
}

func requestOf(it *BatchItem) (itemRequest, error) {
	var body []byte
	var err error
	r := itemRequest{op: "generate"}
	switch {
	case it.Generate != nil:
		r.prompt = it.Generate.Prompt
		body, err = jsonBody(generateRequest(it.Generate, false), nil)
	case it.Edit != nil:
		r.op, r.prompt = "edit", it.Edit.Prompt
		body, err = jsonBody(editJSONRequest(it.Edit, false), editJSONExtra(it.Edit, nil))
	default:
		return r, errors.New("set exactly one of Generate and Edit")
	}
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(body, &r.params); err != nil {
		return r, err
	}
	delete(r.params, "prompt")
	if e := it.Edit; e != nil && !e.isJSON() {
		delete(r.params, "images")
		names := make([]string, len(e.Images))
		for i, im := range e.Images {
			names[i] = imageIdentity(im)
		}
		r.params["image"] = names
		if e.Mask != nil {
			r.params["mask"] = imageIdentity(*e.Mask)
		}
		if e.Markup != nil {
			r.params["markup"] = imageIdentity(*e.Markup)
		}
	}
	return r, nil
}

// imageIdentity names an uploaded image in a key: its absolute path, or its
// name for images not read from a path.
func imageIdentity(im Image) string {
	if im.path == "" {
		return im.name
	}
	if abs, err := filepath.Abs(im.path); err == nil {
		return abs
	}
	return im.path
}

// paramsJSON renders the parameters with sorted keys, for the manifest.
func (r itemRequest) paramsJSON() json.RawMessage {
	b, _ := json.Marshal(r.params) // values decoded from JSON always marshal
	return b
}

// key is the content key of the request's occurrence-th copy (from 1).
func (r itemRequest) key(occurrence int) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", r.op, r.prompt)
	h.Write(r.paramsJSON())
	if occurrence > 1 {
		fmt.Fprintf(h, "\n#%d", occurrence)
	}
	sum := h.Sum(nil)
	tag := make([]byte, 8)
	for i := range tag {
		tag[i] = 'a' + sum[i]%26
	}
	return slug(r.prompt) + "-" + string(tag)
}

// slug turns a prompt into the start of a file name: lower-case ASCII
// letters and digits, other runs of characters as one '-', at most
// maxSlugLen characters (cut at a '-' when one is near), "item" when
// nothing is left.
func slug(prompt string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(prompt) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= maxSlugLen {
			break
		}
	}
	s := b.String()
	if len(s) > maxSlugLen {
		s = s[:maxSlugLen]
		if i := strings.LastIndexByte(s, '-'); i > maxSlugLen/2 {
			s = s[:i]
		}
	}
	s = strings.Trim(s, "-")
	if s == "" {
		return "item"
	}
	return s
}

// BatchItemIDs returns the IDs of items as [Client.RunBatch] and
// [Client.SubmitBatch] use them: each item's ID, or for an item without one
// its content key (see [BatchItem]). It reports items that set both or
// neither of Generate and Edit, IDs that cannot name files and IDs used
// twice, every one of them.
func BatchItemIDs(items []BatchItem) ([]string, error) {
	ids, _, err := batchIDs(items)
	return ids, err
}

// batchIDs returns the items' IDs and whether each is a content key.
func batchIDs(items []BatchItem) (ids []string, keyed []bool, err error) {
	ids, keyed = make([]string, len(items)), make([]bool, len(items))
	var errs []error
	seen := make(map[string]int, len(items))
	copies := map[string]int{} // content key of the first copy -> copies so far
	for i := range items {
		it := &items[i]
		where := itemLabel(i, it)
		if (it.Generate == nil) == (it.Edit == nil) {
			errs = append(errs, fmt.Errorf("%s: set exactly one of Generate and Edit", where))
			continue
		}
		id := it.ID
		if id == "" {
			r, err := requestOf(it)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", where, err))
				continue
			}
			first := r.key(1)
			copies[first]++
			id, keyed[i] = r.key(copies[first]), true
		} else if err := checkBatchID(id); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		lower := strings.ToLower(id)
		if j, dup := seen[lower]; dup {
			errs = append(errs, fmt.Errorf("%s: ID %q is also %s's (IDs name files, so case is ignored)", where, id, itemLabel(j, &items[j])))
			continue
		}
		seen[lower] = i
		ids[i] = id
	}
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("openai-images: batch: %w", errors.Join(errs...))
	}
	return ids, keyed, nil
}

// itemLabel names item i in errors: by its line when it was read from a
// file.
func itemLabel(i int, it *BatchItem) string {
	if it.Line > 0 {
		return fmt.Sprintf("item %d (line %d)", i, it.Line)
	}
	return fmt.Sprintf("item %d", i)
}

// BatchItemState is what [Client.RunBatch] would do with an item, given
// what an earlier run into the same directory recorded.
type BatchItemState string

// Batch item states.
const (
	// BatchItemNew: no earlier run did the item; it runs.
	BatchItemNew BatchItemState = "new"
	// BatchItemDone: an earlier run did the same request and its files
	// are there; it is skipped.
	BatchItemDone BatchItemState = "done"
	// BatchItemChanged: an earlier run did the item (same ID, or the
	// same prompt) with other parameters; it runs again. An item with an
	// ID has its files replaced; an item keyed by content writes new ones
	// and the earlier files stay.
	BatchItemChanged BatchItemState = "changed"
	// BatchItemFailed: an earlier run failed the item; it runs again.
	BatchItemFailed BatchItemState = "failed"
)

// BatchPlan is what [Client.RunBatch] would do with a list of items in an
// output directory, found without sending anything.
type BatchPlan struct {
	// Items holds one entry per item, in input order.
	Items []BatchPlanItem
	// Done counts the items that would be skipped; Changed and Failed
	// those that run again after an earlier run did them with other
	// parameters or failed them; New the others.
	Done, Changed, Failed, New int
	// Manifest is the path of the manifest read.
	Manifest string
}

// BatchPlanItem is one item of a [BatchPlan].
type BatchPlanItem struct {
	// Index is the item's position in the input, ID its ID (or content
	// key) and Line its line in the batch file (0 when not from one).
	Index int
	ID    string
	Line  int
	State BatchItemState
	// Files are the image files of a done item.
	Files []string
	// Previous is the earlier manifest entry the state comes from (nil for
	// a new item).
	Previous *BatchManifestEntry
	// Changes say what differs from Previous for a changed item, one
	// "field: before → now" each, such as "model: dall-e-2 → dall-e-3";
	// "(unset)" stands for a parameter not sent.
	Changes []string
}

// PlanBatch reports, without sending anything, what [Client.RunBatch] would
// do with items in opts.OutDir: which items an earlier run finished (they
// are skipped), which it did with other parameters (they run again), and
// which are new. A command line can show the plan, or refuse to rerun
// changed items, before any request costs money. Only OutDir and
// RequestOptions of opts are used; the directory is not created.
func (c *Client) PlanBatch(items []BatchItem, opts RunBatchOptions) (*BatchPlan, error) {
	if opts.OutDir == "" {
		return nil, errors.New("openai-images: PlanBatch: RunBatchOptions.OutDir is required")
	}
	rc, err := c.requestConfig(opts.RequestOptions)
	if err != nil {
		return nil, err
	}
	p, _, err := c.plan(items, opts.OutDir, rc)
	return p, err
}

// plannedItem is what a run needs of an item beyond the plan.
type plannedItem struct {
	fingerprint string
	req         itemRequest
}

// plan matches items to the manifest in dir (read only).
func (c *Client) plan(items []BatchItem, dir string, rc *requestConfig) (*BatchPlan, []plannedItem, error) {
	ids, keyed, err := batchIDs(items)
	if err != nil {
		return nil, nil, err
	}
	path := filepath.Join(dir, BatchManifestName)
	var entries []BatchManifestEntry
	if f, err := os.Open(path); err == nil {
		entries, _, err = readManifest(f)
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("openai-images: batch: read %s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("openai-images: batch: %w", err)
	}
	byID := make(map[string]int, len(entries))
	byFP, byPrompt := map[string][]int{}, map[string][]int{}
	for i, e := range entries {
		byID[e.ID] = i
		if e.Status == manifestOK {
			byFP[e.RequestSHA256] = append(byFP[e.RequestSHA256], i)
			if e.Prompt != "" {
				byPrompt[e.Prompt] = append(byPrompt[e.Prompt], i)
			}
		}
	}
	claimed := make([]bool, len(entries))
	filesThere := func(e *BatchManifestEntry) bool {
		if e.Status != manifestOK || len(e.Files) == 0 {
			return false
		}
		for _, f := range e.Files {
			if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || !fi.Mode().IsRegular() {
				return false
			}
		}
		return true
	}
	paths := func(files []string) []string {
		out := make([]string, len(files))
		for i, f := range files {
			out[i] = filepath.Join(dir, f)
		}
		return out
	}

	p := &BatchPlan{Items: make([]BatchPlanItem, len(items)), Manifest: path}
	extra := make([]plannedItem, len(items))
	for i := range items {
		req, err := requestOf(&items[i])
		if err != nil {
			return nil, nil, fmt.Errorf("openai-images: batch: %s: %w", itemLabel(i, &items[i]), err)
		}
		fp, err := c.fingerprint(&items[i], rc)
		if err != nil {
			return nil, nil, fmt.Errorf("openai-images: batch: %s: %w", itemLabel(i, &items[i]), err)
		}
		extra[i] = plannedItem{fingerprint: fp, req: req}
		pi := &p.Items[i]
		*pi = BatchPlanItem{Index: i, ID: ids[i], Line: items[i].Line, State: BatchItemNew}
		// The earlier entry of the same ID.
		k, ok := byID[ids[i]]
		if !ok {
			continue
		}
		e := &entries[k]
		claimed[k] = true
		pi.Previous = e
		switch {
		case e.Status != manifestOK:
			pi.State = BatchItemFailed
		case e.RequestSHA256 != fp:
			pi.State, pi.Changes = BatchItemChanged, changes(e, req)
		case filesThere(e):
			pi.State, pi.Files = BatchItemDone, paths(e.Files)
		}
	}
	// Items keyed by content that their key did not find: the same
	// request under another ID (a manifest written before items were
	// keyed by content, when IDs counted positions), else the same
	// prompt with other parameters.
	for i := range items {
		pi := &p.Items[i]
		if !keyed[i] || pi.State != BatchItemNew || pi.Previous != nil {
			continue
		}
		for _, k := range byFP[extra[i].fingerprint] {
			if e := &entries[k]; !claimed[k] && filesThere(e) {
				claimed[k] = true
				pi.State, pi.Files, pi.Previous = BatchItemDone, paths(e.Files), e
				break
			}
		}
	}
	for i := range items {
		pi := &p.Items[i]
		if !keyed[i] || pi.State != BatchItemNew || pi.Previous != nil {
			continue
		}
		latest := -1
		for _, k := range byPrompt[extra[i].req.prompt] {
			if !claimed[k] && (latest < 0 || entries[k].Time.After(entries[latest].Time)) {
				latest = k
			}
		}
		if latest >= 0 {
			claimed[latest] = true
			e := &entries[latest]
			pi.State, pi.Previous, pi.Changes = BatchItemChanged, e, changes(e, extra[i].req)
		}
	}
	for _, pi := range p.Items {
		switch pi.State {
		case BatchItemDone:
			p.Done++
		case BatchItemChanged:
			p.Changed++
		case BatchItemFailed:
			p.Failed++
		default:
			p.New++
		}
	}
	return p, extra, nil
}

// changes lists what differs between an earlier entry's request and req.
func changes(e *BatchManifestEntry, req itemRequest) []string {
	var before map[string]any
	if len(e.Request) == 0 || json.Unmarshal(e.Request, &before) != nil {
		return []string{"the request differs from the earlier run's"}
	}
	if before == nil {
		before = map[string]any{}
	}
	var out []string
	if e.Prompt != "" && e.Prompt != req.prompt {
		out = append(out, "prompt: "+clip(e.Prompt, 40)+" → "+clip(req.prompt, 40))
	}
	keys := make([]string, 0, len(before)+len(req.params))
	for k := range before {
		keys = append(keys, k)
	}
	for k := range req.params {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		a, b := renderParam(before[k]), renderParam(req.params[k])
		if a != b {
			out = append(out, k+": "+a+" → "+b)
		}
	}
	if len(out) == 0 {
		// Same parameters: the extra body fields of the run differ.
		out = append(out, "the request's extra fields differ from the earlier run's")
	}
	return out
}

func renderParam(v any) string {
	switch v := v.(type) {
	case nil:
		return "(unset)"
	case string:
		return clip(v, 60)
	default:
		b, _ := json.Marshal(v)
		return clip(string(b), 60)
	}
}
