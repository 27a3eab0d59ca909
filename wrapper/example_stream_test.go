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
		Model:         wrapper.ModelGPTImage1,
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

func ExampleImageStream_SaveTo() {
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
	paths, err := stream.SaveTo(dir, "lighthouse", nil)
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
		Model:  wrapper.ModelDallE3,
		Prompt: "two otters",
		N:      2,
		Style:  wrapper.StyleVivid,
	}, false)
	fmt.Println(err)
	// Output:
	// openai-images: invalid parameters: n=2: dall-e-3 supports only n=1 (allowed: 1)
}
