package prism

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// newClient returns a wrapper client talking to srv. Model validation stays
// on (the parameters below are valid); retries are off so that a failure
// shows at once; any violation Prism reports fails the test.
func newClient(t *testing.T, srv *Server) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(
		wrapper.WithBaseURL(srv.URL),
		wrapper.WithAPIKey(testKey),
		wrapper.WithMaxRetries(0),
		wrapper.WithHTTPClient(&http.Client{Transport: violationChecker{t: t, base: http.DefaultTransport}}),
		wrapper.WithTimeout(30*time.Second),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkResponse checks what the wrapper parsed from Prism's static mock
// response: ImagesResponse built from the schema, every image with data or
// a URL, usage present.
func checkResponse(t *testing.T, res *wrapper.ImagesResponse, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("wrapper call failed against Prism: %v", err)
	}
	if len(res.Data) == 0 {
		t.Fatalf("no images in the parsed response: %+v", res)
	}
	for i, d := range res.Data {
		if d.B64JSON == "" && d.URL == "" {
			t.Errorf("image %d has neither b64_json nor url", i)
		}
	}
	if res.Usage == nil {
		t.Errorf("usage not parsed: %+v", res)
	}
	if res.Created.IsZero() {
		t.Errorf("created not parsed")
	}
}

func TestWrapperGenerate(t *testing.T) {
	srv := needPrism(t)
	cases := []struct {
		name string
		p    wrapper.GenerateParams
	}{
		{"prompt only (dall-e-2 by default)", wrapper.GenerateParams{Prompt: "A cute baby sea otter"}},
		{"gpt-image-1.5 with every GPT option", wrapper.GenerateParams{
			Model:             wrapper.ModelGPTImage15,
			Prompt:            "A cute baby sea otter",
			N:                 2,
			Size:              wrapper.Size1536x1024,
			Quality:           wrapper.QualityHigh,
			Background:        wrapper.BackgroundOpaque,
			Moderation:        wrapper.ModerationLow,
			OutputFormat:      wrapper.OutputFormatWebP,
			OutputCompression: wrapper.Ptr(0),
			User:              "user-1234",
		}},
		{"gpt-image-1.5 transparent png", wrapper.GenerateParams{
			Model: wrapper.ModelGPTImage15, Prompt: "A sticker", Background: wrapper.BackgroundTransparent,
			OutputFormat: wrapper.OutputFormatPNG, Quality: wrapper.QualityLow, Size: wrapper.SizeAuto,
		}},
		{"gpt-image-2 custom size", wrapper.GenerateParams{
			Model: wrapper.ModelGPTImage2, Prompt: "A wide otter", Size: wrapper.CustomSize(1536, 864),
			OutputFormat: wrapper.OutputFormatJPEG, OutputCompression: wrapper.Ptr(80),
		}},
		{"dall-e-3 style and response_format", wrapper.GenerateParams{
			Model: wrapper.ModelDallE3, Prompt: "A cute baby sea otter", Size: wrapper.Size1792x1024,
			Quality: wrapper.QualityHD, Style: wrapper.StyleNatural, ResponseFormat: wrapper.ResponseFormatB64JSON,
		}},
		{"dall-e-2 url", wrapper.GenerateParams{
			Model: wrapper.ModelDallE2, Prompt: "An otter", N: 3, Size: wrapper.Size256x256, ResponseFormat: wrapper.ResponseFormatURL,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, err := newClient(t, srv).Generate(t.Context(), c.p)
			checkResponse(t, res, err)
		})
	}
}

func TestWrapperEdit(t *testing.T) {
	srv := needPrism(t)
	img := pngImage(t, 64, false)
	holed := pngImage(t, 64, true)
	mask := pngImage(t, 64, true)
	path := filepath.Join(t.TempDir(), "input.png")
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		p    wrapper.EditParams
	}{
		{"multipart, one image from a path", wrapper.EditParams{
			Model: wrapper.ModelGPTImage15, Prompt: "Add a hat",
			Images:  []wrapper.Image{wrapper.ImageFromPath(path)},
			Size:    wrapper.Size1024x1024,
			Quality: wrapper.QualityHigh, InputFidelity: wrapper.InputFidelityHigh,
			Background: wrapper.BackgroundTransparent, OutputFormat: wrapper.OutputFormatPNG,
			N: 2, User: "user-1234",
		}},
		// Several images go as repeated image[] parts (the SDK layout);
		// Prism accepts them only through Derive's image[] alias.
		{"multipart, three images as image[]", wrapper.EditParams{
			Model: wrapper.ModelGPTImage1, Prompt: "Put them in a gift basket",
			Images: []wrapper.Image{
				wrapper.ImageFromBytes("a.png", img),
				wrapper.ImageFromBytes("b.png", pngImage(t, 32, false)),
				wrapper.ImageFromBytes("c.png", pngImage(t, 48, false)),
			},
			OutputFormat: wrapper.OutputFormatJPEG, OutputCompression: wrapper.Ptr(50),
		}},
		{"multipart, gpt image with mask", wrapper.EditParams{
			Model: wrapper.ModelGPTImage15, Prompt: "A pool in the hole",
			Images: []wrapper.Image{wrapper.ImageFromBytes("in.png", img)},
			Mask:   new(wrapper.ImageFromBytes("mask.png", mask)),
		}},
		{"multipart, dall-e-2 with mask", wrapper.EditParams{
			Model: wrapper.ModelDallE2, Prompt: "A flamingo in the pool",
			Images:         []wrapper.Image{wrapper.ImageFromBytes("in.png", img)},
			Mask:           new(wrapper.ImageFromBytes("mask.png", mask)),
			Size:           wrapper.Size512x512,
			ResponseFormat: wrapper.ResponseFormatURL,
			N:              2,
		}},
		{"multipart, dall-e-2 transparent input without mask", wrapper.EditParams{
			Model: wrapper.ModelDallE2, Prompt: "Fill the hole",
			Images: []wrapper.Image{wrapper.ImageFromBytes("holed.png", holed)},
		}},
		{"json, by image_url", wrapper.EditParams{
			Model: wrapper.ModelGPTImage15, Prompt: "Add a watercolor effect",
			ImageRefs:  []wrapper.ImageRef{wrapper.ImageURL("https://example.com/source-image.png")},
			Size:       wrapper.Size1024x1536,
			Quality:    wrapper.QualityMedium,
			Moderation: wrapper.ModerationAuto,
			Background: wrapper.BackgroundAuto,
		}},
		{"json, by file_id with mask", wrapper.EditParams{
			Model: wrapper.ModelGPTImage15, Prompt: "Replace the background",
			ImageRefs:    []wrapper.ImageRef{wrapper.ImageFileID("file-abc123"), wrapper.ImageFileID("file-def456")},
			MaskRef:      new(wrapper.ImageFileID("file-mask123")),
			OutputFormat: wrapper.OutputFormatWebP, OutputCompression: wrapper.Ptr(100),
			InputFidelity: wrapper.InputFidelityLow, N: 1,
		}},
		{"json, by data URL", wrapper.EditParams{
			Model: wrapper.ModelGPTImage1Mini, Prompt: "Make it blue",
			ImageRefs: []wrapper.ImageRef{wrapper.ImageDataURL(img)},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, err := newClient(t, srv).Edit(t.Context(), c.p)
			checkResponse(t, res, err)
		})
	}
}

func TestWrapperCreateVariation(t *testing.T) {
	srv := needPrism(t)
	img := pngImage(t, 64, false)
	cases := []struct {
		name string
		p    wrapper.VariationParams
	}{
		{"image only", wrapper.VariationParams{Image: wrapper.ImageFromBytes("in.png", img)}},
		{"every parameter", wrapper.VariationParams{
			Image: wrapper.ImageFromBytes("in.png", img), Model: wrapper.ModelDallE2, N: 4,
			Size: wrapper.Size256x256, ResponseFormat: wrapper.ResponseFormatB64JSON, User: "user-1234",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, err := newClient(t, srv).CreateVariation(t.Context(), c.p)
			checkResponse(t, res, err)
		})
	}
}

// TestWrapperBites checks that the wrapper surfaces Prism's 422 as an
// *wrapper.APIError: the wrapper's own validation is turned off for the
// call, so the invalid request (n above the spec's maximum) reaches Prism.
func TestWrapperBites(t *testing.T) {
	srv := needPrism(t)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey(testKey), wrapper.WithMaxRetries(0), wrapper.WithTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Generate(t.Context(), wrapper.GenerateParams{Prompt: "An otter", N: 11}, wrapper.WithRequestValidation(false))
	var apiErr *wrapper.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v (%T), want *wrapper.APIError with status 422", err, err)
	}
	if apiErr.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(apiErr.Body), "n must be <= 10") {
		t.Fatalf("status %d, body %.400s; want 422 naming n", apiErr.StatusCode, apiErr.Body)
	}
}
