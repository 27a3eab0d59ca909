package main

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/demo-inputs/mask-1024.png")

// demoMaskPath is the mask scripts/demo.sh edits with.
var demoMaskPath = filepath.Join("..", "..", "docs", "demo-inputs", "mask-1024.png")

// demoHole is the mask's transparent area: the part of the picture the
// demo edit changes.
var demoHole = image.Rect(256, 320, 768, 704)

// TestDemoMask checks the committed mask of the demo: 1024x1024, opaque
// except the fully transparent demoHole. With -update it is written.
func TestDemoMask(t *testing.T) {
	if *update {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, maskWithHole(1024, 1024, demoHole)); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(demoMaskPath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(demoMaskPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := decodeFile(t, demoMaskPath)
	if b := m.Bounds(); b != image.Rect(0, 0, 1024, 1024) {
		t.Fatalf("mask bounds %v", b)
	}
	for y := range 1024 {
		for x := range 1024 {
			a := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA).A
			if in := (image.Point{x, y}).In(demoHole); in && a != 0 || !in && a != 255 {
				t.Fatalf("mask alpha at (%d,%d) = %d", x, y, a)
			}
		}
	}
}
