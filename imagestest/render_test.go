package imagestest

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"testing"
)

// randomNRGBA fills an image with runs of random colours, alpha included.
func randomNRGBA(r *rand.Rand, w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	var c color.NRGBA
	for i := 0; i < len(img.Pix); i += 4 {
		if r.IntN(5) == 0 {
			c = color.NRGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256))}
			switch r.IntN(4) {
			case 0:
				c.A = 0
			case 1:
				c.A = 255
			}
		}
		copy(img.Pix[i:i+4], []byte{c.R, c.G, c.B, c.A})
	}
	return img
}

// TestFastDrawingMatchesImageDraw checks that the renderer's fast paths
// give the same bytes as the image/draw calls they replace.
func TestFastDrawingMatchesImageDraw(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	rects := []image.Rectangle{
		image.Rect(0, 0, 40, 30), image.Rect(5, 3, 17, 29), image.Rect(-10, -10, 8, 50),
		image.Rect(35, 25, 90, 90), image.Rect(50, 50, 60, 60), image.Rect(3, 3, 3, 9),
	}
	colors := []color.NRGBA{{0, 0, 0, 140}, {255, 255, 255, 255}, {10, 200, 30, 255}, {90, 80, 70, 1}, {0, 0, 0, 0}}
	for range 20 {
		base := randomNRGBA(rng, 40, 30)
		for _, r := range rects {
			for _, c := range colors {
				want := image.NewNRGBA(base.Rect)
				got := image.NewNRGBA(base.Rect)

				copy(want.Pix, base.Pix)
				copy(got.Pix, base.Pix)
				draw.Draw(want, r.Intersect(want.Bounds()), image.NewUniform(c), image.Point{}, draw.Over)
				darkenOver(got, r, c)
				if !bytes.Equal(got.Pix, want.Pix) {
					t.Fatalf("darkenOver(%v, %v) differs from draw.Draw Over", r, c)
				}

				copy(want.Pix, base.Pix)
				copy(got.Pix, base.Pix)
				draw.Draw(want, r.Intersect(want.Bounds()), image.NewUniform(c), image.Point{}, draw.Src)
				fillRect(got, r, c)
				if !bytes.Equal(got.Pix, want.Pix) {
					t.Fatalf("fillRect(%v, %v) differs from draw.Draw Src", r, c)
				}
			}
		}
	}
}
