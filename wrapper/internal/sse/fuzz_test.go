package sse

import (
	"bytes"
	"testing"
	"testing/iotest"
)

// FuzzDecoder checks that the decoder never panics, that its result does
// not depend on how the input is split into reads, and that it agrees with
// the naive reference decoder.
func FuzzDecoder(f *testing.F) {
	for _, b := range readFixtures(f) {
		f.Add(b)
	}
	f.Add([]byte("\xEF\xBB\xBF\r\n\r"))
	f.Add([]byte("data\rdata:\r\nid:\x00\n\nretry:1\n\n"))
	f.Fuzz(func(t *testing.T, input []byte) {
		want := reference(input)
		whole := mustDecode(t, bytes.NewReader(input))
		checkRecord(t, "whole vs reference", whole, want)
		checkRecord(t, "OneByteReader", mustDecode(t, iotest.OneByteReader(bytes.NewReader(input))), want)
		half := len(input) / 2
		checkRecord(t, "split in half", mustDecode(t, &scriptReader{chunks: []string{string(input[:half]), string(input[half:])}}), want)

		checkRecord(t, "WithDataReuse", mustDecode(t, iotest.OneByteReader(bytes.NewReader(input)), WithDataReuse()), want)
		checkRecord(t, "tiny", mustDecode(t, bytes.NewReader(input), withTiny()), want)
		checkRecord(t, "tiny, HalfReader", mustDecode(t, iotest.HalfReader(bytes.NewReader(input)), withTiny(), WithDataReuse()), want)
		checkRecord(t, "3-byte chunks", mustDecode(t, bytes.NewReader(input), withChunkSize(3)), want)
		checkRecord(t, "3-byte chunks, reuse, HalfReader", mustDecode(t, iotest.HalfReader(bytes.NewReader(input)), withChunkSize(3), WithDataReuse()), want)

		// NextTo writes what Next returns.
		checkRecord(t, "NextTo", mustDecodeTo(t, bytes.NewReader(input)), want)
		checkRecord(t, "NextTo, OneByteReader", mustDecodeTo(t, iotest.OneByteReader(bytes.NewReader(input))), want)
		checkRecord(t, "NextTo, tiny, HalfReader", mustDecodeTo(t, iotest.HalfReader(bytes.NewReader(input)), withTiny()), want)

		// With a small limit the result must still not depend on the reads.
		opt := WithMaxEventSize(len(input)/4 + 1)
		limited := mustDecode(t, bytes.NewReader(input), opt)
		checkRecord(t, "limited, OneByteReader", mustDecode(t, iotest.OneByteReader(bytes.NewReader(input)), opt), limited)
		checkRecord(t, "limited, tiny", mustDecode(t, bytes.NewReader(input), opt, withTiny()), limited)
		checkRecord(t, "limited, NextTo", mustDecodeTo(t, iotest.HalfReader(bytes.NewReader(input)), opt), limited)
	})
}
