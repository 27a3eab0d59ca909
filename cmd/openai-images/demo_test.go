package main

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
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

// TestDemo runs scripts/demo.sh (make demo) twice into the same directory:
// both runs succeed and print the transcript README.md shows, line for
// line, but for times, rates, and request and batch IDs. (The Batch API
// batch's status lines do not depend on when its polls fall: see
// TestBatchAPIStatusLines.)
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs the demo twice")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "this transcript):\n\n```\n")
	transcript, _, ok2 := strings.Cut(after, "```\n")
	if !ok || !ok2 {
		t.Fatal("README.md has no demo transcript")
	}
	want := normalizeDemo(transcript, "out")
	out := t.TempDir()
	for run := 1; run <= 2; run++ {
		cmd := exec.Command("sh", filepath.Join("scripts", "demo.sh"))
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(os.Environ(), "OUT="+out, "GO="+goBin)
		output, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, output)
		}
		if got := normalizeDemo(string(output), out); got != want {
			t.Errorf("run %d prints, normalized:\n%s\nREADME.md shows, normalized:\n%s", run, got, want)
		}
	}
}

var demoVariable = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s|m)\b`), "<time>"},
	{regexp.MustCompile(`\b\d+(\.\d+)? items/(s|min)`), "<rate>"},
	{regexp.MustCompile(`\breq_[0-9a-f]+`), "req_<id>"},
	{regexp.MustCompile(`\bbatch_[0-9a-f]+`), "batch_<id>"},
}

// normalizeDemo makes a demo transcript comparable: out (the output
// directory) as "out", and the variable parts replaced.
func normalizeDemo(s, out string) string {
	s = strings.ReplaceAll(s, out+"/", "out/")
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		for _, v := range demoVariable {
			l = v.re.ReplaceAllString(l, v.with)
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}
