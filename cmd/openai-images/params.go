package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// Help texts of the request parameters newer than the vendored spec.
const (
	helpComplexity    = "low, medium or high: computation spent planning the image, apart from rendering quality (GPT image models)"
	helpFrameCount    = "GIF output: the number of frames, 2-16 (the API's default 9)"
	helpFrameDuration = "GIF output: each frame's delay in milliseconds (the API's default 200; it rounds to 10)"
	helpSVGModel      = "SVG output: the model that writes the SVG from the image model's drawing (projects with SVG model selection)"
	helpSVGEffort     = "SVG output: the SVG author's reasoning effort: none, minimal, low, medium, high, xhigh or max (the author model decides which it takes)"
	helpSafetyID      = "a stable, hashed ID of your end user, for OpenAI's safety monitoring (replaces --user)"
	helpUser          = "deprecated by the API in favour of --safety-identifier; still sent when given"
	helpExtra         = "a body field this version does not know, sent as given: VALUE is JSON when it parses as JSON " +
		`(4, true, {"a":1}, "4" for the string), else a string; repeatable. Multipart edits send it as a form field`
	helpVerbose      = "log each request, response, retry and model check on stderr, as OPENAI_LOG=debug does (the key is never logged)"
	helpNoValidate   = "send the parameters without this version's checks, for models and values newer than its model table: the API judges them"
	helpAllowRetired = "send models OpenAI has retired (dall-e-2, dall-e-3, gpt-image-1) and the variations endpoint to api.openai.com too, " +
		"which they are otherwise refused for before sending; with --emulator, the emulator serves them as an OpenAI-compatible server may"
)

// newerParams are the flags of the parameters the vendored spec does not
// have yet (complexity, GIF and SVG output, safety_identifier), shared by
// generate, edit and batch.
type newerParams struct {
	complexity wrapper.Complexity
	frameCount int
	frameMS    optInt
	svgModel   string
	svgEffort  wrapper.ReasoningEffort
}

func (np *newerParams) registerComplexity(c *cmdFlags) {
	c.str((*string)(&np.complexity), "complexity", "LEVEL", helpComplexity)
}

// registerOutput registers the GIF and SVG flags.
func (np *newerParams) registerOutput(c *cmdFlags) {
	c.integer(&np.frameCount, "frame-count", "N", helpFrameCount)
	c.value(&np.frameMS, "frame-duration-ms", "MS", helpFrameDuration)
	c.str(&np.svgModel, "svg-model", "NAME", helpSVGModel)
	c.str((*string)(&np.svgEffort), "svg-reasoning-effort", "LEVEL", helpSVGEffort)
}

// frameDuration is --frame-duration-ms as a duration (0 when not given).
func (np *newerParams) frameDuration(command string) (time.Duration, error) {
	if !np.frameMS.set {
		return 0, nil
	}
	if np.frameMS.v <= 0 {
		return 0, usagef("%s: --frame-duration-ms %d: a frame's delay is a positive number of milliseconds", command, np.frameMS.v)
	}
	return time.Duration(np.frameMS.v) * time.Millisecond, nil
}

// svg is --svg-model and --svg-reasoning-effort as the wrapper's options
// (nil when neither is given).
func (np *newerParams) svg() *wrapper.SVGOptions {
	if np.svgModel == "" && np.svgEffort == "" {
		return nil
	}
	return &wrapper.SVGOptions{Model: np.svgModel, ReasoningEffort: np.svgEffort}
}

// escapeFlags are --extra and --no-validate: what the model table does not
// know yet, sent anyway.
type escapeFlags struct {
	extra      extraList
	noValidate bool
}

func (ef *escapeFlags) register(c *cmdFlags) {
	c.section("Beyond this version's model table")
	c.value(&ef.extra, "extra", "KEY=VALUE", helpExtra)
	c.boolean(&ef.noValidate, "no-validate", helpNoValidate)
}

// options are the request options the flags ask for.
func (ef *escapeFlags) options() []wrapper.RequestOption {
	var opts []wrapper.RequestOption
	for _, f := range ef.extra {
		opts = append(opts, wrapper.WithExtraBody(f.key, f.value))
	}
	if ef.noValidate {
		opts = append(opts, wrapper.WithRequestValidation(false))
	}
	return opts
}

// extraField is one --extra KEY=VALUE.
type extraField struct {
	key   string
	value any // a string, or JSON as given
}

// extraList is the repeatable --extra flag.
type extraList []extraField

func (l *extraList) String() string {
	var parts []string
	for _, f := range *l {
		parts = append(parts, fmt.Sprintf("%s=%v", f.key, f.value))
	}
	return strings.Join(parts, ",")
}

// Set reads KEY=VALUE. A VALUE that parses as JSON is sent as that JSON (a
// JSON string as the string it holds), anything else as a string, so that
// --extra quality=xhigh, --extra frame_count=4 and
// --extra 'svg={"model":"gpt-5"}' all send what they say.
func (l *extraList) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	switch {
	case !ok || key == "":
		return errors.New(`want KEY=VALUE, such as quality=xhigh, frame_count=4 or 'svg={"model":"gpt-5"}'`)
	case strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return errors.New("the KEY has a control character")
	}
	var v any = value
	if json.Valid([]byte(value)) {
		var str string
		if json.Unmarshal([]byte(value), &str) == nil {
			v = str
		} else {
			v = json.RawMessage(value)
		}
	}
	*l = append(*l, extraField{key: key, value: v})
	return nil
}

// warnUser warns that --user is deprecated, on stderr unless quiet or
// --json.
func (inv *invocation) warnUser(c *cmdFlags, quiet bool) {
	if c.isSet("user") && !quiet && !inv.json {
		fmt.Fprintln(inv.stderr, "openai-images: warning: --user is deprecated by the API: use --safety-identifier (--user is still sent)")
	}
}

// refusesRetired reports whether the client the connection flags make
// refuses models OpenAI has retired: on OpenAI's own API (the default base
// URL), unless --allow-retired. The wrapper decides it the same way
// (wrapper.WithRetiredModels, wrapper.IsOpenAIAPI).
func (inv *invocation) refusesRetired(cf *connFlags) bool {
	if cf.allowRetired || cf.emulator {
		return false
	}
	base := inv.env("OPENAI_BASE_URL")
	if base == "" {
		base = wrapper.DefaultBaseURL
	}
	return wrapper.IsOpenAIAPI(base)
}

// judge returns a client that judges parameters as the client the
// connection flags make will (outside Azure, where a deployment's model is
// the client's to know): the model table's rules and, where that client
// refuses them, the retirements of models and of the variations endpoint,
// all in one *wrapper.ValidationError (Client.CheckGenerate, CheckEdit,
// CheckVary). It is made without your key, to check before the key, the
// output flags or anything else, and it never sends a request.
func (inv *invocation) judge(cf *connFlags) (*wrapper.Client, error) {
	c, err := wrapper.New(wrapper.WithBaseURL(wrapper.DefaultBaseURL), wrapper.WithAPIKey("judge: sends nothing"),
		wrapper.WithOrganization(""), wrapper.WithProject(""),
		wrapper.WithRetiredModels(!inv.refusesRetired(cf)))
	if err != nil {
		return nil, fmt.Errorf("checking the parameters: %w", err)
	}
	return c, nil
}
