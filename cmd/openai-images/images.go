package main

import (
	"context"
	"strings"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// Help texts of the request parameters shared by the image commands.
const (
	helpN              = "number of images, 1-10 (SVG output: 1)"
	helpQuality        = "auto, low, medium or high; xhigh or max (gpt-image-2.5 models); standard or hd (retired DALL-E models)"
	helpBackground     = "auto, transparent or opaque (GPT image models; transparent needs png or webp)"
	helpOutputFormat   = "png, jpeg, webp, gif (animated: see --frame-count) or svg (see --svg-model) (GPT image models; default png)"
	helpCompression    = "0-100, for jpeg or webp output (GPT image models)"
	helpResponseFormat = "url or b64_json (retired DALL-E models; either way the image is saved)"
	helpStream         = "stream the image as it renders (GPT image models; not GIF or SVG output)"
	helpPartialImages  = "partial images to stream before the final one, 0-3 (implies --stream)"
	helpSize           = "WIDTHxHEIGHT or auto: 1024x1024, 1536x1024, 1024x1536; gpt-image-2 and the gpt-image-2.5 models take custom sizes (sides divisible by 16, aspect 1:3 to 3:1, at most 3840x2160)"
)

// Limits of what standard input may hold.
const (
	maxStdinPrompt = 1 << 20  // a prompt: the API's longest is 32,000 characters
	maxStdinImage  = 64 << 20 // an image: the API's largest is 50 MB
)

// modelHelp lists the models of the capability table that support op,
// current ones first.
func modelHelp(op wrapper.Operation) string {
	var current, retired []string
	now := time.Now()
	snapshots := false
	for _, m := range wrapper.ModelsSupporting(op) {
		switch {
		case m.RetiredAt(now):
			retired = append(retired, string(m.Model))
		case m.SnapshotOf != "":
			snapshots = true
		default:
			current = append(current, string(m.Model))
		}
	}
	h := "name one: " + strings.Join(current, ", ")
	if snapshots {
		h += " (or a dated snapshot)"
	}
	h += ", or a newer one (checked by the rules every model shares). " +
		"Without a model the API picks one and only those rules are checked"
	if len(retired) > 0 {
		h += ". Retired by OpenAI: " + strings.Join(retired, ", ") + " (see --allow-retired)"
	}
	return h
}

// prompt takes the prompt from --prompt or the one argument; "-" reads it
// from standard input.
func (inv *invocation) prompt(command string, flagValue string, args []string) (string, error) {
	switch {
	case len(args) > 1:
		return "", usagef("%s: one prompt argument expected, got %d (quote the prompt)", command, len(args))
	case len(args) == 1 && flagValue != "":
		return "", usagef("%s: give the prompt once, as --prompt or as the argument", command)
	case len(args) == 1:
		flagValue = args[0]
	}
	if flagValue == "-" {
		data, err := inv.readStdin("--prompt", maxStdinPrompt)
		if err != nil {
			return "", err
		}
		flagValue = strings.TrimRight(string(data), "\r\n")
		if strings.TrimSpace(flagValue) == "" {
			return "", usagef("%s: --prompt -: standard input holds no prompt", command)
		}
	}
	if strings.TrimSpace(flagValue) == "" {
		return "", usagef("%s: a prompt is required: --prompt TEXT, the prompt as the argument, or - to read it from standard input", command)
	}
	return flagValue, nil
}

// image turns an --image, --mask or --markup value into an input image: a
// path, or "-" for standard input.
func (inv *invocation) image(flag, path string) (wrapper.Image, error) {
	if path != "-" {
		return wrapper.ImageFromPath(path), nil
	}
	data, err := inv.readStdin(flag, maxStdinImage)
	if err != nil {
		return wrapper.Image{}, err
	}
	if len(data) == 0 {
		return wrapper.Image{}, usagef("%s -: standard input is empty", flag)
	}
	return wrapper.ImageFromBytes("", data), nil // named image.png, ... from its bytes
}

// requestFlags registers the flags the image commands share, with their
// short forms.
func requestFlags(c *cmdFlags, prompt *string, model *wrapper.Model, n *int, size *wrapper.Size) {
	if prompt != nil {
		c.str(prompt, "prompt", "TEXT", "what to draw or change (or give it as the argument); - reads it from standard input")
		c.short("p", "prompt")
	}
	c.str((*string)(model), "model", "NAME", "")
	c.short("m", "model")
	c.integer(n, "n", "N", helpN)
	c.str((*string)(size), "size", "SIZE", "")
	c.short("s", "size")
}

// setUsage fills in a flag's help text after registration.
func (c *cmdFlags) setUsage(name, usage string) {
	for _, s := range c.sections {
		for i := range s.flags {
			if s.flags[i].name == name {
				s.flags[i].usage = usage
			}
		}
	}
}

func runGenerate(ctx context.Context, inv *invocation, args []string) error {
	var (
		p                     wrapper.GenerateParams
		np                    newerParams
		compression, partials optInt
		stream                bool
		escape                escapeFlags
		conn                  connFlags
		out                   outFlags
	)
	sum := inv.startReport("generate")
	c := newFlags("generate", "generate [flags] [--prompt] PROMPT",
		"Create images from a prompt (POST /images/generations) and save them: to -o FILE,\n"+
			"to stdout with -o -, or in --out-dir (default ./out). GIF output is animated,\n"+
			"SVG output is vector markup; each is checked before it is written.",
		`openai-images generate --emulator -m gpt-image-1.5 -s 1024x1024 -o otter.png "a sea otter in a kelp forest"`,
		`openai-images generate -m gpt-image-2.5-sunburst --quality xhigh -s 2560x1440 "a lighthouse at dusk"`,
		`openai-images generate -m gpt-image-2 -s 1536x864 --output-format webp --partial-images 2 "a city skyline"`,
		`openai-images generate -m gpt-image-2.5-flare --output-format gif --frame-count 8 --frame-duration-ms 120 -o kite.gif "a kite in the wind"`,
		`openai-images generate -m gpt-image-2.6-sunburst --output-format svg -o logo.svg "a fox logo, flat"`,
		`echo "a paper crane" | openai-images generate -m gpt-image-1-mini -o - - > crane.png`,
		`openai-images generate --json -n 2 -m gpt-image-1-mini --quality low "a paper crane" > summary.json`,
		`openai-images generate -m gpt-image-2.7-nova --quality ultra --no-validate "a value from tomorrow"`,
		`openai-images generate -m gpt-image-2.6-flare --extra 'lighting="studio"' "a parameter from tomorrow"`,
	)
	c.section("Request parameters (sent only when given; otherwise the API's defaults apply)")
	requestFlags(c, &p.Prompt, &p.Model, &p.N, &p.Size)
	c.setUsage("model", modelHelp(wrapper.OpGenerate))
	c.setUsage("size", helpSize)
	c.str((*string)(&p.Quality), "quality", "Q", helpQuality)
	np.registerComplexity(c)
	c.str((*string)(&p.Style), "style", "STYLE", "vivid or natural (the retired dall-e-3)")
	c.str((*string)(&p.Background), "background", "BG", helpBackground)
	c.str((*string)(&p.Moderation), "moderation", "LEVEL", "auto or low (GPT image models)")
	c.str((*string)(&p.OutputFormat), "output-format", "FORMAT", helpOutputFormat)
	c.value(&compression, "output-compression", "0-100", helpCompression)
	np.registerOutput(c)
	c.str((*string)(&p.ResponseFormat), "response-format", "FORMAT", helpResponseFormat)
	c.str(&p.SafetyIdentifier, "safety-identifier", "ID", helpSafetyID)
	c.str(&p.User, "user", "ID", helpUser)
	c.boolean(&stream, "stream", helpStream)
	c.value(&partials, "partial-images", "N", helpPartialImages)
	escape.register(c)
	out.register(c)
	conn.register(c)

	rest, err := c.parse(inv, args)
	if err != nil {
		return err
	}
	inv.warnUser(c, out.quiet)
	if p.Prompt, err = inv.prompt("generate", p.Prompt, rest); err != nil {
		return err
	}
	p.OutputCompression = compression.ptr()
	p.PartialImages = partials.ptr()
	p.Complexity, p.FrameCount, p.SVG = np.complexity, np.frameCount, np.svg()
	if p.FrameDuration, err = np.frameDuration("generate"); err != nil {
		return err
	}
	stream = stream || partials.set
	opts := escape.options()
	return inv.send(ctx, call{
		sum: sum, flags: c, conn: &conn, out: out, model: p.Model, size: p.Size, stream: stream,
		n: p.N, partials: partials.v, format: p.OutputFormat, noValidate: escape.noValidate,
		check: func(cl *wrapper.Client) error { return cl.CheckGenerate(p, stream) },
		plain: func(c *wrapper.Client, o ...wrapper.RequestOption) (*wrapper.ImagesResponse, error) {
			return c.Generate(ctx, p, append(opts, o...)...)
		},
		streamed: func(c *wrapper.Client, o ...wrapper.RequestOption) (*wrapper.ImageStream, error) {
			return c.GenerateStream(ctx, p, append(opts, o...)...)
		},
	})
}

func runEdit(ctx context.Context, inv *invocation, args []string) error {
	var (
		p                     wrapper.EditParams
		np                    newerParams
		images                stringList
		mask, markup          string
		compression, partials optInt
		stream                bool
		escape                escapeFlags
		conn                  connFlags
		out                   outFlags
	)
	sum := inv.startReport("edit")
	c := newFlags("edit", "edit --image PATH [--image PATH ...] [--mask PATH | --markup PATH] [flags] [--prompt] PROMPT",
		"Edit or extend images (POST /images/edits): one image, or up to 16 for GPT image\n"+
			"models, combined as the prompt says. With --mask, only the mask's fully\n"+
			"transparent areas of the first image change; with --markup (gpt-image-2.5\n"+
			"models), strokes drawn on a transparent PNG guide the edit. Images are uploaded\n"+
			"as multipart form data, streamed from the files; - reads one from standard input.\n"+
			"An edit with a prompt is also how to vary an image now that OpenAI has retired\n"+
			"the variations endpoint.",
		`openai-images edit --emulator -i room.png --mask window.png -o garden.png "a garden outside the window"`,
		`openai-images edit -m gpt-image-1.5 -i lotion.png -i soap.png "a gift basket with both items"`,
		`openai-images edit -m gpt-image-2 -s 1024x768 -i sketch.png --partial-images 3 "render as a watercolour"`,
		`openai-images edit -m gpt-image-2.5-sunburst -i street.png --markup arrows.png "a bicycle lane where the arrows point"`,
		`openai-images edit -m gpt-image-1.5 -i otter.png -n 2 "the same scene, another take: vary the pose and the light"`,
		`cat photo.png | openai-images edit -i - -o - "make it night" > night.png`,
	)
	c.section("Input images")
	c.value(&images, "image", "PATH", "image to edit: png, jpeg or webp; repeat for several (GPT image models: up to 16); - reads standard input")
	c.short("i", "image")
	c.str(&mask, "mask", "PATH", "png, the size of the first image, whose fully transparent pixels mark what to edit; - reads standard input")
	c.str(&markup, "markup", "PATH", "a transparent png of the first image's size, overlaid on it to guide the edit (gpt-image-2.5 models; not with --mask); - reads standard input")
	c.section("Request parameters (sent only when given; otherwise the API's defaults apply)")
	requestFlags(c, &p.Prompt, &p.Model, &p.N, &p.Size)
	c.setUsage("model", modelHelp(wrapper.OpEdit))
	c.setUsage("size", helpSize)
	c.str((*string)(&p.Quality), "quality", "Q", "auto, low, medium or high; xhigh or max (gpt-image-2.5 models); standard (the retired dall-e-2)")
	np.registerComplexity(c)
	c.str((*string)(&p.Background), "background", "BG", helpBackground)
	c.str((*string)(&p.OutputFormat), "output-format", "FORMAT", helpOutputFormat)
	c.value(&compression, "output-compression", "0-100", helpCompression)
	np.registerOutput(c)
	c.str((*string)(&p.InputFidelity), "input-fidelity", "LEVEL", "high or low: how closely to keep the inputs' features (gpt-image-1.5: high or low; gpt-image-1-mini: low; gpt-image-2: omit it)")
	c.str((*string)(&p.ResponseFormat), "response-format", "FORMAT", "url or b64_json (the retired dall-e-2; either way the image is saved)")
	c.str(&p.SafetyIdentifier, "safety-identifier", "ID", helpSafetyID)
	c.str(&p.User, "user", "ID", helpUser)
	c.boolean(&stream, "stream", helpStream)
	c.value(&partials, "partial-images", "N", helpPartialImages)
	escape.register(c)
	out.register(c)
	conn.register(c)

	rest, err := c.parse(inv, args)
	if err != nil {
		return err
	}
	inv.warnUser(c, out.quiet)
	if len(images) == 0 {
		return usagef("edit: at least one --image PATH is required")
	}
	// Images before the prompt: "-" is then the prompt only if no image
	// took standard input, which is said clearly.
	for _, path := range images {
		im, err := inv.image("--image", path)
		if err != nil {
			return err
		}
		p.Images = append(p.Images, im)
	}
	if mask != "" {
		m, err := inv.image("--mask", mask)
		if err != nil {
			return err
		}
		p.Mask = &m
	}
	if markup != "" {
		m, err := inv.image("--markup", markup)
		if err != nil {
			return err
		}
		p.Markup = &m
	}
	if p.Prompt, err = inv.prompt("edit", p.Prompt, rest); err != nil {
		return err
	}
	p.OutputCompression = compression.ptr()
	p.PartialImages = partials.ptr()
	p.Complexity, p.FrameCount, p.SVG = np.complexity, np.frameCount, np.svg()
	if p.FrameDuration, err = np.frameDuration("edit"); err != nil {
		return err
	}
	stream = stream || partials.set
	opts := escape.options()
	return inv.send(ctx, call{
		sum: sum, flags: c, conn: &conn, out: out, model: p.Model, size: p.Size, stream: stream,
		n: p.N, partials: partials.v, format: p.OutputFormat, noValidate: escape.noValidate,
		check: func(cl *wrapper.Client) error { return cl.CheckEdit(p, stream) },
		plain: func(c *wrapper.Client, o ...wrapper.RequestOption) (*wrapper.ImagesResponse, error) {
			return c.Edit(ctx, p, append(opts, o...)...)
		},
		streamed: func(c *wrapper.Client, o ...wrapper.RequestOption) (*wrapper.ImageStream, error) {
			return c.EditStream(ctx, p, append(opts, o...)...)
		},
	})
}

func runVary(ctx context.Context, inv *invocation, args []string) error {
	var (
		p      wrapper.VaryParams
		image  stringList
		escape escapeFlags
		conn   connFlags
		out    outFlags
	)
	sum := inv.startReport("vary")
	c := newFlags("vary", "vary --image PATH [flags]",
		"Create variations of an image (POST /images/variations, dall-e-2), for\n"+
			"OpenAI-compatible servers that still offer the endpoint. OpenAI has retired it\n"+
			"and dall-e-2 on its own API, where the request is refused before sending unless\n"+
			"--allow-retired: vary an image there with an edit and a prompt instead\n"+
			"(openai-images edit -m gpt-image-1.5 -i IMAGE \"the same scene, another take\").\n"+
			"(\"variation\" is another name of this command.)",
		`OPENAI_BASE_URL=http://localhost:8000/v1 openai-images vary -i otter.png -n 3 -s 512x512`,
		`openai-images vary --emulator --allow-retired -i otter.png -s 256x256 -o otter-variation.png`,
	)
	c.section("Input image")
	c.value(&image, "image", "PATH", "the image to vary: a square png under 4 MB; - reads standard input")
	c.short("i", "image")
	c.section("Request parameters (sent only when given; otherwise the server's defaults apply)")
	requestFlags(c, nil, &p.Model, &p.N, &p.Size)
	c.setUsage("model", "dall-e-2, the endpoint's only model (the default)")
	c.setUsage("n", "number of variations, 1-10")
	c.setUsage("size", "256x256, 512x512 or 1024x1024")
	c.str((*string)(&p.ResponseFormat), "response-format", "FORMAT", helpResponseFormat)
	c.str(&p.User, "user", "ID", "your end user's ID, for abuse monitoring")
	escape.register(c)
	out.register(c)
	conn.register(c)

	rest, err := c.parse(inv, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("vary: unexpected argument %q (variations take no prompt)", rest[0])
	}
	switch len(image) {
	case 0:
		return usagef("vary: --image PATH is required")
	case 1:
	default:
		return usagef("vary: one --image expected, got %d", len(image))
	}
	if p.Image, err = inv.image("--image", image[0]); err != nil {
		return err
	}
	opts := escape.options()
	return inv.send(ctx, call{
		sum: sum, flags: c, conn: &conn, out: out, model: p.Model, size: p.Size, n: p.N, noValidate: escape.noValidate,
		check: func(cl *wrapper.Client) error { return cl.CheckVary(p) },
		plain: func(c *wrapper.Client, o ...wrapper.RequestOption) (*wrapper.ImagesResponse, error) {
			return c.Vary(ctx, p, append(opts, o...)...)
		},
	})
}

// call is one images request of a subcommand.
type call struct {
	sum      *summary
	flags    *cmdFlags
	conn     *connFlags
	out      outFlags
	model    wrapper.Model
	size     wrapper.Size
	stream   bool
	n        int // images asked for (0: the API's default, 1)
	partials int
	format   wrapper.OutputFormat
	// noValidate skips check (--no-validate); the calls are then made
	// with validation off too.
	noValidate bool
	// check runs the model-aware checks as a client judges the call
	// (Client.CheckGenerate, ...): every problem, a retired model's
	// included, in one error, before anything is sent.
	check func(*wrapper.Client) error
	// plain and streamed make the call with the options given (the
	// saver's WithImageFiles) besides the call's own.
	plain    func(*wrapper.Client, ...wrapper.RequestOption) (*wrapper.ImagesResponse, error)
	streamed func(*wrapper.Client, ...wrapper.RequestOption) (*wrapper.ImageStream, error) // nil when the call cannot stream
}

// send checks the parameters and the output flags, connects, then makes
// the call (streamed when asked) and saves what it returns.
func (inv *invocation) send(ctx context.Context, c call) error {
	// On Azure -m names a deployment, whose model only the client knows:
	// the checks run once it is made, still before anything is sent.
	azure, err := c.conn.azure(inv)
	if err != nil {
		return err
	}
	if !c.noValidate && !azure {
		judge, err := inv.judge(c.conn)
		if err != nil {
			return err
		}
		if err := c.check(judge); err != nil {
			return err
		}
	}
	if err := c.out.prepare(inv, c.flags, c.n, c.partials, c.format); err != nil {
		return err
	}
	c.conn.model = c.model
	client, release, err := inv.client(c.conn)
	if err != nil {
		return err
	}
	defer release()
	if azure && !c.noValidate {
		if err := c.check(client); err != nil {
			return err
		}
	}
	if err := c.out.create(); err != nil {
		return err
	}
	s := inv.newSaver(c.sum, c.out, c.model, c.size, c.stream, c.n, c.format)
	files := s.files() // base64 images decoded into their files as they arrive
	if c.stream && c.streamed != nil {
		st, err := c.streamed(client, files...)
		if err == nil {
			err = s.saveStream(ctx, st)
		}
		return s.finish(s.nameError(err))
	}
	res, err := c.plain(client, files...)
	if err == nil {
		err = s.saveResponse(ctx, res)
	}
	return s.finish(s.nameError(err))
}
