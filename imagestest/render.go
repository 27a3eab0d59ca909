package imagestest

import (
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// seed derives a deterministic random source from the request's content.
func seed(parts ...string) *rand.Rand {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	s := h.Sum64()
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

// palette returns n colours seeded from r, pleasant enough to look at.
func palette(r *rand.Rand, n int) []color.NRGBA {
	base := r.Float64()
	out := make([]color.NRGBA, n)
	for i := range out {
		out[i] = hsv(math.Mod(base+float64(i)*0.618034, 1), 0.45+0.4*r.Float64(), 0.55+0.4*r.Float64())
	}
	return out
}

func hsv(h, s, v float64) color.NRGBA {
	i := math.Floor(h * 6)
	f := h*6 - i
	p, q, t := v*(1-s), v*(1-f*s), v*(1-(1-f)*s)
	var r, g, b float64
	switch int(i) % 6 {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return color.NRGBA{uint8(r * 255), uint8(g * 255), uint8(b * 255), 255}
}

// renderScene draws a deterministic picture for prompt: a gradient sky,
// seeded shapes and the prompt as text. With transparent, the background
// is left transparent and only the shapes and text are drawn.
func renderScene(w, h int, prompt, salt string, transparent bool) *image.NRGBA {
	return planScene(w, h, prompt, salt, transparent, "").raster(0)
}

// scene is the plan of a generated picture, drawn as pixels by raster and
// as vector markup by svgScene, so that a PNG, a GIF and an SVG of the same
// request show the same picture.
type scene struct {
	w, h        int
	top, bottom color.NRGBA // the sky's gradient
	transparent bool        // no sky
	shapes      []shape
	caption     string
}

// shape is a filled circle (radius size) or rectangle (2*size by
// 1.2*size) centred on (cx, cy). In an animation it moves on a small
// ellipse: orbit is the ellipse's radius and phase where on it the shape
// starts.
type shape struct {
	circle       bool
	cx, cy, size float64
	c            color.NRGBA
	orbit, phase float64
}

// shapeCounts is how many shapes a scene has for each complexity: planning
// more puts more in the picture. Unset complexity is the model's default,
// medium.
var shapeCounts = map[string]int{"low": 4, "": 7, "medium": 7, "high": 11}

// planScene plans the picture for prompt, seeded by prompt and salt: the
// same arguments give the same picture. complexity ("", low, medium, high)
// sets how many shapes it has.
func planScene(w, h int, prompt, salt string, transparent bool, complexity string) scene {
	r := seed(prompt, salt)
	cols := palette(r, 6)
	s := scene{w: w, h: h, top: cols[0], bottom: cols[1], transparent: transparent, caption: prompt}
	motion := seed(prompt, salt, "motion")
	unit := float64(min(w, h))
	n, ok := shapeCounts[complexity]
	if !ok {
		n = shapeCounts[""]
	}
	for i := range n {
		sh := shape{circle: i%2 == 0, c: cols[2+i%4]}
		sh.cx, sh.cy = r.Float64()*float64(w), r.Float64()*float64(h)
		sh.size = unit * (0.08 + 0.22*r.Float64())
		sh.orbit, sh.phase = unit*(0.03+0.05*motion.Float64()), 2*math.Pi*motion.Float64()
		s.shapes = append(s.shapes, sh)
	}
	return s
}

// at is where the shape is at phase t of an animation (0 to 1): on its
// ellipse, at its planned place when t is 0.
func (sh shape) at(t float64) (float64, float64) {
	a := sh.phase + 2*math.Pi*t
	return sh.cx + sh.orbit*(math.Cos(a)-math.Cos(sh.phase)), sh.cy + 0.6*sh.orbit*(math.Sin(a)-math.Sin(sh.phase))
}

// raster draws the scene at phase t of its animation (0: the still
// picture), caption included.
func (s scene) raster(t float64) *image.NRGBA {
	img := s.backdrop(t)
	drawCaption(img, s.caption, nil)
	return img
}

// backdrop is raster without the caption.
func (s scene) backdrop(t float64) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, s.w, s.h))
	if !s.transparent {
		for y := range s.h {
			f := float64(y) / float64(max(s.h-1, 1))
			fillRow(img.Pix[y*img.Stride:y*img.Stride+s.w*4], color.NRGBA{lerp(s.top.R, s.bottom.R, f), lerp(s.top.G, s.bottom.G, f), lerp(s.top.B, s.bottom.B, f), 255})
		}
	}
	for _, sh := range s.shapes {
		cx, cy := sh.at(t)
		if sh.circle {
			fillCircle(img, cx, cy, sh.size, sh.c)
		} else {
			fillRect(img, image.Rect(int(cx-sh.size), int(cy-sh.size*0.6), int(cx+sh.size), int(cy+sh.size*0.6)), sh.c)
		}
	}
	return img
}

// fillRow sets every pixel of an NRGBA row to c, doubling the filled part.
func fillRow(row []byte, c color.NRGBA) {
	if len(row) < 4 {
		return
	}
	row[0], row[1], row[2], row[3] = c.R, c.G, c.B, c.A
	for n := 4; n < len(row); n *= 2 {
		copy(row[n:], row[:n])
	}
}

func lerp(a, b uint8, t float64) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*t) }

func fillCircle(img *image.NRGBA, cx, cy, rad float64, c color.NRGBA) {
	b := img.Bounds()
	y0, y1 := max(int(cy-rad), b.Min.Y), min(int(cy+rad)+1, b.Max.Y)
	for y := y0; y < y1; y++ {
		dy := float64(y) + 0.5 - cy
		half := math.Sqrt(max(rad*rad-dy*dy, 0))
		x0, x1 := max(int(cx-half), b.Min.X), min(int(cx+half)+1, b.Max.X)
		if x0 < x1 {
			off := img.PixOffset(x0, y)
			fillRow(img.Pix[off:off+(x1-x0)*4], c)
		}
	}
}

func fillRect(img *image.NRGBA, r image.Rectangle, c color.NRGBA) {
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		return
	}
	if c.A != 0xff { // draw.Draw's rounding through premultiplied colour
		draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
		return
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		off := img.PixOffset(r.Min.X, y)
		fillRow(img.Pix[off:off+r.Dx()*4], c)
	}
}

// darkenOver composites the uniform colour c over r of img, with the same
// result, to the bit, as draw.Draw(img, r, image.NewUniform(c),
// image.Point{}, draw.Over), which on an NRGBA image takes a generic path
// through color.RGBA64 for every pixel. Runs of one colour (a gradient's
// rows, the inside of a shape) are computed once.
func darkenOver(img *image.NRGBA, r image.Rectangle, c color.NRGBA) {
	r = r.Intersect(img.Bounds())
	sr, sg, sb, sa := c.RGBA()
	const m = 0xffff
	a := m - sa
	var last, lastOut [4]byte
	have := false
	for y := r.Min.Y; y < r.Max.Y; y++ {
		off := img.PixOffset(r.Min.X, y)
		row := img.Pix[off : off+r.Dx()*4]
		for i := 0; i < len(row); i += 4 {
			px := (*[4]byte)(row[i : i+4])
			if have && *px == last {
				*px = lastOut
				continue
			}
			last = *px
			dr, dg, db, da := color.NRGBA{px[0], px[1], px[2], px[3]}.RGBA()
			// The blend of draw's generic path, then image.NRGBA.SetRGBA64.
			rr := uint32(uint16((dr*a)/m + sr))
			rg := uint32(uint16((dg*a)/m + sg))
			rb := uint32(uint16((db*a)/m + sb))
			ra := uint32(uint16((da*a)/m + sa))
			if ra != 0 && ra != 0xffff {
				rr = (rr * 0xffff) / ra
				rg = (rg * 0xffff) / ra
				rb = (rb * 0xffff) / ra
			}
			*px = [4]byte{uint8(rr >> 8), uint8(rg >> 8), uint8(rb >> 8), uint8(ra >> 8)}
			lastOut, have = *px, true
		}
	}
}

var (
	fontOnce sync.Once
	fontData *opentype.Font
)

func captionFace(height float64) font.Face {
	fontOnce.Do(func() {
		f, err := opentype.Parse(gobold.TTF)
		if err == nil {
			fontData = f
		}
	})
	if fontData == nil {
		return nil
	}
	face, err := opentype.NewFace(fontData, &opentype.FaceOptions{Size: height, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil
	}
	return face
}

// caption is the layout of a prompt written across the lower part of an
// image: at most three lines on a translucent black band.
type caption struct {
	lines     []string
	px        float64 // font size
	bandTop   int
	baselines []int
}

// captionAlpha is the band's opacity (of 255).
const captionAlpha = 140

// layoutCaption wraps prompt to the width of a w x h image; ok is false
// when the image is too small for text or the prompt has none.
func layoutCaption(w, h int, prompt string) (caption, bool) {
	px := math.Max(10, float64(min(w, h))/18)
	if px*2 > float64(h) {
		return caption{}, false
	}
	face := captionFace(px)
	if face == nil {
		return caption{}, false
	}
	defer face.Close()
	lines := wrap(face, strings.Join(strings.Fields(prompt), " "), fixed.I(w)-fixed.I(int(px*2)), 3)
	if len(lines) == 0 {
		return caption{}, false
	}
	lineH := int(px * 1.3)
	c := caption{lines: lines, px: px, bandTop: h - lineH*len(lines) - int(px)}
	for i := range lines {
		c.baselines = append(c.baselines, c.bandTop+int(px*0.5)+lineH*(i+1)-int(px*0.3))
	}
	return c, true
}

// drawCaption writes the prompt across the lower part of the image on a
// translucent band, wrapped to at most three lines. With cover, the band's
// area is first painted from cover, so that no caption drawn there before
// shows through.
func drawCaption(img *image.NRGBA, prompt string, cover *image.NRGBA) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	c, ok := layoutCaption(w, h, prompt)
	if !ok {
		return
	}
	face := captionFace(c.px)
	if face == nil {
		return
	}
	defer face.Close()
	band := image.Rect(0, max(c.bandTop, 0), w, h)
	if cover != nil {
		draw.Draw(img, band, cover, band.Min, draw.Src)
	}
	darkenOver(img, band, color.NRGBA{0, 0, 0, captionAlpha})
	d := font.Drawer{Dst: img, Src: image.White, Face: face}
	for i, line := range c.lines {
		d.Dot = fixed.P(int(c.px), c.baselines[i])
		d.DrawString(line)
	}
}

func wrap(face font.Face, text string, width fixed.Int26_6, maxLines int) []string {
	var lines []string
	var cur string
	for _, word := range strings.Fields(text) {
		next := strings.TrimSpace(cur + " " + word)
		if font.MeasureString(face, next) <= width || cur == "" {
			cur = next
			continue
		}
		lines = append(lines, cur)
		cur = word
		if len(lines) == maxLines {
			break
		}
	}
	if cur != "" && len(lines) < maxLines {
		lines = append(lines, cur)
	}
	for i, l := range lines {
		// A word wider than the image is cut, a character at a time, and
		// ends in an ellipsis.
		for font.MeasureString(face, l) > width {
			r := []rune(strings.TrimSuffix(l, "…"))
			if len(r) <= 1 {
				break
			}
			l = string(r[:len(r)-1]) + "…"
		}
		lines[i] = l
	}
	return lines
}

// resize scales src to w x h with nearest-neighbour sampling: cheap, and a
// pixel of the result maps to exactly one pixel of the source, which keeps
// mask semantics exact.
func resize(src image.Image, w, h int) *image.NRGBA {
	n := toNRGBA(src)
	b := n.Rect
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		srow := n.Pix[(y*b.Dy()/h)*n.Stride:]
		drow := out.Pix[y*out.Stride:]
		for x := range w {
			s := (x * b.Dx() / w) * 4
			copy(drow[x*4:x*4+4], srow[s:s+4])
		}
	}
	return out
}

// toNRGBA returns src as an NRGBA image with bounds starting at (0, 0).
func toNRGBA(src image.Image) *image.NRGBA {
	if n, ok := src.(*image.NRGBA); ok && n.Rect.Min == (image.Point{}) {
		return n
	}
	b := src.Bounds()
	n := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(n, n.Rect, src, b.Min, draw.Src)
	return n
}

// renderEdit composes an edit: scene (the picture drawn for the prompt,
// without its caption) over the first input image, the other inputs inset as tiles along the top, and, with a
// mask, the result kept equal to the first image wherever the mask is not
// fully transparent (the API's rule: transparent areas are what gets
// edited). Without a mask the prompt is the caption, replacing the input's
// (an image edited over several turns shows the last instruction only);
// with one the caption is the input's, outside the edited area. With
// markup, the markup's strokes (its pixels that are not fully transparent)
// are drawn over the result, as the edit the markup guides would show
// them; the rest is edited as usual.
func renderEdit(scene *image.NRGBA, prompt string, inputs []image.Image, mask, markup image.Image) *image.NRGBA {
	w, h := scene.Rect.Dx(), scene.Rect.Dy()
	base := resize(inputs[0], w, h)
	out := image.NewNRGBA(base.Rect)
	copy(out.Pix, base.Pix)
	// Blend the scene over the base so the input stays recognisable.
	for i := 0; i < len(out.Pix); i += 4 {
		if scene.Pix[i+3] == 0 {
			continue
		}
		for k := range 3 {
			out.Pix[i+k] = uint8((int(out.Pix[i+k]) + 2*int(scene.Pix[i+k])) / 3)
		}
		out.Pix[i+3] = max(out.Pix[i+3], scene.Pix[i+3])
	}
	if n := len(inputs) - 1; n > 0 {
		tile := max(w/max(n+1, 6), 8)
		for i, in := range inputs[1:] {
			t := resize(in, tile, tile)
			r := image.Rect(i*(tile+4)+4, 4, i*(tile+4)+4+tile, 4+tile)
			draw.Draw(out, r, t, image.Point{}, draw.Over)
		}
	}
	if mask != nil {
		m := resize(mask, w, h)
		for i := 0; i < len(out.Pix); i += 4 {
			if m.Pix[i+3] != 0 { // opaque in the mask: keep the original
				copy(out.Pix[i:i+4], base.Pix[i:i+4])
			}
		}
	} else {
		drawCaption(out, prompt, scene)
	}
	if markup != nil {
		draw.Draw(out, out.Rect, resize(markup, w, h), image.Point{}, draw.Over)
	}
	return out
}

// renderVariation perturbs src: a seeded hue rotation and colour jitter.
func renderVariation(src image.Image, w, h int, salt string) *image.NRGBA {
	out := resize(src, w, h)
	r := seed("variation", salt)
	shift := [3]int{r.IntN(120) - 60, r.IntN(120) - 60, r.IntN(120) - 60}
	for i := 0; i < len(out.Pix); i += 4 {
		for k := range 3 {
			out.Pix[i+k] = uint8(min(max(int(out.Pix[i+k])+shift[k], 0), 255))
		}
	}
	return out
}

// blurred returns a coarse version of img, used for partial frames: the
// image downsampled by factor and scaled back.
func blurred(img *image.NRGBA, factor int) *image.NRGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	small := resize(img, max(w/factor, 1), max(h/factor, 1))
	return resize(small, w, h)
}
