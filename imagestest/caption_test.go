package imagestest

import (
	"bytes"
	"image"
	"image/color"
	"testing"
)

// An edit without a mask is captioned with its own prompt on a band
// painted from its scene: whatever caption the input had does not show
// through, so an image edited over several turns shows one caption.
func TestEditCaptionReplacesTheInputs(t *testing.T) {
	const w, h = 512, 512
	plain := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range plain.Pix {
		plain.Pix[i] = 255
	}
	captioned := renderScene(w, h, "an earlier turn's caption, long enough to fill two lines of the band", "x", false)
	scene := planScene(w, h, "seed", "edit", false, "").backdrop(0)
	a := renderEdit(scene, "make it blue", []image.Image{plain}, nil, nil)
	b := renderEdit(scene, "make it blue", []image.Image{captioned}, nil, nil)
	for y := h - 40; y < h; y++ {
		if !bytes.Equal(a.Pix[a.PixOffset(0, y):a.PixOffset(w, y)], b.Pix[b.PixOffset(0, y):b.PixOffset(w, y)]) {
			t.Fatalf("row %d of the caption band differs with the input: the input's caption shows through", y)
		}
	}
	// With a mask, the caption band is the input's, untouched.
	mask := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h / 2 {
		for x := range w {
			mask.SetNRGBA(x, y, color.NRGBA{}) // the top half is edited
		}
	}
	for y := h / 2; y < h; y++ {
		for x := range w {
			mask.SetNRGBA(x, y, color.NRGBA{A: 255})
		}
	}
	m := renderEdit(scene, "make it blue", []image.Image{captioned}, mask, nil)
	for y := h - 40; y < h; y++ {
		if !bytes.Equal(m.Pix[m.PixOffset(0, y):m.PixOffset(w, y)], captioned.Pix[captioned.PixOffset(0, y):captioned.PixOffset(w, y)]) {
			t.Fatalf("row %d outside the mask changed", y)
		}
	}
}
