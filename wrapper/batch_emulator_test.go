package wrapper_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

// emulatorClient starts an emulator on loopback with a client for it.
func emulatorClient(t *testing.T, opts ...wrapper.Option) (*imagestest.Server, *wrapper.Client) {
	t.Helper()
	srv := imagestest.NewServer()
	t.Cleanup(func() {
		srv.Close()
		for _, v := range srv.Violations() {
			t.Errorf("emulator response broke the spec: %v", v)
		}
	})
	c, err := wrapper.New(append([]wrapper.Option{wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-emulator")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// imageRequests returns the prompts of the image requests the emulator got.
func imageRequests(e *imagestest.Emulator) []string {
	var out []string
	for _, r := range e.Requests() {
		if strings.HasPrefix(r.Path, "/v1/images/") {
			p, _ := r.Params["prompt"].(string)
			out = append(out, p)
		}
	}
	return out
}

func TestRunBatchAgainstEmulator(t *testing.T) {
	t.Parallel()
	srv, c := emulatorClient(t)
	ctx := context.Background()
	// A PNG whose header is fine (client validation passes) but whose
	// data is cut short: the emulator cannot decode it and answers 400.
	var buf bytes.Buffer
	png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 64, 64)))
	truncated := "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()[:60])

	var items []wrapper.BatchItem
	for i := range 8 {
		items = append(items, wrapper.BatchItem{Generate: gen256(fmt.Sprintf("prompt number %d", i))})
	}
	items[2] = wrapper.BatchItem{ID: "invalid", Generate: &wrapper.GenerateParams{Prompt: "x", Model: wrapper.ModelDallE3, N: 3}}
	items[5] = wrapper.BatchItem{ID: "bad-image", Edit: &wrapper.EditParams{Prompt: "x", Model: wrapper.ModelGPTImage1Mini,
		ImageRefs: []wrapper.ImageRef{wrapper.ImageURL(truncated)}}}
	dir := t.TempDir()
	var mu sync.Mutex
	var done []int
	res, err := c.RunBatch(ctx, items, wrapper.RunBatchOptions{OutDir: dir, Concurrency: 3, OnProgress: func(p wrapper.BatchProgress) {
		mu.Lock()
		defer mu.Unlock()
		done = append(done, p.Done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := wrapper.BatchItemIDs(items)
	if err != nil {
		t.Fatal(err)
	}
	if res.Succeeded != 6 || res.Failed != 2 || res.Err() == nil || len(done) != 9 || done[8] != 8 {
		t.Fatalf("result %+v, progress %v", res, done)
	}
	var verr *wrapper.ValidationError
	if it := res.Items[2]; it.ID != "invalid" || !errors.As(it.Err, &verr) || it.Files != nil {
		t.Errorf("invalid item: %+v", it)
	}
	var apiErr *wrapper.APIError
	if it := res.Items[5]; !errors.As(it.Err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Code != "invalid_image" || it.RequestID == "" || it.RequestID != apiErr.RequestID {
		t.Errorf("bad image item: %+v", it)
	}
	// Every file is its own prompt's image: the emulator is
	// deterministic, so a direct call gives the same bytes.
	for i, it := range res.Items {
		if i == 2 || i == 5 {
			continue
		}
		if it.Index != i || it.ID != ids[i] || len(it.Files) != 1 {
			t.Fatalf("result %d: %+v", i, it)
		}
		direct, err := c.Generate(ctx, *items[i].Generate)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := direct.Data[0].Bytes(ctx)
		if got, _ := os.ReadFile(it.Files[0]); !bytes.Equal(got, want) {
			t.Errorf("item %d: the file is not its prompt's image", i)
		}
	}
	// The validation failure sent nothing: 7 requests, not 8 (plus the
	// 6 direct calls above).
	if n := len(imageRequests(srv.Emulator)); n != 7+6 {
		t.Errorf("%d image requests", n)
	}
	entries, err := wrapper.ReadBatchManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 8 || entries[2].Status != "error" || entries[5].StatusCode != 400 || entries[5].Code != "invalid_image" || entries[0].Files[0] != ids[0]+".png" {
		t.Errorf("manifest: %+v", entries)
	}

	// BatchDone tells, sending nothing, that 6 items are done: not the 2
	// failures.
	srv.Reset()
	finished, err := c.BatchDone(items, wrapper.RunBatchOptions{OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.Requests()) != 0 || finished.Skipped != 6 || finished.Items[2].Skipped || finished.Items[5].Skipped || !finished.Items[0].Skipped || len(finished.Items[0].Files) != 1 {
		t.Errorf("BatchDone: %+v after %d requests", finished, len(srv.Requests()))
	}

	// A rerun retries the failures only (they fail again) and skips the rest.
	again, err := c.RunBatch(ctx, items, wrapper.RunBatchOptions{OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if again.Skipped != 6 || again.Failed != 2 || again.Items[5].Attempts != 1 || len(imageRequests(srv.Emulator)) != 1 {
		t.Errorf("rerun: %+v, %d requests", again, len(imageRequests(srv.Emulator)))
	}
}

// An interrupted run loses nothing that finished, and a rerun redoes
// nothing that finished.
func TestRunBatchResumesAfterInterruption(t *testing.T) {
	t.Parallel()
	_, c := emulatorClient(t)
	var items []wrapper.BatchItem
	for i := range 24 {
		items = append(items, wrapper.BatchItem{ID: fmt.Sprintf("img_%02d", i), Generate: gen256(fmt.Sprintf("scene %d", i))})
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := c.RunBatch(ctx, items, wrapper.RunBatchOptions{OutDir: dir, Concurrency: 3, OnProgress: func(p wrapper.BatchProgress) {
		if p.Done == 9 {
			cancel() // the interruption: Ctrl-C, a deadline, a crash
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if res.Succeeded < 9 || res.Succeeded+res.NotRun != 24 || res.Failed != 0 {
		t.Fatalf("interrupted run: %d done, %d not run, %d failed", res.Succeeded, res.NotRun, res.Failed)
	}
	first := map[string][]byte{}
	mtimes := map[string]time.Time{}
	for _, it := range res.Items {
		switch {
		case it.Err == nil:
			b, err := os.ReadFile(it.Files[0])
			if err != nil {
				t.Fatalf("finished item %s lost its file: %v", it.ID, err)
			}
			fi, _ := os.Stat(it.Files[0])
			first[it.ID], mtimes[it.ID] = b, fi.ModTime()
		case !errors.Is(it.Err, wrapper.ErrBatchItemNotRun):
			t.Errorf("item %s: %v", it.ID, it.Err)
		}
	}
	entries, _ := wrapper.ReadBatchManifest(dir)
	if len(entries) != len(first) {
		t.Fatalf("manifest has %d entries for %d finished items", len(entries), len(first))
	}
	for _, e := range entries {
		if e.Status != "ok" || first[e.ID] == nil {
			t.Errorf("manifest entry %+v", e)
		}
	}

	// The rerun goes to a fresh emulator (the images are deterministic),
	// so that a request the interruption cancelled, which the first may
	// still be reading, is not counted.
	srv2, c2 := emulatorClient(t)
	res2, err := c2.RunBatch(context.Background(), items, wrapper.RunBatchOptions{OutDir: dir, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	sent := imageRequests(srv2.Emulator)
	if len(sent) != 24-len(first) || res2.Skipped != len(first) || res2.Succeeded != 24-len(first) || res2.Err() != nil {
		t.Fatalf("rerun sent %d requests for %d unfinished items: %+v", len(sent), 24-len(first), res2)
	}
	for _, p := range sent {
		var i int
		fmt.Sscanf(p, "scene %d", &i)
		if first[items[i].ID] != nil {
			t.Errorf("rerun redid finished item %s", items[i].ID)
		}
	}
	for id, b := range first {
		path := filepath.Join(dir, id+".png")
		got, _ := os.ReadFile(path)
		fi, _ := os.Stat(path)
		if !bytes.Equal(got, b) || !fi.ModTime().Equal(mtimes[id]) {
			t.Errorf("finished item %s was rewritten", id)
		}
	}
	entries, _ = wrapper.ReadBatchManifest(dir)
	if len(entries) != 24 {
		t.Errorf("manifest has %d entries", len(entries))
	}
	for i, e := range entries {
		if e.Status != "ok" || e.Index != i {
			t.Errorf("entry %d: %+v", i, e)
		}
		checkPNG(t, filepath.Join(dir, e.Files[0]), 256, 256)
	}
}

// The images of one item never take another's file names: an ID that would
// (cat-1 beside cat with n=2) is refused before anything is sent, and every
// image gets a file of its own.
func TestRunBatchImageNamesNeverCollide(t *testing.T) {
	t.Parallel()
	srv, c := emulatorClient(t)
	ctx := context.Background()
	dir := t.TempDir()
	two := &wrapper.GenerateParams{Prompt: "a cat", Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(256, 256), N: 2}
	one := &wrapper.GenerateParams{Prompt: "another cat", Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(256, 256)}

	_, err := c.RunBatch(ctx, []wrapper.BatchItem{{ID: "cat", Generate: two}, {ID: "cat-1", Generate: one}}, wrapper.RunBatchOptions{OutDir: dir})
	if err == nil || !strings.Contains(err.Error(), `ID "cat-1" ends in "-1"`) || len(imageRequests(srv.Emulator)) != 0 {
		t.Fatalf("err = %v after %d requests", err, len(imageRequests(srv.Emulator)))
	}

	items := []wrapper.BatchItem{{ID: "cat", Generate: two}, {ID: "cat_1", Generate: one}, {Generate: two}}
	res, err := c.RunBatch(ctx, items, wrapper.RunBatchOptions{OutDir: dir})
	if err != nil || res.Succeeded != 3 {
		t.Fatalf("%+v, %v", res, err)
	}
	files := map[string]bool{}
	for _, it := range res.Items {
		for _, f := range it.Files {
			files[filepath.Base(f)] = true
		}
	}
	if len(files) != 5 || !files["cat-1.png"] || !files["cat-2.png"] || !files["cat_1.png"] {
		t.Errorf("files %v: want 5 distinct", files)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 6 { // the five images and the manifest
		t.Errorf("%d files in the directory", len(entries))
	}
	again, err := c.RunBatch(ctx, items, wrapper.RunBatchOptions{OutDir: dir})
	if err != nil || again.Skipped != 3 {
		t.Errorf("rerun: %+v, %v", again, err)
	}
}
