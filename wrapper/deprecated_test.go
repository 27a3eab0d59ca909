package wrapper_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

// The deprecated old names do exactly what their new names do: same
// requests, same results, same files.
func TestDeprecatedNamesMatchNewNames(t *testing.T) {
	// Variations are retired: a server that still serves them, as an
	// OpenAI-compatible server may.
	srv := imagestest.NewServer(imagestest.AllowRetiredModels())
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-test"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	dir := t.TempDir()

	var src bytes.Buffer
	if err := png.Encode(&src, image.NewNRGBA(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	vp := wrapper.VariationParams{Model: wrapper.ModelDallE2, Image: wrapper.ImageFromBytes("v.png", src.Bytes()), Size: wrapper.Size256x256}
	oldRes, oldErr := c.CreateVariation(ctx, vp)
	newRes, newErr := c.Vary(ctx, vp)
	if oldErr != nil || newErr != nil || len(oldRes.Data) != len(newRes.Data) {
		t.Fatalf("CreateVariation: %v, %v; Vary: %v, %v", oldRes, oldErr, newRes, newErr)
	}
	bad := wrapper.VaryParams{Model: wrapper.ModelGPTImage1, Image: vp.Image}
	if o, n := wrapper.CheckVariation(bad), wrapper.CheckVary(bad); o == nil || n == nil || o.Error() != n.Error() {
		t.Errorf("CheckVariation = %v, CheckVary = %v", o, n)
	}
	if wrapper.OpVariation != wrapper.OpVary {
		t.Errorf("OpVariation = %q, OpVary = %q", wrapper.OpVariation, wrapper.OpVary)
	}

	res, err := c.Generate(ctx, wrapper.GenerateParams{Model: wrapper.ModelGPTImage15, Prompt: "a kite", N: 2})
	if err != nil {
		t.Fatal(err)
	}
	img := res.Data[0]
	sameBytes(t, "GeneratedImage.Bytes", func() ([]byte, error) { return img.Bytes(ctx) }, func() ([]byte, error) { return img.Content(ctx) })
	sameFile(t, dir, "GeneratedImage.Save",
		func(p string) error { return img.Save(ctx, p) }, func(p string) error { return img.WriteFile(ctx, p) })
	oldPaths, err := res.SaveAll(ctx, filepath.Join(dir, "old"), "kite")
	if err != nil {
		t.Fatal(err)
	}
	newPaths, err := res.WriteFiles(ctx, filepath.Join(dir, "new"), "kite")
	if err != nil || len(oldPaths) != 2 || len(newPaths) != 2 {
		t.Fatalf("SaveAll: %v; WriteFiles: %v, %v", oldPaths, newPaths, err)
	}
	for i := range oldPaths {
		if filepath.Base(oldPaths[i]) != filepath.Base(newPaths[i]) || !bytes.Equal(readFile(t, oldPaths[i]), readFile(t, newPaths[i])) {
			t.Errorf("SaveAll wrote %s, WriteFiles %s", oldPaths[i], newPaths[i])
		}
	}

	openStream := func() *wrapper.ImageStream {
		s, err := c.GenerateStream(ctx, wrapper.GenerateParams{Model: wrapper.ModelGPTImage15, Prompt: "a kite", PartialImages: wrapper.Ptr(1)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	var partial *wrapper.PartialImageEvent
	var done *wrapper.CompletedEvent
	for ev, err := range openStream().All() {
		if err != nil {
			t.Fatal(err)
		}
		switch ev := ev.(type) {
		case *wrapper.PartialImageEvent:
			partial = ev
		case *wrapper.CompletedEvent:
			done = ev
		}
	}
	if partial == nil || done == nil {
		t.Fatal("stream without a partial or a completed event")
	}
	sameBytes(t, "PartialImageEvent.Bytes", partial.Bytes, func() ([]byte, error) { return partial.Content(ctx) })
	sameBytes(t, "CompletedEvent.Bytes", done.Bytes, func() ([]byte, error) { return done.Content(ctx) })
	oldPaths, oldErr = openStream().SaveTo(filepath.Join(dir, "s-old"), "kite", nil)
	newPaths, newErr = openStream().WriteFiles(filepath.Join(dir, "s-new"), "kite", nil)
	if oldErr != nil || newErr != nil || len(oldPaths) != 2 || len(newPaths) != 2 ||
		filepath.Base(oldPaths[1]) != filepath.Base(newPaths[1]) {
		t.Errorf("SaveTo: %v, %v; WriteFiles: %v, %v", oldPaths, oldErr, newPaths, newErr)
	}

	turn, err := c.NewEditSession("gpt-5", wrapper.ImageTool{Model: wrapper.ModelGPTImage15}).Create(ctx, "Generate an image: a kite")
	if err != nil {
		t.Fatal(err)
	}
	ti, _ := turn.Image()
	sameBytes(t, "TurnImage.Bytes", ti.Bytes, func() ([]byte, error) { return ti.Content(ctx) })
	sameFile(t, dir, "TurnImage.Save", ti.Save, func(p string) error { return ti.WriteFile(ctx, p) })

	items := []wrapper.BatchItem{{Generate: &wrapper.GenerateParams{Model: wrapper.ModelDallE2, Prompt: "a kite", Size: wrapper.Size256x256}}}
	bdir := filepath.Join(dir, "batch")
	if _, err := c.RunBatch(ctx, items, wrapper.BatchOptions{OutDir: bdir}); err != nil {
		t.Fatal(err)
	}
	old, err := c.BatchDone(items, wrapper.BatchOptions{OutDir: bdir})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := c.PlanBatch(items, wrapper.RunBatchOptions{OutDir: bdir})
	if err != nil {
		t.Fatal(err)
	}
	if old.Skipped != 1 || !old.Items[0].Skipped || plan.Done != 1 || old.Items[0].Files[0] != plan.Items[0].Files[0] {
		t.Errorf("BatchDone = %+v; PlanBatch = %+v", old, plan)
	}
}

func sameBytes(t *testing.T, name string, old, new func() ([]byte, error)) {
	t.Helper()
	o, oerr := old()
	n, nerr := new()
	if oerr != nil || nerr != nil || len(o) == 0 || !bytes.Equal(o, n) {
		t.Errorf("%s: %d bytes, %v; new name: %d bytes, %v", name, len(o), oerr, len(n), nerr)
	}
}

func sameFile(t *testing.T, dir, name string, old, new func(string) error) {
	t.Helper()
	op, np := filepath.Join(dir, name+".old"), filepath.Join(dir, name+".new")
	if err := old(op); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := new(np); err != nil {
		t.Fatalf("%s, new name: %v", name, err)
	}
	if o, n := readFile(t, op), readFile(t, np); len(o) == 0 || !bytes.Equal(o, n) {
		t.Errorf("%s wrote %d bytes, the new name %d different ones", name, len(o), len(n))
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
