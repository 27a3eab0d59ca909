package tests

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/contract"
	"github.com/imagegen-go/openai-images/gen"
)

func TestCreateImageEditMultipart(t *testing.T) {
	api := newFakeAPI(t)
	c := api.clientWithResponses(t)
	ctx := context.Background()

	cases := []struct {
		name  string
		parts []part
		files map[string]int // what the API must get: file parts per name
	}{
		{"one image", []part{field("prompt", "add a beret"), png("image", "otter.png", 2048)},
			map[string]int{"image": 1}},
		{"several image[]", []part{field("prompt", "put them together"), field("model", "gpt-image-1.5"),
			png("image[]", "a.png", 1024), png("image[]", "b.png", 1024), png("image[]", "c.png", 1024)},
			map[string]int{"image[]": 3}},
		{"mask and options", []part{field("prompt", "add a beret"), png("image", "otter.png", 2048), png("mask", "mask.png", 512),
			field("n", "2"), field("size", "1024x1024"), field("quality", "high"), field("background", "transparent"),
			field("output_format", "png"), field("input_fidelity", "high"), field("user", "user-1234")},
			map[string]int{"image": 1, "mask": 1}},
		{"dall-e-2", []part{field("prompt", "add a beret"), png("image", "otter.png", 2048), field("model", "dall-e-2"),
			field("response_format", "url"), field("size", "512x512")},
			map[string]int{"image": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ct, body := form(t, tc.parts...)
			resp, err := c.CreateImageEditWithBodyWithResponse(ctx, ct, body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode() != http.StatusOK || resp.JSON200 == nil {
				t.Fatalf("status %d, body %s", resp.StatusCode(), resp.Body)
			}
			got := api.gotForm.Load()
			for name, n := range tc.files {
				if len(got.File[name]) != n {
					t.Errorf("the API got %d %q files, want %d", len(got.File[name]), name, n)
				}
			}
		})
	}
}

func TestCreateImageEditMultipartInvalid(t *testing.T) {
	api := newFakeAPI(t)
	c := api.client(t)
	ctx := context.Background()
	sixteen := []part{field("prompt", "x")}
	for i := range 17 {
		sixteen = append(sixteen, png("image[]", fmt.Sprintf("%d.png", i), 64))
	}
	for _, tc := range []struct {
		name  string
		parts []part
		field string
	}{
		{"no image", []part{field("prompt", "x"), png("mask", "m.png", 64)}, "image"},
		{"no prompt", []part{png("image", "a.png", 64)}, "prompt"},
		{"quality not in enum", []part{field("prompt", "x"), png("image", "a.png", 64), field("quality", "not-a-quality")}, "quality"},
		{"response_format not in enum", []part{field("prompt", "x"), png("image", "a.png", 64), field("response_format", "not-a-format")}, "response_format"},
		{"n not a number", []part{field("prompt", "x"), png("image", "a.png", 64), field("n", "two")}, "n"},
		{"17 images", sixteen, "image"},
		{"image and image[]", []part{field("prompt", "x"), png("image", "a.png", 64), png("image[]", "b.png", 64)}, "image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, body := form(t, tc.parts...)
			resp, err := c.CreateImageEditWithBody(ctx, ct, body)
			rejected(t, api, resp, err, tc.field)
		})
	}
	if n := api.calls.Load(); n != 0 {
		t.Fatalf("%d invalid requests reached the API", n)
	}
}

func TestCreateImageEditJSON(t *testing.T) {
	api := newFakeAPI(t)
	c := api.clientWithResponses(t)
	ctx := context.Background()
	for name, body := range map[string]gen.EditImageBodyJsonParam{
		"image_url": {Prompt: "add a beret", Images: []gen.ImageRefParam{{ImageUrl: ptr("https://example.com/otter.png")}}},
		"data URL":  {Prompt: "add a beret", Images: []gen.ImageRefParam{{ImageUrl: ptr("data:image/png;base64,iVBORw0KGgo=")}}},
		"file_id": {Prompt: "snowy background", Images: []gen.ImageRefParam{{FileId: ptr("file-abc123")}, {FileId: ptr("file-def456")}},
			Mask: &gen.ImageRefParam{FileId: ptr("file-mask123")}, OutputFormat: ptr(gen.EditImageBodyJsonParamOutputFormat("png")),
			OutputCompression: ptr(100), Quality: ptr(gen.EditImageBodyJsonParamQuality("high")), Size: ptr(gen.EditImageBodyJsonParamSize("1024x1024"))},
	} {
		t.Run(name, func(t *testing.T) {
			resp, err := c.CreateImageEditWithResponse(ctx, body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode() != http.StatusOK || resp.JSON200 == nil {
				t.Fatalf("status %d, body %s", resp.StatusCode(), resp.Body)
			}
		})
	}
}

func TestCreateImageEditJSONInvalid(t *testing.T) {
	api := newFakeAPI(t)
	c := api.client(t)
	ctx := context.Background()

	// Both image_url and file_id in one reference: the spec's `not`.
	both := gen.ImageRefParam{ImageUrl: ptr("https://example.com/otter.png"), FileId: ptr("file-abc123")}
	resp, err := c.CreateImageEdit(ctx, gen.EditImageBodyJsonParam{Prompt: "x", Images: []gen.ImageRefParam{both}})
	rejected(t, api, resp, err, "images[0]")
	resp, err = c.CreateImageEdit(ctx, gen.EditImageBodyJsonParam{Prompt: "x", Images: []gen.ImageRefParam{{FileId: ptr("f")}}, Mask: &both})
	rejected(t, api, resp, err, "mask")
	// Neither.
	resp, err = c.CreateImageEdit(ctx, gen.EditImageBodyJsonParam{Prompt: "x", Images: []gen.ImageRefParam{{}}})
	rejected(t, api, resp, err, "images[0]")
	// No images at all: the generated type sends "images": null.
	resp, err = c.CreateImageEdit(ctx, gen.EditImageBodyJsonParam{Prompt: "x"})
	rejected(t, api, resp, err, "images")
	// An empty prompt (minLength 1).
	resp, err = c.CreateImageEdit(ctx, gen.EditImageBodyJsonParam{Images: []gen.ImageRefParam{{FileId: ptr("f")}}})
	rejected(t, api, resp, err, "prompt")
	// Outside an enum.
	resp, err = c.CreateImageEdit(ctx, gen.EditImageBodyJsonParam{Prompt: "x", Images: []gen.ImageRefParam{{FileId: ptr("f")}}, Quality: ptr(gen.EditImageBodyJsonParamQuality("not-a-quality"))})
	rejected(t, api, resp, err, "quality")

	for _, tc := range []struct{ body, field string }{
		{`{"prompt":"x"}`, "images"},
		{`{"images":[{"file_id":"f"}]}`, "prompt"},
		{`{"prompt":"x","images":[{"file_id":"f"}],"n":"two"}`, "n"},
		{`{"prompt":"x","images":[{"file_id":"f"}],"output_format":"not-a-format"}`, "output_format"},
		{`{"prompt":"x","images":[{"image_url":"otter.png"}]}`, "images[0].image_url"},
	} {
		resp, err := c.CreateImageEditWithBody(ctx, "application/json", strings.NewReader(tc.body))
		rejected(t, api, resp, err, tc.field)
	}
	if n := api.calls.Load(); n != 0 {
		t.Fatalf("%d invalid requests reached the API", n)
	}
}

func TestCreateImageEditStream(t *testing.T) {
	api := newFakeAPI(t)
	c := api.client(t)
	ctx := context.Background()
	parts := []part{field("prompt", "x"), png("image[]", "a.png", 64), png("image[]", "b.png", 64), field("stream", "true"), field("partial_images", "1")}

	ct, body := form(t, parts...)
	resp, err := c.CreateImageEditWithBody(ctx, ct, body, stream(editPartial, editCompleted))
	if err != nil {
		t.Fatal(err)
	}
	events, err := readEvents(resp.Body)
	resp.Body.Close()
	if err != nil || len(events) != 2 {
		t.Fatalf("%d events, %v", len(events), err)
	}
	if vs := api.takeViolations(); len(vs) != 0 {
		t.Fatalf("violations: %v", vs)
	}

	// A completed event without usage; and a generation event in an edit stream.
	ct, body = form(t, parts...)
	resp, err = c.CreateImageEditWithBody(ctx, ct, body, stream(editPartial, editCompletedBad, genCompleted))
	if err != nil {
		t.Fatal(err)
	}
	readEvents(resp.Body)
	resp.Body.Close()
	vs := api.takeViolations()
	if len(vs) != 2 {
		t.Fatalf("violations: %v", vs)
	}
	wantField(t, vs[0], "usage")
	wantField(t, vs[1], "type")

	// The JSON edit streams too; checked on the client side.
	v, _ := contract.New()
	rc := api.client(t, gen.WithHTTPClient(&http.Client{Transport: v.RoundTripper(nil)}))
	resp, err = rc.CreateImageEdit(ctx, gen.EditImageBodyJsonParam{Prompt: "x", Images: []gen.ImageRefParam{{FileId: ptr("f")}}, Stream: ptr(true)},
		stream(editPartial, editCompletedBad))
	if err != nil {
		t.Fatal(err)
	}
	events, err = readEvents(resp.Body)
	resp.Body.Close()
	var e *contract.Error
	if !errors.As(err, &e) || e.Field != "usage" || len(events) != 1 {
		t.Fatalf("%d events, %v", len(events), err)
	}
	api.takeViolations()
}
