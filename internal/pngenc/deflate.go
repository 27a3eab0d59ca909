package pngenc

import (
	"encoding/binary"
	"hash"
	"hash/adler32"
	"math/bits"
)

// runEncoder writes a zlib stream (RFC 1950) of one deflate block with the
// fixed Huffman codes (RFC 1951, section 3.2.6) in which every repeat is a
// run of the previous byte (a match at distance 1) and everything else is a
// literal. After the Sub filter, the emulator's pictures are mostly runs of
// zeros: this compresses them about as well as compress/flate at
// BestSpeed, at a fraction of its cost (no hashing, no Huffman trees).
// Pictures without runs (photographs an edit started from) come out at
// about 9/8 of their size, and Encode then uses compress/flate instead.
type runEncoder struct {
	out   []byte
	acc   uint64 // bits not yet in out, least significant first
	nacc  uint
	adler hash.Hash32
	prev  int // the last byte written, or -1 at the start
}

const (
	maxRun     = 258 // the longest deflate match
	minRun     = 3   // the shortest
	endOfBlock = 256
)

// code is a Huffman code (already bit-reversed, as deflate writes codes
// most significant bit first into a least-significant-first stream) with
// any extra bits after it, and its length in bits.
type code struct {
	bits uint32
	n    uint8
}

var (
	literalCodes [257]code        // literals 0-255 and end of block
	runCodes     [maxRun + 1]code // a match of each length at distance 1
)

func init() {
	for s := range 257 {
		literalCodes[s] = fixedCode(s)
	}
	// Length symbols 257-285: base lengths and extra bits (RFC 1951 3.2.5).
	bases := [...]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
		35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	extra := [...]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
		3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	for i, base := range bases {
		sym := fixedCode(257 + i)
		for x := range 1 << extra[i] {
			// Symbol 284 with extra bits 31 would say 258 too; the loop
			// reaches 258's own symbol, 285, last.
			if length := base + x; length <= maxRun {
				runCodes[length] = code{
					// then distance 1: distance code 0, five zero bits
					bits: sym.bits | uint32(x)<<sym.n,
					n:    sym.n + extra[i] + 5,
				}
			}
		}
	}
}

// fixedCode is the fixed Huffman code of a literal/length symbol.
func fixedCode(s int) code {
	var v, n int
	switch {
	case s < 144:
		v, n = 0x30+s, 8
	case s < 256:
		v, n = 0x190+s-144, 9
	case s < 280:
		v, n = s-256, 7
	default:
		v, n = 0xc0+s-280, 8
	}
	return code{bits: uint32(bits.Reverse16(uint16(v)) >> (16 - n)), n: uint8(n)}
}

// reset starts a stream in out's memory.
func (e *runEncoder) reset(out []byte) {
	if e.adler == nil {
		e.adler = adler32.New()
	}
	e.adler.Reset()
	e.out, e.acc, e.nacc, e.prev = append(out[:0], 0x78, 0x01), 0, 0, -1
	e.put(code{bits: 0b011, n: 3}) // BFINAL = 1, BTYPE = 01 (fixed codes)
}

func (e *runEncoder) put(c code) {
	e.acc |= uint64(c.bits) << e.nacc
	e.nacc += uint(c.n)
	if e.nacc >= 32 {
		e.out = binary.LittleEndian.AppendUint32(e.out, uint32(e.acc))
		e.acc >>= 32
		e.nacc -= 32
	}
}

// write adds p to the stream.
func (e *runEncoder) write(p []byte) {
	e.adler.Write(p)
	for i := 0; i < len(p); {
		b := p[i]
		if int(b) == e.prev {
			j := i + 1
			for j < len(p) && p[j] == b {
				j++
			}
			for run := j - i; run > 0; {
				if run < minRun {
					for range run {
						e.put(literalCodes[b])
					}
					break
				}
				n := min(run, maxRun)
				e.put(runCodes[n])
				run -= n
			}
			i = j
			continue
		}
		e.put(literalCodes[b])
		e.prev = int(b)
		i++
	}
}

// finish ends the block and the stream and returns it.
func (e *runEncoder) finish() []byte {
	e.put(literalCodes[endOfBlock])
	for e.nacc > 0 {
		e.out = append(e.out, byte(e.acc))
		e.acc >>= 8
		e.nacc -= min(e.nacc, 8)
	}
	return binary.BigEndian.AppendUint32(e.out, e.adler.Sum32())
}
