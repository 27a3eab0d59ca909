package tests

import (
	"bytes"
	"context"
	"image"
	"image/color"
	stdpng "image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/wrapper"
)

// wrapperClient is the public client pointed at the fake API, with every
// request it sends and every response it reads checked by the contract
// RoundTripper (and again by the Middleware on the server side).
func (f *fakeAPI) wrapperClient(t *testing.T) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(
		wrapper.WithBaseURL(f.URL+"/v1"),
		wrapper.WithAPIKey("sk-test"),
		wrapper.WithMaxRetries(0),
		wrapper.WithHTTPClient(&http.Client{Transport: f.v.RoundTripper(nil)}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pngImage(t *testing.T, w, h int, alpha bool) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	if alpha {
		for y := range h {
			for x := range w / 2 {
				img.SetNRGBA(x, y, color.NRGBA{})
			}
		}
	} else {
		for i := 3; i < len(img.Pix); i += 4 {
			img.Pix[i] = 255
		}
	}
	var buf bytes.Buffer
	if err := stdpng.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Every parameter of every operation, as the wrapper puts it on the wire,
// passes the contract: the spec's names, types and enums.
func TestWrapperRequestsMatchTheSpec(t *testing.T) {
	f := newFakeAPI(t)
	c := f.wrapperClient(t)
	ctx := context.Background()
	img := func(name string) wrapper.Image { return wrapper.ImageFromBytes(name, pngImage(t, 64, 64, false)) }
	mask := wrapper.ImageFromBytes("mask.png", pngImage(t, 64, 64, true))
	generates := map[string]wrapper.GenerateParams{
		"gpt every field": {Prompt: "otter", Model: wrapper.ModelGPTImage15, N: 2, Size: wrapper.Size1536x1024, Quality: wrapper.QualityHigh,
			Background: wrapper.BackgroundTransparent, Moderation: wrapper.ModerationLow, OutputFormat: wrapper.OutputFormatWebP,
			OutputCompression: wrapper.Ptr(50), User: "user-1"},
		"gpt-image-2 custom size": {Prompt: "otter", Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(1536, 864), Quality: wrapper.QualityMedium, OutputFormat: wrapper.OutputFormatJPEG, OutputCompression: wrapper.Ptr(0)},
		"dall-e-3":                {Prompt: "otter", Model: wrapper.ModelDallE3, Size: wrapper.Size1792x1024, Quality: wrapper.QualityHD, Style: wrapper.StyleVivid, ResponseFormat: wrapper.ResponseFormatB64JSON},
		"dall-e-2":                {Prompt: "otter", Model: wrapper.ModelDallE2, N: 3, Size: wrapper.Size512x512, ResponseFormat: wrapper.ResponseFormatURL, User: "u"},
		"defaults only":           {Prompt: "otter"},
	}
	for name, p := range generates {
		t.Run("generate/"+name, func(t *testing.T) {
			if _, err := c.Generate(ctx, p); err != nil {
				t.Fatal(err)
			}
		})
	}
	edits := map[string]wrapper.EditParams{
		"one image every field": {Images: []wrapper.Image{img("a.png")}, Mask: &mask, Prompt: "hat", Model: wrapper.ModelGPTImage15, N: 2,
			Size: wrapper.Size1024x1536, Quality: wrapper.QualityLow, Background: wrapper.BackgroundOpaque, OutputFormat: wrapper.OutputFormatJPEG,
			OutputCompression: wrapper.Ptr(90), InputFidelity: wrapper.InputFidelityHigh, User: "u"},
		"sixteen images": {Images: func() []wrapper.Image {
			var out []wrapper.Image
			for range 16 {
				out = append(out, img("x.png"))
			}
			return out
		}(), Prompt: "collage", Model: wrapper.ModelGPTImage1},
		"dall-e-2": {Images: []wrapper.Image{img("a.png")}, Mask: &mask, Prompt: "hat", Model: wrapper.ModelDallE2, Size: wrapper.Size256x256, ResponseFormat: wrapper.ResponseFormatB64JSON},
		"json every field": {ImageRefs: []wrapper.ImageRef{wrapper.ImageURL("https://example.com/a.png"), wrapper.ImageFileID("file-1"), wrapper.ImageDataURL(pngImage(t, 4, 4, false))},
			MaskRef: wrapper.Ptr(wrapper.ImageFileID("file-mask")), Prompt: "snow", Model: wrapper.ModelGPTImage15, N: 1, Size: wrapper.Size1024x1024,
			Quality: wrapper.QualityHigh, Background: wrapper.BackgroundAuto, Moderation: wrapper.ModerationLow, OutputFormat: wrapper.OutputFormatPNG,
			OutputCompression: wrapper.Ptr(100), InputFidelity: wrapper.InputFidelityLow, User: "u"},
	}
	for name, p := range edits {
		t.Run("edit/"+name, func(t *testing.T) {
			if _, err := c.Edit(ctx, p); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("variation", func(t *testing.T) {
		_, err := c.CreateVariation(ctx, wrapper.VariationParams{Image: img("v.png"), Model: wrapper.ModelDallE2, N: 2, Size: wrapper.Size1024x1024, ResponseFormat: wrapper.ResponseFormatURL, User: "u"})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("generate stream", func(t *testing.T) {
		s, err := c.GenerateStream(ctx, wrapper.GenerateParams{Prompt: "otter", Model: wrapper.ModelGPTImage1, PartialImages: wrapper.Ptr(1)},
			wrapper.WithExtraHeader(streamHeader, genPartial+"|"+genCompleted))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, err := range s.All() {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 2 {
			t.Errorf("events = %d", n)
		}
	})
	t.Run("edit stream", func(t *testing.T) {
		s, err := c.EditStream(ctx, wrapper.EditParams{Images: []wrapper.Image{img("a.png"), img("b.png")}, Prompt: "x", Model: wrapper.ModelGPTImage15, PartialImages: wrapper.Ptr(3)},
			wrapper.WithExtraHeader(streamHeader, editPartial+"|"+editCompleted))
		if err != nil {
			t.Fatal(err)
		}
		for _, err := range s.All() {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	if got := f.calls.Load(); got != int32(len(generates)+len(edits)+3) {
		t.Errorf("server handled %d requests", got)
	}
}

// The wrapper's parameters the spec does not allow are stopped by the
// contract RoundTripper before they are sent, naming the field (validation
// off, so only the spec speaks).
func TestContractCatchesWhatTheSpecForbids(t *testing.T) {
	f := newFakeAPI(t)
	c := f.wrapperClient(t)
	off := wrapper.WithRequestValidation(false)
	_, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x", Quality: "not-a-quality"}, off)
	if err == nil || !strings.Contains(err.Error(), `"quality"`) {
		t.Errorf("quality not-a-quality: %v", err)
	}
	_, err = c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x", N: 11}, off)
	if err == nil || !strings.Contains(err.Error(), `"n"`) {
		t.Errorf("n=11: %v", err)
	}
	_, err = c.Edit(context.Background(), wrapper.EditParams{ImageRefs: []wrapper.ImageRef{{URL: "https://x/a.png", FileID: "file-1"}}, Prompt: "x"}, off)
	if err == nil || !strings.Contains(err.Error(), "images") {
		t.Errorf("ref with both url and file id: %v", err)
	}
	if f.calls.Load() != 0 {
		t.Errorf("%d invalid requests reached the server", f.calls.Load())
	}
}
