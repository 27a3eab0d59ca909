package wrapper

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"reflect"
	"strings"
	"testing"
)

// FuzzValidate checks that validation never panics, whatever the parameters
// and image bytes, and that what it returns is well formed: nil or a
// *ValidationError with at least one complete problem, the same on a second
// run, and, for a model the table does not know, problems only from the
// universal checks.
func FuzzValidate(f *testing.F) {
	var alpha bytes.Buffer
	m := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	m.SetNRGBA(1, 1, color.NRGBA{1, 2, 3, 255})
	png.Encode(&alpha, m)
	var opaque bytes.Buffer
	png.Encode(&opaque, image.NewGray(image.Rect(0, 0, 4, 2)))
	webpBytes := []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

	f.Add("gpt-image-2", "1536x864", "high", "transparent", "webp", 2, 50, 2, "a lighthouse", true, alpha.Bytes(), alpha.Bytes())
	f.Add("dall-e-2", "1024x1024", "standard", "", "", 1, -1, -1, "a cat", false, alpha.Bytes(), opaque.Bytes())
	f.Add("dall-e-3", "1792x1024", "hd", "opaque", "jpeg", 2, 101, 4, strings.Repeat("é", 4001), false, opaque.Bytes(), []byte{})
	f.Add("", "auto", "", "auto", "png", 0, 100, 0, "", true, []byte("\x89PNG\r\n\x1a\n"), []byte("GIF89a"))
	f.Add("gpt-image-1-mini", "99999999999999999999x1", "low", "transparent", "jpeg", -5, 0, 3, " ", false, webpBytes, webpBytes)
	f.Add("chatgpt-image-latest", "0x0", "medium", "", "gif", 17, 7, 1, "x", true, []byte("RIFF\x00\x00\x00\x00WEBP"), alpha.Bytes()[:30])
	f.Add("gpt-image-99", "x", "xhigh", "glass", "svg", 1, 1, 1, "data:image/png;base64,"+base64.StdEncoding.EncodeToString(alpha.Bytes()), true, []byte{0xff, 0xd8, 0xff}, []byte(nil))
	f.Add("gpt-image-2-2026-04-21", "4611686018427387904x4611686018427387904", "auto", "", "", 10, 100, 3, "https://example.com/a.png", false, alpha.Bytes(), alpha.Bytes())

	f.Fuzz(func(t *testing.T, model, size, quality, background, format string, n, compression, partial int, prompt string, stream bool, img, mask []byte) {
		comp, part := &compression, &partial
		if compression == -1 {
			comp = nil
		}
		if partial == -1 {
			part = nil
		}
		known := lookupModel(Model(model)) != nil || model == ""
		// The universal checks: the spec's ranges and enumerations and how
		// the output parameters go together hold for every model.
		universal := map[string]bool{"prompt": true, "n": true, "image": true, "images": true, "mask": true, "markup": true,
			"size": true, "quality": true, "complexity": true, "style": true, "background": true, "moderation": true,
			"output_format": true, "output_compression": true, "response_format": true, "input_fidelity": true,
			"frame_count": true, "frame_duration_ms": true, "svg": true, "svg.model": true, "svg.reasoning.effort": true,
			"stream": true, "partial_images": true}

		check := func(name string, run func() error) {
			t.Helper()
			err1, err2 := run(), run()
			if !reflect.DeepEqual(err1, err2) {
				t.Fatalf("%s: not deterministic: %v / %v", name, err1, err2)
			}
			if err1 == nil {
				return
			}
			var ve *ValidationError
			if !errors.As(err1, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("%s: %T %v", name, err1, err1)
			}
			msg := ve.Error()
			if !strings.HasPrefix(msg, "openai-images: invalid parameters: ") {
				t.Fatalf("%s: message %q", name, msg)
			}
			for _, p := range ve.Problems {
				if p.Field == "" || p.Rule == "" || len(p.Value) > 210 {
					t.Fatalf("%s: malformed problem %+v", name, p)
				}
				field, _, _ := strings.Cut(p.Field, "[")
				if !known && !universal[field] {
					t.Fatalf("%s: unknown model %q got a model rule: %+v", name, model, p)
				}
			}
		}

		g := GenerateParams{Prompt: prompt, Model: Model(model), N: n, Size: Size(size), Quality: Quality(quality),
			Style: Style(quality), Background: Background(background), Moderation: Moderation(background),
			OutputFormat: OutputFormat(format), OutputCompression: comp, ResponseFormat: ResponseFormat(format), PartialImages: part}
		check("generate", func() error { return validateGenerate(&g, stream, policy{}) })

		mk := ImageFromBytes("mask.png", mask)
		e := EditParams{Prompt: prompt, Model: Model(model), N: n, Size: Size(size), Quality: Quality(quality),
			Background: Background(background), Moderation: Moderation(background), OutputFormat: OutputFormat(format),
			OutputCompression: comp, InputFidelity: InputFidelity(quality), ResponseFormat: ResponseFormat(format),
			PartialImages: part, Images: []Image{ImageFromBytes("a.png", img), ImageFromBytes("", mask)}, Mask: &mk}
		check("multipart edit", func() error { return validateEdit(&e, stream, policy{}) })

		// A one-shot reader: probing peeks, so the bytes stay unread.
		oneShot := ImageFromReader("r.png", io.MultiReader(bytes.NewReader(img)))
		e1 := EditParams{Prompt: prompt, Model: Model(model), Images: []Image{oneShot}}
		check("one-shot edit", func() error { return validateEdit(&e1, stream, policy{}) })
		if rc, err := oneShot.reader(); err != nil {
			t.Fatalf("one-shot reader consumed by validation: %v", err)
		} else if got, _ := io.ReadAll(rc); !bytes.Equal(got, img) {
			t.Fatalf("one-shot reader yields %d bytes after validation, want %d", len(got), len(img))
		}

		maskRef := ImageDataURL(mask)
		j := EditParams{Prompt: prompt, Model: Model(model), N: n, Size: Size(size), Quality: Quality(quality),
			Background: Background(background), Moderation: Moderation(background), OutputFormat: OutputFormat(format),
			OutputCompression: comp, InputFidelity: InputFidelity(quality), ResponseFormat: ResponseFormat(format), PartialImages: part,
			ImageRefs: []ImageRef{ImageDataURL(img), {URL: prompt}, {URL: size, FileID: format}, {FileID: model},
				{URL: "data:" + quality + "," + string(img)}, {URL: "data:image/png;base64," + string(mask)}},
			MaskRef: &maskRef}
		check("JSON edit", func() error { return validateEdit(&j, stream, policy{}) })

		v := VaryParams{Model: Model(model), N: n, Size: Size(size), ResponseFormat: ResponseFormat(format), Image: ImageFromBytes("v.png", img)}
		check("variation", func() error { return validateVariation(&v, policy{}) })
	})
}
