// Package loadgen drives the emulator with concurrent requests and
// measures CPU time, for the benchmarks of contract, imagestest and the
// openai-images serve command (docs/BENCHMARKS.md). It is test support:
// only benchmarks import it.
package loadgen

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// SmallGenerations sends b.N small generations (dall-e-2, 256x256,
// b64_json, a different prompt each, so nothing can be served from a cache)
// to the Images API at baseURL (ending in /v1) from concurrency goroutines
// over keep-alive connections, and reports the rate as "req/s" and the
// process's CPU time per request (server and client together) as
// "cpu-ns/op". The first request, before the timer starts, checks that a
// 256x256 PNG comes back.
func SmallGenerations(b *testing.B, baseURL string, concurrency int) {
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: concurrency,
		DisableCompression:  true,
	}}
	defer client.CloseIdleConnections()
	url := baseURL + "/images/generations"
	body := func(i int64) []byte {
		return fmt.Appendf(nil, `{"model":"dall-e-2","prompt":"a small red sailing boat, take %d","size":"256x256","response_format":"b64_json"}`, i)
	}
	first, err := post(client, url, body(0))
	if err != nil {
		b.Fatal(err)
	}
	if err := checkImage(first, 256, 256); err != nil {
		b.Fatal(err)
	}

	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	n := int64(b.N)
	b.ResetTimer()
	stopCPU := CPUPerOp(b)
	start := time.Now()
	for range concurrency {
		wg.Go(func() {
			for i := next.Add(1); i <= n; i = next.Add(1) {
				if _, err := post(client, url, body(i)); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	stopCPU()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "req/s")
}

// post sends one authenticated JSON request and returns the body of a 200
// response.
func post(client *http.Client, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-bench")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %.300s", resp.StatusCode, strings.TrimSpace(string(data)))
	}
	return data, nil
}

// checkImage checks that an images response holds one PNG of w x h.
func checkImage(resp []byte, w, h int) error {
	var out struct {
		Data []struct {
			B64JSON string `json:"b64_json"`
		} `json:"data"`
	}
	if err := json.Unmarshal(resp, &out); err != nil || len(out.Data) != 1 {
		return fmt.Errorf("images response %.200s: %v", resp, err)
	}
	img, err := base64.StdEncoding.DecodeString(out.Data[0].B64JSON)
	if err != nil {
		return fmt.Errorf("b64_json: %v", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil || cfg.Width != w || cfg.Height != h {
		return fmt.Errorf("image: want a %dx%d PNG, got %dx%d (%v)", w, h, cfg.Width, cfg.Height, err)
	}
	return nil
}

// CPUPerOp measures the process's CPU time from now until the returned
// function is called, and reports it divided by b.N as "cpu-ns/op". On a
// machine shared with other work, CPU time per operation is steadier than
// wall time: it does not count the time spent waiting for a core.
func CPUPerOp(b *testing.B) (stop func()) {
	start := CPUTime()
	return func() {
		if used := CPUTime() - start; used > 0 && b.N > 0 {
			b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}
