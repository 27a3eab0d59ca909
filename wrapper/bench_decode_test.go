package wrapper

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/imagegen-go/openai-images/wrapper/internal/sse"
)

// The decoders of image responses, before (legacy_decode_test.go: the
// event or body held whole, then json.Unmarshal) and after (read through
// internal/imagejson), in one process on the same bytes, with a bufio
// ReadBytes baseline. No network: this is the decoding alone; bench/ has
// the whole calls against a server, beside openai-go.
//
//	go test -run='^$' -bench='ImageEventDecode|ImagesBodyDecode' -benchtime=1s ./wrapper/

// benchImage returns base64 text of about n bytes (a multiple of 4).
func benchImage(n int) string {
	raw := make([]byte, n/4*3)
	for i := range raw {
		raw[i] = byte(i*31 + i>>9)
	}
	copy(raw, "\x89PNG\r\n\x1a\n")
	return base64.StdEncoding.EncodeToString(raw)
}

// benchSizes are the sizes of the decoding benchmarks, in MiB.
var benchSizes = []int{1, 8, 64, 256}

func BenchmarkImageEventDecode(b *testing.B) {
	for _, size := range benchSizes {
		if size > 64 && testing.Short() {
			continue
		}
		b64 := benchImage(size<<20 - 300)
		event := []byte("event: image_generation.completed\ndata: {\"type\":\"image_generation.completed\",\"b64_json\":\"" + b64 +
			`","created_at":1,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","usage":{"input_tokens":1,"input_tokens_details":{"image_tokens":0,"text_tokens":1},"output_tokens":2,"total_tokens":3}}` + "\n\n")
		run := func(name string, f func() int) {
			b.Run(fmt.Sprintf("%dMiB/%s", size, name), func(b *testing.B) {
				b.SetBytes(int64(len(event)))
				b.ReportAllocs()
				for b.Loop() {
					if n := f(); n != len(b64) {
						b.Fatalf("image of %d bytes, want %d", n, len(b64))
					}
				}
			})
		}
		run("bufio-ReadBytes", func() int {
			br := bufio.NewReader(bytes.NewReader(event))
			for {
				line, err := br.ReadBytes('\n')
				if len(line) > len(b64) {
					return len(b64)
				}
				if err != nil {
					return 0
				}
			}
		})
		// Before: one data buffer per stream (the wrapper's configuration
		// was WithDataReuse, but each stream has its own decoder), then
		// json.Unmarshal into the event.
		run("before", func() int {
			dec := sse.NewDecoder(bytes.NewReader(event), sse.WithDataReuse())
			ev, err := dec.Next()
			if err != nil {
				b.Fatal(err)
			}
			got, err := legacyDecodeStreamEvent(ev.Type, ev.Data)
			if err != nil {
				b.Fatal(err)
			}
			return len(got.(*CompletedEvent).B64JSON)
		})
		run("after", func() int {
			dec := sse.NewDecoder(bytes.NewReader(event))
			doc := newImageDoc(imageEventPaths)
			doc.reset(nil)
			ev, err := dec.NextTo(doc)
			if err == nil {
				err = doc.finish()
			}
			if err != nil {
				b.Fatal(err)
			}
			got, err := decodeStreamEvent(ev.Type, doc)
			if err != nil {
				b.Fatal(err)
			}
			return len(got.(*CompletedEvent).B64JSON)
		})
		dir := b.TempDir()
		files := &imageFiles{dir: dir, name: func(f ImageFile) string { return "image" + f.Ext }}
		run("after-files", func() int {
			dec := sse.NewDecoder(bytes.NewReader(event))
			doc := newImageDoc(imageEventPaths)
			doc.reset(files)
			ev, err := dec.NextTo(doc)
			if err == nil {
				err = doc.finish()
			}
			if err != nil {
				b.Fatal(err)
			}
			got, err := decodeStreamEvent(ev.Type, doc)
			if err != nil {
				b.Fatal(err)
			}
			os.Remove(got.(*CompletedEvent).Path)
			return len(b64)
		})
	}
}

func BenchmarkImagesBodyDecode(b *testing.B) {
	c := &Client{cfg: &config{maxResponseSize: DefaultMaxResponseSize}}
	for _, size := range benchSizes {
		if size > 64 && testing.Short() {
			continue
		}
		b64 := benchImage(size<<20 - 300)
		body := []byte(`{"created":1713833628,"data":[{"b64_json":"` + b64 + `"}],"background":"opaque","output_format":"png","quality":"high","size":"1024x1024","usage":{"input_tokens":50,"input_tokens_details":{"image_tokens":40,"text_tokens":10},"output_tokens":50,"total_tokens":100}}`)
		resp := func() *http.Response {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(body))}
		}
		run := func(name string, f func() int) {
			b.Run(fmt.Sprintf("%dMiB/%s", size, name), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if n := f(); n != len(b64) {
						b.Fatalf("image of %d bytes, want %d", n, len(b64))
					}
				}
			})
		}
		run("bufio-ReadBytes", func() int {
			line, _ := bufio.NewReader(resp().Body).ReadBytes('\n')
			return len(line) - (len(body) - len(b64))
		})
		run("before", func() int {
			res, err := c.legacyParseImages("createImage", resp(), nil)
			if err != nil {
				b.Fatal(err)
			}
			return len(res.Data[0].B64JSON)
		})
		run("after", func() int {
			res, err := c.parseImages("createImage", resp(), nil, true, "")
			if err != nil {
				b.Fatal(err)
			}
			return len(res.Data[0].B64JSON)
		})
		dir := b.TempDir()
		files := &imageFiles{dir: dir, name: func(f ImageFile) string { return "image" + f.Ext }}
		run("after-files", func() int {
			res, err := c.parseImages("createImage", resp(), files, true, "")
			if err != nil {
				b.Fatal(err)
			}
			os.Remove(res.Data[0].Path)
			return len(b64)
		})
	}
}
