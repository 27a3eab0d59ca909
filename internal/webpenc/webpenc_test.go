package webpenc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand"
	"testing"
	"time"

	"golang.org/x/image/webp"
)

// roundTrip encodes m, checks the container, decodes the result with
// golang.org/x/image/webp and requires every pixel to equal m's pixel
// converted to color.NRGBAModel. It returns the encoded bytes.
func roundTrip(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, m); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	data := buf.Bytes()
	checkContainer(t, data, m)

	b := m.Bounds()
	cfg, err := webp.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("DecodeConfig: %v", err)
	}
	if cfg.Width != b.Dx() || cfg.Height != b.Dy() {
		t.Fatalf("DecodeConfig: got %dx%d, want %dx%d", cfg.Width, cfg.Height, b.Dx(), b.Dy())
	}
	got, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if got.Bounds().Dx() != b.Dx() || got.Bounds().Dy() != b.Dy() {
		t.Fatalf("decoded bounds %v, want size of %v", got.Bounds(), b)
	}
	gb := got.Bounds()
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			want := color.NRGBAModel.Convert(m.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			have := color.NRGBAModel.Convert(got.At(gb.Min.X+x, gb.Min.Y+y)).(color.NRGBA)
			if want != have {
				t.Fatalf("pixel (%d,%d): got %v, want %v", x, y, have, want)
			}
		}
	}
	return data
}

// checkContainer validates the RIFF/WEBP/VP8L framing and header fields.
func checkContainer(t testing.TB, data []byte, m image.Image) {
	t.Helper()
	if len(data) < 25 || len(data)%2 != 0 {
		t.Fatalf("bad file length %d", len(data))
	}
	if string(data[0:4]) != "RIFF" || string(data[8:12]) != "WEBP" || string(data[12:16]) != "VP8L" {
		t.Fatalf("bad container header % x", data[:16])
	}
	if got := binary.LittleEndian.Uint32(data[4:]); int(got) != len(data)-8 {
		t.Fatalf("RIFF size %d, want %d", got, len(data)-8)
	}
	chunk := int(binary.LittleEndian.Uint32(data[16:]))
	if chunk+chunk&1 != len(data)-20 {
		t.Fatalf("VP8L chunk size %d does not fill the file (%d bytes after header)", chunk, len(data)-20)
	}
	if data[20] != 0x2f {
		t.Fatalf("VP8L signature %#x", data[20])
	}
	hdr := binary.LittleEndian.Uint32(data[21:])
	b := m.Bounds()
	if w := int(hdr&0x3fff) + 1; w != b.Dx() {
		t.Fatalf("header width %d, want %d", w, b.Dx())
	}
	if h := int(hdr>>14&0x3fff) + 1; h != b.Dy() {
		t.Fatalf("header height %d, want %d", h, b.Dy())
	}
	if v := hdr >> 29; v != 0 {
		t.Fatalf("version %d", v)
	}
	if got, want := hdr>>28&1 == 1, !isOpaque(m); got != want {
		t.Fatalf("alpha_is_used = %v, want %v", got, want)
	}
}

func isOpaque(m image.Image) bool {
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := m.At(x, y).RGBA(); a != 0xffff {
				return false
			}
		}
	}
	return true
}

func newNRGBA(w, h int, f func(x, y int) color.NRGBA) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetNRGBA(x, y, f(x, y))
		}
	}
	return m
}

func noise(w, h int, seed int64, alpha bool) *image.NRGBA {
	r := rand.New(rand.NewSource(seed))
	return newNRGBA(w, h, func(x, y int) color.NRGBA {
		c := color.NRGBA{uint8(r.Intn(256)), uint8(r.Intn(256)), uint8(r.Intn(256)), 255}
		if alpha {
			c.A = uint8(r.Intn(256))
		}
		return c
	})
}

func gradient(w, h int) *image.NRGBA {
	return newNRGBA(w, h, func(x, y int) color.NRGBA {
		return color.NRGBA{uint8(x * 255 / max(w-1, 1)), uint8(y * 255 / max(h-1, 1)), uint8((x + y) * 255 / max(w+h-2, 1)), 255}
	})
}

// smooth is a smooth, non-linear synthetic picture.
func smooth(w, h int) *image.NRGBA {
	return newNRGBA(w, h, func(x, y int) color.NRGBA {
		fx, fy := float64(x)/float64(w), float64(y)/float64(h)
		r := 127.5 + 127.5*math.Sin(fx*5+fy*2)
		g := 127.5 + 127.5*math.Cos(fy*4-fx*3)
		b := 255 * (fx*fx + fy*fy) / 2
		return color.NRGBA{uint8(r), uint8(g), uint8(b), 255}
	})
}

func uniform(w, h int, c color.NRGBA) *image.NRGBA {
	return newNRGBA(w, h, func(int, int) color.NRGBA { return c })
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		m    image.Image
	}{
		{"1x1 opaque", uniform(1, 1, color.NRGBA{10, 200, 30, 255})},
		{"1x1 transparent", uniform(1, 1, color.NRGBA{0, 0, 0, 0})},
		{"1x1 transparent with color", uniform(1, 1, color.NRGBA{1, 2, 3, 0})},
		{"1x1 black", uniform(1, 1, color.NRGBA{0, 0, 0, 255})},
		{"2x3", newNRGBA(2, 3, func(x, y int) color.NRGBA {
			return color.NRGBA{uint8(x * 100), uint8(y * 70), uint8(x + y), uint8(255 - 40*y)}
		})},
		{"17x5 noise", noise(17, 5, 1, false)},
		{"17x5 noise alpha", noise(17, 5, 2, true)},
		{"256x256 gradient", gradient(256, 256)},
		{"100x100 single color", uniform(100, 100, color.NRGBA{12, 34, 56, 255})},
		{"100x100 single color translucent", uniform(100, 100, color.NRGBA{200, 100, 50, 77})},
		{"100x100 white", uniform(100, 100, color.NRGBA{255, 255, 255, 255})},
		{"alpha", newNRGBA(70, 45, func(x, y int) color.NRGBA {
			return color.NRGBA{uint8(3 * x), uint8(5 * y), uint8(x ^ y), uint8(x * y)}
		})},
		{"alpha with transparent holes", newNRGBA(64, 64, func(x, y int) color.NRGBA {
			if (x/8+y/8)%2 == 0 {
				return color.NRGBA{uint8(x), uint8(y), 9, 0}
			}
			return color.NRGBA{uint8(4 * x), uint8(4 * y), 200, uint8(x + y)}
		})},
		{"two colors", newNRGBA(33, 31, func(x, y int) color.NRGBA {
			if (x*7+y*3)%5 == 0 {
				return color.NRGBA{255, 0, 0, 255}
			}
			return color.NRGBA{0, 0, 255, 255}
		})},
		{"stripes", newNRGBA(97, 65, func(x, y int) color.NRGBA {
			return color.NRGBA{uint8(y * 40), uint8(y * 40), uint8(y * 40), 255}
		})},
		{"1024x1024 smooth", smooth(1024, 1024)},
		{"1x300 noise", noise(1, 300, 3, true)},
		{"300x1 noise", noise(300, 1, 4, true)},
		{"33x33 noise", noise(33, 33, 5, false)},
		{"65x64 smooth", smooth(65, 64)},
		{"16383x1 gradient", gradient(16383, 1)},
		{"1x16383 gradient", gradient(1, 16383)},
		{"16383x2 noise", noise(16383, 2, 6, true)},
		{"long code lengths", skewed(16383)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := roundTrip(t, tt.m)
			t.Logf("%v: %d bytes", tt.m.Bounds().Size(), len(data))
		})
	}
}

// skewed returns a one-row image whose green residuals (after the
// subtract-green and left-predictor transforms) follow a Fibonacci
// distribution, which forces the Huffman length limit to kick in.
func skewed(w int) *image.NRGBA {
	r := rand.New(rand.NewSource(7))
	var syms []uint8
	a, b := 1, 1
	for s := 0; len(syms) < w; s++ {
		for i := 0; i < a && len(syms) < w; i++ {
			syms = append(syms, uint8(s))
		}
		a, b = b, a+b
	}
	r.Shuffle(len(syms), func(i, j int) { syms[i], syms[j] = syms[j], syms[i] })
	m := image.NewNRGBA(image.Rect(0, 0, w, 1))
	var g, rr uint8
	for x := 0; x < w; x++ {
		g += syms[x]
		rr += uint8(r.Intn(256))
		m.SetNRGBA(x, 0, color.NRGBA{rr + g, g, uint8(x), 255})
	}
	return m
}

func TestOtherImageTypes(t *testing.T) {
	// Premultiplied RGBA (fast path), with every alpha level.
	rgba := image.NewRGBA(image.Rect(0, 0, 256, 64))
	r := rand.New(rand.NewSource(11))
	for y := 0; y < 64; y++ {
		for x := 0; x < 256; x++ {
			a := uint8(x)
			rgba.SetRGBA(x, y, color.RGBA{uint8(r.Intn(int(a) + 1)), uint8(r.Intn(int(a) + 1)), uint8(r.Intn(int(a) + 1)), a})
		}
	}
	roundTrip(t, rgba)

	// Sub-images with a non-zero origin.
	roundTrip(t, noise(50, 40, 12, true).SubImage(image.Rect(7, 9, 30, 40)))
	roundTrip(t, rgba.SubImage(image.Rect(100, 3, 200, 50)))

	// Generic path.
	gray := image.NewGray(image.Rect(-5, -5, 40, 30))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 7)
	}
	roundTrip(t, gray)
	ycc := image.NewYCbCr(image.Rect(0, 0, 31, 17), image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = uint8(i)
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = uint8(3*i), uint8(255-i)
	}
	roundTrip(t, ycc)
	pal := image.NewPaletted(image.Rect(0, 0, 20, 20), color.Palette{color.Black, color.White, color.NRGBA{255, 0, 0, 128}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3)
	}
	roundTrip(t, pal)
}

func TestInvalidSizes(t *testing.T) {
	for _, r := range []image.Rectangle{
		image.Rect(0, 0, 0, 0),
		image.Rect(0, 0, 10, 0),
		image.Rect(5, 5, 5, 10),
		image.Rect(0, 0, MaxDimension+1, 1),
		image.Rect(0, 0, 1, MaxDimension+1),
	} {
		if err := Encode(&bytes.Buffer{}, image.NewNRGBA(r)); err == nil {
			t.Errorf("Encode(%v): no error", r)
		}
	}
}

func TestWriteError(t *testing.T) {
	if err := Encode(failWriter{}, uniform(2, 2, color.NRGBA{})); err == nil {
		t.Fatal("write error not reported")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("boom") }

func TestHuffmanLengths(t *testing.T) {
	check := func(name string, hist []uint32, limit int) {
		t.Helper()
		l := huffmanLengths(hist, limit)
		used, kraft := 0, 0.0
		for s, c := range hist {
			if (c == 0) != (l[s] == 0) {
				t.Fatalf("%s: symbol %d count %d length %d", name, s, c, l[s])
			}
			if l[s] > uint8(limit) {
				t.Fatalf("%s: symbol %d length %d > %d", name, s, l[s], limit)
			}
			if c != 0 {
				used++
				kraft += math.Ldexp(1, -int(l[s]))
			}
		}
		if used >= 2 && kraft != 1 {
			t.Fatalf("%s: code not complete (Kraft sum %v)", name, kraft)
		}
	}
	fib := make([]uint32, 40)
	a, b := uint32(1), uint32(1)
	for i := range fib {
		fib[i] = a
		a, b = b, a+b
	}
	check("fib40/15", fib, 15)
	check("fib19/7", fib[:19], 7)
	check("empty", make([]uint32, 256), 15)
	check("single", append(make([]uint32, 279), 5), 15)
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 500; i++ {
		h := make([]uint32, 1+r.Intn(280))
		for j := range h {
			if r.Intn(3) == 0 {
				h[j] = uint32(r.ExpFloat64() * float64(int(1)<<r.Intn(28)))
			}
		}
		check(fmt.Sprint("random", i), h, 15)
		check(fmt.Sprint("random7-", i), h[:min(len(h), 19)], 7)
	}
}

func TestPrefixEncode(t *testing.T) {
	// Decode per RFC 9649 section 5.2.2 and compare.
	for v := 1; v <= 1<<20; v++ {
		sym, n, extra := prefixEncode(v)
		var got int
		if sym < 4 {
			got = sym + 1
		} else {
			eb := (sym - 2) >> 1
			if uint(eb) != n {
				t.Fatalf("v=%d: %d extra bits, want %d", v, n, eb)
			}
			got = (2+sym&1)<<eb + int(extra) + 1
		}
		if got != v || (v <= maxMatchLength && sym >= numLengthCodes) {
			t.Fatalf("v=%d: symbol %d extra %d decodes to %d", v, sym, extra, got)
		}
	}
}

func TestSizesAndSpeed(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes four 1024x1024 images")
	}
	for _, tc := range []struct {
		name string
		m    *image.NRGBA
	}{
		{"gradient", gradient(1024, 1024)},
		{"smooth", smooth(1024, 1024)},
		{"noise", noise(1024, 1024, 1, false)},
		{"noise+alpha", noise(1024, 1024, 1, true)},
	} {
		var buf bytes.Buffer
		start := time.Now()
		if err := Encode(&buf, tc.m); err != nil {
			t.Fatal(err)
		}
		d := time.Since(start)
		t.Logf("1024x1024 %s: %d bytes (%.2f bits/pixel) in %v", tc.name, buf.Len(), float64(8*buf.Len())/(1<<20), d)
		if tc.name == "gradient" && buf.Len() > 4200000 {
			t.Errorf("gradient too large: %d bytes", buf.Len())
		}
		if limit := 4*1024*1024 + 200000; buf.Len() > limit {
			t.Errorf("%s: %d bytes, more than %d", tc.name, buf.Len(), limit)
		}
	}
}

func FuzzEncode(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint8(0), []byte{})
	f.Add(uint8(1), uint8(2), uint8(0), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add(uint8(16), uint8(4), uint8(1), []byte("hello, webp lossless"))
	f.Add(uint8(40), uint8(33), uint8(2), []byte{0, 0, 0, 0, 255, 255, 255, 255, 0, 0})
	f.Add(uint8(63), uint8(63), uint8(3), bytes.Repeat([]byte{9, 200, 31, 4, 77}, 100))
	f.Fuzz(func(t *testing.T, wb, hb, mode uint8, data []byte) {
		w, h := 1+int(wb)%64, 1+int(hb)%64
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		if len(data) > 0 {
			for i := range m.Pix {
				v := data[i%len(data)]
				switch mode % 4 {
				case 1: // few distinct values per channel
					v &= 0x81
				case 2: // opaque
					if i%4 == 3 {
						v = 255
					}
				case 3: // add the position so the cycle of data is not periodic in rows
					v += uint8(i / 4 / w)
				}
				m.Pix[i] = v
			}
		}
		roundTrip(t, m)
	})
}

func BenchmarkEncode1024(b *testing.B) {
	m := smooth(1024, 1024)
	var buf bytes.Buffer
	b.ReportAllocs()
	b.SetBytes(int64(len(m.Pix)))
	for b.Loop() {
		buf.Reset()
		if err := Encode(&buf, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/op-output")
}

// TestSkewedHitsLengthLimit makes sure the "long code lengths" round trip
// really needs the length limit: its green histogram would otherwise get
// codes longer than 15 bits.
func TestSkewedHitsLengthLimit(t *testing.T) {
	pix, _ := toARGB(skewed(16383))
	subtractGreen(pix)
	applyPredictor(pix, len(pix), 1, predictorBits)
	green := make([]uint32, greenAlphabet)
	lz77(pix, len(pix), func(p uint32) { green[(p>>8)&0xff]++ }, func(l, _ int) {
		s, _, _ := prefixEncode(l)
		green[numLiteralCodes+s]++
	})
	maxLen := func(l []uint8) (m uint8) {
		for _, v := range l {
			m = max(m, v)
		}
		return m
	}
	if m := maxLen(huffmanLengths(green, 64)); m <= maxCodeLength {
		t.Fatalf("unlimited Huffman code is only %d bits long; test image not skewed enough", m)
	}
	if m := maxLen(huffmanLengths(green, maxCodeLength)); m > maxCodeLength {
		t.Fatalf("limited code max length %d > %d", m, maxCodeLength)
	}
}

func BenchmarkEncode3840x2160(b *testing.B) {
	m := smooth(3840, 2160)
	var buf bytes.Buffer
	b.SetBytes(int64(len(m.Pix)))
	for b.Loop() {
		buf.Reset()
		if err := Encode(&buf, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/op-output")
}
