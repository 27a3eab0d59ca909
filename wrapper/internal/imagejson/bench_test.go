package imagejson

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"testing"
)

// benchDoc is an images response of about 64 MiB: one base64 image.
func benchDoc() []byte {
	img := make([]byte, 48<<20)
	for i := range img {
		img[i] = byte(i*31 + i>>9)
	}
	return []byte(`{"created":1,"data":[{"b64_json":"` + base64.StdEncoding.EncodeToString(img) + `"}],"usage":{"total_tokens":2}}`)
}

// BenchmarkScan64MiB scans a 64 MiB images response read in 64 KiB pieces:
// keeping the text (Text), decoding it (Decoded, to io.Discard), and, as
// baselines, bufio.Reader.ReadBytes of the same bytes and json.Unmarshal.
//
//	go test -run='^$' -bench=Scan64MiB ./wrapper/internal/imagejson/
func BenchmarkScan64MiB(b *testing.B) {
	doc := benchDoc()
	paths := []Path{{"data", "[]", "b64_json"}}
	run := func(b *testing.B, sink func() Sink) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		sc := NewScanner(paths)
		for b.Loop() {
			var s Sink
			sc.Reset(func(int, []int) Sink { s = sink(); return s })
			if _, err := sc.ReadFrom(bytes.NewReader(doc)); err != nil {
				b.Fatal(err)
			}
			if err := sc.Finish(); err != nil {
				b.Fatal(err)
			}
			var v struct {
				Data []struct {
					B64JSON string `json:"b64_json"`
				} `json:"data"`
			}
			if err := sc.Unmarshal(&v); err != nil {
				b.Fatal(err)
			}
			if got, ok := sc.Sink(v.Data[0].B64JSON); !ok || got != s {
				b.Fatal("no image")
			}
		}
	}
	b.Run("text", func(b *testing.B) { run(b, func() Sink { return NewText() }) })
	b.Run("decoded", func(b *testing.B) { run(b, func() Sink { return NewDecoded(io.Discard) }) })
	b.Run("bufio-ReadBytes", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			line, err := bufio.NewReader(bytes.NewReader(doc)).ReadBytes('\n')
			if err != io.EOF || len(line) != len(doc) {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			var v struct {
				Data []struct {
					B64JSON string `json:"b64_json"`
				} `json:"data"`
			}
			if err := json.Unmarshal(doc, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("base64.Decode", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		dst := make([]byte, base64.StdEncoding.DecodedLen(len(doc)))
		src := doc[bytes.Index(doc, []byte(`"b64_json":"`))+12:]
		src = src[:bytes.IndexByte(src, '"')]
		for b.Loop() {
			base64.StdEncoding.Decode(dst, src)
		}
	})
}
