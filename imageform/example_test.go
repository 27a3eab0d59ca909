package imageform_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"log"
	"mime/multipart"
	"net/http"
	"net/textproto"

	"github.com/imagegen-go/openai-images/gen"
	"github.com/imagegen-go/openai-images/imageform"
	"github.com/imagegen-go/openai-images/imagestest"
)

// The generated client alone, against the offline emulator: a generation
// (JSON, which gen encodes) and a multipart edit of its result (which
// imageform encodes). For the API, the server is
// https://api.openai.com/v1 and the key your OPENAI_API_KEY.
func Example() {
	srv := imagestest.NewServer() // its URL ends in /v1, like the API's
	defer srv.Close()
	ctx := context.Background()

	api, err := gen.NewClientWithResponses(srv.URL, gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer sk-example")
		return nil
	}))
	if err != nil {
		log.Fatal(err)
	}
	model, size := "gpt-image-1.5", "1024x1024"
	gen1, err := api.CreateImageWithResponse(ctx, gen.CreateImageJSONRequestBody{
		Prompt: "a lighthouse on a rocky coast", Model: &model, Size: &size,
	})
	if err != nil {
		log.Fatal(err) // the request could not be sent
	}
	if gen1.JSON200 == nil {
		log.Fatal(apiError(gen1.HTTPResponse, gen1.Body)) // the API refused it
	}
	lighthouse, _ := base64.StdEncoding.DecodeString(*(*gen1.JSON200.Data)[0].B64Json)

	body, err := imageform.Edit{
		Model:  model,
		Prompt: "add a red sailing boat in the bay",
		Images: []imageform.File{imageform.Bytes("lighthouse.png", lighthouse)},
	}.Encode()
	if err != nil {
		log.Fatal(err)
	}
	edit, err := api.CreateImageEditWithBodyWithResponse(ctx, body.ContentType(), body, body.SetLength)
	if err != nil {
		log.Fatal(err)
	}
	if edit.JSON200 == nil {
		log.Fatal(apiError(edit.HTTPResponse, edit.Body))
	}
	edited, _ := base64.StdEncoding.DecodeString(*(*edit.JSON200.Data)[0].B64Json)
	cfg, format, _ := image.DecodeConfig(bytes.NewReader(edited))
	fmt.Println("edited:", format, cfg.Width, "x", cfg.Height)

	// A refused request: the generated client returns the raw body, in
	// the API's {"error": {...}} shape.
	bad, _ := imageform.Edit{Model: model, Images: []imageform.File{imageform.Bytes("lighthouse.png", lighthouse)}}.Encode()
	refused, err := api.CreateImageEditWithBodyWithResponse(ctx, bad.ContentType(), bad, bad.SetLength)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(apiError(refused.HTTPResponse, refused.Body))
	// Output:
	// edited: png 1024 x 1024
	// 400 invalid_request_error: param prompt
}

// apiError reads the error of a non-2xx response from its body.
func apiError(resp *http.Response, body []byte) error {
	var e struct {
		Error struct{ Message, Type, Param string }
	}
	json.Unmarshal(body, &e)
	return fmt.Errorf("%d %s: param %s", resp.StatusCode, e.Error.Type, e.Error.Param)
}

// Several images go as repeated image[] parts; a mask as "mask".
func ExampleEdit() {
	a, b := []byte("\x89PNG\r\n\x1a\n..."), []byte("\x89PNG\r\n\x1a\n...")
	body, err := imageform.Edit{
		Model:  "gpt-image-1.5",
		Prompt: "Put both items in a gift basket",
		Images: []imageform.File{imageform.Bytes("lotion.png", a), imageform.Bytes("soap.png", b)},
		Extra:  map[string]string{"quality": "xhigh"}, // a value newer than this package
	}.Encode()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(body.Len() > 0, body.ContentType()[:30])
	// Output: true multipart/form-data; boundary=
}

// A markup guides an edit on a gpt-image-2.5 model: a transparent PNG of
// the first image's size whose strokes show where the change goes, sent as
// the file part "markup". Here the output is SVG, with its author model
// and reasoning effort (the svg[model] and svg[reasoning][effort] parts).
func ExampleEdit_markup() {
	srv := imagestest.NewServer()
	defer srv.Close()
	api, _ := gen.NewClientWithResponses(srv.URL, gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer sk-example")
		return nil
	}))
	photo := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	draw.Draw(photo, photo.Rect, image.NewUniform(color.NRGBA{90, 140, 200, 255}), image.Point{}, draw.Src)
	arrow := image.NewNRGBA(photo.Rect) // transparent but for the stroke
	draw.Draw(arrow, image.Rect(40, 120, 200, 136), image.NewUniform(color.NRGBA{255, 0, 0, 255}), image.Point{}, draw.Src)
	var photoPNG, arrowPNG bytes.Buffer
	png.Encode(&photoPNG, photo)
	png.Encode(&arrowPNG, arrow)

	markup := imageform.Bytes("arrow.png", arrowPNG.Bytes())
	body, err := imageform.Edit{
		Model:            "gpt-image-2.5-flare",
		Prompt:           "a bike lane where the arrow is",
		Images:           []imageform.File{imageform.Bytes("street.png", photoPNG.Bytes())},
		Markup:           &markup,
		Size:             "1024x1024",
		Complexity:       "medium",
		OutputFormat:     "svg",
		SVG:              &imageform.SVGOptions{Model: "gpt-5-mini", ReasoningEffort: "low"},
		SafetyIdentifier: "hashed-user-1",
	}.Encode()
	if err != nil {
		log.Fatal(err)
	}
	res, err := api.CreateImageEditWithBodyWithResponse(context.Background(), body.ContentType(), body, body.SetLength)
	if err != nil {
		log.Fatal(err)
	}
	if res.JSON200 == nil {
		log.Fatal(apiError(res.HTTPResponse, res.Body))
	}
	svg, _ := base64.StdEncoding.DecodeString(*(*res.JSON200.Data)[0].B64Json)
	fmt.Println(*res.JSON200.OutputFormat, bytes.Contains(svg, []byte(`<svg `)), "by", res.JSON200.SvgUsage.Model)
	// Output: svg true by gpt-5-mini
}

func ExampleVariation() {
	// OpenAI has retired the variations endpoint and dall-e-2: an
	// emulator that serves them, as an OpenAI-compatible server may.
	srv := imagestest.NewServer(imagestest.AllowRetiredModels())
	defer srv.Close()
	api, _ := gen.NewClientWithResponses(srv.URL, gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer sk-example")
		return nil
	}))
	ctx := context.Background()
	model, size, format := "dall-e-2", "256x256", gen.CreateImageRequestResponseFormat("b64_json")
	first, err := api.CreateImageWithResponse(ctx, gen.CreateImageJSONRequestBody{Prompt: "an otter", Model: &model, Size: &size, ResponseFormat: &format})
	if err != nil || first.JSON200 == nil {
		log.Fatal(err)
	}
	otter, _ := base64.StdEncoding.DecodeString(*(*first.JSON200.Data)[0].B64Json)

	body, err := imageform.Variation{Image: imageform.Bytes("otter.png", otter), Model: model, N: 2, Size: size, ResponseFormat: "b64_json"}.Encode()
	if err != nil {
		log.Fatal(err)
	}
	res, err := api.CreateImageVariationWithBodyWithResponse(ctx, body.ContentType(), body, body.SetLength)
	if err != nil || res.JSON200 == nil {
		log.Fatal(err)
	}
	fmt.Println(len(*res.JSON200.Data), "variations")
	// Output: 2 variations
}

// What imageform saves writing: the same multipart edit with the generated
// client and the standard library alone. Fields go under the API's names,
// the image as a file part named "image" ("image[]", repeated, for
// several) with its real content type, which mime/multipart's
// CreateFormFile does not set (it sends application/octet-stream, which
// the API refuses).
func Example_byHand() {
	srv := imagestest.NewServer()
	defer srv.Close()
	api, _ := gen.NewClientWithResponses(srv.URL, gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer sk-example")
		return nil
	}))
	var img bytes.Buffer
	png.Encode(&img, image.NewNRGBA(image.Rect(0, 0, 64, 64)))

	var body bytes.Buffer // the whole body in memory: imageform streams it instead
	mw := multipart.NewWriter(&body)
	mw.WriteField("model", "gpt-image-1.5")
	mw.WriteField("prompt", "add a red boat")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="image"; filename="in.png"`)
	h.Set("Content-Type", "image/png")
	part, _ := mw.CreatePart(h)
	part.Write(img.Bytes())
	mw.Close()

	res, err := api.CreateImageEditWithBodyWithResponse(context.Background(), mw.FormDataContentType(), &body)
	if err != nil || res.JSON200 == nil {
		log.Fatal(err)
	}
	fmt.Println(len(*res.JSON200.Data), "edited image")
	// Output: 1 edited image
}
