package wrapper_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

// The batch benchmark's server runs in a child process (this test binary,
// re-executed), so that the heap measured is the client's alone: the
// emulator renders images and records every request.
const benchServerEnv = "OPENAI_IMAGES_BATCH_BENCH_SERVER" // "rate,burst"

// TestBatchBenchServer is the child: an emulator behind imagestest.RateLimit
// on loopback. It prints its URL, serves until stdin closes, then prints
// the limiter's counts. It is skipped unless the benchmark started it.
func TestBatchBenchServer(t *testing.T) {
	spec := os.Getenv(benchServerEnv)
	if spec == "" {
		t.Skip("the batch benchmark's server process")
	}
	var rate float64
	var burst int
	if _, err := fmt.Sscanf(spec, "%g,%d", &rate, &burst); err != nil {
		t.Fatal(err)
	}
	e, err := imagestest.New()
	if err != nil {
		t.Fatal(err)
	}
	lim := imagestest.RateLimit(e, rate, burst)
	srv := httptest.NewServer(lim)
	fmt.Printf("URL=%s/v1\n", srv.URL)
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
	accepted, limited := lim.Stats()
	fmt.Printf("STATS=%d,%d\n", accepted, limited)
}

// benchServer starts the child server and returns its URL and a function
// that stops it and returns the image requests it accepted and limited.
func benchServer(b *testing.B, rate float64, burst int) (string, func() (int, int)) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBatchBenchServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%g,%d", benchServerEnv, rate, burst))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var url string
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "URL="); ok {
			url = u
			break
		}
	}
	if url == "" {
		cmd.Process.Kill()
		b.Fatal("the server process printed no URL")
	}
	return url, func() (int, int) {
		stdin.Close()
		var accepted, limited int
		for sc.Scan() {
			if s, ok := strings.CutPrefix(sc.Text(), "STATS="); ok {
				fmt.Sscanf(s, "%d,%d", &accepted, &limited)
			}
		}
		cmd.Wait()
		return accepted, limited
	}
}

func envOr[T any](name string, def T, parse func(string) (T, error)) T {
	if v := os.Getenv(name); v != "" {
		if x, err := parse(v); err == nil {
			return x
		}
	}
	return def
}

// heapSampler records the peak of the heap's live and dead objects, every
// millisecond, in two halves of a run.
type heapSampler struct {
	base  uint64
	half  atomic.Bool
	peaks [2]atomic.Uint64
	stop  chan struct{}
	wg    sync.WaitGroup
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	h := &heapSampler{base: s[0].Value.Uint64(), stop: make(chan struct{})}
	h.wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			p := &h.peaks[0]
			if h.half.Load() {
				p = &h.peaks[1]
			}
			if v := s[0].Value.Uint64(); v > p.Load() {
				p.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	})
	return h
}

// done stops sampling and returns the peaks of each half above the level
// before the run, in MiB.
func (h *heapSampler) done() (first, second float64) {
	close(h.stop)
	h.wg.Wait()
	mib := func(v uint64) float64 {
		if v < h.base {
			return 0
		}
		return float64(v-h.base) / (1 << 20)
	}
	return mib(h.peaks[0].Load()), mib(h.peaks[1].Load())
}

// BenchmarkBatch1000 runs 1,000 generations (gpt-image-2, 256x256, base64)
// through RunBatch against the emulator limited to R requests/s
// (OPENAI_IMAGES_BENCH_RATE, default 100) with bursts of B
// (OPENAI_IMAGES_BENCH_BURST, default 10: a tenth of a second), answering
// 429 with Retry-After-Ms and Retry-After beyond it; the emulator runs in a
// child process. %R is the rate the limiter let through after the first
// burst, (1000-B)/elapsed, over R.
//
//	go test -run='^$' -bench=Batch1000 -benchtime=1x ./wrapper/
func BenchmarkBatch1000(b *testing.B) {
	const n = 1000
	rate := envOr("OPENAI_IMAGES_BENCH_RATE", 100.0, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
	burst := envOr("OPENAI_IMAGES_BENCH_BURST", 10, strconv.Atoi)
	concurrency := envOr("OPENAI_IMAGES_BENCH_CONCURRENCY", 8, strconv.Atoi)
	items := make([]wrapper.BatchItem, n)
	for i := range items {
		items[i] = wrapper.BatchItem{Generate: gen256(fmt.Sprintf("benchmark scene %d", i))}
	}
	for range b.N {
		b.StopTimer()
		url, stop := benchServer(b, rate, burst)
		c, err := wrapper.New(wrapper.WithBaseURL(url), wrapper.WithAPIKey("sk-bench"))
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		var limited atomic.Int64
		heap := startHeapSampler()
		b.StartTimer()

		start := time.Now()
		res, err := c.RunBatch(context.Background(), items, wrapper.RunBatchOptions{
			OutDir: dir, Concurrency: concurrency,
			OnProgress: func(p wrapper.BatchProgress) {
				limited.Store(int64(p.RateLimited))
				if p.Done == n/2 {
					heap.half.Store(true)
				}
			},
		})
		elapsed := time.Since(start)

		b.StopTimer()
		firstHalf, secondHalf := heap.done()
		accepted, rejected := stop()
		if err != nil {
			b.Fatal(err)
		}
		entries, err := wrapper.ReadBatchManifest(dir)
		if err != nil {
			b.Fatal(err)
		}
		ok := 0
		for _, e := range entries {
			if e.Status == "ok" {
				if _, err := os.Stat(dir + "/" + e.Files[0]); err == nil {
					ok++
				}
			}
		}
		lost := n - min(ok, res.Succeeded)
		// The first burst tokens are free: the rate is measured over the
		// requests the limiter paced.
		throughput := float64(n) / elapsed.Seconds()
		paced := float64(n-burst) / elapsed.Seconds()
		b.ReportMetric(throughput, "items/s")
		b.ReportMetric(100*paced/rate, "%R")
		b.ReportMetric(float64(lost), "lost")
		b.ReportMetric(float64(limited.Load()), "429s")
		b.ReportMetric(firstHalf, "peakMiB-1st-half")
		b.ReportMetric(secondHalf, "peakMiB-2nd-half")
		b.Logf("R=%g/s burst=%d concurrency=%d: %d items in %v = %.1f items/s (%.1f%% of R), lost %d, %d answers 429 (server: %d accepted, %d limited), peak heap %.1f / %.1f MiB (first / second half)",
			rate, burst, concurrency, n, elapsed.Round(time.Millisecond), throughput, 100*paced/rate, lost, limited.Load(), accepted, rejected, firstHalf, secondHalf)
		if lost != 0 || accepted != n {
			b.Errorf("lost %d items; the server accepted %d requests for %d items", lost, accepted, n)
		}
	}
}

// BenchmarkBatch1000Naive is the baseline RunBatch replaces: 8 goroutines
// calling Generate for the same 1,000 items against the same limited
// server, each request retried by the client (default 2 retries, honouring
// Retry-After-Ms) and every worker waiting on its own.
//
//	go test -run='^$' -bench=Batch1000Naive -benchtime=1x ./wrapper/
func BenchmarkBatch1000Naive(b *testing.B) {
	const n = 1000
	rate := envOr("OPENAI_IMAGES_BENCH_RATE", 100.0, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
	burst := envOr("OPENAI_IMAGES_BENCH_BURST", 10, strconv.Atoi)
	concurrency := envOr("OPENAI_IMAGES_BENCH_CONCURRENCY", 8, strconv.Atoi)
	for range b.N {
		b.StopTimer()
		url, stop := benchServer(b, rate, burst)
		c, err := wrapper.New(wrapper.WithBaseURL(url), wrapper.WithAPIKey("sk-bench"))
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		b.StartTimer()
		start := time.Now()
		var next, failed atomic.Int64
		var wg sync.WaitGroup
		for range concurrency {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
					res, err := c.Generate(context.Background(), *gen256(fmt.Sprintf("benchmark scene %d", i)))
					if err == nil {
						_, err = res.SaveAll(context.Background(), dir, fmt.Sprintf("item-%05d", i+1))
					}
					if err != nil {
						failed.Add(1)
					}
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		accepted, rejected := stop()
		paced := float64(accepted-burst) / elapsed.Seconds()
		b.ReportMetric(float64(n)/elapsed.Seconds(), "items/s")
		b.ReportMetric(100*paced/rate, "%R")
		b.ReportMetric(float64(failed.Load()), "lost")
		b.ReportMetric(float64(rejected), "429s")
		b.Logf("R=%g/s burst=%d concurrency=%d: %d items in %v, %.1f%% of R, lost %d (failed after the client's retries), %d answers 429",
			rate, burst, concurrency, n, elapsed.Round(time.Millisecond), 100*paced/rate, failed.Load(), rejected)
	}
}
