package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/internal/loadgen"
)

// BenchmarkServe measures openai-images serve (request log on) answering
// small generations (dall-e-2, 256x256, b64_json) with 1, 16 and 64
// requests in flight:
//
//	go test -run='^$' -bench=Serve -count=5 ./cmd/openai-images/
//
// The client runs in the same process and shares the CPU. The figures are
// in docs/BENCHMARKS.md.
func BenchmarkServe(b *testing.B) {
	ctx, cancel := context.WithCancel(b.Context())
	var stdout syncBuffer
	done := make(chan int, 1)
	go func() {
		// --allow-retired: dall-e-2 keeps the workload the figures were
		// measured with.
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--allow-retired"}, &stdout, io.Discard, func(string) string { return "" })
	}()
	defer func() {
		cancel()
		<-done
	}()
	var base string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if line, ok := strings.CutPrefix(stdout.String(), "OPENAI_BASE_URL="); ok && strings.HasSuffix(line, "\n") {
			base = strings.TrimSpace(line)
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("serve printed no OPENAI_BASE_URL: %q", stdout.String())
		}
	}
	for _, c := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("c=%d", c), func(b *testing.B) {
			loadgen.SmallGenerations(b, base, c)
		})
	}
}
