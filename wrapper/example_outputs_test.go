package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"image/gif"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

// A variation of an image, as OpenAI recommends it now that it has retired
// the variations endpoint: an edit with a GPT image model and a prompt.
func ExampleClient_Edit_variation() {
	srv := imagestest.NewServer() // the offline emulator
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-example"))
	ctx := context.Background()

	small := wrapper.CustomSize(256, 256)
	otter, err := client.Generate(ctx, wrapper.GenerateParams{Model: wrapper.ModelGPTImage2, Prompt: "a sea otter", Size: small})
	if err != nil {
		log.Fatal(err)
	}
	src, _ := otter.Data[0].Content(ctx)
	res, err := client.Edit(ctx, wrapper.EditParams{
		Model:  wrapper.ModelGPTImage2,
		Prompt: "The same scene, another take: vary the pose and the light",
		Images: []wrapper.Image{wrapper.ImageFromBytes("otter.png", src)},
		Size:   small,
		N:      2,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.Data), "takes")
	// Output: 2 takes
}

// An animated GIF: output_format gif with its frame count and delay. The
// GIF is checked whole (walked to its trailer) before it is written, as
// kite-1.gif.
func ExampleClient_Generate_gif() {
	srv := imagestest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-example"))
	ctx := context.Background()

	res, err := client.Generate(ctx, wrapper.GenerateParams{
		Model:         wrapper.ModelGPTImage25Flare,
		Prompt:        "a red kite looping in the wind",
		Size:          wrapper.CustomSize(256, 256),
		OutputFormat:  wrapper.OutputFormatGIF,
		FrameCount:    4,
		FrameDuration: 120 * time.Millisecond,
	})
	if err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "gif")
	defer os.RemoveAll(dir)
	paths, err := res.WriteFiles(ctx, dir, "kite")
	if err != nil {
		log.Fatal(err)
	}
	f, _ := os.Open(paths[0])
	defer f.Close()
	g, err := gif.DecodeAll(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(paths[0]), len(g.Image), "frames of", g.Delay[0]*10, "ms")
	// Output: kite-1.gif 4 frames of 120 ms
}

// SVG output: vector markup, one image per request, written as .svg once
// it parses as XML with an <svg> root.
func ExampleClient_Generate_svg() {
	srv := imagestest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("sk-example"))
	ctx := context.Background()

	res, err := client.Generate(ctx, wrapper.GenerateParams{
		Model:        wrapper.ModelGPTImage26Sunburst,
		Prompt:       "a fox logo in flat colours",
		OutputFormat: wrapper.OutputFormatSVG,
	})
	if err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "svg")
	defer os.RemoveAll(dir)
	paths, err := res.WriteFiles(ctx, dir, "fox")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(paths[0]), res.OutputFormat)
	// Output: fox-1.svg svg
}

// Images are checked before they are returned or written: bytes that are
// not the output format the response declared, or a GIF or SVG that is not
// whole, are an *ImageFormatError, and nothing of them is written.
func ExampleCheckImageFormat() {
	format, err := wrapper.CheckImageFormat([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>`), wrapper.OutputFormatSVG)
	fmt.Println(format, format.Extension(), err)

	_, err = wrapper.CheckImageFormat([]byte("\x89PNG\r\n\x1a\n..."), wrapper.OutputFormatGIF)
	var fe *wrapper.ImageFormatError
	fmt.Println(errors.As(err, &fe), fe.Declared, fe.Detected)

	_, err = wrapper.CheckImageFormat([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><g></svg>`), wrapper.OutputFormatSVG)
	fmt.Println(err)
	// Output:
	// svg .svg <nil>
	// true gif image/png
	// openai-images: the image/svg+xml image data is broken: not well-formed XML: element <g> closed by </svg>
}
