package main

import (
	"image"
	"image/color"
	"reflect"
	"strings"
	"testing"
)

// TestEditMask checks a masked, multi-image edit pixel by pixel: outside
// the mask's transparent rectangle the result equals the first image;
// inside it, the picture changed.
func TestEditMask(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	env := srv.env
	dir := t.TempDir()
	const w, h = 256, 192
	hole := image.Rect(64, 48, 192, 144)
	src := gradient(w, h, 7)
	first := writePNG(t, dir, "first.png", src)
	second := writePNG(t, dir, "second.png", gradient(w, h, 99))
	mask := writePNG(t, dir, "mask.png", maskWithHole(w, h, hole))

	r := runCLI(t, env, "edit", "--json", "--out", t.TempDir(), "--model", "gpt-image-2", "--size", "256x192",
		"--image", first, "--image", second, "--mask", mask, "--prompt", "a hot-air balloon").mustSucceed(t)
	s := parseSummary(t, r.stdout)
	if len(s.Files) != 1 || s.Command != "edit" {
		t.Fatalf("summary = %+v", s)
	}
	out := decodeFile(t, s.Files[0].Path)
	if b := out.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("result is %v, want %dx%d", b, w, h)
	}
	changed, inside := 0, 0
	for y := range h {
		for x := range w {
			got := color.NRGBAModel.Convert(out.At(x, y)).(color.NRGBA)
			want := src.NRGBAAt(x, y)
			if (image.Point{x, y}).In(hole) {
				inside++
				if got != want {
					changed++
				}
			} else if got != want {
				t.Fatalf("pixel (%d,%d) outside the mask's hole changed: %v, was %v", x, y, got, want)
			}
		}
	}
	if changed < inside/2 {
		t.Errorf("only %d of %d pixels in the mask's hole changed", changed, inside)
	}

	req := srv.requests()[0]
	if req.Path != "/v1/images/edits" || !strings.HasPrefix(req.ContentType, "multipart/form-data") {
		t.Fatalf("request = %s %s", req.Path, req.ContentType)
	}
	var fields []string
	for _, f := range req.Files {
		fields = append(fields, f.Field+":"+f.Filename)
	}
	if want := []string{"image[]:first.png", "image[]:second.png", "mask:mask.png"}; !reflect.DeepEqual(fields, want) {
		t.Errorf("file parts = %v, want %v", fields, want)
	}
}

// TestEditFlags checks every edit flag reaches the request and the output
// has the requested format, size and count.
func TestEditFlags(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	env := srv.env
	dir := t.TempDir()
	img := writePNG(t, dir, "in.png", gradient(160, 160, 3))
	r := runCLI(t, env, "edit", "--json", "--out", t.TempDir(), "--image", img, "--model", "gpt-image-2.5-flare", "--size", "320x192",
		"--n", "2", "--quality", "low", "--background", "opaque", "--output-format", "jpeg", "--output-compression", "80",
		"--input-fidelity", "high", "--user", "u-7", "make it night").mustSucceed(t)
	s := parseSummary(t, r.stdout)
	if len(s.Files) != 2 {
		t.Fatalf("%d files, want 2", len(s.Files))
	}
	for _, f := range s.Files {
		if format, w, h := decodeConfig(t, f.Path); format != "jpeg" || w != 320 || h != 192 {
			t.Errorf("%s is %s %dx%d, want jpeg 320x192", f.Path, format, w, h)
		}
	}
	want := map[string]any{"prompt": "make it night", "model": "gpt-image-2.5-flare", "size": "320x192", "n": "2", "quality": "low",
		"background": "opaque", "output_format": "jpeg", "output_compression": "80", "input_fidelity": "high", "user": "u-7"}
	if got := srv.requests()[0].Params; !reflect.DeepEqual(got, want) {
		t.Errorf("form fields = %v\nwant %v", got, want)
	}
}

// TestEditStream checks a streamed edit with partial images.
func TestEditStream(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	env := srv.env
	img := writePNG(t, t.TempDir(), "in.png", gradient(256, 256, 1))
	r := runCLI(t, env, "edit", "--json", "--out", t.TempDir(), "--image", img, "--model", "gpt-image-2", "--size", "256x256",
		"--stream", "--partial-images", "2", "add a moon").mustSucceed(t)
	s := parseSummary(t, r.stdout)
	if len(s.Files) != 3 || s.Files[0].PartialIndex == nil || s.Files[1].PartialIndex == nil || s.Files[2].PartialIndex != nil {
		t.Fatalf("files = %+v", s.Files)
	}
	for _, f := range s.Files {
		if format, w, h := decodeConfig(t, f.Path); format != "png" || w != 256 || h != 256 {
			t.Errorf("%s is %s %dx%d", f.Path, format, w, h)
		}
	}
	if p := srv.requests()[0].Params; p["stream"] != "true" || p["partial_images"] != "2" {
		t.Errorf("form fields = %v", p)
	}
}

// TestEditDallE2 checks a dall-e-2 edit of a square image with
// transparency (no mask), returned by URL and downloaded, from a server
// that still serves the retired model.
func TestEditDallE2(t *testing.T) {
	t.Parallel()
	env := newRetiredServer(t).env
	dir := t.TempDir()
	m := gradient(256, 256, 5)
	for y := 100; y < 150; y++ {
		for x := 100; x < 150; x++ {
			m.SetNRGBA(x, y, color.NRGBA{})
		}
	}
	img := writePNG(t, dir, "in.png", m)
	r := runCLI(t, env, "edit", "--json", "--out", t.TempDir(), "--model", "dall-e-2", "--image", img, "--size", "256x256",
		"--response-format", "url", "a window").mustSucceed(t)
	s := parseSummary(t, r.stdout)
	if format, w, h := decodeConfig(t, s.Files[0].Path); format != "png" || w != 256 || h != 256 {
		t.Errorf("got %s %dx%d", format, w, h)
	}
}
