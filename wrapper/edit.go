package wrapper

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/imagegen-go/openai-images/gen"
)

// Edit edits or extends images given a prompt: one image, or up to 16 for
// GPT image models, with an optional mask. Uploaded images (Images, Mask) are
// sent as multipart/form-data, streamed from their sources; references
// (ImageRefs, MaskRef) are sent as JSON.
//
// API: POST /images/edits
func (c *Client) Edit(ctx context.Context, p EditParams, opts ...RequestOption) (*ImagesResponse, error) {
	const op = "createImageEdit"
	rc, err := c.prepare(opts, p.Model, func() error { return validateEdit(&p, false, c.policy()) })
	if err != nil {
		return nil, err
	}
	cl, err := c.editCall(&p, rc, false)
	if err != nil {
		return nil, err
	}
	var out *ImagesResponse
	err = c.do(ctx, cl, rc, func(_ context.Context, resp *http.Response, _ func()) error {
		out, err = c.parseImages(op, resp, rc.files, true, p.OutputFormat)
		return err
	})
	return out, err
}

// editCall builds the request of an edit, JSON or multipart.
func (c *Client) editCall(p *EditParams, rc *requestConfig, stream bool) (call, error) {
	const op = "createImageEdit"
	cl := call{op: op, path: "POST /images/edits", stream: stream}
	if p.isJSON() {
		if len(p.Images) > 0 || p.Mask != nil || p.Markup != nil {
			return cl, fmt.Errorf("openai-images: %s: give uploaded images (Images, Mask) or references (ImageRefs, MaskRef), not both", op)
		}
		body, err := jsonBody(editJSONRequest(p, stream), editJSONExtra(p, rc.body))
		if err != nil {
			return cl, fmt.Errorf("openai-images: %s: %w", op, err)
		}
		cl.replayable = true
		cl.send = func(ctx context.Context, editors []gen.RequestEditorFn) (*http.Response, error) {
			return c.api.CreateImageEditWithBody(ctx, "application/json", bytes.NewReader(body), editors...)
		}
		return cl, nil
	}
	f, err := editForm(p, rc.body, stream)
	if err != nil {
		return cl, fmt.Errorf("openai-images: %s: %w", op, err)
	}
	cl.replayable = f.replayable()
	cl.send = c.sendForm(f, c.api.CreateImageEditWithBody)
	return cl, nil
}

// sendForm returns an attempt that streams the form through a generated
// multipart method.
func (c *Client) sendForm(f *form, method func(context.Context, string, io.Reader, ...gen.RequestEditorFn) (*http.Response, error)) func(context.Context, []gen.RequestEditorFn) (*http.Response, error) {
	length, known := f.contentLength()
	return func(ctx context.Context, editors []gen.RequestEditorFn) (*http.Response, error) {
		if known {
			editors = append(editors, func(_ context.Context, req *http.Request) error {
				req.ContentLength = length
				return nil
			})
		}
		return method(ctx, f.contentType(), f.body(), editors...)
	}
}

func editJSONRequest(p *EditParams, stream bool) gen.EditImageBodyJsonParam {
	r := gen.EditImageBodyJsonParam{
		Prompt:            p.Prompt,
		Images:            make([]gen.ImageRefParam, 0, len(p.ImageRefs)),
		Model:             optString[string](p.Model),
		N:                 optInt(p.N),
		Size:              optString[gen.EditImageBodyJsonParamSize](p.Size),
		Quality:           optString[gen.EditImageBodyJsonParamQuality](p.Quality),
		Background:        optString[gen.EditImageBodyJsonParamBackground](p.Background),
		Moderation:        optString[gen.EditImageBodyJsonParamModeration](p.Moderation),
		OutputFormat:      optString[gen.EditImageBodyJsonParamOutputFormat](p.OutputFormat),
		OutputCompression: p.OutputCompression,
		InputFidelity:     optString[gen.EditImageBodyJsonParamInputFidelity](p.InputFidelity),
		User:              optString[string](p.User),
	}
	for _, ref := range p.ImageRefs {
		r.Images = append(r.Images, imageRefParam(ref))
	}
	if p.MaskRef != nil {
		m := imageRefParam(*p.MaskRef)
		r.Mask = &m
	}
	if stream {
		r.Stream = Ptr(true)
		r.PartialImages = p.PartialImages
	}
	return r
}

// editJSONExtra adds fields the JSON edit schema lacks but the caller set,
// so that nothing given is dropped: safety_identifier (the API-wide
// replacement of user, which the JSON schema has), and, with validation
// off, the multipart-only parameters. The caller's extra fields win.
func editJSONExtra(p *EditParams, extra map[string]any) map[string]any {
	out := map[string]any{}
	if p.ResponseFormat != "" {
		out["response_format"] = string(p.ResponseFormat)
	}
	if p.SafetyIdentifier != "" {
		out["safety_identifier"] = p.SafetyIdentifier
	}
	if p.Complexity != "" {
		out["complexity"] = string(p.Complexity)
	}
	if p.FrameCount != 0 {
		out["frame_count"] = p.FrameCount
	}
	if p.FrameDuration != 0 {
		out["frame_duration_ms"] = milliseconds(p.FrameDuration)
	}
	if p.SVG != nil {
		svg := map[string]any{}
		if p.SVG.Model != "" {
			svg["model"] = p.SVG.Model
		}
		if p.SVG.ReasoningEffort != "" {
			svg["reasoning"] = map[string]any{"effort": string(p.SVG.ReasoningEffort)}
		}
		out["svg"] = svg
	}
	if len(out) == 0 {
		return extra
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func imageRefParam(ref ImageRef) gen.ImageRefParam {
	return gen.ImageRefParam{ImageUrl: optString[string](ref.URL), FileId: optString[string](ref.FileID)}
}

// editForm lays out a multipart edit as the official SDKs do: one image as
// "image", several as repeated "image[]" parts.
func editForm(p *EditParams, extra map[string]any, stream bool) (*form, error) {
	f := newForm()
	f.field("prompt", p.Prompt)
	addFormString(f, "model", p.Model)
	if p.N != 0 {
		f.field("n", strconv.Itoa(p.N))
	}
	addFormString(f, "size", p.Size)
	addFormString(f, "quality", p.Quality)
	addFormString(f, "complexity", p.Complexity)
	addFormString(f, "background", p.Background)
	addFormString(f, "moderation", p.Moderation)
	addFormString(f, "output_format", p.OutputFormat)
	if p.OutputCompression != nil {
		f.field("output_compression", strconv.Itoa(*p.OutputCompression))
	}
	if p.FrameCount != 0 {
		f.field("frame_count", strconv.Itoa(p.FrameCount))
	}
	if p.FrameDuration != 0 {
		f.field("frame_duration_ms", strconv.Itoa(milliseconds(p.FrameDuration)))
	}
	if p.SVG != nil {
		// npm images.ts ImageEditParamsBase.svg: "Use multipart fields such
		// as `svg[model]`."
		addFormString(f, "svg[model]", p.SVG.Model)
		addFormString(f, "svg[reasoning][effort]", p.SVG.ReasoningEffort)
	}
	addFormString(f, "input_fidelity", p.InputFidelity)
	addFormString(f, "response_format", p.ResponseFormat)
	addFormString(f, "safety_identifier", p.SafetyIdentifier)
	addFormString(f, "user", p.User)
	if stream {
		f.field("stream", "true")
		if p.PartialImages != nil {
			f.field("partial_images", strconv.Itoa(*p.PartialImages))
		}
	}
	if err := f.extra(extra); err != nil {
		return nil, err
	}
	field := "image"
	if len(p.Images) > 1 {
		field = "image[]"
	}
	for _, img := range p.Images {
		if err := f.addFile(field, img); err != nil {
			return nil, err
		}
	}
	if p.Mask != nil {
		if err := f.addFile("mask", *p.Mask); err != nil {
			return nil, err
		}
	}
	if p.Markup != nil {
		if err := f.addFile("markup", *p.Markup); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func addFormString[S ~string](f *form, name string, v S) {
	if v != "" {
		f.field(name, string(v))
	}
}
