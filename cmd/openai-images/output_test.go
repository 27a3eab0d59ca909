package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// TestReservePrefix checks that a run's file names never collide with
// files already in the directory, temporary files included.
func TestReservePrefix(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	at := time.Date(2026, 5, 12, 14, 30, 5, 123_400_000, time.FixedZone("X", 3600))
	p, err := reservePrefix(dir, "generate", at)
	if err != nil || p != "generate-20260512T133005.123Z" {
		t.Fatalf("prefix %q, %v", p, err)
	}
	for _, name := range []string{"generate-20260512T133005.123Z-1.png", ".generate-20260512T133005.124Z-1.png.tmp123", "generate-20260512T133005.125Z-2-partial-0.webp"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ := reservePrefix(dir, "generate", at); p != "generate-20260512T133005.126Z" {
		t.Errorf("prefix %q, want the first free millisecond", p)
	}
	if p, _ := reservePrefix(dir, "edit", at); p != "edit-20260512T133005.123Z" {
		t.Errorf("prefix %q: other commands' files do not matter", p)
	}
}

func TestFileName(t *testing.T) {
	t.Parallel()
	k := 2
	if got := fileName("edit-X", 3, &k); got != "edit-X-3-partial-2" {
		t.Error(got)
	}
	if got := fileName("edit-X", 3, nil); got != "edit-X-3" {
		t.Error(got)
	}
}

func TestCheckOutput(t *testing.T) {
	t.Parallel()
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"/>`
	for _, tc := range []struct {
		in       string
		declared wrapper.OutputFormat
		want     string
	}{
		{"\x89PNG\r\n\x1a\nrest", "", ".png"}, {"\xff\xd8\xff\xe0", "", ".jpg"}, {"RIFF1234WEBPVP8L", "", ".webp"},
		{svg, "svg", ".svg"}, {"\x00\x01 a format from tomorrow", "avif", ".bin"},
		{"GIF89a\x01\x00\x01\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b", "", ".gif"},
	} {
		if _, ext, err := checkOutput([]byte(tc.in), tc.declared); ext != tc.want || err != nil {
			t.Errorf("%q declared %q: %s, %v; want %s", tc.in, tc.declared, ext, err, tc.want)
		}
	}
	// Not what was declared, a broken GIF, an SVG not declared, no image:
	// an error, no extension.
	for in, declared := range map[string]wrapper.OutputFormat{
		"\x89PNG\r\n\x1a\nrest": "gif", "GIF89a..": "", "<svg><g></svg>": "svg", svg: "", "hello": "",
	} {
		var fe *wrapper.ImageFormatError
		if _, ext, err := checkOutput([]byte(in), declared); !errors.As(err, &fe) || ext != "" {
			t.Errorf("%q declared %q: %q, %v", in, declared, ext, err)
		}
	}
	if w, h, frames := dimensions("svg", []byte(svg)); w != 30 || h != 20 || frames != 0 {
		t.Errorf("svg dimensions %d x %d, %d frames", w, h, frames)
	}
}

// TestProgress checks the status line on a terminal: drawn with \r,
// counting partial images, cleared around output lines and at the end.
func TestProgress(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	p := newProgress(&buf, true, "generate", "waiting for the API")
	p.setPhase("streaming")
	p.partial()
	p.partial()
	p.above(func() { buf.Write([]byte("out/x.png\n")) })
	p.stop()
	p.stop() // idempotent
	out := buf.String()
	for _, want := range []string{"\rgenerate: waiting for the API 0.", "\rgenerate: streaming ", ", 1 partial image", ", 2 partial images", "out/x.png\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q: %q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\r") {
		t.Errorf("the line is not cleared at the end: %q", out)
	}
	// The output line starts on a cleared line.
	if i := strings.Index(out, "out/x.png"); i == 0 || out[i-1] != '\r' {
		t.Errorf("output line not preceded by a cleared status line: %q", out)
	}
}

// TestProgressNotTerminal checks that nothing is drawn elsewhere.
func TestProgressNotTerminal(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	p := newProgress(&buf, false, "edit", "waiting")
	p.partial()
	var wg sync.WaitGroup
	wg.Add(1)
	p.above(func() { wg.Done() })
	wg.Wait()
	p.stop()
	if buf.String() != "" {
		t.Errorf("wrote %q", buf.String())
	}
}
