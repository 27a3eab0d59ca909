package wrapper

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
)

// Vary creates variations of an image (dall-e-2). The image is uploaded as
// multipart/form-data, streamed from its source. (openai-go calls this
// Images.NewVariation, openai-python images.create_variation.)
//
// OpenAI has retired this endpoint on its own service; OpenAI-compatible
// servers may still offer it.
//
// API: POST /images/variations
func (c *Client) Vary(ctx context.Context, p VaryParams, opts ...RequestOption) (*ImagesResponse, error) {
	const op = "createImageVariation"
	rc, err := c.prepare(opts, p.Model, func() error { return validateVariation(&p, c.policy()) })
	if err != nil {
		return nil, err
	}
	f := newForm()
	addFormString(f, "model", p.Model)
	if p.N != 0 {
		f.field("n", strconv.Itoa(p.N))
	}
	addFormString(f, "response_format", p.ResponseFormat)
	addFormString(f, "size", p.Size)
	addFormString(f, "user", p.User)
	if err := f.extra(rc.body); err != nil {
		return nil, fmt.Errorf("openai-images: %s: %w", op, err)
	}
	if err := f.addFile("image", p.Image); err != nil {
		return nil, fmt.Errorf("openai-images: %s: %w", op, err)
	}
	var out *ImagesResponse
	err = c.do(ctx, call{
		op: op, path: "POST /images/variations", replayable: f.replayable(),
		send: c.sendForm(f, c.api.CreateImageVariationWithBody),
	}, rc, func(_ context.Context, resp *http.Response, _ func()) error {
		out, err = c.parseImages(op, resp, rc.files, true, "")
		return err
	})
	return out, err
}
