package adversarial

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/imagegen-go/openai-images/wrapper"
)

// countingTransport counts round trips before passing them on.
type countingTransport struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// Invalid inputs are refused with a *ValidationError naming the field,
// before anything is sent: neither the transport nor the server sees a
// request.
func TestInvalidInputsRejectedBeforeAnyRequest(t *testing.T) {
	var server counter
	c, _ := newServer(t, server.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the server got %s %s", r.Method, r.URL)
	})))
	// The same server through a transport that counts what is attempted.
	rt := &countingTransport{next: &http.Transport{}}
	t.Cleanup(rt.next.(*http.Transport).CloseIdleConnections)
	c2, _ := newServer(t, server.wrap(http.NotFoundHandler()), wrapper.WithHTTPClient(&http.Client{Transport: rt}))

	square := pngImage(t, 16, 16, true)
	otherSize := pngImage(t, 32, 16, true)
	images := func(n int) []wrapper.Image {
		out := make([]wrapper.Image, n)
		for i := range out {
			out[i] = wrapper.ImageFromBytes("in.png", square)
		}
		return out
	}
	one := func(img wrapper.Image) []wrapper.Image { return []wrapper.Image{img} }
	edit := func(p wrapper.EditParams) func(context.Context, *wrapper.Client) error {
		return func(ctx context.Context, c *wrapper.Client) error { _, err := c.Edit(ctx, p); return err }
	}
	editStream := func(p wrapper.EditParams) func(context.Context, *wrapper.Client) error {
		return func(ctx context.Context, c *wrapper.Client) error { _, err := c.EditStream(ctx, p); return err }
	}
	generate := func(p wrapper.GenerateParams) func(context.Context, *wrapper.Client) error {
		return func(ctx context.Context, c *wrapper.Client) error { _, err := c.Generate(ctx, p); return err }
	}
	generateStream := func(p wrapper.GenerateParams) func(context.Context, *wrapper.Client) error {
		return func(ctx context.Context, c *wrapper.Client) error { _, err := c.GenerateStream(ctx, p); return err }
	}
	variation := func(p wrapper.VariationParams) func(context.Context, *wrapper.Client) error {
		return func(ctx context.Context, c *wrapper.Client) error { _, err := c.Vary(ctx, p); return err }
	}
	gpt := wrapper.ModelGPTImage15

	for _, tc := range []struct {
		name  string
		call  func(context.Context, *wrapper.Client) error
		field string // a problem's field must start with this
	}{
		{"0-byte image", edit(wrapper.EditParams{Model: gpt, Prompt: "x", Images: one(wrapper.ImageFromBytes("empty.png", nil))}), "image"},
		{"0-byte image, stream", editStream(wrapper.EditParams{Model: gpt, Prompt: "x", Images: one(wrapper.ImageFromBytes("empty.png", []byte{}))}), "image"},
		{"0-byte image, dall-e-2", edit(wrapper.EditParams{Model: wrapper.ModelDallE2, Prompt: "x", Images: one(wrapper.ImageFromBytes("empty.png", nil))}), "image"},
		{"0-byte variation", variation(wrapper.VaryParams{Image: wrapper.ImageFromBytes("empty.png", nil)}), "image"},
		{"text named .png", edit(wrapper.EditParams{Model: gpt, Prompt: "x", Images: one(wrapper.ImageFromBytes("photo.png", []byte("this is not an image, whatever its name says")))}), "image"},
		{"html named .png, dall-e-2", edit(wrapper.EditParams{Model: wrapper.ModelDallE2, Prompt: "x", Images: one(wrapper.ImageFromBytes("photo.png", []byte("<html><body>404</body></html>")))}), "image"},
		{"text named .png, variation", variation(wrapper.VaryParams{Image: wrapper.ImageFromBytes("photo.png", []byte("\x89PNG but not really"))}), "image"},
		{"mask of other dimensions", edit(wrapper.EditParams{Model: gpt, Prompt: "x", Images: one(wrapper.ImageFromBytes("in.png", square)), Mask: wrapper.Ptr(wrapper.ImageFromBytes("mask.png", otherSize))}), "mask"},
		{"mask of other dimensions, dall-e-2", edit(wrapper.EditParams{Model: wrapper.ModelDallE2, Prompt: "x", Images: one(wrapper.ImageFromBytes("in.png", square)), Mask: wrapper.Ptr(wrapper.ImageFromBytes("mask.png", pngImage(t, 8, 8, true)))}), "mask"},
		{"17 images", edit(wrapper.EditParams{Model: gpt, Prompt: "x", Images: images(17)}), "image"},
		{"17 images, stream", editStream(wrapper.EditParams{Model: gpt, Prompt: "x", Images: images(17)}), "image"},
		{"17 images, no model", edit(wrapper.EditParams{Prompt: "x", Images: images(17)}), "image"},
		{"prompt over the limit, dall-e-3", generate(wrapper.GenerateParams{Model: wrapper.ModelDallE3, Prompt: strings.Repeat("a", 4001)}), "prompt"},
		{"prompt over the limit, dall-e-2", generate(wrapper.GenerateParams{Model: wrapper.ModelDallE2, Prompt: strings.Repeat("é", 1001)}), "prompt"},
		{"prompt over the limit, gpt-image-1.5 stream", generateStream(wrapper.GenerateParams{Model: gpt, Prompt: strings.Repeat("a", 32001)}), "prompt"},
		{"prompt over the limit, edit", edit(wrapper.EditParams{Model: wrapper.ModelDallE2, Prompt: strings.Repeat("a", 1001), Images: one(wrapper.ImageFromBytes("in.png", square))}), "prompt"},
		{"n=2 with dall-e-3", generate(wrapper.GenerateParams{Model: wrapper.ModelDallE3, Prompt: "x", N: 2}), "n"},
		{"transparent with jpeg", generate(wrapper.GenerateParams{Model: gpt, Prompt: "x", Background: wrapper.BackgroundTransparent, OutputFormat: wrapper.OutputFormatJPEG}), "background"},
		{"transparent with jpeg, stream", generateStream(wrapper.GenerateParams{Model: gpt, Prompt: "x", Background: wrapper.BackgroundTransparent, OutputFormat: wrapper.OutputFormatJPEG}), "background"},
		{"transparent with jpeg, edit", edit(wrapper.EditParams{Model: gpt, Prompt: "x", Images: images(2), Background: wrapper.BackgroundTransparent, OutputFormat: wrapper.OutputFormatJPEG}), "background"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i, client := range []*wrapper.Client{c, c2} {
				before, attempted := server.n.Load(), rt.n.Load()
				err := tc.call(context.Background(), client)
				var ve *wrapper.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("client %d: err = %#v, want *ValidationError", i, err)
				}
				found := false
				for _, p := range ve.Problems {
					if strings.HasPrefix(p.Field, tc.field) && p.Rule != "" {
						found = true
					}
				}
				if !found {
					t.Errorf("client %d: problems %v, want one on %q", i, ve.Problems, tc.field)
				}
				if got := server.n.Load() - before; got != 0 {
					t.Errorf("client %d: the server got %d requests", i, got)
				}
				if got := rt.n.Load() - attempted; got != 0 {
					t.Errorf("client %d: %d round trips attempted", i, got)
				}
			}
		})
	}
	// Control: the same server does see a valid call.
	before := server.n.Load()
	c2.Generate(context.Background(), wrapper.GenerateParams{Model: gpt, Prompt: "x"})
	if server.n.Load() != before+1 || rt.n.Load() != 1 {
		t.Errorf("a valid call: server %d, transport %d requests; the counters prove nothing", server.n.Load()-before, rt.n.Load())
	}
}
