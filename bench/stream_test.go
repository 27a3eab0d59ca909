package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	openai "github.com/openai/openai-go/v3"

	"github.com/imagegen-go/openai-images/wrapper"
)

// downloadSizes are the body sizes, in MiB, of the download benchmarks: 31
// MiB is just under openai-go's 32 MiB bufio.Scanner line limit for events,
// 64 and 256 MiB well over it (256 MiB is the wrapper's default event limit).
var downloadSizes = []int{1, 8, 31, 64, 256}

// Row names of the download benchmarks beside the clients'.
const (
	cRawBufio     = "raw-bufio"      // bufio.Reader.ReadBytes('\n') over the same body
	cWrapperSave  = "wrapper-save"   // the wrapper writing the image to a file (WriteFiles, WriteFile)
	cWrapperFiles = "wrapper-files"  // WithImageFiles: decoded to a file as the body arrives
	cOpenAISave   = "openai-go-save" // openai-go, decoded and written with os.WriteFile
)

// rawRead posts to url and reads the body with bufio.Reader.ReadBytes, as
// the baseline any line-based decoder is measured against: it assembles each
// line (an SSE event's data line, or a whole JSON body) in memory. It returns
// the longest line's length.
func rawRead(url string) (int, error) {
	resp, err := httpClient.Post(url, "application/json", bytes.NewReader([]byte(`{"prompt":"bench"}`)))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	br := bufio.NewReader(resp.Body)
	longest := 0
	for {
		line, err := br.ReadBytes('\n')
		longest = max(longest, len(line))
		if err == io.EOF {
			return longest, nil
		}
		if err != nil {
			return longest, err
		}
	}
}

// outDirs hands out empty directories under one temp root, removed by
// cleanup.
type outDirs struct {
	root string
	n    int
}

func newOutDirs(tb testing.TB) *outDirs {
	root, err := os.MkdirTemp("", "openai-images-bench-out-*")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(root) })
	return &outDirs{root: root}
}

func (d *outDirs) next() string {
	d.n++
	dir := filepath.Join(d.root, fmt.Sprint(d.n))
	if err := os.Mkdir(dir, 0o755); err != nil {
		panic(err)
	}
	return dir
}

// checkFile checks that path holds exactly the image of p, and removes it.
func checkFile(path string, p payload) error {
	defer os.Remove(path)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != int64(p.image) {
		return fmt.Errorf("%s: %d bytes, want %d", path, fi.Size(), p.image)
	}
	head := make([]byte, 64)
	if _, err := io.ReadFull(f, head); err != nil {
		return err
	}
	if !bytes.Equal(head, imageBytes(64)) {
		return fmt.Errorf("%s does not start with the image's bytes", path)
	}
	if filepath.Ext(path) != ".png" {
		return fmt.Errorf("%s: extension %q, want .png", path, filepath.Ext(path))
	}
	return nil
}

// streamers returns, per row, a function that runs one image stream of p
// and returns the length of the completed event's b64_json (or, for the
// save rows, of the image written). go-openai has no image streaming (its
// ImageRequest has no stream field and no streaming method exists for
// /images/generations), so it is not here.
func streamers(tb testing.TB, s *server, p payload) map[string]func() (int, error) {
	mode := p.mode()
	wc := newWrapper(tb, s.baseURL(cWrapper, mode), wrapper.WithMaxRetries(0))
	oc := newOpenAI(s.baseURL(cOpenAI, mode), 0)
	rawURL := s.baseURL(cRaw, mode) + "/images/generations"
	dirs := newOutDirs(tb)
	params := wrapper.GenerateParams{Prompt: "bench", Model: wrapper.ModelGPTImage15}
	return map[string]func() (int, error){
		cRawBufio: func() (int, error) {
			n, err := rawRead(rawURL)
			if err == nil && n < p.b64Len() {
				err = fmt.Errorf("longest line %d bytes, under the image's %d", n, p.b64Len())
			}
			return p.b64Len(), err
		},
		cWrapper: func() (int, error) {
			st, err := wc.GenerateStream(context.Background(), params)
			if err != nil {
				return 0, err
			}
			defer st.Close()
			n := -1
			for st.Next() {
				if ev, ok := st.Current().(*wrapper.CompletedEvent); ok {
					n = len(ev.B64JSON)
				}
			}
			return n, st.Err()
		},
		cWrapperSave: func() (int, error) {
			st, err := wc.GenerateStream(context.Background(), params)
			if err != nil {
				return 0, err
			}
			paths, err := st.WriteFiles(dirs.next(), "image", nil)
			if err != nil {
				return 0, err
			}
			if len(paths) != 1 {
				return 0, fmt.Errorf("%d files written", len(paths))
			}
			return p.b64Len(), checkFile(paths[0], p)
		},
		cOpenAI: func() (int, error) {
			st := oc.Images.GenerateStreaming(context.Background(), openai.ImageGenerateParams{Prompt: "bench", Model: openai.ImageModelGPTImage1_5})
			defer st.Close()
			n := -1
			for st.Next() {
				if ev := st.Current(); ev.Type == "image_generation.completed" {
					n = len(ev.B64JSON)
				}
			}
			return n, st.Err()
		},
	}
}

// streamRows is the order of the stream benchmark's rows.
var streamRows = []string{cRawBufio, cWrapper, cWrapperSave, cOpenAI}

// BenchmarkStreamDecode streams one image_generation.completed event of 1
// to 256 MiB from the local server through each client's image stream:
//
//   - raw-bufio reads the same body with bufio.Reader.ReadBytes, the
//     baseline;
//   - wrapper and openai-go read the typed completed event and take
//     len(b64_json) (the image is not base64-decoded);
//   - wrapper-save writes the image to a file (ImageStream.WriteFiles),
//     reporting peak-heap-MiB (the worst over the operations, above the
//     level after a GC before each).
//
// A client that fails keeps failing each operation; the error is reported
// through a BENCHNOTE line instead of a throughput.
//
//	go test -run='^$' -bench=StreamDecode -benchtime=1s
func BenchmarkStreamDecode(b *testing.B) {
	s := sharedServer()
	for _, size := range downloadSizes {
		p := eventPayload(size * mib)
		sts := streamers(b, s, p)
		for _, client := range streamRows {
			runDownload(b, fmt.Sprintf("%dMiB/%s", size, client), p, sts[client], client == cWrapperSave)
		}
	}
}

// runDownload runs one row of a download benchmark: MB/s counts body bytes.
func runDownload(b *testing.B, name string, p payload, run func() (int, error), measureHeap bool) {
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(p.size())
		var failure error
		var worst uint64
		for b.Loop() {
			var n int
			var err error
			if measureHeap {
				worst = max(worst, heapPeak(b, func() { n, err = run() }))
			} else {
				n, err = run()
			}
			switch {
			case err != nil:
				failure = err
			case n != p.b64Len():
				b.Fatalf("b64_json of %d bytes, want %d", n, p.b64Len())
			}
		}
		if measureHeap {
			b.ReportMetric(float64(worst)/mib, "peak-heap-MiB")
		}
		if failure != nil {
			b.SetBytes(0) // no throughput for a failure
			note(b, "error: "+failure.Error())
		}
	})
}
