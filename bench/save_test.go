package bench

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	openai "github.com/openai/openai-go/v3"

	"github.com/imagegen-go/openai-images/wrapper"
)

const (
	// saveWorkers is how many images are saved at once.
	saveWorkers = 8
	// saveImageSize is the size of each decoded image.
	saveImageSize = 20 * mib
	// batchItems is the number of items of the batch case.
	batchItems = 16
)

// saveCase is one way of saving images: a stream or a JSON response per
// image, saveWorkers at a time, or a local batch.
type saveCase struct {
	name   string
	format string // payload format
	images int    // images saved per operation
}

var saveCases = []saveCase{
	{"stream", "sse", saveWorkers},
	{"generate", "json", saveWorkers},
	{"batch", "json", batchItems},
}

// savers returns, per row, a function that saves c.images images into dir
// and returns the paths written.
func savers(tb testing.TB, s *server, c saveCase) map[string]func(dir string) ([]string, error) {
	p := imagePayload(c.format, saveImageSize)
	mode := p.mode()
	ctx := context.Background()
	wc := newWrapper(tb, s.baseURL(cWrapper, mode), wrapper.WithMaxRetries(0))
	oc := newOpenAI(s.baseURL(cOpenAI, mode), 0)
	params := wrapper.GenerateParams{Prompt: "bench", Model: wrapper.ModelGPTImage15}
	oparams := openai.ImageGenerateParams{Prompt: "bench", Model: openai.ImageModelGPTImage1_5}

	// parallel runs one save per worker.
	parallel := func(dir string, save func(dir string, i int) (string, error)) ([]string, error) {
		paths := make([]string, saveWorkers)
		errs := make([]error, saveWorkers)
		var wg sync.WaitGroup
		for i := range saveWorkers {
			wg.Go(func() { paths[i], errs[i] = save(dir, i) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
		return paths, nil
	}
	// openaiWrite decodes an image as an openai-go user would, and writes it.
	openaiWrite := func(path, b64 string) (string, error) {
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return "", err
		}
		return path, os.WriteFile(path, b, 0o644)
	}

	out := map[string]func(dir string) ([]string, error){}
	switch c.name {
	case "stream":
		out[cWrapper] = func(dir string) ([]string, error) {
			return parallel(dir, func(dir string, i int) (string, error) {
				st, err := wc.GenerateStream(ctx, params)
				if err != nil {
					return "", err
				}
				paths, err := st.WriteFiles(dir, fmt.Sprintf("image-%d", i), nil)
				if err == nil && len(paths) != 1 {
					err = fmt.Errorf("%d files written", len(paths))
				}
				if err != nil {
					return "", err
				}
				return paths[0], nil
			})
		}
		out[cOpenAI] = func(dir string) ([]string, error) {
			return parallel(dir, func(dir string, i int) (string, error) {
				st := oc.Images.GenerateStreaming(ctx, oparams)
				defer st.Close()
				b64 := ""
				for st.Next() {
					if ev := st.Current(); ev.Type == "image_generation.completed" {
						b64 = ev.B64JSON
					}
				}
				if err := st.Err(); err != nil {
					return "", err
				}
				return openaiWrite(filepath.Join(dir, fmt.Sprintf("image-%d.png", i)), b64)
			})
		}
	case "generate":
		out[cWrapper] = func(dir string) ([]string, error) {
			return parallel(dir, func(dir string, i int) (string, error) {
				res, err := wc.Generate(ctx, params)
				if err != nil {
					return "", err
				}
				path := filepath.Join(dir, fmt.Sprintf("image-%d.png", i))
				return path, res.Data[0].WriteFile(ctx, path)
			})
		}
		out[cWrapperFiles] = func(dir string) ([]string, error) {
			return parallel(dir, func(dir string, i int) (string, error) {
				res, err := wc.Generate(ctx, params, wrapper.WithImageFiles(dir, func(f wrapper.ImageFile) string {
					return fmt.Sprintf("image-%d%s", i, f.Ext)
				}))
				if err != nil {
					return "", err
				}
				return res.Data[0].Path, nil
			})
		}
		out[cOpenAI] = func(dir string) ([]string, error) {
			return parallel(dir, func(dir string, i int) (string, error) {
				res, err := oc.Images.Generate(ctx, oparams)
				if err != nil {
					return "", err
				}
				return openaiWrite(filepath.Join(dir, fmt.Sprintf("image-%d.png", i)), res.Data[0].B64JSON)
			})
		}
	case "batch":
		items := make([]wrapper.BatchItem, batchItems)
		for i := range items {
			items[i] = wrapper.BatchItem{Generate: &params}
			items[i].ID = fmt.Sprintf("image_%02d", i)
		}
		out[cWrapper] = func(dir string) ([]string, error) {
			res, err := wc.RunBatch(ctx, items, wrapper.BatchOptions{OutDir: dir, Concurrency: saveWorkers})
			if err != nil {
				return nil, err
			}
			if err := res.Err(); err != nil {
				return nil, err
			}
			var paths []string
			for _, it := range res.Items {
				paths = append(paths, it.Files...)
			}
			return paths, nil
		}
	}
	return out
}

// BenchmarkSaveConcurrent saves 20 MiB images (base64 in the response:
// 26.7 MiB each) to files, 8 at a time: 8 streams (wrapper:
// ImageStream.WriteFiles; openai-go: the completed event's b64_json decoded and
// written with os.WriteFile), 8 generate calls (wrapper: GeneratedImage.WriteFile
// after the call, and WithImageFiles, which decodes into the file as the
// response arrives; openai-go: the same decode and write), and a local batch
// of 16 items at
// concurrency 8 (wrapper: RunBatch; openai-go has no batch runner).
// peak-heap-MiB is the worst over the operations (after one not measured),
// above the level after a GC before each; MB/s counts the image bytes
// written.
//
//	go test -run='^$' -bench=SaveConcurrent -benchtime=3x
func BenchmarkSaveConcurrent(b *testing.B) {
	s := sharedServer()
	for _, c := range saveCases {
		p := imagePayload(c.format, saveImageSize)
		svs := savers(b, s, c)
		dirs := newOutDirs(b)
		for _, client := range []string{cWrapper, cWrapperFiles, cOpenAI} {
			save, ok := svs[client]
			if !ok {
				continue
			}
			b.Run(c.name+"/"+client, func(b *testing.B) {
				// One operation first, not measured: connections and
				// buffers made once per process are not the client's
				// cost per save.
				warm := dirs.next()
				if _, err := save(warm); err != nil {
					b.Fatal(err)
				}
				os.RemoveAll(warm)
				b.ReportAllocs()
				b.SetBytes(int64(c.images) * saveImageSize)
				var worst uint64
				for b.Loop() {
					dir := dirs.next()
					var paths []string
					var err error
					worst = max(worst, heapPeak(b, func() { paths, err = save(dir) }))
					b.StopTimer()
					if err == nil && len(paths) != c.images {
						err = fmt.Errorf("%d files written, want %d", len(paths), c.images)
					}
					for _, path := range paths {
						if err == nil {
							err = checkFile(path, p)
						}
					}
					os.RemoveAll(dir)
					b.StartTimer()
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(worst)/mib, "peak-heap-MiB")
				b.ReportMetric(float64(worst)/mib/saveWorkers, "peak-heap-MiB/worker")
			})
		}
	}
}
