package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	openai "github.com/openai/openai-go/v3"
	goopenai "github.com/sashabaranov/go-openai"

	"github.com/imagegen-go/openai-images/wrapper"
)

// rawImagesResponse is what the raw baseline decodes the response into.
type rawImagesResponse struct {
	Created int64 `json:"created"`
	Data    []struct {
		B64JSON string `json:"b64_json"`
	} `json:"data"`
	Usage struct {
		InputTokens  int `json:"input_tokens"`
		OutputTokens int `json:"output_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

// generators returns, per client, one small generate call (tiny JSON
// response) with retries off, all over the same keep-alive http.Client.
func generators(tb testing.TB, s *server) map[string]func() error {
	ctx := context.Background()
	wc := newWrapper(tb, s.baseURL(cWrapper, "ok"), wrapper.WithMaxRetries(0))
	wcNoVal := newWrapper(tb, s.baseURL(cWrapper+"-novalidate", "ok"), wrapper.WithMaxRetries(0), wrapper.WithValidation(false))
	oc := newOpenAI(s.baseURL(cOpenAI, "ok"), 0)
	gc := newGoOpenAI(s.baseURL(cGoOpenAI, "ok"))
	rawURL := s.baseURL(cRaw, "ok") + "/images/generations"
	rawBody := []byte(`{"prompt":"bench","model":"gpt-image-1.5"}`)
	wp := wrapper.GenerateParams{Prompt: "bench", Model: wrapper.ModelGPTImage15}
	check := func(n int) error {
		if n != 1 {
			return fmt.Errorf("%d images in the response", n)
		}
		return nil
	}
	return map[string]func() error{
		cRaw: func() error {
			resp, err := httpClient.Post(rawURL, "application/json", bytes.NewReader(rawBody))
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			var out rawImagesResponse
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				return err
			}
			io.Copy(io.Discard, resp.Body) // keep the connection reusable
			return check(len(out.Data))
		},
		cWrapper: func() error {
			res, err := wc.Generate(ctx, wp)
			if err != nil {
				return err
			}
			return check(len(res.Data))
		},
		cWrapper + "-novalidate": func() error {
			res, err := wcNoVal.Generate(ctx, wp)
			if err != nil {
				return err
			}
			return check(len(res.Data))
		},
		cOpenAI: func() error {
			res, err := oc.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "bench", Model: openai.ImageModelGPTImage1_5})
			if err != nil {
				return err
			}
			return check(len(res.Data))
		},
		cGoOpenAI: func() error {
			res, err := gc.CreateImage(ctx, goopenai.ImageRequest{Prompt: "bench", Model: goopenai.CreateImageModelGptImage1Dot5})
			if err != nil {
				return err
			}
			return check(len(res.Data))
		},
	}
}

// overheadClients is the order of the overhead sub-benchmarks.
var overheadClients = []string{cRaw, cWrapper, cWrapper + "-novalidate", cOpenAI, cGoOpenAI}

// BenchmarkGenerateOverhead measures one small generate call per operation
// (a ~40-byte JSON request, a ~190-byte JSON response) against the local
// server. The server runs in the same process, so its own allocations are in
// every figure; the raw net/http baseline shows that floor.
//
//	go test -run='^$' -bench=GenerateOverhead
func BenchmarkGenerateOverhead(b *testing.B) {
	s := sharedServer()
	gens := generators(b, s)
	for _, client := range overheadClients {
		gen := gens[client]
		b.Run(client, func(b *testing.B) {
			if err := gen(); err != nil { // warm the connection
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := gen(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
