package pngenc

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/imagegen-go/openai-images/internal/loadgen"
)

// randomImage draws an image mixing runs of one colour (what the emulator
// draws) with noise; alpha is 255 everywhere when opaque.
func randomImage(r *rand.Rand, w, h int, opaque bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	c := color.NRGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
	for y := range h {
		for x := range w {
			if r.IntN(8) == 0 {
				c = color.NRGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256))}
				if opaque {
					c.A = 255
				}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// checkRoundTrip encodes img and decodes it with image/png.
func checkRoundTrip(t *testing.T, img *image.NRGBA) {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if cfg.Width != b.Dx() || cfg.Height != b.Dy() {
		t.Fatalf("size %dx%d, want %dx%d", cfg.Width, cfg.Height, b.Dx(), b.Dy())
	}
	got, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// image/png decodes RGB to *image.RGBA and RGBA to *image.NRGBA.
	if _, isRGBA := got.(*image.RGBA); isRGBA != img.Opaque() {
		t.Fatalf("decoded as %T for an image with Opaque() = %v", got, img.Opaque())
	}
	for y := range b.Dy() {
		for x := range b.Dx() {
			want := img.NRGBAAt(b.Min.X+x, b.Min.Y+y)
			if g := color.NRGBAModel.Convert(got.At(x, y)).(color.NRGBA); g != want {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, g, want)
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, size := range []image.Point{{1, 1}, {1, 7}, {7, 1}, {2, 2}, {3, 5}, {64, 64}, {255, 17}, {256, 256}, {1000, 3}} {
		for _, opaque := range []bool{true, false} {
			checkRoundTrip(t, randomImage(r, size.X, size.Y, opaque))
		}
	}
	// Noise in every pixel: too little to gain from runs, so compress/flate.
	noise := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(r.IntN(256))
	}
	checkRoundTrip(t, noise)
	for i := 3; i < len(noise.Pix); i += 4 {
		noise.Pix[i] = 255
	}
	checkRoundTrip(t, noise)
	// Transparent but uniform: the whole image is one run.
	img := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	checkRoundTrip(t, img)
	// A sub-image: bounds that do not start at (0, 0), a stride longer than
	// a row.
	big := randomImage(r, 50, 40, false)
	checkRoundTrip(t, big.SubImage(image.Rect(7, 5, 31, 29)).(*image.NRGBA))
}

func TestInvalidSize(t *testing.T) {
	for _, img := range []*image.NRGBA{
		image.NewNRGBA(image.Rect(0, 0, 0, 5)),
		image.NewNRGBA(image.Rect(0, 0, 5, 0)),
		{},
	} {
		if err := Encode(&bytes.Buffer{}, img); err == nil {
			t.Errorf("%v: no error", img.Rect)
		}
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n--; w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	img := randomImage(rand.New(rand.NewPCG(3, 4)), 20, 20, true)
	for n := range 10 { // Encode makes 10 writes
		if err := Encode(&failWriter{n: n}, img); err == nil {
			t.Fatalf("a writer failing after %d writes: no error", n)
		}
	}
	if err := Encode(&failWriter{n: 10}, img); err != nil {
		t.Fatal(err)
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add(uint16(3), uint16(4), uint64(1), false)
	f.Add(uint16(256), uint16(1), uint64(2), true)
	f.Fuzz(func(t *testing.T, w, h uint16, seed uint64, opaque bool) {
		w, h = w%300+1, h%300+1
		checkRoundTrip(t, randomImage(rand.New(rand.NewPCG(seed, seed)), int(w), int(h), opaque))
	})
}

// BenchmarkEncode256 compares Encode with image/png at BestSpeed on the
// kind of picture the emulator draws (bands of one colour, shapes) and on
// noise.
func BenchmarkEncode256(b *testing.B) {
	scene := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	for y := range 256 {
		for x := range 256 {
			c := color.NRGBA{uint8(y), uint8(255 - y), 128, 255}
			if (x-128)*(x-128)+(y-100)*(y-100) < 2500 {
				c = color.NRGBA{200, 40, 40, 255}
			}
			scene.SetNRGBA(x, y, c)
		}
	}
	noise := randomImage(rand.New(rand.NewPCG(5, 6)), 256, 256, true)
	for _, c := range []struct {
		name string
		img  *image.NRGBA
	}{{"scene", scene}, {"noise", noise}} {
		b.Run(c.name+"/pngenc", func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			defer loadgen.CPUPerOp(b)()
			for b.Loop() {
				buf.Reset()
				if err := Encode(&buf, c.img); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
		b.Run(c.name+"/image-png", func(b *testing.B) {
			var buf bytes.Buffer
			enc := png.Encoder{CompressionLevel: png.BestSpeed}
			b.ReportAllocs()
			defer loadgen.CPUPerOp(b)()
			for b.Loop() {
				buf.Reset()
				if err := enc.Encode(&buf, c.img); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
}
