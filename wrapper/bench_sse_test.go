package wrapper

import (
	"bufio"
	"bytes"
	"io"
	"testing"

	"github.com/imagegen-go/openai-images/wrapper/internal/sse"
)

// sseEvent64MiB is one "data:" event of 64 MiB, like a large base64 image.
func sseEvent64MiB() []byte {
	const size = 64 << 20
	var b bytes.Buffer
	b.Grow(size + 64)
	b.WriteString("event: image_generation.completed\ndata: ")
	chunk := bytes.Repeat([]byte("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MjQy"), 1024)
	for b.Len() < size {
		b.Write(chunk)
	}
	b.WriteString("\n\n")
	return b.Bytes()
}

// BenchmarkSSEDecode64MiB decodes one 64 MiB event. "decoder-to" is the
// configuration the wrapper's streams use: NextTo hands the data on as it is
// read (here to io.Discard; in the wrapper, to the image scanner) and holds
// none of it. "decoder" reuses one data buffer from event to event (the
// streams' configuration before NextTo); "decoder-fresh" returns each event
// in new memory. The baselines read the same bytes through a plain
// bufio.Reader: ReadBytes returns the line, as a decoder must; ReadSlice only
// scans for line ends in a 4 KiB window and never holds the line.
//
//	go test -run='^$' -bench=SSEDecode64MiB -benchtime=10x ./wrapper/
func BenchmarkSSEDecode64MiB(b *testing.B) {
	data := sseEvent64MiB()
	b.Run("decoder-to", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		r := bytes.NewReader(data)
		dec := sse.NewDecoder(r)
		var n countWriter
		for b.Loop() {
			r.Reset(data)
			dec.Reset(r)
			n = 0
			if _, err := dec.NextTo(&n); err != nil || n < 64<<20 {
				b.Fatalf("event of %d bytes, %v", n, err)
			}
		}
	})
	b.Run("decoder", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		r := bytes.NewReader(data)
		dec := sse.NewDecoder(r, sse.WithDataReuse())
		for b.Loop() {
			r.Reset(data)
			dec.Reset(r)
			ev, err := dec.Next()
			if err != nil || len(ev.Data) < 64<<20 {
				b.Fatalf("event of %d bytes, %v", len(ev.Data), err)
			}
		}
	})
	b.Run("decoder-fresh", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			ev, err := sse.NewDecoder(bytes.NewReader(data)).Next()
			if err != nil || len(ev.Data) < 64<<20 {
				b.Fatalf("event of %d bytes, %v", len(ev.Data), err)
			}
		}
	})
	b.Run("bufio-ReadBytes", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			br := bufio.NewReader(bytes.NewReader(data))
			longest := 0
			for {
				line, err := br.ReadBytes('\n')
				longest = max(longest, len(line))
				if err == io.EOF {
					break
				}
			}
			if longest < 64<<20 {
				b.Fatal("line not read")
			}
		}
	})
	b.Run("bufio-ReadSlice", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			br := bufio.NewReader(bytes.NewReader(data))
			n := 0
			for {
				line, err := br.ReadSlice('\n')
				n += len(line)
				if err == io.EOF {
					break
				}
			}
			if n != len(data) {
				b.Fatal("short read")
			}
		}
	})
}

// countWriter counts what is written to it.
type countWriter int

func (w *countWriter) Write(p []byte) (int, error) { *w += countWriter(len(p)); return len(p), nil }
