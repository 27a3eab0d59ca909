package imagestest

import (
	"fmt"
	"testing"

	"github.com/imagegen-go/openai-images/internal/loadgen"
)

// BenchmarkServeGenerate measures the emulator's throughput for small
// generations (dall-e-2, 256x256, b64_json) through a loopback HTTP server,
// with 1, 16 and 64 requests in flight:
//
//	go test -run='^$' -bench=ServeGenerate -count=5 ./imagestest/
//
// The client runs in the same process and shares the CPU. The figures are
// in docs/BENCHMARKS.md; cmd/openai-images has the same benchmark for serve.
func BenchmarkServeGenerate(b *testing.B) {
	// dall-e-2 (retired, so allowed here) keeps the workload the figures
	// were measured with.
	srv := NewServer(AllowRetiredModels())
	defer srv.Close()
	for _, c := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("c=%d", c), func(b *testing.B) {
			loadgen.SmallGenerations(b, srv.URL, c)
		})
	}
	if v := srv.Violations(); len(v) > 0 {
		b.Fatalf("the emulator broke the spec: %v", v[0])
	}
}
