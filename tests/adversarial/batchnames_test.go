package adversarial

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

// imageCalls counts the image requests an emulator has answered.
func imageCalls(e *imagestest.Emulator) int {
	n := 0
	for _, r := range e.Requests() {
		if strings.HasPrefix(r.Path, "/v1/images/") {
			n++
		}
	}
	return n
}

// pngFiles lists the images in dir.
func pngFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".png") {
			out = append(out, e.Name())
		}
	}
	return out
}

// Batch outputs cannot collide: an item "cat" with n=2 names its images
// cat-1.png and cat-2.png, so an ID that ends like them ("cat-1", "Cat-2")
// is refused before anything is sent (it was run, and a paid image was
// silently lost: two manifest entries claimed cat-1.png). Items that can
// coexist leave every image on disk, and a rerun runs nothing. Through the
// library and the CLI.
func TestBatchImageNamesNeverCollide(t *testing.T) {
	srv := imagestest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := wrapper.New(wrapper.WithAPIKey(testKey), wrapper.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	two := &wrapper.GenerateParams{Prompt: "a cat", Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(256, 256), N: 2}
	one := &wrapper.GenerateParams{Prompt: "another cat", Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(256, 256)}

	// The library.
	dir := t.TempDir()
	for _, id := range []string{"cat-1", "Cat-2", "CAT-1"} {
		_, err := c.RunBatch(ctx, []wrapper.BatchItem{{ID: "cat", Generate: two}, {ID: id, Generate: one}}, wrapper.RunBatchOptions{OutDir: dir})
		if err == nil || imageCalls(srv.Emulator) != 0 {
			t.Fatalf("ID %q beside cat with n=2: err = %v after %d requests", id, err, imageCalls(srv.Emulator))
		}
	}
	items := []wrapper.BatchItem{{ID: "cat", Generate: two}, {ID: "cat_1", Generate: one}, {Generate: two}}
	res, err := c.RunBatch(ctx, items, wrapper.RunBatchOptions{OutDir: dir})
	if err != nil || res.Succeeded != 3 {
		t.Fatalf("%+v, %v", res, err)
	}
	if files := pngFiles(t, dir); len(files) != 5 || !slices.Contains(files, "cat-1.png") || !slices.Contains(files, "cat-2.png") || !slices.Contains(files, "cat_1.png") {
		t.Errorf("files %v: want the 5 images, each its own file", files)
	}
	calls := imageCalls(srv.Emulator)
	again, err := c.RunBatch(ctx, items, wrapper.RunBatchOptions{OutDir: dir})
	if err != nil || again.Skipped != 3 || imageCalls(srv.Emulator) != calls {
		t.Errorf("rerun: %+v, %v, %d requests", again, err, imageCalls(srv.Emulator)-calls)
	}

	// The CLI.
	work := t.TempDir()
	write := func(lines ...string) {
		if err := os.WriteFile(filepath.Join(work, "items.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	catTwo := `{"id":"cat","prompt":"a cat","model":"gpt-image-2","size":"256x256","n":2}`
	write(catTwo, `{"id":"cat-1","prompt":"another cat","model":"gpt-image-2","size":"256x256"}`)
	calls = imageCalls(srv.Emulator)
	run := runCLI(t, work, srv.URL, "batch", "--out", "out", "items.jsonl")
	if run.exit != 2 || !strings.Contains(run.stderr, "cat-1") || imageCalls(srv.Emulator) != calls {
		t.Fatalf("colliding IDs: exit %d, %d requests, stderr:\n%s", run.exit, imageCalls(srv.Emulator)-calls, run.stderr)
	}
	write(catTwo, `{"id":"cat_1","prompt":"another cat","model":"gpt-image-2","size":"256x256"}`, `{"prompt":"a cat","model":"gpt-image-2","size":"256x256","n":2}`)
	if run := runCLI(t, work, srv.URL, "batch", "--out", "out", "items.jsonl"); run.exit != 0 {
		t.Fatalf("exit %d:\n%s", run.exit, run.stderr)
	}
	if files := pngFiles(t, filepath.Join(work, "out")); len(files) != 5 {
		t.Errorf("CLI files %v: want 5", files)
	}
	calls = imageCalls(srv.Emulator)
	if run := runCLI(t, work, srv.URL, "batch", "--out", "out", "items.jsonl"); run.exit != 0 || imageCalls(srv.Emulator) != calls {
		t.Errorf("CLI rerun: exit %d, %d requests:\n%s", run.exit, imageCalls(srv.Emulator)-calls, run.stderr)
	}
}
