package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/imagegen-go/openai-images/wrapper"
)

// Help texts of the request parameters shared by the image commands.
const (
	helpN              = "number of images, 1-10 (dall-e-3: 1)"
	helpQuality        = "auto, low, medium, high (GPT image models); standard, hd (dall-e-3)"
	helpBackground     = "auto, transparent or opaque (GPT image models; transparent needs png or webp)"
	helpOutputFormat   = "png, jpeg or webp (GPT image models; default png)"
	helpCompression    = "0-100, for jpeg or webp output (GPT image models)"
	helpResponseFormat = "url or b64_json (DALL-E models; either way the image is saved)"
	helpUser           = "your end user's ID, for OpenAI's abuse monitoring"
	helpStream         = "stream the image as it renders (GPT image models)"
	helpPartialImages  = "partial images to stream before the final one, 0-3 (implies --stream)"
)

// modelHelp lists the models of the capability table that support op.
func modelHelp(op wrapper.Operation, def wrapper.Model) string {
	var names []string
	for _, m := range wrapper.ModelsSupporting(op) {
		names = append(names, string(m.Model))
	}
	return fmt.Sprintf("model: %s, or a newer one (default: the API's, %s)", strings.Join(names, ", "), def)
}

// prompt takes the prompt from --prompt or the one argument.
func prompt(command string, flagValue string, args []string) (string, error) {
	switch {
	case len(args) > 1:
		return "", usagef("%s: one prompt argument expected, got %d (quote the prompt)", command, len(args))
	case len(args) == 1 && flagValue != "":
		return "", usagef("%s: give the prompt once, as --prompt or as the argument", command)
	case len(args) == 1:
		flagValue = args[0]
	}
	if strings.TrimSpace(flagValue) == "" {
		return "", usagef("%s: a prompt is required: --prompt TEXT, or the prompt as the argument", command)
	}
	return flagValue, nil
}

func runGenerate(ctx context.Context, inv *invocation, args []string) error {
	var (
		p                     wrapper.GenerateParams
		compression, partials optInt
		stream                bool
		conn                  connFlags
		out                   outFlags
	)
	c := newFlags("generate", "generate [flags] [--prompt] PROMPT",
		"Create images from a prompt (POST /images/generations) and save them in --out.",
		`openai-images generate --emulator --model gpt-image-1.5 --size 1024x1024 "a sea otter in a kelp forest"`,
		`openai-images generate --model dall-e-3 --style natural --quality hd --prompt "a lighthouse at dusk"`,
		`openai-images generate --model gpt-image-2 --size 1536x864 --output-format webp --stream --partial-images 2 "a city skyline"`,
		`openai-images generate --json --n 2 --model gpt-image-1-mini --quality low "a paper crane" > summary.json`,
	)
	c.section("Request parameters (sent only when given; otherwise the API's defaults apply)")
	c.str(&p.Prompt, "prompt", "TEXT", "what to draw (or give it as the argument)")
	c.str((*string)(&p.Model), "model", "NAME", modelHelp(wrapper.OpGenerate, "dall-e-2"))
	c.integer(&p.N, "n", "N", helpN)
	c.str((*string)(&p.Size), "size", "SIZE", "WIDTHxHEIGHT or auto, e.g. 1024x1024, 1536x1024; gpt-image-2 takes custom sizes (sides divisible by 16, aspect 1:3 to 3:1)")
	c.str((*string)(&p.Quality), "quality", "Q", helpQuality)
	c.str((*string)(&p.Style), "style", "STYLE", "vivid or natural (dall-e-3)")
	c.str((*string)(&p.Background), "background", "BG", helpBackground)
	c.str((*string)(&p.Moderation), "moderation", "LEVEL", "auto or low (GPT image models)")
	c.str((*string)(&p.OutputFormat), "output-format", "FORMAT", helpOutputFormat)
	c.value(&compression, "output-compression", "0-100", helpCompression)
	c.str((*string)(&p.ResponseFormat), "response-format", "FORMAT", helpResponseFormat)
	c.str(&p.User, "user", "ID", helpUser)
	c.boolean(&stream, "stream", helpStream)
	c.value(&partials, "partial-images", "N", helpPartialImages)
	out.register(c)
	conn.register(c)

	rest, err := c.parse(inv, args)
	if err != nil {
		return err
	}
	if p.Prompt, err = prompt("generate", p.Prompt, rest); err != nil {
		return err
	}
	p.OutputCompression = compression.ptr()
	p.PartialImages = partials.ptr()
	stream = stream || partials.set
	return inv.send(ctx, call{
		command: "generate", conn: &conn, out: out, model: p.Model, size: p.Size, stream: stream,
		check: func() error { return wrapper.CheckGenerate(p, stream) },
		plain: func(c *wrapper.Client, opts ...wrapper.RequestOption) (*wrapper.ImagesResponse, error) {
			return c.Generate(ctx, p, opts...)
		},
		streamed: func(c *wrapper.Client, opts ...wrapper.RequestOption) (*wrapper.ImageStream, error) {
			return c.GenerateStream(ctx, p, opts...)
		},
	})
}

func runEdit(ctx context.Context, inv *invocation, args []string) error {
	var (
		p                     wrapper.EditParams
		images                stringList
		mask                  string
		compression, partials optInt
		stream                bool
		conn                  connFlags
		out                   outFlags
	)
	c := newFlags("edit", "edit --image PATH [--image PATH ...] [--mask PATH] [flags] [--prompt] PROMPT",
		"Edit or extend images (POST /images/edits): one image, or up to 16 for GPT image\n"+
			"models, combined as the prompt says. With --mask, only the mask's fully\n"+
			"transparent areas of the first image change. Images are uploaded as multipart\n"+
			"form data, streamed from the files.",
		`openai-images edit --emulator --image room.png --mask window.png "a garden outside the window"`,
		`openai-images edit --model gpt-image-1.5 --image lotion.png --image soap.png "a gift basket with both items"`,
		`openai-images edit --model gpt-image-2 --size 1024x768 --image sketch.png --stream --partial-images 3 "render as a watercolour"`,
	)
	c.section("Input images")
	c.value(&images, "image", "PATH", "image to edit: png, jpeg or webp; repeat for several (GPT image models: up to 16; dall-e-2: one square png)")
	c.str(&mask, "mask", "PATH", "png, the size of the first image, whose fully transparent pixels mark what to edit")
	c.section("Request parameters (sent only when given; otherwise the API's defaults apply)")
	c.str(&p.Prompt, "prompt", "TEXT", "what to change (or give it as the argument)")
	c.str((*string)(&p.Model), "model", "NAME", modelHelp(wrapper.OpEdit, "gpt-image-1.5"))
	c.integer(&p.N, "n", "N", "number of images, 1-10")
	c.str((*string)(&p.Size), "size", "SIZE", "WIDTHxHEIGHT or auto, e.g. 1024x1024; dall-e-2: 256x256, 512x512, 1024x1024; gpt-image-2 takes custom sizes (sides divisible by 16, aspect 1:3 to 3:1)")
	c.str((*string)(&p.Quality), "quality", "Q", "auto, low, medium or high (GPT image models); standard (dall-e-2)")
	c.str((*string)(&p.Background), "background", "BG", helpBackground)
	c.str((*string)(&p.OutputFormat), "output-format", "FORMAT", helpOutputFormat)
	c.value(&compression, "output-compression", "0-100", helpCompression)
	c.str((*string)(&p.InputFidelity), "input-fidelity", "LEVEL", "high or low: how closely to keep the inputs' features (not gpt-image-1-mini)")
	c.str((*string)(&p.ResponseFormat), "response-format", "FORMAT", "url or b64_json (dall-e-2; either way the image is saved)")
	c.str(&p.User, "user", "ID", helpUser)
	c.boolean(&stream, "stream", helpStream)
	c.value(&partials, "partial-images", "N", helpPartialImages)
	out.register(c)
	conn.register(c)

	rest, err := c.parse(inv, args)
	if err != nil {
		return err
	}
	if p.Prompt, err = prompt("edit", p.Prompt, rest); err != nil {
		return err
	}
	if len(images) == 0 {
		return usagef("edit: at least one --image PATH is required")
	}
	for _, path := range images {
		p.Images = append(p.Images, wrapper.ImageFromPath(path))
	}
	if mask != "" {
		m := wrapper.ImageFromPath(mask)
		p.Mask = &m
	}
	p.OutputCompression = compression.ptr()
	p.PartialImages = partials.ptr()
	stream = stream || partials.set
	return inv.send(ctx, call{
		command: "edit", conn: &conn, out: out, model: p.Model, size: p.Size, stream: stream,
		check: func() error { return wrapper.CheckEdit(p, stream) },
		plain: func(c *wrapper.Client, opts ...wrapper.RequestOption) (*wrapper.ImagesResponse, error) {
			return c.Edit(ctx, p, opts...)
		},
		streamed: func(c *wrapper.Client, opts ...wrapper.RequestOption) (*wrapper.ImageStream, error) {
			return c.EditStream(ctx, p, opts...)
		},
	})
}

func runVariation(ctx context.Context, inv *invocation, args []string) error {
	var (
		p     wrapper.VariationParams
		image stringList
		conn  connFlags
		out   outFlags
	)
	c := newFlags("variation", "variation --image PATH [flags]",
		"Create variations of an image (POST /images/variations, dall-e-2). OpenAI has\n"+
			"retired this endpoint on its own service; OpenAI-compatible servers and the\n"+
			"emulator still offer it.",
		`openai-images variation --emulator --image otter.png --n 3 --size 512x512`,
	)
	c.section("Input image")
	c.value(&image, "image", "PATH", "the image to vary: a square png under 4 MB")
	c.section("Request parameters (sent only when given; otherwise the API's defaults apply)")
	c.str((*string)(&p.Model), "model", "NAME", modelHelp(wrapper.OpVariation, "dall-e-2"))
	c.integer(&p.N, "n", "N", "number of variations, 1-10")
	c.str((*string)(&p.Size), "size", "SIZE", "256x256, 512x512 or 1024x1024")
	c.str((*string)(&p.ResponseFormat), "response-format", "FORMAT", helpResponseFormat)
	c.str(&p.User, "user", "ID", helpUser)
	out.register(c)
	conn.register(c)

	rest, err := c.parse(inv, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("variation: unexpected argument %q (variations take no prompt)", rest[0])
	}
	switch len(image) {
	case 0:
		return usagef("variation: --image PATH is required")
	case 1:
	default:
		return usagef("variation: one --image expected, got %d", len(image))
	}
	p.Image = wrapper.ImageFromPath(image[0])
	return inv.send(ctx, call{
		command: "variation", conn: &conn, out: out, model: p.Model, size: p.Size,
		check: func() error { return wrapper.CheckVariation(p) },
		plain: func(c *wrapper.Client, opts ...wrapper.RequestOption) (*wrapper.ImagesResponse, error) {
			return c.CreateVariation(ctx, p, opts...)
		},
	})
}

// call is one images request of a subcommand.
type call struct {
	command  string
	conn     *connFlags
	out      outFlags
	model    wrapper.Model
	size     wrapper.Size
	stream   bool
	check    func() error // the model-aware checks, before anything else
	plain    func(*wrapper.Client, ...wrapper.RequestOption) (*wrapper.ImagesResponse, error)
	streamed func(*wrapper.Client, ...wrapper.RequestOption) (*wrapper.ImageStream, error) // nil when the call cannot stream
}

// send checks the parameters, connects, prepares the output directory, then
// makes the call (streamed when asked) and saves what it returns.
func (inv *invocation) send(ctx context.Context, c call) error {
	if err := c.check(); err != nil {
		return err
	}
	client, release, err := inv.client(c.conn)
	if err != nil {
		return err
	}
	defer release()
	if err := c.out.prepare(); err != nil {
		return err
	}
	s := inv.newSaver(c.command, c.out, c.model, c.size, c.stream)
	// Base64 images are decoded into their files as they arrive: none is
	// held in memory, whatever its size.
	files := wrapper.WithImageFiles(c.out.dir, s.imageName)
	if c.stream && c.streamed != nil {
		st, err := c.streamed(client, files)
		if err == nil {
			err = s.saveStream(st)
		}
		return s.finish(s.fileError(err))
	}
	res, err := c.plain(client, files)
	if err == nil {
		err = s.saveResponse(ctx, res)
	}
	return s.finish(s.fileError(err))
}
