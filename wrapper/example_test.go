package wrapper_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/imagegen-go/openai-images/wrapper"
)

// fakeAPI stands in for the OpenAI API in the examples: it answers every
// images call with one 2x2 PNG.
func fakeAPI() *httptest.Server {
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	var buf bytes.Buffer
	png.Encode(&buf, img)
	body := `{"created":1700000000,"data":[{"b64_json":"` + base64.StdEncoding.EncodeToString(buf.Bytes()) + `"}]}`
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/v1/images/generations" && r.Header.Get("X-Demo-Error") != "" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("x-request-id", "req_42")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":{"message":"Your request was rejected by the safety system.","type":"image_generation_user_error","code":"moderation_blocked"}}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
}

func ExampleClient_Generate() {
	srv := fakeAPI()
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL+"/v1"), wrapper.WithAPIKey("sk-example"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	res, err := client.Generate(ctx, wrapper.GenerateParams{
		Model:  wrapper.ModelGPTImage15,
		Prompt: "A cute baby sea otter",
		Size:   wrapper.Size1024x1024,
	})
	if err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "otter.png")
	if err := res.Data[0].WriteFile(ctx, path); err != nil {
		log.Fatal(err)
	}
	m, format, _ := res.Data[0].Decode(ctx)
	fmt.Println(len(res.Data), "image,", format, m.Bounds().Dx(), "x", m.Bounds().Dy())
	// Output: 1 image, png 2 x 2
}

func ExampleClient_Edit() {
	srv := fakeAPI()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL+"/v1"), wrapper.WithAPIKey("sk-example"))

	// Two input images: they go as repeated image[] parts, streamed.
	var a, b bytes.Buffer
	png.Encode(&a, image.NewNRGBA(image.Rect(0, 0, 4, 4)))
	png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 4, 4)))
	res, err := client.Edit(context.Background(), wrapper.EditParams{
		Model:  wrapper.ModelGPTImage15,
		Prompt: "Put both items in a gift basket",
		Images: []wrapper.Image{
			wrapper.ImageFromBytes("lotion.png", a.Bytes()),
			wrapper.ImageFromBytes("soap.png", b.Bytes()),
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.Data), "edited image")
	// Output: 1 edited image
}

func ExampleClient_Edit_json() {
	srv := fakeAPI()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL+"/v1"), wrapper.WithAPIKey("sk-example"))

	// References instead of uploads: the edit is sent as JSON.
	res, err := client.Edit(context.Background(), wrapper.EditParams{
		Model:     wrapper.ModelGPTImage15,
		Prompt:    "Replace the background with a snowy mountain scene",
		ImageRefs: []wrapper.ImageRef{wrapper.ImageFileID("file-abc123")},
		MaskRef:   wrapper.Ptr(wrapper.ImageFileID("file-mask123")),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.Data), "edited image")
	// Output: 1 edited image
}

// Vary calls the variations endpoint, for OpenAI-compatible servers that
// still offer it: OpenAI has retired it (and dall-e-2, its only model) on
// its own API, where the call is refused before sending unless the client
// has WithRetiredModels(true). ExampleClient_Edit_variation shows what
// replaces it.
func ExampleClient_Vary() {
	srv := fakeAPI() // an OpenAI-compatible server
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL+"/v1"), wrapper.WithAPIKey("sk-example"))

	var src bytes.Buffer
	png.Encode(&src, image.NewNRGBA(image.Rect(0, 0, 8, 8)))
	res, err := client.Vary(context.Background(), wrapper.VaryParams{
		Model: wrapper.ModelDallE2,
		Image: wrapper.ImageFromBytes("otter.png", src.Bytes()),
		Size:  wrapper.Size256x256,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.Data), "variation")
	// Output: 1 variation
}

func ExampleAPIError() {
	srv := fakeAPI()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL+"/v1"), wrapper.WithAPIKey("sk-example"))

	_, err := client.Generate(context.Background(), wrapper.GenerateParams{Prompt: "something refused"},
		wrapper.WithExtraHeader("X-Demo-Error", "1"))
	var apiErr *wrapper.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.RequestID)
		fmt.Println("content policy:", wrapper.IsContentPolicyViolation(err))
	}
	// Output:
	// 400 moderation_blocked req_42
	// content policy: true
}

func ExampleWithExtraBody() {
	srv := fakeAPI()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL+"/v1"), wrapper.WithAPIKey("sk-example"))

	// A value the vendored spec does not know yet, sent as is.
	_, err := client.Generate(context.Background(), wrapper.GenerateParams{
		Model:  wrapper.ModelGPTImage2,
		Prompt: "A watercolor fox",
	}, wrapper.WithExtraBody("quality", "xhigh"), wrapper.WithExtraBody("safety_identifier", "user-hash"))
	fmt.Println(err)
	// Output: <nil>
}
