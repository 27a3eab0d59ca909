package wrapper

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/internal/imagecheck"
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

func encodedPNG(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodedJPEG(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const goodSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect x="1" y="2" width="10" height="10" fill="#c33"/><text x="4" y="40">a &amp; b</text></svg>`

func TestCheckImageFormat(t *testing.T) {
	t.Parallel()
	pngBytes, jpegBytes, gifBytes := encodedPNG(t), encodedJPEG(t), animatedGIF(t, 3)
	truncatedGIF := gifBytes[:len(gifBytes)-5]
	for _, tc := range []struct {
		name     string
		data     []byte
		declared OutputFormat
		found    OutputFormat
		err      string // "" for no error
		reason   bool   // a structural problem (Reason set)
	}{
		{"png as declared", pngBytes, OutputFormatPNG, OutputFormatPNG, "", false},
		{"jpeg as declared", jpegBytes, OutputFormatJPEG, OutputFormatJPEG, "", false},
		{"jpg for jpeg", jpegBytes, "jpg", OutputFormatJPEG, "", false},
		{"gif as declared", gifBytes, OutputFormatGIF, OutputFormatGIF, "", false},
		{"svg as declared", []byte(goodSVG), OutputFormatSVG, OutputFormatSVG, "", false},
		{"nothing declared: png", pngBytes, "", OutputFormatPNG, "", false},
		{"nothing declared: gif", gifBytes, "", OutputFormatGIF, "", false},
		{"a format this version does not know", pngBytes, "avif", OutputFormatPNG, "", false},
		{"nothing declared: svg is markup, taken only when declared", []byte(goodSVG), "", OutputFormatSVG, "image/svg+xml, not an image", false},
		{"nothing declared: unknown bytes", []byte("not an image"), "", "", "not an image", false},
		{"png declared, jpeg sent", jpegBytes, OutputFormatPNG, OutputFormatJPEG, "is image/jpeg, not the png image declared", false},
		{"gif declared, png sent", pngBytes, OutputFormatGIF, OutputFormatPNG, "is image/png, not the gif image declared", false},
		{"svg declared, png sent", pngBytes, OutputFormatSVG, OutputFormatPNG, "not the svg image declared", false},
		{"svg declared, html sent", []byte("<html><body>error</body></html>"), OutputFormatSVG, "", "not the svg image declared", false},
		{"gif declared, truncated", truncatedGIF, OutputFormatGIF, OutputFormatGIF, "the image/gif image data is broken: a data block is cut off", true},
		{"nothing declared, truncated gif", truncatedGIF, "", OutputFormatGIF, "image/gif image data is broken", true},
		{"svg declared, not well-formed", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><g></svg>`), OutputFormatSVG, OutputFormatSVG, "the image/svg+xml image data is broken: not well-formed XML", true},
		{"svg declared, root not svg", []byte(`<svg:x xmlns:svg="http://www.w3.org/2000/svg"/>`), OutputFormatSVG, "", "not the svg image declared", false},
		{"webp declared, empty", nil, OutputFormatWebP, "", "not the webp image declared", false},
	} {
		found, err := CheckImageFormat(tc.data, tc.declared)
		if found != tc.found {
			t.Errorf("%s: found %q, want %q", tc.name, found, tc.found)
		}
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err != "":
			var fe *ImageFormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.err) || (fe.Reason != "") != tc.reason {
				t.Errorf("%s: %v, want an *ImageFormatError with %q", tc.name, err, tc.err)
			}
		}
	}
}

// TestContentChecksStructure checks that a GIF or an SVG is checked whole
// on every path that returns or writes an image: Content and WriteFile of a
// base64 image (streamed through the format check), of a stream event, and
// WriteFiles, which names the files .gif and .svg.
func TestContentChecksStructure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	anim := animatedGIF(t, 4)
	img := func(b []byte, f OutputFormat) GeneratedImage {
		return GeneratedImage{B64JSON: base64.StdEncoding.EncodeToString(b), format: f}
	}
	good := map[string]GeneratedImage{"gif": img(anim, OutputFormatGIF), "svg": img([]byte(goodSVG), OutputFormatSVG), "gif, undeclared": img(anim, "")}
	// Larger than the 4 KiB sniffing window, so that the check at Close
	// sees bytes that went through after it.
	bigSVG := `<svg xmlns="http://www.w3.org/2000/svg">` + strings.Repeat(`<rect width="1" height="1"/>`, 400)
	bad := map[string]GeneratedImage{
		"truncated gif":       img(anim[:len(anim)-3], OutputFormatGIF),
		"gif cut in a block":  img(anim[:len(anim)/2], ""),
		"svg not well-formed": img([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><g></svg>`), OutputFormatSVG),
		"big svg, unclosed":   img([]byte(bigSVG), OutputFormatSVG),
	}
	for name, g := range good {
		dir := t.TempDir()
		if _, err := g.Content(ctx); err != nil {
			t.Errorf("%s: Content: %v", name, err)
		}
		if err := g.WriteFile(ctx, filepath.Join(dir, "x")); err != nil {
			t.Errorf("%s: WriteFile: %v", name, err)
		}
	}
	for name, g := range bad {
		dir := t.TempDir()
		var fe *ImageFormatError
		if b, err := g.Content(ctx); !errors.As(err, &fe) || fe.Reason == "" || b != nil {
			t.Errorf("%s: Content: %d bytes, %v", name, len(b), err)
		}
		if err := g.WriteFile(ctx, filepath.Join(dir, "x")); !errors.As(err, &fe) {
			t.Errorf("%s: WriteFile: %v", name, err)
		}
		res := &ImagesResponse{Data: []GeneratedImage{g}}
		if paths, err := res.WriteFiles(ctx, dir, "y"); !errors.As(err, &fe) || len(paths) != 0 {
			t.Errorf("%s: WriteFiles: %v, %v", name, paths, err)
		}
		ev := &CompletedEvent{B64JSON: g.B64JSON, OutputFormat: g.format}
		if _, err := ev.Content(ctx); !errors.As(err, &fe) {
			t.Errorf("%s: event Content: %v", name, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%s: %d files written", name, len(entries))
		}
	}

	dir := t.TempDir()
	for name, want := range map[string]string{"gif": "anim-1.gif", "svg": "anim-1.svg"} {
		res := &ImagesResponse{Data: []GeneratedImage{good[name]}}
		paths, err := res.WriteFiles(ctx, dir, "anim")
		if err != nil || len(paths) != 1 || filepath.Base(paths[0]) != want {
			t.Errorf("%s: WriteFiles %v, %v", name, paths, err)
		}
	}
}

func TestOutputFormatExtension(t *testing.T) {
	t.Parallel()
	for f, want := range map[OutputFormat]string{
		OutputFormatPNG: ".png", OutputFormatJPEG: ".jpg", OutputFormatWebP: ".webp", OutputFormatGIF: ".gif", OutputFormatSVG: ".svg", "avif": "",
	} {
		if got := f.Extension(); got != want {
			t.Errorf("%q.Extension() = %q, want %q", f, got, want)
		}
	}
	// The extension WriteFiles gives sniffed bytes is the format's.
	if got := extensionFor(sniffContentType([]byte(goodSVG))); got != ".svg" {
		t.Errorf("svg bytes get %q", got)
	}
}

// FuzzCheckImageFormat checks that no bytes make the check panic, and that
// what it accepts as a GIF or an SVG image/gif and encoding/xml read too.
func FuzzCheckImageFormat(f *testing.F) {
	f.Add(animatedGIF(f, 2), "gif")
	f.Add([]byte(goodSVG), "svg")
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00"), "")
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>`), "svg")
	f.Add(encodedPNG(f), "png")
	f.Fuzz(func(t *testing.T, data []byte, declared string) {
		found, err := CheckImageFormat(data, OutputFormat(declared))
		if err != nil {
			var fe *ImageFormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if found == OutputFormatGIF {
			if _, err := gif.DecodeConfig(bytes.NewReader(data)); err != nil {
				t.Fatalf("accepted a GIF whose header image/gif refuses: %v", err)
			}
		}
		if found == OutputFormatSVG && !imagecheck.LooksLikeSVG(data) {
			t.Fatal("accepted an SVG that does not start as one")
		}
	})
}
