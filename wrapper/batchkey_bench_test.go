package wrapper

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkPlanBatch10000 plans a rerun of 10,000 items against a
// manifest of 10,000 entries made with another model: the worst case,
// where no item is found by its key and each is matched by its prompt.
func BenchmarkPlanBatch10000(b *testing.B) {
	const n = 10_000
	c, err := New(WithBaseURL("http://api.test/v1"), WithAPIKey(testAPIKey))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	items := make([]BatchItem, n)
	f, err := os.Create(filepath.Join(dir, BatchManifestName))
	if err != nil {
		b.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for i := range items {
		prompt := fmt.Sprintf("prompt number %d of the benchmark", i)
		before := BatchItem{Generate: &GenerateParams{Prompt: prompt, Model: ModelDallE2, Size: Size256x256}}
		r, _ := requestOf(&before)
		id := r.key(1)
		name := id + ".png"
		os.WriteFile(filepath.Join(dir, name), []byte("\x89PNG"), 0o644)
		enc.Encode(BatchManifestEntry{ID: id, Status: manifestOK, Files: []string{name}, RequestSHA256: "x" + id,
			Prompt: prompt, Request: r.paramsJSON(), Time: time.Unix(int64(i), 0)})
		items[i] = BatchItem{Generate: &GenerateParams{Prompt: prompt, Model: ModelDallE3, Size: Size1024x1024}}
	}
	f.Close()
	b.ResetTimer()
	for b.Loop() {
		p, err := c.PlanBatch(items, RunBatchOptions{OutDir: dir})
		if err != nil || p.Changed != n {
			b.Fatalf("%+v, %v", p.Changed, err)
		}
	}
}
