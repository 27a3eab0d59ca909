package bench

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	openai "github.com/openai/openai-go/v3"

	"github.com/imagegen-go/openai-images/wrapper"
)

// streamSizes are the event sizes, in MiB: 31 MiB is just under openai-go's
// 32 MiB bufio.Scanner line limit, 64 MiB well over it.
var streamSizes = []int{8, 31, 64}

// streamers returns, per client, a function that runs one image stream
// against mode (sse-N) and returns the length of the completed event's
// b64_json. go-openai has no image streaming (its ImageRequest has no stream
// field and no streaming method exists for /images/generations), so it is
// not here.
func streamers(tb testing.TB, s *server, mode string) map[string]func() (int, error) {
	wc := newWrapper(tb, s.baseURL(cWrapper, mode), wrapper.WithMaxRetries(0))
	oc := newOpenAI(s.baseURL(cOpenAI, mode), 0)
	return map[string]func() (int, error){
		cWrapper: func() (int, error) {
			st, err := wc.GenerateStream(context.Background(), wrapper.GenerateParams{Prompt: "bench", Model: wrapper.ModelGPTImage15})
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

// BenchmarkStreamDecode streams one image_generation.completed event of
// 8, 31 and 64 MiB from the local server through each client's image stream
// and reads the completed event's b64_json (not base64-decoded). A client
// that fails keeps failing each operation; the error is reported through a
// BENCHNOTE line instead of a throughput.
//
//	go test -run='^$' -bench=StreamDecode -benchtime=5x
func BenchmarkStreamDecode(b *testing.B) {
	s := sharedServer()
	for _, size := range streamSizes {
		mode := "sse-" + strconv.Itoa(size)
		body := s.sseBody(size)
		want := b64Len(size * mib)
		sts := streamers(b, s, mode)
		for _, client := range []string{cWrapper, cOpenAI} {
			run := sts[client]
			b.Run(fmt.Sprintf("%dMiB/%s", size, client), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				var failure error
				for b.Loop() {
					n, err := run()
					switch {
					case err != nil:
						failure = err
					case n != want:
						b.Fatalf("b64_json of %d bytes, want %d", n, want)
					}
				}
				if failure != nil {
					b.SetBytes(0) // no throughput for a failure
					note(b, "error: "+failure.Error())
				}
			})
		}
	}
}
