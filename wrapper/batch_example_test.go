package wrapper_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

// Many images at once, resumable: a rerun into the same directory skips what
// is done.
func ExampleClient_RunBatch() {
	srv := imagestest.NewServer() // the offline emulator; use wrapper.New() for the API
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-example"))
	if err != nil {
		log.Fatal(err)
	}
	items, err := wrapper.ParseBatch(strings.NewReader("A sea otter\nA red fox\nA heron\n"), "prompts.txt")
	if err != nil {
		log.Fatal(err)
	}
	wrapper.ApplyBatchDefaults(items, wrapper.GenerateParams{Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(256, 256)})

	dir, _ := os.MkdirTemp("", "batch")
	defer os.RemoveAll(dir)
	res, err := client.RunBatch(context.Background(), items, wrapper.RunBatchOptions{
		OutDir:      dir,
		Concurrency: 4,
		OnProgress: func(p wrapper.BatchProgress) {
			if p.Item != nil && p.Item.Err != nil {
				log.Printf("%s failed: %v", p.Item.ID, p.Item.Err)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, it := range res.Items {
		fmt.Println(filepath.Base(it.Files[0]))
	}

	// Items are keyed by their content, not their place: a rerun with a
	// prompt added at the top and the others reordered runs only the new
	// one.
	items, _ = wrapper.ParseBatch(strings.NewReader("A kingfisher\nA heron\nA sea otter\nA red fox\n"), "prompts.txt")
	wrapper.ApplyBatchDefaults(items, wrapper.GenerateParams{Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(256, 256)})
	again, _ := client.RunBatch(context.Background(), items, wrapper.RunBatchOptions{OutDir: dir})
	fmt.Println("rerun:", again.Succeeded, "run,", again.Skipped, "skipped")
	// Output:
	// a-sea-otter-lhseymix.png
	// a-red-fox-wjaneeur.png
	// a-heron-kasatomj.png
	// rerun: 1 run, 3 skipped
}

// The Batch API: submit, wait, download. The batch runs on OpenAI's side
// (within 24 hours, at half the price); the process can stop and resume
// with the batch's ID.
func ExampleClient_SubmitBatch() {
	srv := imagestest.NewServer()
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-example"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	items := []wrapper.BatchItem{
		{ID: "otter", Generate: &wrapper.GenerateParams{Prompt: "A sea otter", Model: wrapper.ModelGPTImage1Mini, Quality: wrapper.QualityLow}},
		{ID: "fox", Generate: &wrapper.GenerateParams{Prompt: "A red fox", Model: wrapper.ModelGPTImage1Mini, Quality: wrapper.QualityLow}},
	}
	batch, err := client.SubmitBatch(ctx, items, wrapper.SubmitBatchOptions{Metadata: map[string]string{"job": "example"}})
	if err != nil {
		log.Fatal(err)
	}
	// Against the API, poll every few minutes: WaitBatch backs off while
	// nothing changes.
	batch, err = client.WaitBatch(ctx, batch.ID, wrapper.WaitBatchOptions{PollInterval: 10 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(batch.Status, batch.Completed, "of", batch.Total)

	dir, _ := os.MkdirTemp("", "batch")
	defer os.RemoveAll(dir)
	res, err := client.DownloadBatchResults(ctx, batch, dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, it := range res.Items {
		fmt.Println(it.ID, filepath.Base(it.Files[0]), it.Err)
	}
	// Output:
	// completed 2 of 2
	// otter otter.png <nil>
	// fox fox.png <nil>
}

func ExampleReadBatchFile() {
	dir, _ := os.MkdirTemp("", "batch")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "batch.jsonl")
	os.WriteFile(path, []byte(`{"id": "otter", "prompt": "A sea otter", "size": "1536x1024"}
{"id": "hat", "prompt": "Add a hat", "images": ["otter.png"]}
`), 0o644)
	items, err := wrapper.ReadBatchFile(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, it := range items {
		if it.Generate != nil {
			fmt.Println(it.ID, "generate:", it.Generate.Prompt, it.Generate.Size)
		} else {
			fmt.Println(it.ID, "edit:", it.Edit.Prompt, it.Edit.Images[0].Name())
		}
	}
	// Output:
	// otter generate: A sea otter 1536x1024
	// hat edit: Add a hat otter.png
}
