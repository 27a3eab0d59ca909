package imagestest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/gif"
	"log"
	"net/http"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

// A test of your own code points a client at the emulator: here an
// animated GIF, decoded frame by frame.
func ExampleNewServer() {
	srv := imagestest.NewServer()
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	res, err := client.Generate(ctx, wrapper.GenerateParams{
		Model: wrapper.ModelGPTImage25Sunburst, Prompt: "a spinning top", Size: wrapper.CustomSize(256, 256),
		OutputFormat: wrapper.OutputFormatGIF, FrameCount: 4, FrameDuration: 150 * time.Millisecond,
	})
	if err != nil {
		log.Fatal(err)
	}
	b, err := res.Data[0].Bytes(ctx)
	if err != nil {
		log.Fatal(err)
	}
	anim, err := gif.DecodeAll(bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d frames of %dx%d, %d ms each\n", len(anim.Image), anim.Config.Width, anim.Config.Height, anim.Delay[0]*10)
	// Output: 4 frames of 256x256, 150 ms each
}

// The emulator answers a retired model as OpenAI's API does now; with
// AllowRetiredModels it serves it, as an OpenAI-compatible server may.
func ExampleAllowRetiredModels() {
	ctx := context.Background()
	p := wrapper.GenerateParams{Model: wrapper.ModelDallE3, Prompt: "a lighthouse", Size: wrapper.Size1024x1024}
	for _, opts := range [][]imagestest.Option{nil, {imagestest.AllowRetiredModels()}} {
		srv := imagestest.NewServer(opts...)
		client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test"))
		_, err := client.Generate(ctx, p)
		var apiErr *wrapper.APIError
		if errors.As(err, &apiErr) {
			fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Param)
		} else {
			fmt.Println("served:", err == nil)
		}
		srv.Close()
	}
	// Output:
	// 400 model_not_found model
	// served: true
}

// The emulator as an Azure OpenAI resource: a client made with
// wrapper.WithAzure reaches its deployments; what it sent is recorded, and
// a deployment the resource lacks is answered as Azure answers it.
func ExampleWithAzure() {
	srv := imagestest.NewServer(imagestest.WithAzure(imagestest.Azure{Deployments: map[string]string{"images": "gpt-image-1-mini"}}))
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithAzure(wrapper.AzureConfig{
		Endpoint: srv.Endpoint, APIVersion: "2025-04-01-preview", APIKey: "any-key-of-32-characters-0123456",
	}))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.Generate(ctx, wrapper.GenerateParams{Model: "images", Prompt: "a kite", Quality: wrapper.QualityLow}); err != nil {
		log.Fatal(err)
	}
	r := srv.Requests()[0]
	fmt.Println(r.Method, r.Path+"?"+r.Query, r.Status)

	_, err = client.Generate(ctx, wrapper.GenerateParams{Model: "video", Prompt: "a kite"})
	var apiErr *wrapper.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
	}
	// Output:
	// POST /openai/deployments/images/images/generations?api-version=2025-04-01-preview 200
	// 404 DeploymentNotFound
}

// Inside a testing/synctest bubble, where no socket can be used, a client
// reaches the emulator in memory through its Transport.
func ExampleEmulator_Transport() {
	e, err := imagestest.New()
	if err != nil {
		log.Fatal(err)
	}
	client, err := wrapper.New(wrapper.WithBaseURL("http://emulator.test/v1"), wrapper.WithAPIKey("test"),
		wrapper.WithHTTPClient(&http.Client{Transport: e.Transport()}))
	if err != nil {
		log.Fatal(err)
	}
	res, err := client.Generate(context.Background(), wrapper.GenerateParams{
		Model: wrapper.ModelGPTImage2, Prompt: "a lighthouse", Size: wrapper.CustomSize(256, 256),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.Data), res.Size, len(e.Requests()))
	// Output: 1 256x256 1
}
