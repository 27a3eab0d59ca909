package sse

import (
	"bufio"
	"bytes"
	"io"
	"testing"
)

// BenchmarkSSEDecode64MiB decodes one event with 64 MiB of data and, for
// comparison, reads the same bytes line by line through a bufio.Reader.
func BenchmarkSSEDecode64MiB(b *testing.B) {
	const n = 64 << 20
	input := bigEvent(n)
	b.Run("decoder", func(b *testing.B) {
		b.SetBytes(int64(len(input)))
		b.ReportAllocs()
		for b.Loop() {
			d := NewDecoder(bytes.NewReader(input))
			e, err := d.Next()
			if err != nil || len(e.Data) != n {
				b.Fatalf("got %d bytes, %v", len(e.Data), err)
			}
		}
	})
	b.Run("decoder-reuse", func(b *testing.B) {
		// A decoder that is Reset for every stream and reuses its data
		// buffer (WithDataReuse) allocates nothing once warmed up.
		b.SetBytes(int64(len(input)))
		b.ReportAllocs()
		d := NewDecoder(bytes.NewReader(input), WithDataReuse())
		if _, err := d.Next(); err != nil { // warm up: grow the buffer once
			b.Fatal(err)
		}
		for b.Loop() {
			d.Reset(bytes.NewReader(input))
			e, err := d.Next()
			if err != nil || len(e.Data) != n {
				b.Fatalf("got %d bytes, %v", len(e.Data), err)
			}
		}
	})
	b.Run("fresh-64MiB-floor", func(b *testing.B) {
		// The least any decoder returning a freshly allocated 64 MiB slice
		// has to do: allocate it and copy the data into it.
		b.SetBytes(int64(len(input)))
		b.ReportAllocs()
		for b.Loop() {
			data := make([]byte, n)
			r := bytes.NewReader(input)
			r.Seek(6, io.SeekStart)
			if _, err := io.ReadFull(r, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	baseline := func(size int) func(b *testing.B) {
		return func(b *testing.B) {
			b.SetBytes(int64(len(input)))
			b.ReportAllocs()
			for b.Loop() {
				br := bufio.NewReaderSize(bytes.NewReader(input), size)
				total := 0
				for {
					line, err := br.ReadSlice('\n')
					total += len(line)
					if err == io.EOF {
						break
					}
					if err != nil && err != bufio.ErrBufferFull {
						b.Fatal(err)
					}
				}
				if total != len(input) {
					b.Fatalf("read %d bytes", total)
				}
			}
		}
	}
	b.Run("bufio-baseline", baseline(4096)) // bufio.NewReader's default size
	b.Run("bufio-baseline-64KiB", baseline(64<<10))
}

// BenchmarkSSEDecodeSmallEvents decodes a stream of many small events.
func BenchmarkSSEDecodeSmallEvents(b *testing.B) {
	var input []byte
	for range 10000 {
		input = append(input, "event: image_generation.partial_image\ndata: "+p0+"\n\n"...)
	}
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(input))
		for {
			if _, err := d.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
	}
}
