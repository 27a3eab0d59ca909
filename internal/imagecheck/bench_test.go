package imagecheck

import (
	"bytes"
	"fmt"
	"image"
	"image/color/palette"
	"image/gif"
	"strings"
	"testing"
)

// BenchmarkGIFFrames walks a 1024x1024 GIF of 9 frames (the API's default
// frame count), the cost the wrapper adds before writing one.
func BenchmarkGIFFrames(b *testing.B) {
	g := &gif.GIF{}
	for i := range 9 {
		m := image.NewPaletted(image.Rect(0, 0, 1024, 1024), palette.Plan9)
		for y := range 1024 {
			for x := range 1024 {
				m.Pix[y*1024+x] = uint8((x*7 + y*3 + i*11) % 251)
			}
		}
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 20)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if n, err := GIFFrames(data); err != nil || n != 9 {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkCheckSVG parses an SVG of about 1 MiB (20,000 elements).
func BenchmarkCheckSVG(b *testing.B) {
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024">`)
	for i := range 20000 {
		fmt.Fprintf(&s, `<rect x="%d" y="%d" width="10" height="10" fill="#a0b0c0"/>`, i%1024, i/1024)
	}
	s.WriteString(`</svg>`)
	data := []byte(s.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckSVG(data); err != nil {
			b.Fatal(err)
		}
	}
}
