package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestBatchItemIDsAreContentKeys(t *testing.T) {
	gen := func(prompt string, size Size) BatchItem {
		return BatchItem{Generate: &GenerateParams{Prompt: prompt, Model: ModelDallE2, Size: size}}
	}
	items := []BatchItem{
		gen("A sea otter, holding a shell!", Size256x256),
		gen("A red fox", Size256x256),
		gen("A sea otter, holding a shell!", Size512x512), // another size: another item
		gen("A red fox", Size256x256),                     // the same again: a second copy
		gen("日本の庭", Size256x256),                          // no ASCII: "item-..."
		gen(strings.Repeat("very long prompt ", 10), Size256x256),
		{ID: "mine", Generate: &GenerateParams{Prompt: "A red fox", Model: ModelDallE2, Size: Size256x256}},
	}
	ids, err := BatchItemIDs(items)
	if err != nil {
		t.Fatal(err)
	}
	shape := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*-[a-z]{8}$`)
	for i, id := range ids[:6] {
		if !shape.MatchString(id) || len(id) > maxBatchIDLen || checkBatchID(id) != nil {
			t.Errorf("key %d = %q", i, id)
		}
	}
	for i, prefix := range []string{"a-sea-otter-holding-a-shell-", "a-red-fox-", "a-sea-otter-holding-a-shell-", "a-red-fox-", "item-", "very-long-prompt-very-long-prompt-very-"} {
		if !strings.HasPrefix(ids[i], prefix) {
			t.Errorf("key %d = %q, want it to start with %q", i, ids[i], prefix)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) || ids[6] != "mine" {
		t.Errorf("keys %q are not distinct", ids)
	}

	// Reordered, with an item inserted and one removed: every remaining
	// item keeps its key, copies included (the first copy keeps the first
	// key).
	moved := []BatchItem{gen("A kingfisher", ""), items[3], items[2], items[0], items[1], items[5]}
	again, err := BatchItemIDs(moved)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{again[0], ids[1], ids[2], ids[0], ids[3], ids[5]}; !slices.Equal(again, want) {
		t.Errorf("after reordering: %q, want %q", again, want)
	}

	// Every parameter is part of the key, uploaded images by path.
	base := EditParams{Prompt: "hat", Model: ModelGPTImage15, Images: []Image{ImageFromPath("a/otter.png")}}
	variants := []EditParams{base, base, base, base}
	variants[1].Quality = QualityHigh
	variants[2].Images = []Image{ImageFromPath("b/otter.png")}
	variants[3].Mask = Ptr(ImageFromPath("a/mask.png"))
	var edits []BatchItem
	for i := range variants {
		edits = append(edits, BatchItem{Edit: &variants[i]})
	}
	keys, err := BatchItemIDs(edits)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := BatchItemIDs(edits[:1])
	if len(slices.Compact(slices.Sorted(slices.Values(keys)))) != 4 || keys[0] != first[0] {
		t.Errorf("edit keys %q", keys)
	}

	// Every bad item is reported, with its line.
	_, err = BatchItemIDs([]BatchItem{{Line: 3}, {ID: "x", Line: 4, Generate: &GenerateParams{}}, {ID: "X", Line: 9, Generate: &GenerateParams{}}, {ID: "cat-12", Generate: &GenerateParams{}}})
	for _, want := range []string{"item 0 (line 3): set exactly one", `item 2 (line 9): ID "X" is also item 1 (line 4)'s`, `item 3: ID "cat-12" ends in "-12"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to contain %q", err, want)
		}
	}
}

// Reordering, inserting and removing lines never reruns or overwrites
// finished work.
func TestRunBatchReorderedAndInsertedRunsOnlyNewItems(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeImages{answer: func(int, string) (int, http.Header, time.Duration) { return 200, nil, 0 }}
		c := fakeClient(t, f)
		dir := t.TempDir()
		parse := func(src string) []BatchItem {
			items, err := ParseBatch(strings.NewReader(src), "prompts.txt")
			if err != nil {
				t.Fatal(err)
			}
			return items
		}
		first := parse("otter\nfox\nheron\n")
		res, err := c.RunBatch(context.Background(), first, RunBatchOptions{OutDir: dir})
		if err != nil || res.Succeeded != 3 {
			t.Fatalf("%+v, %v", res, err)
		}
		mtimes := map[string]time.Time{}
		for _, it := range res.Items {
			fi, _ := os.Stat(it.Files[0])
			mtimes[it.Files[0]] = fi.ModTime()
		}
		time.Sleep(time.Second) // a rewrite would show in the times

		f.arrivals, f.prompts = nil, nil
		second := parse("kingfisher\nheron\n# fox is gone\notter\n")
		plan, err := c.PlanBatch(second, RunBatchOptions{OutDir: dir})
		if err != nil || plan.Done != 2 || plan.New != 1 || plan.Items[0].State != BatchItemNew || plan.Items[2].State != BatchItemDone || plan.Items[2].Line != 4 {
			t.Fatalf("plan %+v, %v", plan, err)
		}
		res, err = c.RunBatch(context.Background(), second, RunBatchOptions{OutDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if _, ps, _ := f.snapshot(); !slices.Equal(ps, []string{"kingfisher"}) {
			t.Errorf("rerun sent %q, want only the new item", ps)
		}
		checkFiles(t, res, second)
		if res.Skipped != 2 || !res.Items[1].Skipped || !res.Items[2].Skipped {
			t.Errorf("rerun %+v", res)
		}
		for path, mt := range mtimes {
			if fi, err := os.Stat(path); err != nil || !fi.ModTime().Equal(mt) {
				t.Errorf("%s was rewritten or removed (%v)", path, err)
			}
		}
	})
}

func TestPlanBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fail := true
		f := &fakeImages{answer: func(_ int, prompt string) (int, http.Header, time.Duration) {
			if prompt == "broken" && fail {
				return 400, nil, 0
			}
			return 200, nil, 0
		}}
		c := fakeClient(t, f)
		dir := t.TempDir()
		g := func(prompt string, model Model) *GenerateParams {
			return &GenerateParams{Prompt: prompt, Model: model, Size: Size256x256}
		}
		items := []BatchItem{
			{Generate: g("otter", ModelDallE2)},
			{Generate: g("fox", ModelDallE2)},
			{ID: "heron", Generate: g("heron", ModelDallE2)},
			{Generate: g("broken", ModelDallE2)},
		}
		if _, err := c.RunBatch(context.Background(), items, RunBatchOptions{OutDir: dir}); err != nil {
			t.Fatal(err)
		}

		// Another model for two items (one keyed by content, one by ID).
		later := []BatchItem{
			{Generate: g("otter", ModelDallE2)},
			{Generate: g("fox", ModelDallE3)},
			{ID: "heron", Generate: g("heron", ModelDallE3)},
			{Generate: g("broken", ModelDallE2)},
			{Generate: g("kingfisher", ModelDallE2)},
		}
		f.arrivals = nil
		p, err := c.PlanBatch(later, RunBatchOptions{OutDir: filepath.Join(dir, ".")})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.arrivals) != 0 {
			t.Errorf("PlanBatch sent %d requests", len(f.arrivals))
		}
		want := []BatchItemState{BatchItemDone, BatchItemChanged, BatchItemChanged, BatchItemFailed, BatchItemNew}
		for i, pi := range p.Items {
			if pi.State != want[i] || pi.Index != i {
				t.Errorf("item %d: %+v, want %s", i, pi, want[i])
			}
		}
		if p.Done != 1 || p.Changed != 2 || p.Failed != 1 || p.New != 1 {
			t.Errorf("counts %+v", p)
		}
		for _, i := range []int{1, 2} {
			if ch := p.Items[i].Changes; !slices.Equal(ch, []string{"model: dall-e-2 → dall-e-3"}) || p.Items[i].Previous == nil {
				t.Errorf("item %d changes %q", i, ch)
			}
		}
		if pi := p.Items[0]; len(pi.Files) != 1 || pi.Previous == nil || pi.Previous.Prompt != "otter" {
			t.Errorf("done item: %+v", pi)
		}
		// The directory is only read.
		p, err = c.PlanBatch(items, RunBatchOptions{OutDir: filepath.Join(dir, "new")})
		if err != nil || p.New != 4 {
			t.Errorf("fresh directory: %+v, %v", p, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "new")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("PlanBatch created its directory: %v", err)
		}
	})
}

// A manifest written when IDs counted positions (item-00001, ...) still
// counts: its items are found by their request.
func TestPlanBatchReadsPositionalManifests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeImages{answer: func(int, string) (int, http.Header, time.Duration) { return 200, nil, 0 }}
		c := fakeClient(t, f)
		dir := t.TempDir()
		items := prompts(3)
		rc, _ := c.requestConfig(nil)
		var manifest []byte
		for i, it := range items {
			fp, err := c.fingerprint(&it, rc)
			if err != nil {
				t.Fatal(err)
			}
			name := []string{"item-00001.png", "item-00002.png", "item-00003.png"}[i]
			os.WriteFile(filepath.Join(dir, name), []byte("\x89PNG\r\n\x1a\n"+it.Generate.Prompt), 0o644)
			line, _ := json.Marshal(BatchManifestEntry{ID: strings.TrimSuffix(name, ".png"), Index: i, Status: "ok", Files: []string{name}, RequestSHA256: fp})
			manifest = append(append(manifest, line...), '\n')
		}
		os.WriteFile(filepath.Join(dir, BatchManifestName), manifest, 0o644)

		reordered := []BatchItem{items[2], items[0], {Generate: &GenerateParams{Prompt: "new"}}, items[1]}
		res, err := c.RunBatch(context.Background(), reordered, RunBatchOptions{OutDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if _, ps, _ := f.snapshot(); !slices.Equal(ps, []string{"new"}) {
			t.Errorf("sent %q", ps)
		}
		if res.Skipped != 3 || filepath.Base(res.Items[0].Files[0]) != "item-00003.png" || filepath.Base(res.Items[3].Files[0]) != "item-00002.png" {
			t.Errorf("result %+v", res)
		}
		checkFiles(t, res, reordered)
	})
}

func TestParseBatchReportsEveryBadLine(t *testing.T) {
	src := "{\"prompt\": \"ok\"}\n{\"prompt\": \"x\", \"sise\": \"1\"}\n\n{\"prompt\": \"y\"}\n{\"prompt\": }\n{\"id\": \"a-2\", \"prompt\": \"z\"}\n"
	_, err := ParseBatch(strings.NewReader(src), "b.jsonl")
	var fe *BatchFileError
	if !errors.As(err, &fe) || len(fe.Lines) != 3 || fe.Lines[0].Line != 2 || fe.Lines[1].Line != 5 || fe.Lines[2].Line != 6 {
		t.Fatalf("error %#v", err)
	}
	for _, want := range []string{`b.jsonl:2: json: unknown field "sise"`, "; b.jsonl:5: ", `; b.jsonl:6: ID "a-2" ends in "-2"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v: want %q", err, want)
		}
	}
	items, err := ParseBatch(strings.NewReader("# c\n\none\n  two\n"), "p.txt")
	if err != nil || len(items) != 2 || items[0].Line != 3 || items[1].Line != 4 {
		t.Errorf("lines: %+v, %v", items, err)
	}
}
