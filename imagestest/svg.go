package imagestest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"strings"
)

// SVG output (output_format svg): a standalone SVG 1.1 document of the
// requested size (width, height and a viewBox of the same dimensions), as
// the API's SVG author writes from the image model's reference picture.
// Source: npm openai 7.59.0 src/resources/images.ts,
// ImageGenerateParamsBase.svg: "Selects the author model and reasoning
// effort for output_format=svg"; ImagesResponse.svg_usage: "Token usage for
// SVG authoring, separate from image rendering usage."
//
// A generation's picture is written as the primitives it is drawn from (a
// gradient, circles, rectangles and the prompt as text), so the SVG shows
// what the PNG of the same request shows. An edit's picture, which blends
// the input images, is traced as a mosaic of rectangles of its colours.

// svgDoc is an SVG document being written.
type svgDoc struct{ b bytes.Buffer }

func newSVG(w, h int, title string) *svgDoc {
	d := &svgDoc{}
	fmt.Fprintf(&d.b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%d" viewBox="0 0 %d %d">`+"\n", w, h, w, h)
	d.b.WriteString("<title>")
	d.text(strings.Join(strings.Fields(title), " "))
	d.b.WriteString("</title>\n")
	return d
}

// text writes s as XML character data: markup characters escaped, and
// characters XML does not allow replaced by U+FFFD.
func (d *svgDoc) text(s string) { xml.EscapeText(&d.b, []byte(s)) }

func (d *svgDoc) close() []byte {
	d.b.WriteString("</svg>\n")
	return d.b.Bytes()
}

func hexColor(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// svgScene writes the scene as vector primitives.
func svgScene(s scene) []byte {
	d := newSVG(s.w, s.h, s.caption)
	if !s.transparent {
		fmt.Fprintf(&d.b, `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">`+
			`<stop offset="0" stop-color="%s"/><stop offset="1" stop-color="%s"/></linearGradient></defs>`+"\n",
			hexColor(s.top), hexColor(s.bottom))
		fmt.Fprintf(&d.b, `<rect width="%d" height="%d" fill="url(#sky)"/>`+"\n", s.w, s.h)
	}
	for _, sh := range s.shapes {
		if sh.circle {
			fmt.Fprintf(&d.b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"/>`+"\n", sh.cx, sh.cy, sh.size, hexColor(sh.c))
		} else {
			fmt.Fprintf(&d.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n",
				sh.cx-sh.size, sh.cy-sh.size*0.6, 2*sh.size, 1.2*sh.size, hexColor(sh.c))
		}
	}
	d.caption(s.w, s.h, s.caption)
	return d.close()
}

// caption writes the prompt as the raster pictures show it: on a
// translucent band along the bottom, in at most three lines.
func (d *svgDoc) caption(w, h int, prompt string) {
	c, ok := layoutCaption(w, h, prompt)
	if !ok {
		return
	}
	fmt.Fprintf(&d.b, `<rect x="0" y="%d" width="%d" height="%d" fill="#000000" fill-opacity="%.3f"/>`+"\n",
		max(c.bandTop, 0), w, h-max(c.bandTop, 0), float64(captionAlpha)/255)
	fmt.Fprintf(&d.b, `<g font-family="Go, Helvetica, Arial, sans-serif" font-weight="bold" font-size="%.1f" fill="#ffffff">`+"\n", c.px)
	for i, line := range c.lines {
		fmt.Fprintf(&d.b, `<text x="%d" y="%d">`, int(c.px), c.baselines[i])
		d.text(line)
		d.b.WriteString("</text>\n")
	}
	d.b.WriteString("</g>\n")
}

// mosaicCells is the number of mosaic cells along an image's longer side.
const mosaicCells = 48

// svgMosaic traces img as a grid of rectangles, each the mean colour of its
// cell (runs of equal colours along a row merged into one rectangle), and
// titles it with prompt. Fully transparent cells are left out.
func svgMosaic(img *image.NRGBA, prompt string) []byte {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	d := newSVG(w, h, prompt)
	cell := max((max(w, h)+mosaicCells-1)/mosaicCells, 1)
	d.b.WriteString(`<g shape-rendering="crispEdges">` + "\n")
	for y0 := 0; y0 < h; y0 += cell {
		y1 := min(y0+cell, h)
		var run color.NRGBA
		runStart := -1
		flush := func(x int) {
			if runStart >= 0 && run.A > 0 {
				fmt.Fprintf(&d.b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"`, runStart, y0, x-runStart, y1-y0, hexColor(run))
				if run.A < 255 {
					fmt.Fprintf(&d.b, ` fill-opacity="%.3f"`, float64(run.A)/255)
				}
				d.b.WriteString("/>\n")
			}
			runStart = -1
		}
		for x0 := 0; x0 < w; x0 += cell {
			c := meanColor(img, image.Rect(x0, y0, min(x0+cell, w), y1))
			if runStart >= 0 && c == run {
				continue
			}
			flush(x0)
			run, runStart = c, x0
		}
		flush(w)
	}
	d.b.WriteString("</g>\n")
	return d.close()
}

// meanColor is the mean colour of img over r, rounded to 4 bits per
// channel so that neighbouring cells of one colour merge.
func meanColor(img *image.NRGBA, r image.Rectangle) color.NRGBA {
	var sr, sg, sb, sa, n int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[y*img.Stride:]
		for x := r.Min.X; x < r.Max.X; x++ {
			p := row[4*x : 4*x+4]
			sr, sg, sb, sa = sr+int(p[0]), sg+int(p[1]), sb+int(p[2]), sa+int(p[3])
			n++
		}
	}
	if n == 0 {
		return color.NRGBA{}
	}
	q := func(sum int) uint8 { return uint8(sum/n)&^0x0f | 0x08 }
	return color.NRGBA{q(sr), q(sg), q(sb), uint8(sa / n)}
}
