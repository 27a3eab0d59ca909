package imagecheck

import (
	"bytes"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

// animatedGIF encodes an animated GIF of frames frames, 8x6, with the
// global palette and a delay of 20 hundredths per frame.
func animatedGIF(t testing.TB, frames int) []byte {
	t.Helper()
	g := &gif.GIF{Config: image.Config{ColorModel: color.Palette(palette.Plan9), Width: 8, Height: 6}}
	for i := range frames {
		m := image.NewPaletted(image.Rect(0, 0, 8, 6), palette.Plan9)
		m.SetColorIndex(i%8, i%6, uint8(i+1))
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 20)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const goodSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48" viewBox="0 0 64 48"><rect x="1" y="2" width="10" height="10" fill="#c33"/><text x="4" y="40">a &amp; b</text></svg>`

func TestSniff(t *testing.T) {
	t.Parallel()
	var pngBuf, jpegBuf bytes.Buffer
	png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 2, 2)))
	jpeg.Encode(&jpegBuf, image.NewGray(image.Rect(0, 0, 2, 2)), nil)
	for want, b := range map[string][]byte{
		"png": pngBuf.Bytes(), "jpeg": jpegBuf.Bytes(), "gif": animatedGIF(t, 1), "svg": []byte(goodSVG),
		"webp": []byte("RIFF\x1a\x00\x00\x00WEBPVP8L"), "": []byte("<html></html>"),
	} {
		if got := Sniff(b); got != want {
			t.Errorf("Sniff(%q...) = %q, want %q", b[:min(len(b), 12)], got, want)
		}
	}
}

func TestSVGSize(t *testing.T) {
	t.Parallel()
	for s, want := range map[string][2]int{
		goodSVG:                              {64, 48},
		`<svg width="100px" height="50px"/>`: {100, 50},
		`<svg width="100%" height="100%" viewBox="0,0,300,200"/>`:                                  {300, 200},
		`<svg viewBox="0 0 12.5 10"/>`:                                                             {0, 0},
		`<svg width="10em" height="5em"/>`:                                                         {0, 0},
		`<?xml version="1.0"?><!-- c --><svg width="7" height="9"><g width="1" height="1"/></svg>`: {7, 9},
		`not xml`: {0, 0},
	} {
		w, h, ok := SVGSize([]byte(s))
		if w != want[0] || h != want[1] || ok != (want[0] > 0) {
			t.Errorf("SVGSize(%q) = %d, %d, %v; want %v", s, w, h, ok, want)
		}
	}
}

func TestGIFFrames(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 9, 16} {
		b := animatedGIF(t, n)
		got, err := GIFFrames(b)
		if err != nil || got != n {
			t.Errorf("%d frames: gifFrames = %d, %v", n, got, err)
		}
		// Every cut of the stream before its trailer is refused as
		// truncated or broken, never accepted and never a panic.
		for cut := range len(b) - 1 {
			if _, err := GIFFrames(b[:cut]); err == nil {
				t.Fatalf("%d frames cut at %d of %d bytes: accepted", n, cut, len(b))
			}
		}
	}
	// A header and a trailer, but no frame.
	if _, err := GIFFrames([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00\x3b")); err == nil || !strings.Contains(err.Error(), "no frame") {
		t.Errorf("no frame: %v", err)
	}
	// A byte that starts no block.
	if _, err := GIFFrames([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00\x99")); err == nil || !strings.Contains(err.Error(), "not a GIF block") {
		t.Errorf("stray byte: %v", err)
	}
	// An LZW code size image/gif cannot decode.
	bad := animatedGIF(t, 1)
	i := bytes.IndexByte(bad, 0x2c) // the image descriptor (no extension before it with one frame)
	bad[i+10] = 12
	if _, err := GIFFrames(bad); err == nil || !strings.Contains(err.Error(), "LZW code size") {
		t.Errorf("LZW size 12: %v", err)
	}
	// Bytes after the trailer are ignored, as image/gif ignores them.
	if n, err := GIFFrames(append(animatedGIF(t, 2), "junk"...)); n != 2 || err != nil {
		t.Errorf("trailing bytes: %d, %v", n, err)
	}
}

func TestLooksLikeSVG(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		goodSVG:                      true,
		"\ufeff  \n<svg/>":           true,
		`<?xml version="1.0"?><svg>`: true,
		"<!-- made by x --><svg\n>":  true,
		`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg>`: true,
		`<!DOCTYPE svg [<!ENTITY a "b">]><svg>`:        true,
		`<s:svg xmlns:s="http://www.w3.org/2000/svg">`: true,
		"<svgx>":                  false,
		"<html><svg>":             false,
		"<svg":                    false,
		"svg":                     false,
		"<!-- unterminated <svg>": false,
		"":                        false,
		"\x89PNG\r\n\x1a\n":       false,
	} {
		if got := LooksLikeSVG([]byte(s)); got != want {
			t.Errorf("LooksLikeSVG(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCheckSVG(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		goodSVG,
		`<svg width="1" height="1"/>`, // no namespace: still an svg root
		"\ufeff<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n<svg xmlns=\"http://www.w3.org/2000/svg\"><g><path d=\"M0 0L1 1\"/></g></svg>\n",
		`<?xml version="1.0" encoding="us-ascii"?><svg/>`,
		`<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:rect/></s:svg>`,
	} {
		if err := CheckSVG([]byte(s)); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for s, want := range map[string]string{
		`<svg xmlns="http://www.w3.org/2000/svg"><rect>`: "not well-formed",
		`<svg><rect></svg>`:        "not well-formed",
		`<svg>&nbsp;</svg>`:        "not well-formed",
		`<html><svg/></html>`:      "root element is <html>",
		`<svg xmlns="urn:other"/>`: `in the namespace "urn:other"`,
		`<s:svg/>`:                 `prefix "s" is not declared`,
		`<svg><g></g>`:             "ends inside <svg> (truncated)",
		`<svg></g></svg>`:          "element <svg> closed by </g>",
		`<svg><a:g></b:g></svg>`:   "element <a:g> closed by </b:g>",
		`<svg/></g>`:               "closes no element",
		`<svg/><svg/>`:             "second root",
		`<svg/>trailing text`:      "text outside",
		``:                         "no root element",
		`<?xml version="1.0" encoding="ISO-8859-1"?><svg/>`: "only UTF-8",
	} {
		if err := CheckSVG([]byte(s)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", s, err, want)
		}
	}
}

// FuzzImageCheck checks that no bytes make the checks panic, and that they
// agree: what GIFFrames accepts image/gif reads the header of, and
// CheckSVG accepts only what LooksLikeSVG and Sniff call an SVG.
func FuzzImageCheck(f *testing.F) {
	f.Add(animatedGIF(f, 2))
	f.Add([]byte(goodSVG))
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00"))
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		format := Sniff(b)
		if n, err := GIFFrames(b); err == nil {
			if n < 1 || format != "gif" {
				t.Fatalf("GIFFrames accepted %d frames of a %q", n, format)
			}
			if _, err := gif.DecodeConfig(bytes.NewReader(b)); err != nil {
				t.Fatalf("GIFFrames accepted a GIF whose header image/gif refuses: %v", err)
			}
		}
		if err := CheckSVG(b); err == nil && (format != "svg" || !LooksLikeSVG(b)) {
			t.Fatalf("CheckSVG accepted a %q", format)
		}
		if w, h, ok := SVGSize(b); ok != (w > 0 && h > 0) {
			t.Fatalf("SVGSize = %d, %d, %v", w, h, ok)
		}
	})
}
