package tests

import (
	"context"
	"net/http"
	"testing"

	"github.com/imagegen-go/openai-images/contract"
	"github.com/imagegen-go/openai-images/gen"
)

func TestCreateImageVariation(t *testing.T) {
	api := newFakeAPI(t)
	c := api.clientWithResponses(t)
	ctx := context.Background()
	for name, parts := range map[string][]part{
		"image only": {png("image", "otter.png", 2048)},
		"all fields": {png("image", "otter.png", 2048), field("model", "dall-e-2"), field("n", "3"),
			field("size", "256x256"), field("response_format", "b64_json"), field("user", "user-1234")},
	} {
		t.Run(name, func(t *testing.T) {
			ct, body := form(t, parts...)
			resp, err := c.CreateImageVariationWithBodyWithResponse(ctx, ct, body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode() != http.StatusOK || resp.JSON200 == nil {
				t.Fatalf("status %d, body %s", resp.StatusCode(), resp.Body)
			}
			if got := api.gotForm.Load(); len(got.File["image"]) != 1 {
				t.Fatalf("the API got %v", got.File)
			}
		})
	}
}

func TestCreateImageVariationInvalid(t *testing.T) {
	api := newFakeAPI(t)
	c := api.client(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		parts []part
		field string
	}{
		{"no image", []part{field("n", "1")}, "image"},
		{"size not in enum", []part{png("image", "a.png", 64), field("size", "1024x1536")}, "size"},
		{"response_format not in enum", []part{png("image", "a.png", 64), field("response_format", "not-a-format")}, "response_format"},
		{"n not a number", []part{png("image", "a.png", 64), field("n", "two")}, "n"},
		{"n out of range", []part{png("image", "a.png", 64), field("n", "0")}, "n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, body := form(t, tc.parts...)
			resp, err := c.CreateImageVariationWithBody(ctx, ct, body)
			rejected(t, api, resp, err, tc.field)
		})
	}
	// A JSON body is not accepted at all.
	resp, err := c.CreateImageVariationWithBody(ctx, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if n := api.calls.Load(); n != 0 {
		t.Fatalf("%d invalid requests reached the API", n)
	}

	// Client side.
	v, _ := contract.New()
	rc := api.client(t, gen.WithHTTPClient(&http.Client{Transport: v.RoundTripper(nil)}))
	ct, body := form(t, png("image", "a.png", 64), field("size", "1024x1536"))
	_, err = rc.CreateImageVariationWithBody(ctx, ct, body)
	wantField(t, err, "size")
	ct, body = form(t, png("image", "a.png", 64), field("size", "512x512"))
	resp, err = rc.CreateImageVariationWithBody(ctx, ct, body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
