package webpenc

import (
	"runtime"
	"sync"
)

// Predictor modes (RFC 9649 section 4.1) tried for each block. Modes that
// use the top-right pixel are not tried.
const (
	modeL      = 1
	modeT      = 2
	modeAvgLT  = 7
	modeSelect = 11
	modeClamp  = 12
)

var candidateModes = [...]uint8{modeL, modeT, modeAvgLT, modeSelect, modeClamp}

// absCost[v] is |int8(v)|: the cost of a residual byte.
var absCost = func() (t [256]uint32) {
	for i := range t {
		v := int(int8(uint8(i)))
		if v < 0 {
			v = -v
		}
		t[i] = uint32(v)
	}
	return t
}()

func residualCost(r uint32) uint32 {
	return absCost[r&0xff] + absCost[(r>>8)&0xff] + absCost[(r>>16)&0xff] + absCost[r>>24]
}

// subPixels subtracts b from a per 8-bit channel, modulo 256.
func subPixels(a, b uint32) uint32 {
	ag := 0x00ff00ff + (a & 0xff00ff00) - (b & 0xff00ff00)
	rb := 0xff00ff00 + (a & 0x00ff00ff) - (b & 0x00ff00ff)
	return ag&0xff00ff00 | rb&0x00ff00ff
}

func average2(a, b uint32) uint32 {
	return ((a^b)&0xfefefefe)>>1 + a&b
}

func absInt(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// selectPred is the spec's Select(L, T, TL).
func selectPred(l, t, tl uint32) uint32 {
	var pl, pt int32 // Manhattan distances of the estimate L+T-TL to L and to T
	for sh := 0; sh < 32; sh += 8 {
		lc := int32(l >> sh & 0xff)
		tc := int32(t >> sh & 0xff)
		cc := int32(tl >> sh & 0xff)
		pl += absInt(tc - cc)
		pt += absInt(lc - cc)
	}
	if pl < pt {
		return l
	}
	return t
}

// clampAddSubtractFull is the spec's ClampAddSubtractFull(L, T, TL).
func clampAddSubtractFull(l, t, tl uint32) uint32 {
	var out uint32
	for sh := 0; sh < 32; sh += 8 {
		v := int32(l>>sh&0xff) + int32(t>>sh&0xff) - int32(tl>>sh&0xff)
		if v < 0 {
			v = 0
		} else if v > 255 {
			v = 255
		}
		out |= uint32(v) << sh
	}
	return out
}

// predict returns the prediction for pixel i (not in the first row or
// column) of an image of width w.
func predict(mode uint8, pix []uint32, i, w int) uint32 {
	switch mode {
	case modeL:
		return pix[i-1]
	case modeT:
		return pix[i-w]
	case modeAvgLT:
		return average2(pix[i-1], pix[i-w])
	case modeSelect:
		return selectPred(pix[i-1], pix[i-w], pix[i-w-1])
	case modeClamp:
		return clampAddSubtractFull(pix[i-1], pix[i-w], pix[i-w-1])
	}
	panic("webpenc: unsupported predictor mode")
}

// applyPredictor chooses a predictor mode per (1<<bits)-square block,
// replaces pix by the prediction residuals in place and returns the
// per-block modes (row-major, tw x th blocks).
func applyPredictor(pix []uint32, w, h int, bits uint) (modes []uint8, tw, th int) {
	size := 1 << bits
	tw = (w + size - 1) >> bits
	th = (h + size - 1) >> bits
	modes = make([]uint8, tw*th)

	// Choose modes on the original pixels, block rows in parallel (they
	// only read pix and write disjoint parts of modes).
	workers := min(runtime.GOMAXPROCS(0), th, 8)
	if w*h < 1<<16 {
		workers = 1
	}
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			for by := k; by < th; by += workers {
				chooseModes(pix, w, h, bits, by, modes[by*tw:(by+1)*tw])
			}
		})
	}
	wg.Wait()

	// Replace pixels by residuals, last pixel first, so that the
	// neighbours a prediction reads (all at lower indices) are still the
	// original values.
	for y := h - 1; y >= 1; y-- {
		row := y * w
		modeRow := modes[(y>>bits)*tw:]
		for x := w - 1; x >= 1; x-- {
			i := row + x
			pix[i] = subPixels(pix[i], predict(modeRow[x>>bits], pix, i, w))
		}
		pix[row] = subPixels(pix[row], pix[row-w]) // first column: T
	}
	for x := w - 1; x >= 1; x-- {
		pix[x] = subPixels(pix[x], pix[x-1]) // first row: L
	}
	pix[0] = subPixels(pix[0], 0xff000000) // top-left: opaque black
	return modes, tw, th
}

// chooseModes picks the predictor mode of each block in block row by,
// minimising the sum of absolute residuals. Only interior pixels (x>0,
// y>0) depend on the block's mode.
func chooseModes(pix []uint32, w, h int, bits uint, by int, modes []uint8) {
	size := 1 << bits
	y0, y1 := max(by*size, 1), min((by+1)*size, h)
	for bx := range modes {
		x0, x1 := max(bx*size, 1), min((bx+1)*size, w)
		best, bestCost := uint8(modeL), ^uint64(0)
		for _, mode := range candidateModes {
			var cost uint64
			for y := y0; y < y1; y++ {
				cost += uint64(rowCost(mode, pix, y*w, x0, x1, w))
			}
			if cost < bestCost {
				best, bestCost = mode, cost
			}
		}
		modes[bx] = best
	}
}

// rowCost is the sum of absolute residuals of pixels x0..x1-1 (x0 >= 1)
// of the row starting at index row (>= w) under the given mode.
func rowCost(mode uint8, pix []uint32, row, x0, x1, w int) uint32 {
	cur := pix[row+x0-1 : row+x1]
	up := pix[row-w+x0-1 : row-w+x1]
	var c uint32
	switch mode {
	case modeL:
		for x := 1; x < len(cur); x++ {
			c += residualCost(subPixels(cur[x], cur[x-1]))
		}
	case modeT:
		for x := 1; x < len(cur); x++ {
			c += residualCost(subPixels(cur[x], up[x]))
		}
	case modeAvgLT:
		for x := 1; x < len(cur); x++ {
			c += residualCost(subPixels(cur[x], average2(cur[x-1], up[x])))
		}
	case modeSelect:
		for x := 1; x < len(cur); x++ {
			c += residualCost(subPixels(cur[x], selectPred(cur[x-1], up[x], up[x-1])))
		}
	case modeClamp:
		for x := 1; x < len(cur); x++ {
			c += residualCost(subPixels(cur[x], clampAddSubtractFull(cur[x-1], up[x], up[x-1])))
		}
	}
	return c
}
