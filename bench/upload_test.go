package bench

import (
	"context"
	"fmt"
	"io"
	"testing"

	openai "github.com/openai/openai-go/v3"
	goopenai "github.com/sashabaranov/go-openai"

	"github.com/imagegen-go/openai-images/wrapper"
)

// uploadCase is one edit upload shape.
type uploadCase struct {
	name   string
	images int
	// retry: the server fails the first attempt with a 500 (Retry-After-Ms:
	// 1) after reading the whole body, so the client must send it twice.
	retry bool
}

func (c uploadCase) mode() string {
	if c.retry {
		return "retry"
	}
	return "ok"
}

func (c uploadCase) attempts() int64 {
	if c.retry {
		return 2
	}
	return 1
}

var uploadCases = []uploadCase{
	{name: "16x20MiB-500-then-retry", images: 16, retry: true},
	{name: "16x20MiB", images: 16},
	{name: "1x20MiB", images: 1},
}

// uploaders returns the clients that can send c, as functions doing one
// edit. go-openai takes one image per edit (ImageEditRequest.Image is a
// single io.Reader) and never retries, so it only runs the 1-image case.
func uploaders(tb testing.TB, s *server, c uploadCase, paths []string) map[string]func() error {
	out := map[string]func() error{}
	retries := 0
	if c.retry {
		retries = 2 // both clients' default
	}

	wc := newWrapper(tb, s.baseURL(cWrapper, c.mode()), wrapper.WithMaxRetries(retries))
	images := make([]wrapper.Image, c.images)
	for i := range images {
		images[i] = wrapper.ImageFromPath(paths[i])
	}
	wparams := wrapper.EditParams{Images: images, Prompt: "bench", Model: wrapper.ModelGPTImage15}
	out[cWrapper] = func() error {
		res, err := wc.Edit(context.Background(), wparams)
		if err == nil && len(res.Data) != 1 {
			err = fmt.Errorf("%d images in the response", len(res.Data))
		}
		return err
	}

	oc := newOpenAI(s.baseURL(cOpenAI, c.mode()), retries)
	out[cOpenAI] = func() error {
		fs, err := openFiles(paths, c.images)
		defer closeFiles(fs)
		if err != nil {
			return err
		}
		var img openai.ImageEditParamsImageUnion
		if len(fs) == 1 {
			img.OfFile = fs[0]
		} else {
			img.OfFileArray = make([]io.Reader, len(fs))
			for i, f := range fs {
				img.OfFileArray[i] = f
			}
		}
		res, err := oc.Images.Edit(context.Background(), openai.ImageEditParams{
			Image: img, Prompt: "bench", Model: openai.ImageModelGPTImage1_5,
		})
		if err == nil && len(res.Data) != 1 {
			err = fmt.Errorf("%d images in the response", len(res.Data))
		}
		return err
	}

	if c.images == 1 && !c.retry {
		gc := newGoOpenAI(s.baseURL(cGoOpenAI, c.mode()))
		out[cGoOpenAI] = func() error { return uploadGoOpenAI(gc, paths) }
	}
	return out
}

// BenchmarkEditUpload sends multipart edits of 20 MiB PNG files read from
// disk (so the images never live on the heap: whatever the heap holds is the
// client's doing) to the local server, which discards the body. peak-heap-MiB
// is the worst peak over the operations, above the level after a GC before
// each. MB/s counts every attempt's image bytes.
//
//	go test -run='^$' -bench=EditUpload -benchtime=2x
func BenchmarkEditUpload(b *testing.B) {
	paths := imageFiles(b)
	s := sharedServer()
	s.inspect.Store(false)
	for _, c := range uploadCases {
		ups := uploaders(b, s, c, paths)
		for _, client := range []string{cWrapper, cOpenAI, cGoOpenAI} {
			up, ok := ups[client]
			if !ok {
				continue
			}
			b.Run(c.name+"/"+client, func(b *testing.B) {
				before, _ := s.counts(client, c.mode())
				if c.retry && before%2 != 0 {
					b.Fatalf("server attempt count %d is odd before the run", before)
				}
				b.SetBytes(c.attempts() * int64(c.images) * imageSize)
				b.ReportAllocs()
				var worst uint64
				for b.Loop() {
					var err error
					peak := heapPeak(b, func() { err = up() })
					if err != nil {
						b.Fatal(err)
					}
					worst = max(worst, peak)
				}
				after, _ := s.counts(client, c.mode())
				if got, want := after-before, c.attempts()*int64(b.N); got != want {
					b.Fatalf("server saw %d attempts for %d operations, want %d", got, b.N, want)
				}
				b.ReportMetric(float64(worst)/mib, "peak-heap-MiB")
				b.ReportMetric(float64(c.images), "images")
				b.ReportMetric(float64(c.attempts()), "attempts")
			})
		}
	}
}

// uploadGoOpenAI sends the first image file as a go-openai edit.
func uploadGoOpenAI(gc *goopenai.Client, paths []string) error {
	fs, err := openFiles(paths, 1)
	defer closeFiles(fs)
	if err != nil {
		return err
	}
	res, err := gc.CreateEditImage(context.Background(), goopenai.ImageEditRequest{
		Image: fs[0], Prompt: "bench", Model: goopenai.CreateImageModelGptImage1Dot5,
	})
	if err == nil && len(res.Data) != 1 {
		err = fmt.Errorf("%d images in the response", len(res.Data))
	}
	return err
}
