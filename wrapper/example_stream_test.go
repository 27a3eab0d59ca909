package wrapper_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

func ExampleClient_GenerateStream() {
	srv := imagestest.NewServer() // the offline emulator
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-example"))

	stream, err := client.GenerateStream(context.Background(), wrapper.GenerateParams{
		Model:         wrapper.ModelGPTImage15,
		Prompt:        "a magical forest",
		PartialImages: wrapper.Ptr(2),
	})
	if err != nil {
		log.Fatal(err)
	}
	for ev, err := range stream.All() {
		if err != nil {
			log.Fatal(err)
		}
		switch ev := ev.(type) {
		case *wrapper.PartialImageEvent:
			fmt.Println("partial image", ev.Index)
		case *wrapper.CompletedEvent:
			fmt.Println("completed:", ev.Size, ev.OutputFormat)
		}
	}
	// Output:
	// partial image 0
	// partial image 1
	// completed: 1024x1024 png
}

func ExampleImageStream_WriteFiles() {
	srv := imagestest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-example"))
	dir, _ := os.MkdirTemp("", "stream")
	defer os.RemoveAll(dir)

	stream, err := client.GenerateStream(context.Background(), wrapper.GenerateParams{
		Model: wrapper.ModelGPTImage15, Prompt: "a lighthouse at dawn", Size: wrapper.Size1024x1024, PartialImages: wrapper.Ptr(2),
	})
	if err != nil {
		log.Fatal(err)
	}
	// Each partial image and the final one is written as it arrives.
	paths, err := stream.WriteFiles(dir, "lighthouse", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range paths {
		fmt.Println(filepath.Base(p))
	}
	// Output:
	// lighthouse-partial-0.png
	// lighthouse-partial-1.png
	// lighthouse.png
}

func ExampleEditSession() {
	srv := imagestest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-example"))
	ctx := context.Background()

	session := client.NewEditSession("gpt-5", wrapper.ImageTool{Model: wrapper.ModelGPTImage15, Size: wrapper.Size1024x1024})
	turns := []string{"Generate an image: a red car", "Edit the image: make it blue", "Edit the image: add racing stripes"}
	for i, input := range turns {
		var turn *wrapper.Turn
		var err error
		if i == 0 {
			turn, err = session.Create(ctx, input)
		} else {
			turn, err = session.Edit(ctx, input) // chained by previous_response_id
		}
		if err != nil {
			log.Fatal(err)
		}
		img, _ := turn.Image()
		fmt.Println(i+1, img.RevisedPrompt)
	}
	// Output:
	// 1 An image of: Generate an image: a red car
	// 2 An image of: Edit the image: make it blue
	// 3 An image of: Edit the image: add racing stripes
}

func ExampleCheckGenerate() {
	err := wrapper.CheckGenerate(wrapper.GenerateParams{
		Model:        wrapper.ModelGPTImage26Sunburst,
		Prompt:       "two otters",
		N:            2,
		OutputFormat: wrapper.OutputFormatSVG,
	}, false)
	fmt.Println(err)
	// Output:
	// openai-images: invalid parameters: n=2: SVG output requires n=1 (allowed: 1)
}

func ExampleEditSession_CreateStream() {
	srv := imagestest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-example"))
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "session")
	defer os.RemoveAll(dir)

	session := client.NewEditSession("gpt-5", wrapper.ImageTool{Model: wrapper.ModelGPTImage15, PartialImages: wrapper.Ptr(1)})
	stream, err := session.CreateStream(ctx, "Generate an image: a lighthouse")
	if err != nil {
		log.Fatal(err)
	}
	for ev, err := range stream.All() {
		if err != nil {
			log.Fatal(err)
		}
		switch ev := ev.(type) {
		case *wrapper.PartialImageEvent:
			fmt.Println("partial image", ev.Index)
		case *wrapper.TurnCompletedEvent:
			img, _ := ev.Turn.Image()
			if err := img.WriteFile(ctx, filepath.Join(dir, "lighthouse.png")); err != nil {
				log.Fatal(err)
			}
			fmt.Println("turn done; the next Edit chains from it:", session.ResponseID() == ev.Turn.ResponseID)
		}
	}
	// Output:
	// partial image 0
	// turn done; the next Edit chains from it: true
}

// Every image the API returns is an OutputImage, whichever call returned
// it: the same code keeps a generated image, a streamed one and a
// session's.
func ExampleOutputImage() {
	srv := imagestest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-example"))
	ctx := context.Background()

	var images []wrapper.OutputImage
	res, err := client.Generate(ctx, wrapper.GenerateParams{Model: wrapper.ModelGPTImage15, Prompt: "a kite", Size: wrapper.Size1024x1024})
	if err != nil {
		log.Fatal(err)
	}
	images = append(images, res.Data[0])
	stream, err := client.GenerateStream(ctx, wrapper.GenerateParams{Model: wrapper.ModelGPTImage15, Prompt: "a kite", Size: wrapper.Size1024x1536})
	if err != nil {
		log.Fatal(err)
	}
	for ev, err := range stream.All() {
		if err != nil {
			log.Fatal(err)
		}
		if done, ok := ev.(*wrapper.CompletedEvent); ok {
			images = append(images, done)
		}
	}
	turn, err := client.NewEditSession("gpt-5", wrapper.ImageTool{Model: wrapper.ModelGPTImage15, Size: wrapper.Size1536x1024}).
		Create(ctx, "Generate an image: a kite")
	if err != nil {
		log.Fatal(err)
	}
	img, _ := turn.Image()
	images = append(images, img)

	for _, img := range images {
		m, format, err := img.Decode(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%T: %s %dx%d\n", img, format, m.Bounds().Dx(), m.Bounds().Dy())
	}
	// Output:
	// wrapper.GeneratedImage: png 1024x1024
	// *wrapper.CompletedEvent: png 1024x1536
	// wrapper.TurnImage: png 1536x1024
}
