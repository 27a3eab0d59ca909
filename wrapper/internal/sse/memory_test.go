package sse

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// allocated returns the number of bytes allocated on the heap while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// allocSizes are the data sizes of the events in TestEventAllocation:
// just over and at powers of two, and odd sizes.
func allocSizes(t *testing.T) []int {
	sizes := []int{1<<20 + 1, 3<<20 + 17, 8 << 20, 8<<20 + 1}
	if !testing.Short() {
		sizes = append(sizes, 64<<20+40)
	}
	return sizes
}

// multiLineEvent returns a stream holding one event whose data is n bytes,
// sent as data lines of at most 1000 bytes.
func multiLineEvent(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; {
		if i > 0 {
			i++ // the "\n" between lines
		}
		k := min(1000, n-i)
		b.WriteString("data: ")
		b.Write(bytes.Repeat([]byte{'a' + byte(i%26)}, k))
		b.WriteString("\n")
		i += k
	}
	b.WriteString("\n")
	return b.Bytes()
}

// TestEventAllocation checks that decoding an event of n bytes allocates
// at most 2n bytes plus a constant, whatever n and however the input is
// read, and that with WithDataReuse decoding it again allocates nothing.
func TestEventAllocation(t *testing.T) {
	const slack = 1 << 20
	for _, n := range allocSizes(t) {
		single := bigEvent(n)
		want := single[len("data: ") : len(single)-2]
		limit := uint64(2*n + slack)
		inputs := []struct {
			name  string
			input []byte
			rd    func([]byte) io.Reader
		}{
			{"single line", single, func(b []byte) io.Reader { return bytes.NewReader(b) }},
			{"single line, 10007-byte reads", single, func(b []byte) io.Reader { return &chunkReader{r: bytes.NewReader(b), n: 10007} }},
		}
		if n < 16<<20 {
			inputs = append(inputs, struct {
				name  string
				input []byte
				rd    func([]byte) io.Reader
			}{"1000-byte lines", multiLineEvent(n), func(b []byte) io.Reader { return bytes.NewReader(b) }})
		}
		for _, in := range inputs {
			t.Run(fmt.Sprintf("%d/%s", n, in.name), func(t *testing.T) {
				check := func(what string, e Event, err error) {
					t.Helper()
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					if len(e.Data) != n {
						t.Fatalf("%s: got %d bytes, want %d", what, len(e.Data), n)
					}
					if in.name != "1000-byte lines" && !bytes.Equal(e.Data, want) {
						t.Fatalf("%s: data corrupted", what)
					}
				}

				// Default mode: a fresh slice for the event.
				var e Event
				var err error
				got := allocated(func() { e, err = NewDecoder(in.rd(in.input)).Next() })
				check("fresh", e, err)
				t.Logf("fresh: %d bytes allocated, %.3fx the event", got, float64(got)/float64(n))
				if got > limit {
					t.Errorf("fresh: %d bytes allocated for an event of %d bytes, want at most %d", got, n, limit)
				}
				if cap(e.Data) != n {
					t.Errorf("fresh: cap(Data) = %d, want %d", cap(e.Data), n)
				}
				e = Event{}

				// WithDataReuse: the first event is bounded the same way,
				// the next ones of the same size allocate nothing.
				var d *Decoder
				got = allocated(func() {
					d = NewDecoder(in.rd(in.input), WithDataReuse())
					e, err = d.Next()
				})
				check("reuse, first", e, err)
				t.Logf("reuse, first: %d bytes allocated", got)
				if got > limit {
					t.Errorf("reuse, first: %d bytes allocated for an event of %d bytes, want at most %d", got, n, limit)
				}
				for i := 2; i <= 3; i++ {
					got = allocated(func() {
						d.Reset(in.rd(in.input))
						e, err = d.Next()
					})
					check(fmt.Sprintf("reuse, #%d", i), e, err)
					if got >= 64<<10 && !raceEnabled {
						t.Errorf("reuse, #%d: %d bytes allocated, want < 64 KiB", i, got)
					}
				}
				if _, err := d.Next(); err != io.EOF {
					t.Errorf("reuse: end %v, want io.EOF", err)
				}
			})
		}
	}
}

// TestDataReuseRetention checks what a reusing decoder keeps: the largest
// event's data, exactly sized, and at most one spare chunk.
func TestDataReuseRetention(t *testing.T) {
	big := bigEvent(3<<20 + 5)
	d := NewDecoder(bytes.NewReader(big), WithDataReuse())
	e, err := d.Next()
	if err != nil || len(e.Data) != 3<<20+5 {
		t.Fatalf("got %d bytes, %v", len(e.Data), err)
	}
	if cap(d.keep) != len(e.Data) || &d.keep[:1][0] != &e.Data[0] {
		t.Errorf("kept buffer of %d bytes, want the event's data of %d", cap(d.keep), len(e.Data))
	}
	if cap(d.spare) > chunkSize {
		t.Errorf("spare chunk of %d bytes", cap(d.spare))
	}
	if len(d.chunks) != 0 || d.chunked != 0 {
		t.Errorf("%d chunks of %d bytes retained", len(d.chunks), d.chunked)
	}
	// A smaller event reuses the buffer.
	d.Reset(strings.NewReader("data: small\n\n"))
	s, err := d.Next()
	if err != nil || string(s.Data) != "small" || &s.Data[0] != &e.Data[0] {
		t.Fatalf("small event: %q, %v", s.Data, err)
	}
	// So does an event of exactly the buffer's size that is cut off.
	d.Reset(bytes.NewReader(big[:len(big)-2]))
	if _, err := d.Next(); err != ErrUnterminatedEvent {
		t.Fatalf("cut off: %v", err)
	}
	if len(d.chunks) != 0 {
		t.Errorf("cut-off event of the kept size went into %d chunks", len(d.chunks))
	}
}

// TestChunkBoundaries decodes events whose data ends around the chunk
// boundaries, in both modes and through different readers, and compares
// the result with the reference decoder.
func TestChunkBoundaries(t *testing.T) {
	boundaryEvents := func(cs int, ks, deltas []int) []byte {
		var input []byte
		for i, k := range ks {
			for j, delta := range deltas {
				n := k*cs + delta
				eol := []string{"\n", "\r", "\r\n"}[(i+j)%3]
				input = fmt.Appendf(input, "event: e%d.%d%s", i, j, eol)
				input = append(input, bigEvent(n)[:n+6]...)
				if j%4 == 0 {
					input = append(input, eol+"data: "+strings.Repeat("y", j*cs/4)...)
				}
				input = append(input, eol+eol...)
			}
		}
		// The same events again, for the buffer kept with WithDataReuse.
		return append(input, input...)
	}
	for _, tc := range []struct {
		cs    int // chunk size; 0 for the real one
		input []byte
	}{
		{0, boundaryEvents(chunkSize, []int{1, 2}, []int{-6, -1, 0, 1, 7})},
		{1000, boundaryEvents(1000, []int{1, 2, 3, 70}, []int{-7, -6, -5, -1, 0, 1, 6, 7})},
	} {
		want := reference(tc.input)
		for name, rd := range map[string]func() io.Reader{
			"whole":            func() io.Reader { return bytes.NewReader(tc.input) },
			"half":             func() io.Reader { return iotest.HalfReader(bytes.NewReader(tc.input)) },
			"65539-byte reads": func() io.Reader { return &chunkReader{r: bytes.NewReader(tc.input), n: 65539} },
			"4093-byte reads":  func() io.Reader { return &chunkReader{r: bytes.NewReader(tc.input), n: 4093} },
		} {
			var opt Option
			if tc.cs > 0 {
				opt = withChunkSize(tc.cs)
			}
			what := fmt.Sprintf("chunk size %d, %s", tc.cs, name)
			checkRecord(t, what, mustDecode(t, rd(), opt), want)
			checkRecord(t, what+", reuse", mustDecode(t, rd(), opt, WithDataReuse()), want)
		}
	}
	// Small chunks, with a size limit that is hit in the middle of a chunk.
	small := []byte("data: 0123456789\ndata: abcdefghijklmnopqrstuvwxyz\n\ndata: 0123456789abcdef\n\n")
	for _, limit := range []int{0, 10, 16, 17, 26, 27, 36, 37, 38, 39} {
		opt := WithMaxEventSize(limit)
		want := mustDecode(t, bytes.NewReader(small), opt)
		for _, cs := range []int{1, 2, 7, 10, 16, 64} {
			for _, reuse := range []Option{nil, WithDataReuse()} {
				what := fmt.Sprintf("limit %d, chunks of %d, reuse %v", limit, cs, reuse != nil)
				checkRecord(t, what, mustDecode(t, bytes.NewReader(small), opt, withChunkSize(cs), reuse), want)
				checkRecord(t, what+", OneByteReader", mustDecode(t, iotest.OneByteReader(bytes.NewReader(small)), opt, withChunkSize(cs), reuse), want)
			}
		}
	}
}
