package wrapper

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
)

func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestEditSingleImageMultipart(t *testing.T) {
	c, mux, _ := setup(t)
	var rec recorder
	rec.handle(t, mux, "POST /images/edits", okImages)
	dir := t.TempDir()
	path := filepath.Join(dir, "otter.png")
	img := testPNG(t, 64, 64, false)
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	mask := testPNG(t, 64, 64, true)
	_, err := c.Edit(context.Background(), EditParams{
		Images:            []Image{ImageFromPath(path)},
		Mask:              Ptr(ImageFromBytes("mask.png", mask)),
		Prompt:            "add a hat",
		Model:             ModelGPTImage15,
		N:                 3,
		Size:              Size1024x1536,
		Quality:           QualityLow,
		Background:        BackgroundOpaque,
		OutputFormat:      OutputFormatJPEG,
		OutputCompression: Ptr(80),
		InputFidelity:     InputFidelityHigh,
		User:              "u-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := rec.last(t)
	wantFields := map[string][]string{
		"prompt": {"add a hat"}, "model": {"gpt-image-1.5"}, "n": {"3"}, "size": {"1024x1536"}, "quality": {"low"},
		"background": {"opaque"}, "output_format": {"jpeg"}, "output_compression": {"80"}, "input_fidelity": {"high"}, "user": {"u-1"},
	}
	if !reflect.DeepEqual(got.Fields, wantFields) {
		t.Errorf("fields = %v\nwant     %v", got.Fields, wantFields)
	}
	if len(got.Files) != 2 {
		t.Fatalf("files = %d, want image and mask", len(got.Files))
	}
	if f := got.Files[0]; f.Field != "image" || f.Filename != "otter.png" || f.ContentType != "image/png" || !bytes.Equal(f.Data, img) {
		t.Errorf("image part = %s %q %s (%d bytes)", f.Field, f.Filename, f.ContentType, len(f.Data))
	}
	if f := got.Files[1]; f.Field != "mask" || f.Filename != "mask.png" || f.ContentType != "image/png" || !bytes.Equal(f.Data, mask) {
		t.Errorf("mask part = %s %q %s", f.Field, f.Filename, f.ContentType)
	}
	if cl := got.Header.Get("Content-Length"); cl == "" {
		t.Error("sizes are known, but the body was sent chunked")
	}
}

// Several images go as repeated image[] parts, each named, each with the
// content type of its bytes (not of its name).
func TestEditMultipleImages(t *testing.T) {
	c, mux, _ := setup(t)
	var rec recorder
	rec.handle(t, mux, "POST /images/edits", okImages)
	pngBytes, jpgBytes := testPNG(t, 32, 32, false), testJPEG(t, 32, 32)
	webpBytes := tinyWebP
	images := []Image{
		ImageFromBytes("a.png", pngBytes),
		ImageFromBytes("b.png", jpgBytes), // misnamed: the bytes are JPEG
		ImageFromReader("c.webp", bytes.NewReader(webpBytes)),
	}
	if _, err := c.Edit(context.Background(), EditParams{Images: images, Prompt: "basket", Model: ModelGPTImage1}); err != nil {
		t.Fatal(err)
	}
	got := rec.last(t)
	want := []struct{ name, ct string }{{"a.png", "image/png"}, {"b.png", "image/jpeg"}, {"c.webp", "image/webp"}}
	if len(got.Files) != len(want) {
		t.Fatalf("got %d file parts", len(got.Files))
	}
	for i, w := range want {
		f := got.Files[i]
		if f.Field != "image[]" || f.Filename != w.name || f.ContentType != w.ct {
			t.Errorf("part %d = %s %q %s, want image[] %q %s", i, f.Field, f.Filename, f.ContentType, w.name, w.ct)
		}
	}
	if !bytes.Equal(got.Files[2].Data, webpBytes) {
		t.Error("webp bytes differ")
	}
}

// tinyWebP is a 1x1 lossless WebP.
var tinyWebP = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

func TestProbe(t *testing.T) {
	cases := []struct {
		name      string
		img       Image
		format    string
		w, h      int
		alpha     bool
		size      int64
		headerErr bool
	}{
		{"png", ImageFromBytes("", testPNG(t, 30, 20, false)), "png", 30, 20, false, -2, false},
		{"png alpha", ImageFromBytes("", testPNG(t, 8, 8, true)), "png", 8, 8, true, -2, false},
		{"jpeg", ImageFromBytes("", testJPEG(t, 17, 9)), "jpeg", 17, 9, false, -2, false},
		{"webp", ImageFromBytes("", tinyWebP), "webp", 1, 1, true, // its VP8L header sets alpha_is_used
			int64(len(tinyWebP)), false},
		{"not an image", ImageFromBytes("x.png", []byte("hello, world")), "", 0, 0, false, 12, false},
		{"empty", ImageFromBytes("x.png", nil), "", 0, 0, false, 0, false},
		{"truncated png", ImageFromBytes("x.png", testPNG(t, 8, 8, false)[:20]), "png", 0, 0, false, 20, true},
		{"one-shot reader", ImageFromReader("r.png", iotest.OneByteReader(bytes.NewReader(testPNG(t, 5, 6, true)))), "png", 5, 6, true, -2, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, err := tc.img.Probe()
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != tc.format || info.Width != tc.w || info.Height != tc.h || info.HasAlpha != tc.alpha || (info.HeaderErr != nil) != tc.headerErr {
				t.Errorf("info = %+v", info)
			}
			if tc.size != -2 && info.Size != tc.size {
				t.Errorf("size = %d, want %d", info.Size, tc.size)
			}
		})
	}
	if _, err := ImageFromPath(filepath.Join(t.TempDir(), "missing.png")).Probe(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v", err)
	}
}

// A one-shot reader can be probed and then sent whole.
func TestOneShotReaderProbeThenSend(t *testing.T) {
	c, mux, _ := setup(t)
	var rec recorder
	rec.handle(t, mux, "POST /images/edits", okImages)
	data := testPNG(t, 300, 300, false) // larger than one read
	img := ImageFromReader("big.png", io.MultiReader(bytes.NewReader(data[:100]), bytes.NewReader(data[100:])))
	if _, err := img.Probe(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Edit(context.Background(), EditParams{Images: []Image{img}, Prompt: "x"}); err != nil {
		t.Fatal(err)
	}
	if f := rec.last(t).Files[0]; !bytes.Equal(f.Data, data) || f.ContentType != "image/png" {
		t.Errorf("sent %d bytes as %s, want %d png bytes", len(f.Data), f.ContentType, len(data))
	}
	// Consumed: a second use fails before sending.
	before := len(rec.all())
	if _, err := c.Edit(context.Background(), EditParams{Images: []Image{img}, Prompt: "x"}); err == nil || !strings.Contains(err.Error(), "one-shot") {
		t.Errorf("reuse of a consumed reader: err = %v", err)
	}
	if len(rec.all()) != before {
		t.Error("reuse of a consumed reader reached the server")
	}
}

func TestEditJSON(t *testing.T) {
	c, mux, _ := setup(t)
	var rec recorder
	rec.handle(t, mux, "POST /images/edits", okImages)
	data := testPNG(t, 4, 4, false)
	_, err := c.Edit(context.Background(), EditParams{
		ImageRefs:         []ImageRef{ImageURL("https://example.com/a.png"), ImageFileID("file-abc"), ImageDataURL(data)},
		MaskRef:           Ptr(ImageFileID("file-mask")),
		Prompt:            "snow",
		Model:             ModelGPTImage15,
		N:                 1,
		Size:              Size1024x1024,
		Quality:           QualityMedium,
		Background:        BackgroundAuto,
		Moderation:        ModerationLow,
		OutputFormat:      OutputFormatPNG,
		OutputCompression: Ptr(100),
		InputFidelity:     InputFidelityLow,
		User:              "u",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := rec.last(t)
	if got.ContentType != "application/json" {
		t.Fatalf("Content-Type = %q", got.ContentType)
	}
	want := map[string]any{
		"images": []any{
			map[string]any{"image_url": "https://example.com/a.png"},
			map[string]any{"file_id": "file-abc"},
			map[string]any{"image_url": "data:image/png;base64," + b64(data)},
		},
		"mask":   map[string]any{"file_id": "file-mask"},
		"prompt": "snow", "model": "gpt-image-1.5", "n": 1.0, "size": "1024x1024", "quality": "medium",
		"background": "auto", "moderation": "low", "output_format": "png", "output_compression": 100.0,
		"input_fidelity": "low", "user": "u",
	}
	if !reflect.DeepEqual(got.JSON, want) {
		t.Errorf("body = %v\nwant   %v", got.JSON, want)
	}
}

func TestEditRejectsMixedImagesAndRefs(t *testing.T) {
	c, mux, _ := setup(t)
	var rec recorder
	rec.handle(t, mux, "POST /images/edits", okImages)
	_, err := c.Edit(context.Background(), EditParams{
		Images: []Image{ImageFromBytes("a.png", testPNG(t, 4, 4, false))}, ImageRefs: []ImageRef{ImageFileID("f")}, Prompt: "x",
	}, WithRequestValidation(false))
	if err == nil {
		t.Fatal("mixed upload and reference accepted")
	}
	if len(rec.all()) != 0 {
		t.Error("request sent")
	}
}

func TestVariation(t *testing.T) {
	c, mux, _ := setup(t)
	var rec recorder
	rec.handle(t, mux, "POST /images/variations", okImages)
	img := testPNG(t, 16, 16, false)
	_, err := c.Vary(context.Background(), VaryParams{
		Image: ImageFromBytes("otter.png", img), Model: ModelDallE2, N: 2, Size: Size256x256, ResponseFormat: ResponseFormatURL, User: "u",
	}, WithExtraBody("seed", 7))
	if err != nil {
		t.Fatal(err)
	}
	got := rec.last(t)
	want := map[string][]string{"model": {"dall-e-2"}, "n": {"2"}, "size": {"256x256"}, "response_format": {"url"}, "user": {"u"}, "seed": {"7"}}
	if !reflect.DeepEqual(got.Fields, want) {
		t.Errorf("fields = %v, want %v", got.Fields, want)
	}
	if len(got.Files) != 1 || got.Files[0].Field != "image" || got.Files[0].ContentType != "image/png" || !bytes.Equal(got.Files[0].Data, img) {
		t.Errorf("files = %+v", got.Files)
	}
}

// An unreadable image fails the call with the file's error, without retries.
func TestEditUnreadableImageIsNotRetried(t *testing.T) {
	c, mux, _ := setup(t, WithMaxRetries(3))
	var calls atomic.Int32
	mux.HandleFunc("POST /images/edits", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.Copy(io.Discard, r.Body)
		okImages(w, r)
	})
	boom := errors.New("disk on fire")
	opened := 0
	img := ImageFromOpener("x.png", func() (io.ReadCloser, error) {
		opened++
		if opened == 1 { // the probe
			return io.NopCloser(bytes.NewReader(testPNG(t, 4, 4, false))), nil
		}
		return nil, boom
	})
	_, err := c.Edit(context.Background(), EditParams{Images: []Image{img}, Prompt: "x"}, WithRequestValidation(false))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the open error", err)
	}
	if opened != 2 {
		t.Errorf("opened %d times, want probe + one attempt", opened)
	}
}
