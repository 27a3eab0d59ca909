package pngenc

import (
	"bytes"
	"compress/zlib"
	"io"
	"math/rand/v2"
	"testing"
)

// inflate decodes a zlib stream with compress/zlib.
func inflate(t *testing.T, z []byte) []byte {
	t.Helper()
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if err := zr.Close(); err != nil { // checks the Adler-32 checksum
		t.Fatal(err)
	}
	return got
}

// runStream encodes chunks with a runEncoder.
func runStream(chunks ...[]byte) []byte {
	var e runEncoder
	e.reset(nil)
	for _, c := range chunks {
		e.write(c)
	}
	return e.finish()
}

func TestRunEncoder(t *testing.T) {
	var cases [][]byte
	// Runs of every length around the limits of the length codes and of a
	// match (258), after a different byte and at the very start.
	for _, n := range []int{1, 2, 3, 4, 10, 11, 12, 18, 19, 34, 35, 66, 67, 130, 131, 226, 227, 256, 257, 258, 259, 260, 261, 515, 516, 517, 1000} {
		cases = append(cases, bytes.Repeat([]byte{0}, n), append([]byte{9}, bytes.Repeat([]byte{7}, n)...))
	}
	r := rand.New(rand.NewPCG(9, 10))
	for range 50 {
		b := make([]byte, r.IntN(3000))
		for i := range b {
			if i > 0 && r.IntN(3) > 0 {
				b[i] = b[i-1]
			} else {
				b[i] = byte(r.IntN(256))
			}
		}
		cases = append(cases, b)
	}
	cases = append(cases, nil, []byte{}, []byte{255, 144, 143, 0})
	for _, c := range cases {
		if got := inflate(t, runStream(c)); !bytes.Equal(got, c) {
			t.Fatalf("round trip of %d bytes differs", len(c))
		}
		// The same bytes written in pieces: runs go on across writes.
		var pieces [][]byte
		for rest := c; len(rest) > 0; {
			n := min(len(rest), 1+r.IntN(40))
			pieces, rest = append(pieces, rest[:n]), rest[n:]
		}
		if got := inflate(t, runStream(pieces...)); !bytes.Equal(got, c) {
			t.Fatalf("round trip of %d bytes in %d pieces differs", len(c), len(pieces))
		}
	}
}

func TestRunEncoderCompresses(t *testing.T) {
	row := append([]byte{1, 200, 100, 50}, make([]byte, 1020)...) // a filtered row of one colour
	var rows [][]byte
	for range 256 {
		rows = append(rows, row)
	}
	z := runStream(rows...)
	if len(z) > 256*30 {
		t.Fatalf("256 rows of one colour took %d bytes", len(z))
	}
	if got := inflate(t, z); len(got) != 256*len(row) {
		t.Fatalf("inflated to %d bytes", len(got))
	}
}

func FuzzRunEncoder(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1, 1})
	f.Add(bytes.Repeat([]byte{3}, 600))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got := inflate(t, runStream(b)); !bytes.Equal(got, b) {
			t.Fatalf("round trip differs")
		}
	})
}
