package wrapper

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/imagegen-go/openai-images/gen"
)

// Validation applies the capability table (models.go) to a call's
// parameters before anything is sent. It follows these principles:
//
//   - A call that names no model, or a model the table does not know, gets
//     only the universal checks: the ranges and enumerations of the
//     effective spec, how the output parameters go together (transparent
//     backgrounds, compression, GIF and SVG), a non-empty prompt, 1 to 16
//     readable input images, well-formed image references. So models
//     released after this module work at once. The API no longer documents
//     a default generation model (dall-e-2 is retired), so none is assumed.
//   - An unknown name within a small edit distance of a known model that
//     does not look like a new family member is refused as a typo, with the
//     model it probably meant ([SuggestModel]).
//   - On OpenAI's own API, models OpenAI retired, and the variations
//     endpoint, are refused with the date and the replacements
//     ([WithRetiredModels] sends them anyway); elsewhere they keep their
//     old rules.
//   - Images are checked from their headers only ([Image.Probe]); the format
//     is sniffed from the bytes, never taken from the file name.
//   - Every problem is reported, in one *ValidationError.

// ValidationError lists every parameter problem found before a request was
// sent; nothing was sent. Find it with errors.As. Validation can be turned
// off for a client ([WithValidation]) or a request
// ([WithRequestValidation]), for servers whose models accept more than the
// vendored spec says; values the spec does not know yet can also be sent
// with [WithExtraBody].
type ValidationError struct {
	// Problems are in the order of the request's fields (prompt, model,
	// the input images in order, n, size, quality, ...), each field's in
	// the order found.
	Problems []Problem
}

// Error lists all problems on one line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("openai-images: invalid parameters: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap returns the errors behind the problems, so that errors.Is finds,
// say, fs.ErrNotExist for an image path that does not exist.
func (e *ValidationError) Unwrap() []error {
	var errs []error
	for _, p := range e.Problems {
		if p.Err != nil {
			errs = append(errs, p.Err)
		}
	}
	return errs
}

// Problem is one parameter a model does not accept.
type Problem struct {
	// Field is the parameter's API name: "n", "size", "image[2]" (the
	// third uploaded image), "images[0]" (the first image reference of a
	// JSON edit), "mask", "model", "stream", ...
	Field string
	// Value is the value given, rendered ("" when there is none). Images
	// are described by name, sniffed format, dimensions and size; long
	// prompts by their length.
	Value string
	// Rule says what is wrong, e.g. "dall-e-3 supports only n=1".
	Rule string
	// Allowed says what would be accepted ("" when there is no short
	// answer).
	Allowed string
	// Err is the error behind the problem, when there is one (an image
	// that could not be read: fs.ErrNotExist, [ErrNotRegularFile], ...).
	// The ValidationError unwraps to it.
	Err error
}

// String renders the problem as field=value: rule (allowed: ...).
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Field)
	if p.Value != "" {
		b.WriteString("=")
		b.WriteString(renderValue(p.Value))
	}
	b.WriteString(": ")
	b.WriteString(p.Rule)
	if p.Allowed != "" {
		b.WriteString(" (allowed: ")
		b.WriteString(p.Allowed)
		b.WriteString(")")
	}
	return b.String()
}

// renderValue quotes a value when it would otherwise be ambiguous in the
// one-line message.
func renderValue(v string) string {
	if v != strings.TrimSpace(v) || strings.ContainsAny(v, ";\"\\") || !strconv.CanBackquote(v) {
		return strconv.Quote(v)
	}
	return v
}

// checker collects problems.
type checker struct{ problems []Problem }

func (c *checker) add(field, value, rule, allowed string) {
	c.problems = append(c.problems, Problem{Field: field, Value: clip(value, 200), Rule: rule, Allowed: allowed})
}

func (c *checker) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	slices.SortStableFunc(c.problems, func(a, b Problem) int { return compareFields(a.Field, b.Field) })
	return &ValidationError{Problems: c.problems}
}

// has reports whether a problem about field was found already: a value the
// spec does not know is reported once, not again by the model's rules.
func (c *checker) has(field string) bool {
	return slices.ContainsFunc(c.problems, func(p Problem) bool { return p.Field == field })
}

// fieldOrder is the order of a request's fields in which problems are
// listed; fields not listed come last, in the order found.
var fieldOrder = []string{
	"prompt", "model", "image", "images", "mask", "markup", "n", "size", "quality", "complexity", "style",
	"background", "output_format", "output_compression", "moderation", "frame_count", "frame_duration_ms",
	"svg", "svg.model", "svg.reasoning.effort", "input_fidelity", "response_format", "stream", "partial_images",
}

// compareFields orders two problem fields: by fieldOrder, and image[i]
// (images[i]) by i.
func compareFields(a, b string) int {
	na, ia := splitIndex(a)
	nb, ib := splitIndex(b)
	pa, pb := slices.Index(fieldOrder, na), slices.Index(fieldOrder, nb)
	if pa < 0 {
		pa = len(fieldOrder)
	}
	if pb < 0 {
		pb = len(fieldOrder)
	}
	if pa != pb {
		return pa - pb
	}
	return ia - ib
}

// splitIndex splits "image[2]" into "image" and 2 (-1 without an index).
func splitIndex(field string) (string, int) {
	name, rest, ok := strings.Cut(field, "[")
	if !ok {
		return field, -1
	}
	i, err := strconv.Atoi(strings.TrimSuffix(rest, "]"))
	if err != nil {
		return field, -1
	}
	return name, i
}

// target is the table entry whose rules apply to a call.
type target struct {
	m *ModelInfo
	// label names the model in messages; it says when the model is the
	// API's default rather than one given.
	label string
}

// supports reports whether t supports any of ops, adding a model problem
// when it does not.
func (c *checker) supports(t target, what string, ops ...Operation) bool {
	var names []string
	for _, op := range ops {
		if t.m.Supports(op) {
			return true
		}
		for i := range modelTable {
			if n := string(modelTable[i].Model); modelTable[i].Supports(op) && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	c.add("model", string(t.m.Model), fmt.Sprintf("%s does not support %s", t.label, what), strings.Join(names, ", "))
	return false
}

// validateGenerate checks the parameters of a generation; stream is true for
// GenerateStream.
func validateGenerate(p *GenerateParams, stream bool, pol policy) error {
	var c checker
	c.prompt(p.Prompt)
	c.nAtLeastOne(p.N)
	c.sizeFormat(p.Size)
	specEnum(&c, "quality", p.Quality, func(v Quality) bool { return gen.CreateImageRequestQuality(v).Valid() }, tableValues(func(m *ModelInfo) []Quality { return m.Qualities }))
	specEnum(&c, "complexity", p.Complexity, func(v Complexity) bool { return gen.CreateImageRequestComplexity(v).Valid() }, tableValues(func(m *ModelInfo) []Complexity { return m.Complexities }))
	specEnum(&c, "style", p.Style, func(v Style) bool { return gen.CreateImageRequestStyle(v).Valid() }, tableValues(func(m *ModelInfo) []Style { return m.Styles }))
	specEnum(&c, "background", p.Background, func(v Background) bool { return gen.CreateImageRequestBackground(v).Valid() }, tableValues(func(m *ModelInfo) []Background { return m.Backgrounds }))
	specEnum(&c, "moderation", p.Moderation, func(v Moderation) bool { return gen.CreateImageRequestModeration(v).Valid() }, tableValues(func(m *ModelInfo) []Moderation { return m.Moderations }))
	specEnum(&c, "output_format", p.OutputFormat, func(v OutputFormat) bool { return gen.CreateImageRequestOutputFormat(v).Valid() }, tableValues(func(m *ModelInfo) []OutputFormat { return m.OutputFormats }))
	specEnum(&c, "response_format", p.ResponseFormat, func(v ResponseFormat) bool { return gen.CreateImageRequestResponseFormat(v).Valid() }, tableValues(func(m *ModelInfo) []ResponseFormat { return m.ResponseFormats }))
	c.universalOutput(output{
		n: p.N, background: p.Background, format: p.OutputFormat, compression: p.OutputCompression,
		frameCount: p.FrameCount, frameDur: p.FrameDuration, svg: p.SVG,
		stream: stream, partial: p.PartialImages, streamCall: "GenerateStream", generation: true,
	})
	if t, known := c.resolveModel(p.Model, pol); known && c.supports(t, "image generation (POST /images/generations)", OpGenerate) {
		c.promptLength(t, p.Prompt)
		c.n(t, p.N)
		c.size(t, p.Size, true)
		checkEnum(&c, t, "quality", p.Quality, t.m.Qualities, func(m *ModelInfo) bool { return len(m.Qualities) > 0 })
		checkEnum(&c, t, "complexity", p.Complexity, t.m.Complexities, func(m *ModelInfo) bool { return len(m.Complexities) > 0 })
		checkEnum(&c, t, "style", p.Style, t.m.Styles, func(m *ModelInfo) bool { return len(m.Styles) > 0 })
		c.modelOutput(t, p.Background, p.OutputFormat, p.OutputCompression)
		checkEnum(&c, t, "moderation", p.Moderation, t.m.Moderations, func(m *ModelInfo) bool { return len(m.Moderations) > 0 })
		c.responseFormat(t, p.ResponseFormat)
		c.modelStreaming(t, stream, OpGenerateStream)
	}
	return c.err()
}

// validateEdit checks the parameters of an edit, multipart or JSON; stream
// is true for EditStream.
func validateEdit(p *EditParams, stream bool, pol policy) error {
	var c checker
	jsonEdit := p.isJSON()
	c.prompt(p.Prompt)
	c.nAtLeastOne(p.N)
	c.sizeFormat(p.Size)
	if jsonEdit {
		specEnum(&c, "quality", p.Quality, func(v Quality) bool { return gen.EditImageBodyJsonParamQuality(v).Valid() }, tableValues(func(m *ModelInfo) []Quality { return m.Qualities }))
		specEnum(&c, "background", p.Background, func(v Background) bool { return gen.EditImageBodyJsonParamBackground(v).Valid() }, tableValues(func(m *ModelInfo) []Background { return m.Backgrounds }))
		specEnum(&c, "output_format", p.OutputFormat, func(v OutputFormat) bool { return gen.EditImageBodyJsonParamOutputFormat(v).Valid() }, tableValues(func(m *ModelInfo) []OutputFormat { return m.OutputFormats }))
		specEnum(&c, "moderation", p.Moderation, func(v Moderation) bool { return gen.EditImageBodyJsonParamModeration(v).Valid() }, tableValues(func(m *ModelInfo) []Moderation { return m.Moderations }))
		specEnum(&c, "input_fidelity", p.InputFidelity, func(v InputFidelity) bool { return gen.EditImageBodyJsonParamInputFidelity(v).Valid() }, tableValues(func(m *ModelInfo) []InputFidelity { return m.InputFidelities }))
	} else {
		specEnum(&c, "quality", p.Quality, func(v Quality) bool { return gen.CreateImageEditRequestQuality(v).Valid() }, tableValues(func(m *ModelInfo) []Quality { return m.Qualities }))
		specEnum(&c, "complexity", p.Complexity, func(v Complexity) bool { return gen.CreateImageEditRequestComplexity(v).Valid() }, tableValues(func(m *ModelInfo) []Complexity { return m.Complexities }))
		specEnum(&c, "background", p.Background, func(v Background) bool { return gen.CreateImageEditRequestBackground(v).Valid() }, tableValues(func(m *ModelInfo) []Background { return m.Backgrounds }))
		specEnum(&c, "output_format", p.OutputFormat, func(v OutputFormat) bool { return gen.CreateImageEditRequestOutputFormat(v).Valid() }, tableValues(func(m *ModelInfo) []OutputFormat { return m.OutputFormats }))
		specEnum(&c, "response_format", p.ResponseFormat, func(v ResponseFormat) bool { return gen.CreateImageEditRequestResponseFormat(v).Valid() }, tableValues(func(m *ModelInfo) []ResponseFormat { return m.ResponseFormats }))
		specEnum(&c, "input_fidelity", p.InputFidelity, func(v InputFidelity) bool { return gen.InputFidelity(v).Valid() }, tableValues(func(m *ModelInfo) []InputFidelity { return m.InputFidelities }))
	}
	masked := p.Mask != nil || p.MaskRef != nil
	c.universalOutput(output{
		n: p.N, background: p.Background, format: p.OutputFormat, compression: p.OutputCompression,
		frameCount: p.FrameCount, frameDur: p.FrameDuration, svg: p.SVG,
		stream: stream, partial: p.PartialImages, streamCall: "EditStream", masked: masked,
	})

	// Inputs, universal checks. The multipart field is "image", the JSON
	// one "images".
	imageField := "image"
	if jsonEdit {
		imageField = "images"
	}
	if (len(p.Images) > 0 || p.Mask != nil || p.Markup != nil) && (len(p.ImageRefs) > 0 || p.MaskRef != nil) {
		c.add(imageField, fmt.Sprintf("%d uploaded, %d referenced", len(p.Images)+countNonNil(p.Mask)+countNonNil(p.Markup), len(p.ImageRefs)+countNonNil(p.MaskRef)),
			"give uploaded images (Images, Mask, Markup) or image references (ImageRefs, MaskRef), not both", "Images and Mask, or ImageRefs and MaskRef")
	}
	if len(p.Images) == 0 && len(p.ImageRefs) == 0 {
		c.add(imageField, "", "at least one input image is required", "1-16 images")
	}
	// CreateImageEditRequest.image maxItems 16; EditImageBodyJsonParam.images
	// minItems 1, maxItems 16.
	if len(p.Images) > maxEditImages {
		c.add("image", fmt.Sprintf("%d images", len(p.Images)), fmt.Sprintf("an edit takes at most %d images", maxEditImages), fmt.Sprintf("1-%d images", maxEditImages))
	}
	if len(p.ImageRefs) > maxEditImages {
		c.add("images", fmt.Sprintf("%d images", len(p.ImageRefs)), fmt.Sprintf("an edit takes at most %d images", maxEditImages), fmt.Sprintf("1-%d images", maxEditImages))
	}
	images := make([]probed, len(p.Images))
	for i, im := range p.Images {
		images[i] = c.probe(fmt.Sprintf("image[%d]", i), im)
	}
	var mask, markup probed
	if p.Mask != nil {
		mask = c.probe("mask", *p.Mask)
	}
	if p.Markup != nil {
		markup = c.probe("markup", *p.Markup)
		// npm images.ts markup: "Cannot be combined with mask."
		if masked {
			c.add("markup", markup.value, "markup cannot be combined with a mask", "a mask or markup, not both")
		}
	}
	for i, r := range p.ImageRefs {
		c.ref(fmt.Sprintf("images[%d]", i), r)
	}
	if p.MaskRef != nil {
		c.ref("mask", *p.MaskRef)
	}
	if jsonEdit {
		c.notInJSONEdit(p)
	} else if p.Moderation != "" {
		// CreateImageEditRequest (the multipart schema) has no moderation
		// property; EditImageBodyJsonParam has.
		c.add("moderation", string(p.Moderation), "moderation is not a field of multipart edits (CreateImageEditRequest)",
			`omit it, use ImageRefs (a JSON edit), or send it with WithExtraBody("moderation", ...)`)
	}

	t, known := c.resolveModel(p.Model, pol)
	first := firstInfo(images)
	if known && c.supports(t, "image edits (POST /images/edits)", OpEdit, OpEditJSON) {
		if jsonEdit && !t.m.Supports(OpEditJSON) {
			// EditImageBodyJsonParam: "JSON edits support GPT image models
			// only; DALL-E edits require multipart (`dall-e-2` only)."
			c.add("model", string(t.m.Model), t.label+" does not support JSON edits (ImageRefs, MaskRef); JSON edits support GPT image models only", "upload Images (multipart), or one of: "+modelNames(OpEditJSON))
		}
		c.promptLength(t, p.Prompt)
		c.n(t, p.N)
		c.size(t, p.Size, !jsonEdit)
		checkEnum(&c, t, "quality", p.Quality, t.m.Qualities, func(m *ModelInfo) bool { return len(m.Qualities) > 0 })
		checkEnum(&c, t, "complexity", p.Complexity, t.m.Complexities, func(m *ModelInfo) bool { return len(m.Complexities) > 0 })
		c.modelOutput(t, p.Background, p.OutputFormat, p.OutputCompression)
		checkEnum(&c, t, "moderation", p.Moderation, t.m.Moderations, func(m *ModelInfo) bool { return len(m.Moderations) > 0 })
		c.responseFormat(t, p.ResponseFormat)
		checkEnum(&c, t, "input_fidelity", p.InputFidelity, t.m.InputFidelities, func(m *ModelInfo) bool { return len(m.InputFidelities) > 0 })
		c.modelStreaming(t, stream, OpEditStream)

		// Inputs, the model's rules.
		rule := t.m.EditImages
		count := len(p.Images)
		if jsonEdit {
			count = len(p.ImageRefs)
		}
		switch {
		case count <= rule.MaxCount || rule.MaxCount >= maxEditImages:
		case rule.MaxCount == 1:
			c.add(imageField, fmt.Sprintf("%d images", count), t.label+" edits take exactly one image", "1 image")
		default:
			c.add(imageField, fmt.Sprintf("%d images", count), fmt.Sprintf("%s edits take at most %d images", t.label, rule.MaxCount), fmt.Sprintf("1-%d images", rule.MaxCount))
		}
		for i, im := range images {
			if im.ok {
				c.image(t, fmt.Sprintf("image[%d]", i), im.value, im.info, rule, "input image", masked)
			}
		}
		if mask.ok {
			c.image(t, "mask", mask.value, mask.info, t.m.Mask, "mask", true)
			c.sameSize(t, "mask", mask.value, mask.info, first)
		}
		if markup.ok && t.m.Markup.MaxCount == 0 {
			c.add("markup", markup.value, t.label+" does not take markup; "+supporters("markup", func(m *ModelInfo) bool { return m.Markup.MaxCount > 0 }), "omit it")
		}
		var refInfos []probed
		for i, r := range p.ImageRefs {
			refInfos = append(refInfos, c.refImage(t, fmt.Sprintf("images[%d]", i), r, rule, "input image", masked))
		}
		if p.MaskRef != nil {
			if m := c.refImage(t, "mask", *p.MaskRef, t.m.Mask, "mask", true); m.ok {
				c.sameSize(t, "mask", m.value, m.info, firstInfo(refInfos))
			}
		}
	}
	if markup.ok && !known {
		c.markupShape(markupRule, markup, first)
	} else if markup.ok && t.m.Markup.MaxCount > 0 {
		c.markupShape(t.m.Markup, markup, first)
	}
	return c.err()
}

// notInJSONEdit refuses, in a JSON edit, the parameters that only the
// multipart body has: the JSON edit schema (EditImageBodyJsonParam) lacks
// them and the SDKs document them for multipart edits only.
func (c *checker) notInJSONEdit(p *EditParams) {
	hint := func(field string) string {
		return `upload Images (a multipart edit), or send it with WithExtraBody("` + field + `", ...)`
	}
	if p.ResponseFormat != "" {
		// EditImageBodyJsonParam has no response_format property.
		c.add("response_format", string(p.ResponseFormat), "response_format is not a field of JSON edits (EditImageBodyJsonParam)", hint("response_format"))
	}
	if p.Complexity != "" {
		c.add("complexity", string(p.Complexity), "complexity is not a field of JSON edits (EditImageBodyJsonParam)", hint("complexity"))
	}
	if p.FrameCount != 0 {
		c.add("frame_count", strconv.Itoa(p.FrameCount), "frame_count is not a field of JSON edits (EditImageBodyJsonParam)", hint("frame_count"))
	}
	if p.FrameDuration != 0 {
		c.add("frame_duration_ms", strconv.FormatInt(p.FrameDuration.Milliseconds(), 10), "frame_duration_ms is not a field of JSON edits (EditImageBodyJsonParam)", hint("frame_duration_ms"))
	}
	if p.SVG != nil {
		c.add("svg", describeSVG(p.SVG), "svg is not a field of JSON edits (EditImageBodyJsonParam)", hint("svg"))
	}
}

// markupRule is what a markup image must be: the rule of the models that
// take markup (the 2.5 family in models.go), and the one a model the table
// does not know is held to. npm images.ts markup: "A transparent
// PNG overlaid on the first image ... Must match that image's dimensions
// after orientation and contain transparent pixels."
var markupRule = ImageRule{MaxCount: 1, Formats: []string{"png"}, Alpha: true, SameSizeAsImage: true}

// markupShape checks a markup image against a markup rule (the model's, or
// markupRule) and the first image, each problem once, in the markup's own
// words (a markup is overlaid on the image; a mask's transparent areas mark
// where to edit).
func (c *checker) markupShape(rule ImageRule, markup, first probed) {
	info := markup.info
	switch {
	case !slices.Contains(rule.Formats, info.Format):
		c.add("markup", markup.value, "the markup must be a "+strings.ToUpper(strings.Join(rule.Formats, " or "))+" (the format is sniffed from the bytes)", "a transparent PNG")
		return
	case info.HeaderErr != nil:
		c.add("markup", markup.value, "unreadable image header: "+info.HeaderErr.Error(), "")
		return
	case rule.Alpha && !info.HasAlpha:
		c.add("markup", markup.value, "the markup needs an alpha channel: it is overlaid on the first image and must contain transparent pixels", "a PNG with alpha")
	}
	if rule.MaxBytes > 0 && info.Size >= rule.MaxBytes {
		c.add("markup", markup.value, "the markup must be smaller than "+formatBytes(rule.MaxBytes), "less than "+formatBytes(rule.MaxBytes))
	}
	if rule.SameSizeAsImage && first.ok && first.info.Width > 0 && info.Width > 0 && (info.Width != first.info.Width || info.Height != first.info.Height) {
		c.add("markup", markup.value, "the markup must have the dimensions of the first image", fmt.Sprintf("%dx%d", first.info.Width, first.info.Height))
	}
}

// validateVariation checks the parameters of a variation.
func validateVariation(p *VaryParams, pol policy) error {
	var c checker
	c.nAtLeastOne(p.N)
	if p.N > maxN {
		c.add("n", strconv.Itoa(p.N), fmt.Sprintf("n must be between 1 and %d", maxN), fmt.Sprintf("1-%d", maxN))
	}
	specEnum(&c, "response_format", p.ResponseFormat, func(v ResponseFormat) bool {
		return gen.CreateImageVariationRequestResponseFormat(v).Valid()
	}, tableValues(func(m *ModelInfo) []ResponseFormat { return m.ResponseFormats }))
	if p.Size != "" && !gen.CreateImageVariationRequestSize(p.Size).Valid() {
		c.add("size", string(p.Size), "not a variation size the API documents", "256x256, 512x512, 1024x1024")
	}
	var img probed
	if p.Image.IsZero() {
		c.add("image", "", "an image is required", "a square PNG")
	} else {
		img = c.probe("image", p.Image)
	}
	if pol.refuseRetired && pol.azure == nil && !pol.now.Before(dallERetirement) {
		// npm images.ts Images.createVariation: "This endpoint is retired
		// and no longer available."
		model := p.Model
		if model == "" {
			model = ModelDallE2
		}
		c.add("model", string(model), "OpenAI retired dall-e-2, the only model of the variations endpoint (POST /images/variations), on "+dallERetirement.Format("2006-01-02")+"; the endpoint is retired with it",
			"an edit with a GPT image model and a prompt (Client.Edit); or WithRetiredModels(true) to send it anyway")
	}
	// The model's own retirement is the endpoint's, reported above (Azure's
	// retirements are the model's).
	t, known := c.resolveModel(p.Model, policy{azure: pol.azure, refuseRetired: pol.refuseRetired && pol.azure != nil, now: pol.now})
	if known && c.supports(t, "image variations (POST /images/variations)", OpVary) {
		c.n(t, p.N)
		c.size(t, p.Size, false)
		c.responseFormat(t, p.ResponseFormat)
		if img.ok {
			c.image(t, "image", img.value, img.info, t.m.VariationImage, "variation image", true)
		}
	} else if !known && img.ok {
		// The endpoint's own rule, whatever the model:
		// CreateImageVariationRequest.image "Must be a valid PNG file, less
		// than 4MB, and square."
		endpoint := ModelInfo{VariationImage: lookupModel(ModelDallE2).VariationImage}
		c.image(target{m: &endpoint, label: "the variations endpoint"}, "image", img.value, img.info, endpoint.VariationImage, "variation image", true)
	}
	return c.err()
}

// tableValues is the union of a parameter's values over the table, in
// table order, for messages.
func tableValues[T comparable](get func(*ModelInfo) []T) []T {
	var out []T
	for i := range modelTable {
		for _, v := range get(&modelTable[i]) {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// sizeFormat is the universal size check: a named size or WIDTHxHEIGHT
// (the spec's size is any string; these are the forms it describes).
func (c *checker) sizeFormat(s Size) {
	if s == "" || s == SizeAuto {
		return
	}
	if _, _, ok := s.Dimensions(); !ok {
		c.add("size", string(s), "a size is WIDTHxHEIGHT (such as 1024x1024) or auto", "auto, or WIDTHxHEIGHT")
	}
}

// modelOutput checks that the model takes the output parameters given.
func (c *checker) modelOutput(t target, bg Background, format OutputFormat, compression *int) {
	checkEnum(c, t, "background", bg, t.m.Backgrounds, func(m *ModelInfo) bool { return len(m.Backgrounds) > 0 })
	checkEnum(c, t, "output_format", format, t.m.OutputFormats, func(m *ModelInfo) bool { return len(m.OutputFormats) > 0 })
	if compression != nil && !t.m.OutputCompression && !c.has("output_compression") {
		c.add("output_compression", strconv.Itoa(*compression), t.label+" does not support output_compression; "+
			supporters("output_compression", func(m *ModelInfo) bool { return m.OutputCompression }), "omit it")
	}
}

// modelStreaming checks that the model streams.
func (c *checker) modelStreaming(t target, stream bool, op Operation) {
	if stream && !t.m.Supports(op) {
		// CreateImageRequest.stream: "This parameter is only supported for
		// the GPT image models."
		c.add("stream", "true", t.label+" does not support streaming", modelNames(op))
	}
}

// maxEditImages is the most images of an edit, for any model. Source:
// CreateImageEditRequest.image "maxItems: 16"; EditImageBodyJsonParam.images
// "maxItems: 16".
const maxEditImages = 16

// maxImageURLLength is ImageRefParam.image_url's maxLength.
const maxImageURLLength = 20971520

// prompt checks that a prompt is present. Universal: CreateImageRequest,
// CreateImageEditRequest and EditImageBodyJsonParam require prompt
// (EditImageBodyJsonParam: minLength 1). A prompt of only white space is
// taken as missing.
func (c *checker) prompt(prompt string) {
	if strings.TrimSpace(prompt) == "" {
		c.add("prompt", prompt, "a prompt is required", "a non-empty description")
	}
}

// nAtLeastOne is the universal n check: every schema has "minimum: 1"; 0
// means unset.
func (c *checker) nAtLeastOne(n int) {
	if n < 0 {
		c.add("n", strconv.Itoa(n), "n must be at least 1 (0 leaves it unset)", "1 or more")
	}
}

func (c *checker) promptLength(t target, prompt string) {
	if n := utf8.RuneCountInString(prompt); n > t.m.MaxPromptLength {
		c.add("prompt", fmt.Sprintf("%d characters", n),
			fmt.Sprintf("%s accepts prompts of at most %d characters", t.label, t.m.MaxPromptLength),
			fmt.Sprintf("1-%d characters", t.m.MaxPromptLength))
	}
}

func (c *checker) n(t target, n int) {
	if n <= t.m.MaxN || c.has("n") {
		return
	}
	if t.m.MaxN == 1 {
		c.add("n", strconv.Itoa(n), t.label+" supports only n=1", "1")
		return
	}
	c.add("n", strconv.Itoa(n), fmt.Sprintf("%s supports n from 1 to %d", t.label, t.m.MaxN), fmt.Sprintf("1-%d", t.m.MaxN))
}

// size checks a size; customOK is false where the request schema has only
// named sizes (JSON edits, variations).
func (c *checker) size(t target, s Size, customOK bool) {
	if s == "" || slices.Contains(t.m.Sizes, s) {
		return
	}
	allowed := joinValues(t.m.Sizes)
	if t.m.SupportsCustomSize() && customOK {
		allowed += ", or " + t.m.CustomSize.String()
	}
	w, h, ok := s.Dimensions()
	switch {
	case !ok || !t.m.SupportsCustomSize():
		c.add("size", string(s), fmt.Sprintf("%s does not support size %s", t.label, s), allowed)
	case !customOK:
		// EditImageBodyJsonParam.size is an enum of auto, 1024x1024,
		// 1536x1024 and 1024x1536, without the free-form string that
		// CreateImageEditRequest.size allows.
		c.add("size", string(s), "custom sizes are not part of JSON edits (EditImageBodyJsonParam.size)",
			allowed+`; or upload Images (multipart), or send it with WithExtraBody("size", ...)`)
	default:
		if v := t.m.CustomSize.violations(w, h); len(v) > 0 {
			c.add("size", string(s), t.label+" custom sizes: "+strings.Join(v, " and "), allowed)
		}
	}
}

// checkEnum checks an enumerated value against what the model accepts;
// has says which models take the parameter at all. It reports whether the
// model takes the parameter.
func checkEnum[T ~string](c *checker, t target, field string, v T, allowed []T, has func(*ModelInfo) bool) bool {
	if v != "" && c.has(field) {
		// Already reported (a value the spec does not know).
		return len(allowed) > 0
	}
	if len(allowed) == 0 {
		if v != "" {
			c.add(field, string(v), fmt.Sprintf("%s does not support %s; %s", t.label, field, supporters(field, has)), "omit it")
		}
		return false
	}
	if v != "" && !slices.Contains(allowed, v) {
		c.add(field, string(v), fmt.Sprintf("%s does not support %s %s", t.label, field, v), joinValues(allowed))
	}
	return true
}

// supporters names the models that take a parameter.
func supporters(field string, has func(*ModelInfo) bool) string {
	var names []string
	for i := range modelTable {
		if has(&modelTable[i]) {
			names = append(names, string(modelTable[i].Model))
		}
	}
	if len(names) == 0 {
		return "no model supports " + field
	}
	verb := " support "
	if len(names) == 1 {
		verb = " supports "
	}
	return "only " + strings.Join(names, ", ") + verb + field
}

// responseFormat checks response_format. GPT image models take none:
// CreateImageRequest.response_format "This parameter isn't supported for the
// GPT image models, which always return base64-encoded images". It reports
// whether the model takes the parameter.
func (c *checker) responseFormat(t target, v ResponseFormat) bool {
	return checkEnum(c, t, "response_format", v, t.m.ResponseFormats, func(m *ModelInfo) bool { return len(m.ResponseFormats) > 0 })
}

// probed is an input image's header, once the universal checks passed.
type probed struct {
	ok    bool
	value string // the image described, for Problem.Value
	info  ImageInfo
}

func firstInfo(ps []probed) probed {
	if len(ps) > 0 {
		return ps[0]
	}
	return probed{}
}

// probe reads an uploaded image's header and runs the universal checks:
// the image has a source, can be read, and is not empty.
func (c *checker) probe(field string, im Image) probed {
	if im.IsZero() {
		c.add(field, "", "no image given (zero Image)", "an image from ImageFromPath, ImageFromBytes, ImageFromReader, ...")
		return probed{}
	}
	info, err := im.Probe()
	if err != nil {
		c.add(field, im.Name(), "cannot read the image: "+err.Error(), "")
		c.problems[len(c.problems)-1].Err = err
		return probed{}
	}
	value := describeImage(im.Name(), info)
	if info.Size == 0 {
		c.add(field, value, "the image is empty", "")
		return probed{}
	}
	return probed{ok: true, value: value, info: info}
}

// image checks an image against the model's rule for it. masked says
// whether the edit has a mask.
func (c *checker) image(t target, field, value string, info ImageInfo, rule ImageRule, what string, masked bool) {
	formats := strings.Join(rule.Formats, ", ")
	switch {
	case info.Format == "":
		c.add(field, value, fmt.Sprintf("not a %s image (the format is sniffed from the bytes)", strings.Join(rule.Formats, " or ")), formats)
	case !slices.Contains(rule.Formats, info.Format):
		c.add(field, value, fmt.Sprintf("%s does not accept %s %ss", t.label, info.Format, what), formats)
	case info.HeaderErr != nil:
		c.add(field, value, "unreadable image header: "+info.HeaderErr.Error(), "")
	}
	if rule.MaxBytes > 0 && info.Size >= rule.MaxBytes {
		c.add(field, value, fmt.Sprintf("%s needs each %s to be smaller than %s", t.label, what, formatBytes(rule.MaxBytes)), "less than "+formatBytes(rule.MaxBytes))
	}
	headerOK := info.Format != "" && info.HeaderErr == nil
	if !headerOK {
		return
	}
	if rule.Square && info.Width != info.Height {
		c.add(field, value, fmt.Sprintf("%s needs a square %s", t.label, what), "width equal to height")
	}
	if rule.Alpha && !info.HasAlpha {
		c.add(field, value, fmt.Sprintf("the %s needs an alpha channel: its fully transparent areas mark where to edit", what), "a PNG with alpha (RGBA, grey+alpha or tRNS)")
	}
	if rule.AlphaWithoutMask && !masked && !info.HasAlpha {
		// Seed 003_b513f896fccf9503.txt: "If mask is not provided, image
		// must have transparency, which will be used as the mask."
		c.add(field, value, fmt.Sprintf("without a mask, %s needs an %s with an alpha channel, whose transparent areas mark where to edit", t.label, what), "a PNG with alpha, or a mask")
	}
}

// sameSize checks the mask against the first image. Source:
// CreateImageEditRequest.mask "have the same dimensions as `image`".
func (c *checker) sameSize(t target, field, value string, info ImageInfo, first probed) {
	if !t.m.Mask.SameSizeAsImage || !first.ok || info.Width == 0 || first.info.Width == 0 || info.HeaderErr != nil || first.info.HeaderErr != nil {
		return
	}
	if info.Width != first.info.Width || info.Height != first.info.Height {
		c.add(field, value, "the mask must have the dimensions of the first image", fmt.Sprintf("%dx%d", first.info.Width, first.info.Height))
	}
}

// ref checks an image reference of a JSON edit (universal). Source:
// ImageRefParam: "Provide exactly one of `image_url` or `file_id`";
// image_url: "A fully qualified URL or base64-encoded data URL", maxLength
// 20971520.
func (c *checker) ref(field string, r ImageRef) {
	switch {
	case r.URL != "" && r.FileID != "":
		c.add(field, r.String(), "give exactly one of URL or FileID, not both", "ImageURL(...), ImageDataURL(...) or ImageFileID(...)")
	case r.URL == "" && r.FileID == "":
		c.add(field, "", "give one of URL or FileID", "ImageURL(...), ImageDataURL(...) or ImageFileID(...)")
	case r.URL != "":
		if len(r.URL) > maxImageURLLength {
			c.add(field, r.String(), fmt.Sprintf("image_url is longer than %d characters", maxImageURLLength), "a shorter URL, or upload the file and use ImageFileID")
		}
		if _, isData, wellFormed := parseDataURL(r.URL); isData {
			if !wellFormed {
				c.add(field, r.String(), "malformed data URL", "data:<media type>;base64,<data>")
			}
			return
		}
		u, err := url.Parse(r.URL)
		if err != nil || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Host == "" {
			c.add(field, r.URL, "image_url must be a fully qualified http(s) URL or a data: URL", "https://..., or data:image/png;base64,...")
		}
	}
}

// refImage checks the image inside a base64 data URL against the model's
// rule, from the decoded header; other references cannot be checked here.
func (c *checker) refImage(t target, field string, r ImageRef, rule ImageRule, what string, masked bool) probed {
	if r.FileID != "" {
		return probed{}
	}
	d, isData, ok := parseDataURL(r.URL)
	if !isData || !ok {
		return probed{}
	}
	value := r.String()
	if !d.base64 {
		if f := formatOfMediaType(d.mediaType); !slices.Contains(rule.Formats, f) {
			c.add(field, value, fmt.Sprintf("%s does not accept %q %ss", t.label, d.mediaType, what), strings.Join(rule.Formats, ", "))
		}
		return probed{}
	}
	head, size, err := decodeBase64Prefix(d.data)
	if err != nil {
		c.add(field, value, "the data URL's base64 data is invalid", "")
		return probed{}
	}
	if size == 0 {
		c.add(field, value, "the image is empty", "")
		return probed{}
	}
	info, err := ImageFromBytes("", head).Probe()
	if err != nil {
		return probed{}
	}
	info.Size = size
	value = describeImage("data URL", info)
	c.image(t, field, value, info, rule, what, masked)
	return probed{ok: true, value: value, info: info}
}

// dataURL is a parsed data: URL.
type dataURLParts struct {
	mediaType string
	base64    bool
	data      string
}

// parseDataURL parses data:[<media type>][;base64],<data>. isData reports a
// data: scheme; ok that the URL has the comma that ends its header.
func parseDataURL(u string) (d dataURLParts, isData, ok bool) {
	if len(u) < 5 || !strings.EqualFold(u[:5], "data:") {
		return d, false, false
	}
	meta, data, found := strings.Cut(u[5:], ",")
	if !found {
		return d, true, false
	}
	params := strings.Split(meta, ";")
	d.mediaType = strings.ToLower(strings.TrimSpace(params[0]))
	for _, p := range params[1:] {
		if strings.EqualFold(strings.TrimSpace(p), "base64") {
			d.base64 = true
		}
	}
	d.data = data
	return d, true, true
}

// decodeBase64Prefix decodes enough of base64 data for an image header and
// computes the decoded size of the whole. Padding is optional and the URL-safe
// alphabet is accepted too, so that only data no decoder takes is reported.
func decodeBase64Prefix(data string) (head []byte, size int64, err error) {
	const maxChars = (probeWindow / 3) * 4 // a multiple of 4
	size = int64(len(strings.TrimRight(data, "="))) * 3 / 4
	if len(data) > maxChars {
		data = data[:maxChars]
	}
	data = strings.TrimRight(data, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if head, err = enc.DecodeString(data); err == nil {
			return head, size, nil
		}
	}
	return nil, size, err
}

func formatOfMediaType(mt string) string {
	if mt == "image/jpg" {
		return "jpeg"
	}
	return formatOf(mt)
}

func countNonNil[T any](p *T) int {
	if p == nil {
		return 0
	}
	return 1
}

// describeImage renders an image for Problem.Value.
func describeImage(name string, info ImageInfo) string {
	var parts []string
	switch {
	case info.Format == "":
		parts = append(parts, "not a recognised image")
	case info.Width > 0:
		parts = append(parts, fmt.Sprintf("%s %dx%d", info.Format, info.Width, info.Height))
	default:
		parts = append(parts, info.Format)
	}
	if info.Size >= 0 {
		parts = append(parts, formatBytes(info.Size))
	}
	if name == "" {
		name = "image"
	}
	return clip(name, 80) + " (" + strings.Join(parts, ", ") + ")"
}

func formatBytes(n int64) string {
	switch {
	case n >= mib && n%mib == 0:
		return fmt.Sprintf("%d MiB", n/mib)
	case n >= mib:
		return fmt.Sprintf("%.1f MiB", float64(n)/mib)
	case n == 1:
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// clip shortens a long value for messages to at most limit bytes and "...".
func clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func joinValues[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
