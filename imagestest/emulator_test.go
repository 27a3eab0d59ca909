package imagestest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

func newClient(t *testing.T, opts ...wrapper.Option) (*Server, *wrapper.Client) {
	t.Helper()
	return newClientOf(t, nil, opts...)
}

// newClientOf is newClient with emulator options.
func newClientOf(t *testing.T, emuOpts []Option, opts ...wrapper.Option) (*Server, *wrapper.Client) {
	t.Helper()
	srv := NewServer(emuOpts...)
	t.Cleanup(func() {
		srv.Close()
		for _, v := range srv.Violations() {
			t.Errorf("emulator response broke the spec: %v", v)
		}
	})
	c, err := wrapper.New(append([]wrapper.Option{wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-emulator")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func decodeConfig(t *testing.T, b []byte) (image.Config, string) {
	t.Helper()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not an image: %v", err)
	}
	return cfg, format
}

func TestGenerateSizesAndFormats(t *testing.T) {
	t.Parallel()
	// The retired DALL-E models too, served with their old rules.
	_, c := newClientOf(t, []Option{AllowRetiredModels()})
	cases := []struct {
		p      wrapper.GenerateParams
		w, h   int
		format string
	}{
		{wrapper.GenerateParams{Prompt: "otter", Model: wrapper.ModelGPTImage15, Size: wrapper.Size1536x1024}, 1536, 1024, "png"},
		{wrapper.GenerateParams{Prompt: "otter", Model: wrapper.ModelGPTImage15, Size: wrapper.Size1024x1536, OutputFormat: wrapper.OutputFormatJPEG, OutputCompression: wrapper.Ptr(60)}, 1024, 1536, "jpeg"},
		{wrapper.GenerateParams{Prompt: "otter", Model: wrapper.ModelGPTImage1Mini, OutputFormat: wrapper.OutputFormatWebP, Background: wrapper.BackgroundTransparent}, 1024, 1024, "webp"},
		{wrapper.GenerateParams{Prompt: "otter", Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(1536, 864)}, 1536, 864, "png"},
		{wrapper.GenerateParams{Prompt: "otter", Model: wrapper.ModelDallE2, Size: wrapper.Size256x256, ResponseFormat: wrapper.ResponseFormatB64JSON}, 256, 256, "png"},
		{wrapper.GenerateParams{Prompt: "otter", Model: wrapper.ModelDallE3, Size: wrapper.Size1024x1792, ResponseFormat: wrapper.ResponseFormatB64JSON}, 1024, 1792, "png"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s-%dx%d-%s", tc.p.Model, tc.w, tc.h, tc.format), func(t *testing.T) {
			res, err := c.Generate(context.Background(), tc.p)
			if err != nil {
				t.Fatal(err)
			}
			b, err := res.Data[0].Bytes(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			cfg, format := decodeConfig(t, b)
			if cfg.Width != tc.w || cfg.Height != tc.h || format != tc.format {
				t.Errorf("got %dx%d %s, want %dx%d %s", cfg.Width, cfg.Height, format, tc.w, tc.h, tc.format)
			}
			gpt := strings.HasPrefix(string(tc.p.Model), "gpt")
			if gpt != (res.Usage != nil) {
				t.Errorf("usage = %+v for %s", res.Usage, tc.p.Model)
			}
		})
	}
}

func TestTransparentBackgroundHasAlpha(t *testing.T) {
	t.Parallel()
	_, c := newClient(t)
	res, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "logo", Model: wrapper.ModelGPTImage15, Background: wrapper.BackgroundTransparent, Size: wrapper.Size1024x1024})
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := res.Data[0].Decode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, a := m.At(0, 0).RGBA(); a != 0 && res.Background != wrapper.BackgroundTransparent {
		t.Errorf("corner alpha %d, background %q", a, res.Background)
	}
	transparent := 0
	for y := 0; y < 1024; y += 16 {
		for x := 0; x < 1024; x += 16 {
			if _, _, _, a := m.At(x, y).RGBA(); a == 0 {
				transparent++
			}
		}
	}
	if transparent == 0 {
		t.Error("a transparent background has no transparent pixel")
	}
}

// Same request, same image; another prompt, another image.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	_, c := newClient(t)
	get := func(prompt string) []byte {
		res, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: prompt, Model: wrapper.ModelGPTImage15, Size: wrapper.Size1024x1024, Quality: wrapper.QualityLow})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := res.Data[0].Bytes(context.Background())
		return b
	}
	a, b, other := get("a red fox"), get("a red fox"), get("a blue whale")
	if !bytes.Equal(a, b) {
		t.Error("the same request gave different images")
	}
	if bytes.Equal(a, other) {
		t.Error("different prompts gave the same image")
	}
	res, _ := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "a red fox", Model: wrapper.ModelGPTImage15, N: 3})
	x, _ := res.Data[0].Bytes(context.Background())
	y, _ := res.Data[1].Bytes(context.Background())
	if len(res.Data) != 3 || bytes.Equal(x, y) {
		t.Errorf("n=3 gave %d images, first two equal: %v", len(res.Data), bytes.Equal(x, y))
	}
}

func TestURLResponseIsServedByTheEmulator(t *testing.T) {
	t.Parallel()
	// URL answers are a feature of the retired DALL-E models.
	_, c := newClientOf(t, []Option{AllowRetiredModels()})
	res, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "otter", Model: wrapper.ModelDallE2, Size: wrapper.Size512x512, ResponseFormat: wrapper.ResponseFormatURL})
	if err != nil {
		t.Fatal(err)
	}
	if res.Data[0].URL == "" || res.Data[0].B64JSON != "" {
		t.Fatalf("data = %+v", res.Data[0])
	}
	b, err := res.Data[0].Bytes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cfg, _ := decodeConfig(t, b); cfg.Width != 512 {
		t.Errorf("width = %d", cfg.Width)
	}
}

func pngBytes(t *testing.T, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A masked edit changes only the mask's transparent region, pixel by pixel.
func TestMaskedEditChangesOnlyTransparentRegion(t *testing.T) {
	t.Parallel()
	_, c := newClient(t)
	const w, h = 256, 192
	src := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			src.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	mask := image.NewNRGBA(image.Rect(0, 0, w, h))
	hole := image.Rect(40, 30, 170, 120)
	for y := range h {
		for x := range w {
			a := uint8(255)
			if (image.Point{x, y}).In(hole) {
				a = 0
			}
			mask.SetNRGBA(x, y, color.NRGBA{255, 255, 255, a})
		}
	}
	maskImg := wrapper.ImageFromBytes("mask.png", pngBytes(t, mask))
	res, err := c.Edit(context.Background(), wrapper.EditParams{
		Images: []wrapper.Image{wrapper.ImageFromBytes("src.png", pngBytes(t, src))}, Mask: &maskImg,
		Prompt: "a glowing portal", Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(w, h),
	})
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := res.Data[0].Decode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if out.Bounds().Dx() != w || out.Bounds().Dy() != h {
		t.Fatalf("size %v", out.Bounds())
	}
	changedInside, changedOutside := 0, 0
	for y := range h {
		for x := range w {
			same := color.NRGBAModel.Convert(out.At(x, y)) == color.NRGBAModel.Convert(src.At(x, y))
			inside := (image.Point{x, y}).In(hole)
			switch {
			case inside && !same:
				changedInside++
			case !inside && !same:
				changedOutside++
			}
		}
	}
	if changedOutside != 0 {
		t.Errorf("%d pixels outside the mask's transparent area changed", changedOutside)
	}
	if changedInside < hole.Dx()*hole.Dy()/2 {
		t.Errorf("only %d of %d pixels inside the hole changed", changedInside, hole.Dx()*hole.Dy())
	}
}

func TestMultiImageEditAndVariation(t *testing.T) {
	t.Parallel()
	// The variations endpoint is retired: served here as an
	// OpenAI-compatible server may still serve it.
	srv, c := newClientOf(t, []Option{AllowRetiredModels()})
	var imgs []wrapper.Image
	for i := range 3 {
		m := image.NewNRGBA(image.Rect(0, 0, 64, 64))
		for p := 0; p < len(m.Pix); p += 4 {
			m.Pix[p], m.Pix[p+1], m.Pix[p+2], m.Pix[p+3] = uint8(80*i), 200, 40, 255
		}
		imgs = append(imgs, wrapper.ImageFromBytes(fmt.Sprintf("item%d.png", i), pngBytes(t, m)))
	}
	res, err := c.Edit(context.Background(), wrapper.EditParams{Images: imgs, Prompt: "a gift basket", Model: wrapper.ModelGPTImage15, Size: wrapper.Size1024x1024})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := res.Data[0].Bytes(context.Background()); len(b) == 0 {
		t.Fatal("no image")
	}
	req := srv.Requests()[len(srv.Requests())-1]
	if len(req.Files) != 3 || req.Files[2].Field != "image[]" || req.Files[2].Width != 64 || req.Params["prompt"] != "a gift basket" {
		t.Errorf("recorded %+v", req)
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("the key was recorded")
	}

	src := pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 128, 128)))
	vres, err := c.CreateVariation(context.Background(), wrapper.VariationParams{Image: wrapper.ImageFromBytes("v.png", src), N: 2, Size: wrapper.Size256x256, ResponseFormat: wrapper.ResponseFormatB64JSON})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := vres.Data[0].Bytes(context.Background())
	b, _ := vres.Data[1].Bytes(context.Background())
	if cfg, _ := decodeConfig(t, a); cfg.Width != 256 || bytes.Equal(a, b) {
		t.Errorf("variation %dx%d, identical: %v", cfg.Width, cfg.Height, bytes.Equal(a, b))
	}
}

// Invalid requests get the API's error shape naming the field, whether the
// spec or the model table forbids them.
func TestInvalidRequests(t *testing.T) {
	t.Parallel()
	srv, c := newClient(t)
	off := wrapper.WithRequestValidation(false)
	cases := []struct {
		name  string
		call  func() error
		param string
	}{
		{"quality xhigh with gpt-image-2", func() error {
			_, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x", Model: wrapper.ModelGPTImage2, Quality: wrapper.QualityXHigh}, off)
			return err
		}, "quality"},
		{"quality outside the enum", func() error {
			_, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x", Quality: "not-a-quality"}, off)
			return err
		}, "quality"},
		{"transparent jpeg", func() error {
			_, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x", Model: wrapper.ModelGPTImage15, Background: wrapper.BackgroundTransparent, OutputFormat: wrapper.OutputFormatJPEG}, off)
			return err
		}, "background"},
		{"variation (a retired endpoint)", func() error {
			_, err := c.CreateVariation(context.Background(), wrapper.VariationParams{Image: wrapper.ImageFromBytes("a.png", pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 8, 8)))), Model: wrapper.ModelGPTImage15}, off)
			return err
		}, "model"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var apiErr *wrapper.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Param != tc.param || apiErr.Type != "invalid_request_error" {
				t.Fatalf("err = %v, want a 400 naming %q", err, tc.param)
			}
		})
	}
	// No key.
	resp, err := http.Post(srv.URL+"/images/generations", "application/json", strings.NewReader(`{"prompt":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("no key: status %d", resp.StatusCode)
	}
}

func TestStreamsPartialImages(t *testing.T) {
	t.Parallel()
	_, c := newClient(t)
	s, err := c.GenerateStream(context.Background(), wrapper.GenerateParams{Prompt: "forest", Model: wrapper.ModelGPTImage15, Size: wrapper.Size1024x1024, PartialImages: wrapper.Ptr(3)})
	if err != nil {
		t.Fatal(err)
	}
	var partials int
	var final []byte
	for ev, err := range s.All() {
		if err != nil {
			t.Fatal(err)
		}
		switch ev := ev.(type) {
		case *wrapper.PartialImageEvent:
			if ev.Index != partials {
				t.Errorf("partial index %d, want %d", ev.Index, partials)
			}
			partials++
		case *wrapper.CompletedEvent:
			final, _ = ev.Bytes()
			if ev.Usage == nil || ev.Usage.TotalTokens == 0 {
				t.Error("completed event without usage")
			}
		}
	}
	if partials != 3 || final == nil {
		t.Fatalf("partials = %d, final = %d bytes", partials, len(final))
	}
	if cfg, _ := decodeConfig(t, final); cfg.Width != 1024 {
		t.Errorf("final width %d", cfg.Width)
	}
	es, err := c.EditStream(context.Background(), wrapper.EditParams{Images: []wrapper.Image{wrapper.ImageFromBytes("a.png", pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 32, 32))))}, Prompt: "x", Model: wrapper.ModelGPTImage15, PartialImages: wrapper.Ptr(1)})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for ev, err := range es.All() {
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, ev.EventType())
	}
	if strings.Join(types, ",") != "image_edit.partial_image,image_edit.completed" {
		t.Errorf("edit stream events = %v", types)
	}
}

func TestResponsesSession(t *testing.T) {
	t.Parallel()
	_, c := newClient(t)
	s := c.NewEditSession("gpt-5", wrapper.ImageTool{Model: wrapper.ModelGPTImage15, Size: wrapper.Size1024x1024})
	ctx := context.Background()
	first, err := s.Create(ctx, "Generate an image: a red car")
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Edit(ctx, "Edit the image: make it blue")
	if err != nil {
		t.Fatal(err)
	}
	img1, _ := first.Image()
	img2, _ := second.Image()
	if first.ResponseID == second.ResponseID || img1.B64JSON == img2.B64JSON || img2.RevisedPrompt == "" {
		t.Errorf("turns: %s %s", first.ResponseID, second.ResponseID)
	}
	stream, err := c.ResumeEditSession("gpt-5", wrapper.ImageTool{PartialImages: wrapper.Ptr(2)}, second.ResponseID).EditStream(ctx, "Edit the image: add racing stripes")
	if err != nil {
		t.Fatal(err)
	}
	partials, done := 0, false
	for ev, err := range stream.All() {
		if err != nil {
			t.Fatal(err)
		}
		switch ev.(type) {
		case *wrapper.PartialImageEvent:
			partials++
		case *wrapper.TurnCompletedEvent:
			done = true
		}
	}
	if partials != 2 || !done {
		t.Errorf("partials %d, done %v", partials, done)
	}
	if _, err := c.ResumeEditSession("gpt-5", wrapper.ImageTool{}, "resp_unknown").Edit(ctx, "x"); err == nil || !strings.Contains(err.Error(), "previous_response") {
		t.Errorf("unknown previous response: %v", err)
	}
}

func TestFaultsExerciseRetries(t *testing.T) {
	t.Parallel()
	srv, c := newClient(t, wrapper.WithMaxRetries(2))
	ctx := context.Background()
	p := wrapper.GenerateParams{Prompt: "x", Model: wrapper.ModelGPTImage15, Size: wrapper.Size1024x1024, Quality: wrapper.QualityLow}

	srv.InjectFault(Fault{Status: 429, RetryAfterMs: "5"}, 1)
	srv.InjectFault(ServerError(503), 1)
	before := len(srv.Requests())
	if _, err := c.Generate(ctx, p); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests()) - before; n != 3 {
		t.Errorf("attempts = %d, want 429, 503 then success", n)
	}

	srv.InjectFault(Fault{DropConnection: true}, 1)
	if _, err := c.Generate(ctx, p); err != nil {
		t.Fatalf("dropped connection not retried: %v", err)
	}

	srv.InjectFault(Fault{Status: 500, ShouldRetry: "false"}, 1)
	var apiErr *wrapper.APIError
	if _, err := c.Generate(ctx, p); !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
		t.Errorf("x-should-retry false: %v", err)
	}

	// A small image, so that rendering under the race detector stays well
	// inside the attempt timeout.
	slow, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithTimeout(time.Second), wrapper.WithMaxRetries(1))
	srv.InjectFault(SlowFirstByte(30*time.Second), 1)
	start := time.Now()
	if _, err := slow.Generate(ctx, wrapper.GenerateParams{Prompt: "x", Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(256, 256)}); err != nil {
		t.Fatalf("slow first byte not retried: %v", err)
	}
	if time.Since(start) > 20*time.Second {
		t.Error("the slow attempt was waited out")
	}

	srv.InjectFault(Fault{Status: 502, Body: "<html><h1>502 Bad Gateway</h1></html>", ContentType: "text/html"}, 3)
	if _, err := c.Generate(ctx, p); !errors.As(err, &apiErr) || apiErr.StatusCode != 502 || !strings.Contains(apiErr.Message, "Bad Gateway") {
		t.Errorf("HTML 502: %v", err)
	}
}

func TestStreamFaults(t *testing.T) {
	t.Parallel()
	srv, c := newClient(t)
	ctx := context.Background()
	p := wrapper.GenerateParams{Prompt: "x", Model: wrapper.ModelGPTImage15, Size: wrapper.Size1024x1024, PartialImages: wrapper.Ptr(2)}
	read := func() (int, error) {
		s, err := c.GenerateStream(ctx, p)
		if err != nil {
			return 0, err
		}
		n := 0
		for _, err := range s.All() {
			if err != nil {
				return n, err
			}
			n++
		}
		return n, nil
	}
	srv.InjectFault(TruncateStream(1), 1)
	if n, err := read(); n != 1 || !errors.Is(err, wrapper.ErrTruncatedStream) {
		t.Errorf("truncated: %d events, %v", n, err)
	}
	srv.InjectFault(DropMidStream(1), 1)
	if n, err := read(); n != 1 || err == nil {
		t.Errorf("dropped: %d events, %v", n, err)
	}
	if n, err := read(); n != 3 || err != nil {
		t.Errorf("after the faults: %d events, %v", n, err)
	}
}

func TestFaultPathAndReset(t *testing.T) {
	t.Parallel()
	srv, c := newClient(t, wrapper.WithMaxRetries(0))
	srv.InjectFault(Fault{Path: "/images/edits", Status: 500}, 1)
	if _, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"}); err != nil {
		t.Errorf("a fault for edits hit a generation: %v", err)
	}
	srv.Reset()
	if len(srv.Requests()) != 0 {
		t.Error("Reset kept requests")
	}
	if _, err := c.Edit(context.Background(), wrapper.EditParams{Images: []wrapper.Image{wrapper.ImageFromBytes("a.png", pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 8, 8))))}, Prompt: "x"}); err != nil {
		t.Errorf("Reset kept the fault: %v", err)
	}
}
