package imagestest

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"math"
	"slices"
)

// GIF output (output_format gif): frame_count frames of the picture's
// animation, each shown for frame_duration_ms. Source: npm openai 7.59.0
// src/resources/images.ts, ImageGenerateParamsBase.frame_count: "Number of
// frames for GIF output. Accepts integers from 2 through 16. Defaults to 9
// when omitted."; frame_duration_ms: "Requested delay per GIF frame, in
// milliseconds. Defaults to 200 when omitted. GIF output rounds to the
// nearest 10 ms and caps the encoded delay at 655,350 ms per frame."

// Defaults of GIF output.
const (
	defaultFrameCount    = 9
	defaultFrameDuration = 200 // milliseconds
)

// gifDelay is a frame duration in milliseconds as a GIF delay, in
// hundredths of a second: rounded to the nearest 10 ms and capped at
// 655,350 ms, the largest delay a GIF can encode (65535 hundredths).
func gifDelay(ms int) int {
	return min(max((ms+5)/10, 0), math.MaxUint16)
}

// encodeGIF writes frames as an animated GIF that loops for ever, each
// frame shown for delay hundredths of a second. The frames share one
// palette, chosen from the first frame (see gifPalette).
func encodeGIF(frames []*image.NRGBA, delay int) ([]byte, error) {
	q := newQuantizer(frames[0])
	anim := &gif.GIF{LoopCount: 0}
	for _, f := range frames {
		anim.Image = append(anim.Image, q.paletted(f))
		anim.Delay = append(anim.Delay, delay)
		anim.Disposal = append(anim.Disposal, gif.DisposalNone)
	}
	var buf bytes.Buffer
	err := gif.EncodeAll(&buf, anim)
	return buf.Bytes(), err
}

// quantizer maps colours to a palette of at most 256: the most frequent
// colours of a reference image, at 5 bits per channel (a popularity
// quantizer). Colours that did not occur in the reference map to their
// nearest palette entry; a table over the 32768 reduced colours, filled as
// colours are met, makes mapping a pixel one lookup.
type quantizer struct {
	pal   color.Palette
	rgb   []color.RGBA
	table []int16 // reduced colour -> palette index, -1 until met
}

func reduce(r, g, b uint8) int { return int(r>>3)<<10 | int(g>>3)<<5 | int(b>>3) }

// centre is the colour a reduced colour stands for.
func centre(c int) (int, int, int) { return (c>>10)<<3 | 4, (c>>5&31)<<3 | 4, (c&31)<<3 | 4 }

func newQuantizer(ref *image.NRGBA) *quantizer {
	counts := make([]int, 1<<15)
	for i := 0; i+3 < len(ref.Pix); i += 4 {
		counts[reduce(ref.Pix[i], ref.Pix[i+1], ref.Pix[i+2])]++
	}
	var used []int
	for c, n := range counts {
		if n > 0 {
			used = append(used, c)
		}
	}
	// Most frequent first; ties by colour, so the palette is deterministic.
	slices.SortFunc(used, func(a, b int) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return a - b
	})
	used = used[:min(len(used), 256)]
	q := &quantizer{table: make([]int16, 1<<15)}
	for i := range q.table {
		q.table[i] = -1
	}
	for _, c := range used {
		r, g, b := centre(c)
		q.rgb = append(q.rgb, color.RGBA{uint8(r), uint8(g), uint8(b), 255})
		q.pal = append(q.pal, q.rgb[len(q.rgb)-1])
	}
	return q
}

// index is the palette entry nearest the reduced colour c.
func (q *quantizer) index(c int) uint8 {
	if i := q.table[c]; i >= 0 {
		return uint8(i)
	}
	r, g, b := centre(c)
	best, bestD := 0, math.MaxInt
	for i, p := range q.rgb {
		dr, dg, db := r-int(p.R), g-int(p.G), b-int(p.B)
		if d := dr*dr + dg*dg + db*db; d < bestD {
			best, bestD = i, d
		}
	}
	q.table[c] = int16(best)
	return uint8(best)
}

// paletted maps img to the palette.
func (q *quantizer) paletted(img *image.NRGBA) *image.Paletted {
	out := image.NewPaletted(img.Rect, q.pal)
	for y := range img.Rect.Dy() {
		src := img.Pix[y*img.Stride : y*img.Stride+img.Rect.Dx()*4]
		dst := out.Pix[y*out.Stride : y*out.Stride+img.Rect.Dx()]
		for x := range dst {
			dst[x] = q.index(reduce(src[4*x], src[4*x+1], src[4*x+2]))
		}
	}
	return out
}
