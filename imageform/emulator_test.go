package imageform_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/png"
	"net/http"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/gen"
	"github.com/imagegen-go/openai-images/imageform"
	"github.com/imagegen-go/openai-images/imagestest"
)

// The emulator takes an edit the generated client sends with an imageform
// body that uses the newer parameters (a markup on gpt-image-2.5-flare,
// SVG and GIF output) and answers with an image of the requested kind.
func TestEditNewerFieldsEmulator(t *testing.T) {
	srv := imagestest.NewServer()
	defer srv.Close()
	api, err := gen.NewClientWithResponses(srv.URL, gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer sk-test")
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}

	// A grey photo, and a markup of its size: transparent but for a red
	// square in its top left quarter.
	const side = 256
	photo := image.NewNRGBA(image.Rect(0, 0, side, side))
	draw.Draw(photo, photo.Rect, image.NewUniform(color.NRGBA{128, 128, 128, 255}), image.Point{}, draw.Src)
	marks := image.NewNRGBA(image.Rect(0, 0, side, side))
	red := color.NRGBA{255, 0, 0, 255}
	draw.Draw(marks, image.Rect(side/8, side/8, side*3/8, side*3/8), image.NewUniform(red), image.Point{}, draw.Src)
	photoPNG, marksPNG := encodePNG(t, photo), encodePNG(t, marks)

	edit := func(t *testing.T, e imageform.Edit) *gen.ImagesResponse {
		t.Helper()
		markup := imageform.Bytes("arrows.png", marksPNG)
		e.Model, e.Prompt, e.Size = "gpt-image-2.5-flare", "add a red box where marked", "1024x1024"
		e.Images, e.Markup = []imageform.File{imageform.Bytes("photo.png", photoPNG)}, &markup
		body, err := e.Encode()
		if err != nil {
			t.Fatal(err)
		}
		res, err := api.CreateImageEditWithBodyWithResponse(t.Context(), body.ContentType(), body, body.SetLength)
		if err != nil {
			t.Fatal(err)
		}
		if res.JSON200 == nil || res.JSON200.Data == nil || len(*res.JSON200.Data) != 1 || (*res.JSON200.Data)[0].B64Json == nil {
			t.Fatalf("%s: %s", res.Status(), res.Body)
		}
		return res.JSON200
	}
	image0 := func(t *testing.T, r *gen.ImagesResponse) []byte {
		t.Helper()
		data, err := base64.StdEncoding.DecodeString(*(*r.Data)[0].B64Json)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}

	t.Run("png", func(t *testing.T) {
		r := edit(t, imageform.Edit{Complexity: "high", SafetyIdentifier: "hashed-user-1"})
		img, err := png.Decode(bytes.NewReader(image0(t, r)))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 1024 || b.Dy() != 1024 {
			t.Errorf("size %v, want 1024x1024", b)
		}
		// The markup's strokes are drawn over the edit (scaled to the
		// output: the red square is at 128-384).
		if c := color.NRGBAModel.Convert(img.At(256, 256)).(color.NRGBA); c != red {
			t.Errorf("pixel under the markup %v, want its red", c)
		}
		if r.SafetyIdentifier == nil || *r.SafetyIdentifier != "hashed-user-1" {
			t.Errorf("safety_identifier %v, want it echoed", r.SafetyIdentifier)
		}
	})

	t.Run("svg", func(t *testing.T) {
		r := edit(t, imageform.Edit{OutputFormat: "svg", SVG: &imageform.SVGOptions{Model: "gpt-5-mini", ReasoningEffort: "low"}})
		data := image0(t, r)
		var doc struct {
			XMLName xml.Name
			Width   string `xml:"width,attr"`
			Height  string `xml:"height,attr"`
			Rects   []struct {
				X    int    `xml:"x,attr"`
				Y    int    `xml:"y,attr"`
				W    int    `xml:"width,attr"`
				H    int    `xml:"height,attr"`
				Fill string `xml:"fill,attr"`
			} `xml:"g>rect"`
		}
		if err := xml.Unmarshal(data, &doc); err != nil || doc.XMLName.Local != "svg" || doc.Width != "1024" || doc.Height != "1024" {
			t.Fatalf("not a 1024x1024 SVG document (%v): %.200s", err, data)
		}
		// The rectangle the SVG author traced at the centre of the
		// markup's square is red.
		var fill string
		for _, rect := range doc.Rects {
			if image.Pt(256, 256).In(image.Rect(rect.X, rect.Y, rect.X+rect.W, rect.Y+rect.H)) {
				fill = rect.Fill
			}
		}
		var c struct{ r, g, b uint8 }
		if _, err := fmt.Sscanf(fill, "#%02x%02x%02x", &c.r, &c.g, &c.b); err != nil || c.r < 0xc0 || c.g > 0x40 || c.b > 0x40 {
			t.Errorf("the SVG traces %q under the markup's red square", fill)
		}
		if r.OutputFormat == nil || string(*r.OutputFormat) != "svg" {
			t.Errorf("output_format %v, want svg", r.OutputFormat)
		}
		if r.SvgUsage == nil || r.SvgUsage.Model != "gpt-5-mini" {
			t.Errorf("svg_usage %+v, want the author named in svg[model]", r.SvgUsage)
		}
	})

	t.Run("gif", func(t *testing.T) {
		r := edit(t, imageform.Edit{OutputFormat: "gif", FrameCount: 3, FrameDuration: 250 * time.Millisecond})
		anim, err := gif.DecodeAll(bytes.NewReader(image0(t, r)))
		if err != nil {
			t.Fatal(err)
		}
		if len(anim.Image) != 3 || anim.Delay[0] != 25 {
			t.Errorf("%d frames of %d hundredths of a second, want 3 of 25", len(anim.Image), anim.Delay[0])
		}
	})
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
