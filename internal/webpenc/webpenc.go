// Package webpenc implements a lossless WebP encoder.
//
// Encode writes a RIFF/WEBP container holding a single VP8L (lossless)
// chunk, following the WebP lossless bitstream specification (RFC 9649).
// Every pixel is stored exactly as its non-premultiplied (NRGBA) value,
// so decoding the output yields the input image bit for bit (after
// conversion to color.NRGBAModel).
//
// The encoder is deliberately simple but produces reasonably compact files:
//
//   - a subtract-green transform followed by a predictor transform whose
//     mode (L, T, Average2(L,T), Select or ClampAddSubtractFull) is chosen
//     per 32x32 block by minimising the sum of absolute residuals;
//   - greedy LZ77 limited to two distances: the previous pixel (run-length
//     coding) and the pixel directly above;
//   - one group of five canonical prefix codes built from the symbol
//     histograms, length-limited to 15 bits (7 bits for the code-length
//     code), with the spec's "simple" codes for one- and two-symbol
//     alphabets.
//
// There is no color cache, no color-indexing or cross-color transform and
// no meta prefix codes. Images from 1x1 up to 16383x16383 are supported.
package webpenc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"io"
)

// MaxDimension is the largest width or height a VP8L bitstream can hold.
const MaxDimension = 1 << 14 // 16384; width-1 and height-1 are 14-bit fields

const (
	vp8lSignature = 0x2f
	headerLen     = 20 // "RIFF" size "WEBP" "VP8L" size
	predictorBits = 5  // 32x32 predictor blocks
)

// Encode writes m to w as a lossless WebP image.
func Encode(w io.Writer, m image.Image) error {
	b := m.Bounds()
	width, height := b.Dx(), b.Dy()
	if width <= 0 || height <= 0 {
		return errors.New("webpenc: image has no pixels")
	}
	if width > MaxDimension || height > MaxDimension {
		return fmt.Errorf("webpenc: image %dx%d exceeds the WebP limit of %dx%d", width, height, MaxDimension, MaxDimension)
	}
	pix, opaque := toARGB(m)

	bw := bitWriter{buf: make([]byte, headerLen, headerLen+len(pix)+1024)}

	// VP8L header: signature, 14-bit width-1, 14-bit height-1,
	// alpha_is_used, 3-bit version (0).
	bw.writeBits(vp8lSignature, 8)
	bw.writeBits(uint32(width-1), 14)
	bw.writeBits(uint32(height-1), 14)
	if opaque {
		bw.writeBits(0, 1)
	} else {
		bw.writeBits(1, 1)
	}
	bw.writeBits(0, 3)

	encodeImageStream(&bw, pix, width, height)

	out := bw.finish()
	chunkLen := len(out) - headerLen
	if chunkLen&1 == 1 {
		out = append(out, 0) // chunks are padded to an even length
	}
	riffLen := uint64(len(out) - 8)
	if riffLen > 0xffffffff-1 {
		return errors.New("webpenc: encoded image too large for a RIFF container")
	}
	copy(out[0:], "RIFF")
	binary.LittleEndian.PutUint32(out[4:], uint32(riffLen))
	copy(out[8:], "WEBP")
	copy(out[12:], "VP8L")
	binary.LittleEndian.PutUint32(out[16:], uint32(chunkLen))
	_, err := w.Write(out)
	return err
}

// toARGB converts m to packed non-premultiplied 0xAARRGGBB values in
// row-major order and reports whether every pixel is fully opaque.
func toARGB(m image.Image) ([]uint32, bool) {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	pix := make([]uint32, w*h)
	alphaAnd := uint32(0xff)
	switch src := m.(type) {
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
			dst := pix[y*w : (y+1)*w]
			for x := range dst {
				s := row[4*x : 4*x+4 : 4*x+4]
				dst[x] = uint32(s[3])<<24 | uint32(s[0])<<16 | uint32(s[1])<<8 | uint32(s[2])
				alphaAnd &= uint32(s[3])
			}
		}
	case *image.RGBA:
		// Un-premultiply exactly as color.NRGBAModel does.
		for y := 0; y < h; y++ {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
			dst := pix[y*w : (y+1)*w]
			for x := range dst {
				s := row[4*x : 4*x+4 : 4*x+4]
				a := uint32(s[3])
				alphaAnd &= a
				switch a {
				case 0xff:
					dst[x] = 0xff000000 | uint32(s[0])<<16 | uint32(s[1])<<8 | uint32(s[2])
				case 0:
					dst[x] = 0
				default:
					a16 := a * 0x101
					r := (uint32(s[0]) * 0x101 * 0xffff / a16) >> 8
					g := (uint32(s[1]) * 0x101 * 0xffff / a16) >> 8
					bl := (uint32(s[2]) * 0x101 * 0xffff / a16) >> 8
					dst[x] = a<<24 | r<<16 | g<<8 | bl
				}
			}
		}
	default:
		n := image.NewNRGBA(image.Rect(0, 0, w, h))
		draw.Draw(n, n.Rect, m, b.Min, draw.Src)
		return toARGB(n)
	}
	return pix, alphaAnd == 0xff
}

// encodeImageStream writes the transforms and the main (spatially coded)
// image. pix is modified in place.
func encodeImageStream(bw *bitWriter, pix []uint32, w, h int) {
	// Transforms are applied by the encoder in the order they are written;
	// the decoder undoes them in reverse order.

	// Subtract-green transform: transform_present=1, type=2.
	bw.writeBits(1, 1)
	bw.writeBits(2, 2)
	subtractGreen(pix)

	// Predictor transform: transform_present=1, type=0, size bits, then
	// the predictor sub-image as an entropy-coded image.
	bw.writeBits(1, 1)
	bw.writeBits(0, 2)
	bw.writeBits(predictorBits-2, 3)
	modes, tw, _ := applyPredictor(pix, w, h, predictorBits)
	sub := make([]uint32, len(modes))
	for i, m := range modes {
		sub[i] = uint32(m) << 8 // the mode lives in the green channel
	}
	encodeEntropyImage(bw, sub, tw, false)

	// No more transforms.
	bw.writeBits(0, 1)

	encodeEntropyImage(bw, pix, w, true)
}

// subtractGreen subtracts the green value from red and blue (mod 256).
func subtractGreen(pix []uint32) {
	for i, p := range pix {
		g := (p >> 8) & 0xff
		rb := (p & 0x00ff00ff) + 0x01000100 - (g<<16 | g) // borrow guards in bits 8 and 24
		pix[i] = p&0xff00ff00 | rb&0x00ff00ff
	}
}
