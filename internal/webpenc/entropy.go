package webpenc

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// bitWriter packs bits least-significant bit first, as VP8L requires.
type bitWriter struct {
	buf  []byte
	acc  uint64
	nacc uint
}

// writeBits appends the n (<= 32) low bits of v; v must have no higher bits.
func (b *bitWriter) writeBits(v uint32, n uint) {
	b.acc |= uint64(v) << b.nacc
	b.nacc += n
	if b.nacc >= 32 {
		b.buf = binary.LittleEndian.AppendUint32(b.buf, uint32(b.acc))
		b.acc >>= 32
		b.nacc -= 32
	}
}

// finish flushes the remaining bits (zero-padded to a byte) and returns
// the buffer.
func (b *bitWriter) finish() []byte {
	for b.nacc > 0 {
		b.buf = append(b.buf, byte(b.acc))
		b.acc >>= 8
		b.nacc -= min(b.nacc, 8)
	}
	return b.buf
}

const (
	numLiteralCodes  = 256
	numLengthCodes   = 24
	numDistanceCodes = 40
	greenAlphabet    = numLiteralCodes + numLengthCodes // no color cache

	maxCodeLength       = 15
	maxCodeLengthLength = 7
	numCodeLengthCodes  = 19

	maxMatchLength = 4096 // largest length the 24 length prefix codes express
	minMatchLength = 3

	// Distance codes (RFC 9649 section 4.2.2): code 1 maps to (0,1), the
	// pixel above; code 2 maps to (1,0), the previous pixel.
	distCodeAbove = 1
	distCodePrev  = 2
)

var codeLengthCodeOrder = [numCodeLengthCodes]uint8{
	17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
}

// prefixEncode splits an LZ77 length or distance code v >= 1 into its
// prefix symbol and extra bits (RFC 9649 section 5.2.2).
func prefixEncode(v int) (symbol int, nExtra uint, extra uint32) {
	n := v - 1
	if n < 4 {
		return n, 0, 0
	}
	hb := bits.Len(uint(n)) - 1 // >= 2
	second := (n >> (hb - 1)) & 1
	nExtra = uint(hb - 1)
	return 2*hb + second, nExtra, uint32(n) & (1<<nExtra - 1)
}

// lz77 parses pix (an image of width w) greedily into literals and
// backward references to the previous pixel or the pixel above, calling
// lit or ref for each.
func lz77(pix []uint32, w int, lit func(p uint32), ref func(length, distCode int)) {
	n := len(pix)
	for i := 0; i < n; {
		lim := min(n, i+maxMatchLength)
		best, code := 0, 0
		if i > 0 {
			p, k := pix[i-1], i
			for k < lim && pix[k] == p {
				k++
			}
			best, code = k-i, distCodePrev
		}
		if i >= w && best < maxMatchLength {
			k := i
			for k < lim && pix[k] == pix[k-w] {
				k++
			}
			if k-i > best {
				best, code = k-i, distCodeAbove
			}
		}
		if best >= minMatchLength {
			ref(best, code)
			i += best
		} else {
			lit(pix[i])
			i++
		}
	}
}

// prefixCode is a canonical prefix code ready for writing symbols.
type prefixCode struct {
	codes []uint16 // bit-reversed canonical codes
	nbits []uint8  // bits written per symbol (all zero for a 1-symbol code)
}

func (c *prefixCode) write(bw *bitWriter, sym int) {
	bw.writeBits(uint32(c.codes[sym]), uint(c.nbits[sym]))
}

// encodeEntropyImage writes an image's color cache bit, (for the main
// image) meta prefix bit, prefix codes and LZ77-coded pixels.
func encodeEntropyImage(bw *bitWriter, pix []uint32, w int, topLevel bool) {
	bw.writeBits(0, 1) // no color cache
	if topLevel {
		bw.writeBits(0, 1) // no meta prefix codes: a single prefix code group
	}

	green := make([]uint32, greenAlphabet)
	red := make([]uint32, numLiteralCodes)
	blue := make([]uint32, numLiteralCodes)
	alpha := make([]uint32, numLiteralCodes)
	dist := make([]uint32, numDistanceCodes)
	lz77(pix, w,
		func(p uint32) {
			green[(p>>8)&0xff]++
			red[(p>>16)&0xff]++
			blue[p&0xff]++
			alpha[p>>24]++
		},
		func(length, distCode int) {
			ls, _, _ := prefixEncode(length)
			green[numLiteralCodes+ls]++
			ds, _, _ := prefixEncode(distCode)
			dist[ds]++
		})

	// The five codes, in bitstream order.
	gc := writePrefixCode(bw, green)
	rc := writePrefixCode(bw, red)
	bc := writePrefixCode(bw, blue)
	ac := writePrefixCode(bw, alpha)
	dc := writePrefixCode(bw, dist)

	lz77(pix, w,
		func(p uint32) {
			gc.write(bw, int((p>>8)&0xff))
			rc.write(bw, int((p>>16)&0xff))
			bc.write(bw, int(p&0xff))
			ac.write(bw, int(p>>24))
		},
		func(length, distCode int) {
			ls, ln, lx := prefixEncode(length)
			gc.write(bw, numLiteralCodes+ls)
			bw.writeBits(lx, ln)
			ds, dn, dx := prefixEncode(distCode)
			dc.write(bw, ds)
			bw.writeBits(dx, dn)
		})
}

// writePrefixCode builds a prefix code for the histogram hist (whose
// length is the alphabet size), writes its description and returns it.
func writePrefixCode(bw *bitWriter, hist []uint32) *prefixCode {
	var used []int
	for s, c := range hist {
		if c != 0 {
			used = append(used, s)
			if len(used) > 2 {
				break
			}
		}
	}
	c := &prefixCode{
		codes: make([]uint16, len(hist)),
		nbits: make([]uint8, len(hist)),
	}

	if len(used) <= 2 && (len(used) == 0 || used[len(used)-1] < 256) {
		// Simple code: 1 or 2 symbols below 256. An unused alphabet is
		// described as the single symbol 0. With one symbol, no bits are
		// read per symbol; with two, the first listed symbol gets code 0
		// and the second code 1 (written in ascending order so canonical
		// decoders agree).
		if len(used) == 0 {
			used = append(used, 0)
		}
		bw.writeBits(1, 1) // simple code
		bw.writeBits(uint32(len(used)-1), 1)
		if used[0] < 2 {
			bw.writeBits(0, 1) // first symbol uses 1 bit
			bw.writeBits(uint32(used[0]), 1)
		} else {
			bw.writeBits(1, 1) // first symbol uses 8 bits
			bw.writeBits(uint32(used[0]), 8)
		}
		if len(used) == 2 {
			bw.writeBits(uint32(used[1]), 8)
			c.codes[used[0]], c.nbits[used[0]] = 0, 1
			c.codes[used[1]], c.nbits[used[1]] = 1, 1
		}
		return c
	}

	lengths := huffmanLengths(hist, maxCodeLength)
	writeNormalCode(bw, lengths)
	if len(used) == 1 {
		// A single used symbol (>= 256) is coded with zero bits.
		return c
	}
	canonicalCodes(lengths, c.codes)
	copy(c.nbits, lengths)
	return c
}

// clToken is one symbol of the code-length code with its extra bits.
type clToken struct {
	sym    uint8
	nExtra uint8
	extra  uint8
}

// writeNormalCode writes the code lengths of a normal prefix code.
func writeNormalCode(bw *bitWriter, lengths []uint8) {
	// Run-length encode the code lengths with symbols 16, 17 and 18.
	var toks []clToken
	for i := 0; i < len(lengths); {
		v := lengths[i]
		j := i + 1
		for j < len(lengths) && lengths[j] == v {
			j++
		}
		run := j - i
		i = j
		if v == 0 {
			for run > 0 {
				switch {
				case run >= 11:
					r := min(run, 138)
					toks = append(toks, clToken{18, 7, uint8(r - 11)})
					run -= r
				case run >= 3:
					toks = append(toks, clToken{17, 3, uint8(run - 3)})
					run = 0
				default:
					toks = append(toks, clToken{0, 0, 0})
					run--
				}
			}
			continue
		}
		toks = append(toks, clToken{v, 0, 0})
		run--
		for run > 0 {
			if run >= 3 {
				r := min(run, 6)
				toks = append(toks, clToken{16, 2, uint8(r - 3)}) // repeat previous non-zero
				run -= r
			} else {
				toks = append(toks, clToken{v, 0, 0})
				run--
			}
		}
	}

	var clHist [numCodeLengthCodes]uint32
	for _, t := range toks {
		clHist[t.sym]++
	}
	clLengths := huffmanLengths(clHist[:], maxCodeLengthLength)
	var clCodes [numCodeLengthCodes]uint16
	canonicalCodes(clLengths, clCodes[:])
	// clBits is what is written per token: zero bits when the code-length
	// code has a single symbol (the decoder then reads no bits for it).
	clBits := clLengths
	nUsed := 0
	for _, l := range clLengths {
		if l != 0 {
			nUsed++
		}
	}
	if nUsed == 1 {
		clBits = make([]uint8, numCodeLengthCodes)
	}

	n := numCodeLengthCodes
	for n > 4 && clLengths[codeLengthCodeOrder[n-1]] == 0 {
		n--
	}
	bw.writeBits(0, 1) // normal code
	bw.writeBits(uint32(n-4), 4)
	for _, s := range codeLengthCodeOrder[:n] {
		bw.writeBits(uint32(clLengths[s]), 3)
	}
	bw.writeBits(0, 1) // max_symbol = alphabet size
	for _, t := range toks {
		bw.writeBits(uint32(clCodes[t.sym]), uint(clBits[t.sym]))
		bw.writeBits(uint32(t.extra), uint(t.nExtra))
	}
}

// huffmanLengths returns Huffman code lengths for hist, no longer than
// limit. A histogram with one used symbol gets length 1 for it; an empty
// one gets all zeros. Lengths are limited by repeatedly raising small
// counts to a floor (doubling it) and rebuilding, which converges to a
// balanced tree (depth <= 9 for alphabets of up to 280 symbols).
func huffmanLengths(hist []uint32, limit int) []uint8 {
	lengths := make([]uint8, len(hist))
	type leaf struct {
		count uint64
		sym   int
	}
	var leaves []leaf
	for s, c := range hist {
		if c != 0 {
			leaves = append(leaves, leaf{uint64(c), s})
		}
	}
	switch len(leaves) {
	case 0:
		return lengths
	case 1:
		lengths[leaves[0].sym] = 1
		return lengths
	}
	// Clamping counts to a floor preserves this order.
	slices.SortFunc(leaves, func(a, b leaf) int {
		if a.count != b.count {
			if a.count < b.count {
				return -1
			}
			return 1
		}
		return a.sym - b.sym
	})

	n := len(leaves)
	weight := make([]uint64, 2*n-1)
	parent := make([]int, 2*n-1)
	depth := make([]int, 2*n-1)
	for floor := uint64(1); ; floor *= 2 {
		for i, l := range leaves {
			weight[i] = max(l.count, floor)
		}
		// Two-queue Huffman construction: leaves are sorted and internal
		// nodes are created in non-decreasing weight order.
		nextLeaf, nextInner, created := 0, n, n
		pick := func() int {
			if nextLeaf < n && (nextInner >= created || weight[nextLeaf] <= weight[nextInner]) {
				nextLeaf++
				return nextLeaf - 1
			}
			nextInner++
			return nextInner - 1
		}
		for created < 2*n-1 {
			a := pick()
			b := pick()
			weight[created] = weight[a] + weight[b]
			parent[a], parent[b] = created, created
			created++
		}
		depth[2*n-2] = 0
		maxDepth := 0
		for i := 2*n - 3; i >= 0; i-- {
			depth[i] = depth[parent[i]] + 1
			if i < n {
				maxDepth = max(maxDepth, depth[i])
			}
		}
		if maxDepth <= limit {
			for i, l := range leaves {
				lengths[l.sym] = uint8(depth[i])
			}
			return lengths
		}
	}
}

// canonicalCodes fills codes with the canonical prefix codes for lengths,
// bit-reversed so they can be written least-significant bit first.
func canonicalCodes(lengths []uint8, codes []uint16) {
	var count [maxCodeLength + 1]int
	for _, l := range lengths {
		if l != 0 {
			count[l]++
		}
	}
	var next [maxCodeLength + 1]int
	code := 0
	for l := 1; l <= maxCodeLength; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	for s, l := range lengths {
		if l != 0 {
			codes[s] = bits.Reverse16(uint16(next[l])) >> (16 - l)
			next[l]++
		}
	}
}
