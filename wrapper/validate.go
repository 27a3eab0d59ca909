package wrapper

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Validation applies the capability table (models.go) to a call's
// parameters before anything is sent. It follows these principles:
//
//   - The API's own defaults are applied first: a generation without a model
//     is a dall-e-2 generation unless a GPT-only parameter is set; an edit
//     without a model is a gpt-image-1.5 edit; a variation without a model is
//     a dall-e-2 variation.
//   - A model the table does not know gets only the universal checks (a
//     non-empty prompt, n >= 1 when set, 1 to 16 readable, non-empty input
//     images, well-formed image references), so models released after this
//     module work at once.
//   - Retirement never fails validation.
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
	// Problems are in the order of the request's fields.
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
	return &ValidationError{Problems: c.problems}
}

// target is the table entry whose rules apply to a call.
type target struct {
	m *ModelInfo
	// label names the model in messages; it says when the model is the
	// API's default rather than one given.
	label string
}

// Default models. Sources: CreateImageRequest.model "Defaults to `dall-e-2`
// unless a parameter specific to the GPT image models is used";
// CreateImageEditRequest.model "Defaults to `gpt-image-1.5`" (and
// EditImageBodyJsonParam.model default gpt-image-1.5);
// CreateImageVariationRequest.model default dall-e-2.
const (
	defaultGenerateModel  = ModelDallE2
	defaultEditModel      = ModelGPTImage15
	defaultVariationModel = ModelDallE2
)

// gptGenerateCommon holds the generation rules common to every GPT image
// model: they apply when a generation names no model but sets a GPT-only
// parameter, so the API picks a GPT image model the spec does not name.
var gptGenerateCommon = commonGPT(OpGenerate)

// commonGPT intersects the entries of the GPT image models that support op.
func commonGPT(op Operation) ModelInfo {
	var out *ModelInfo
	for i := range modelTable {
		m := &modelTable[i]
		if !m.GPTImage || !m.Supports(op) {
			continue
		}
		if out == nil {
			c := m.clone()
			c.Model, c.SnapshotOf, c.Deprecation, c.Notes = "", "", "", nil
			c.Retirement = time.Time{}
			out = &c
			continue
		}
		out.Operations = intersect(out.Operations, m.Operations)
		out.Sizes = intersect(out.Sizes, m.Sizes)
		if out.CustomSize != m.CustomSize {
			out.CustomSize = CustomSizeRule{}
		}
		out.Qualities = intersect(out.Qualities, m.Qualities)
		out.Styles = intersect(out.Styles, m.Styles)
		out.Backgrounds = intersect(out.Backgrounds, m.Backgrounds)
		out.OutputFormats = intersect(out.OutputFormats, m.OutputFormats)
		out.OutputCompression = out.OutputCompression && m.OutputCompression
		out.Moderations = intersect(out.Moderations, m.Moderations)
		out.ResponseFormats = intersect(out.ResponseFormats, m.ResponseFormats)
		out.InputFidelities = intersect(out.InputFidelities, m.InputFidelities)
		out.MaxPromptLength = min(out.MaxPromptLength, m.MaxPromptLength)
		out.MaxN = min(out.MaxN, m.MaxN)
		out.MaxPartialImages = min(out.MaxPartialImages, m.MaxPartialImages)
	}
	if out == nil {
		return ModelInfo{}
	}
	return *out
}

func intersect[T comparable](a, b []T) []T {
	var out []T
	for _, v := range a {
		if slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}

// generateTarget applies the API's defaulting to a generation. It reports
// false for a model the table does not know.
func generateTarget(p *GenerateParams, stream bool) (target, bool) {
	if p.Model != "" {
		m := lookupModel(p.Model)
		return target{m: m, label: string(p.Model)}, m != nil
	}
	// The parameters CreateImageRequest documents as GPT-only: background,
	// output_format and output_compression ("only supported for the GPT
	// image models"), moderation ("for images generated by the GPT image
	// models") and stream ("only supported for the GPT image models";
	// partial_images is sent only with it). Values such as quality "high"
	// or size "1536x1024" are not parameters: they leave the default at
	// dall-e-2, whose rules then reject them.
	var gptOnly []string
	if p.Background != "" {
		gptOnly = append(gptOnly, "background")
	}
	if p.Moderation != "" {
		gptOnly = append(gptOnly, "moderation")
	}
	if p.OutputFormat != "" {
		gptOnly = append(gptOnly, "output_format")
	}
	if p.OutputCompression != nil {
		gptOnly = append(gptOnly, "output_compression")
	}
	if stream {
		gptOnly = append(gptOnly, "stream")
	}
	if len(gptOnly) == 0 {
		return target{m: lookupModel(defaultGenerateModel), label: string(defaultGenerateModel) + " (the default model when no GPT-only parameter is set)"}, true
	}
	return target{m: &gptGenerateCommon, label: "the default GPT image model (model unset, GPT-only " + strings.Join(gptOnly, ", ") + " set)"}, true
}

// defaultTarget resolves the model of an edit or a variation.
func defaultTarget(model, def Model, call string) (target, bool) {
	if model == "" {
		return target{m: lookupModel(def), label: fmt.Sprintf("%s (the default %s model)", def, call)}, true
	}
	m := lookupModel(model)
	return target{m: m, label: string(model)}, m != nil
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
func validateGenerate(p *GenerateParams, stream bool) error {
	var c checker
	c.prompt(p.Prompt)
	c.nAtLeastOne(p.N)
	if t, known := generateTarget(p, stream); known && c.supports(t, "image generation (POST /images/generations)", OpGenerate) {
		c.promptLength(t, p.Prompt)
		c.n(t, p.N)
		c.size(t, p.Size, true)
		checkEnum(&c, t, "quality", p.Quality, t.m.Qualities, func(m *ModelInfo) bool { return len(m.Qualities) > 0 })
		checkEnum(&c, t, "style", p.Style, t.m.Styles, func(m *ModelInfo) bool { return len(m.Styles) > 0 })
		c.output(t, p.Background, p.OutputFormat, p.OutputCompression)
		checkEnum(&c, t, "moderation", p.Moderation, t.m.Moderations, func(m *ModelInfo) bool { return len(m.Moderations) > 0 })
		c.responseFormat(t, p.ResponseFormat)
		c.streaming(t, stream, OpGenerateStream, p.PartialImages, "GenerateStream")
	}
	return c.err()
}

// validateEdit checks the parameters of an edit, multipart or JSON; stream
// is true for EditStream.
func validateEdit(p *EditParams, stream bool) error {
	var c checker
	jsonEdit := p.isJSON()
	c.prompt(p.Prompt)
	c.nAtLeastOne(p.N)

	// Inputs, universal checks. The multipart field is "image", the JSON
	// one "images".
	imageField := "image"
	if jsonEdit {
		imageField = "images"
	}
	if (len(p.Images) > 0 || p.Mask != nil) && (len(p.ImageRefs) > 0 || p.MaskRef != nil) {
		c.add(imageField, fmt.Sprintf("%d uploaded, %d referenced", len(p.Images)+countNonNil(p.Mask), len(p.ImageRefs)+countNonNil(p.MaskRef)),
			"give uploaded images (Images, Mask) or image references (ImageRefs, MaskRef), not both", "Images and Mask, or ImageRefs and MaskRef")
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
	var mask probed
	if p.Mask != nil {
		mask = c.probe("mask", *p.Mask)
	}
	for i, r := range p.ImageRefs {
		c.ref(fmt.Sprintf("images[%d]", i), r)
	}
	if p.MaskRef != nil {
		c.ref("mask", *p.MaskRef)
	}

	t, known := defaultTarget(p.Model, defaultEditModel, "edit")
	if !known || !c.supports(t, "image edits (POST /images/edits)", OpEdit, OpEditJSON) {
		return c.err()
	}
	if jsonEdit && !t.m.Supports(OpEditJSON) {
		// EditImageBodyJsonParam: "JSON edits support GPT image models
		// only; DALL-E edits require multipart (`dall-e-2` only)."
		c.add("model", string(t.m.Model), t.label+" does not support JSON edits (ImageRefs, MaskRef); JSON edits support GPT image models only", "upload Images (multipart), or one of: "+modelNames(OpEditJSON))
	}
	c.promptLength(t, p.Prompt)
	c.n(t, p.N)
	c.size(t, p.Size, !jsonEdit)
	checkEnum(&c, t, "quality", p.Quality, t.m.Qualities, func(m *ModelInfo) bool { return len(m.Qualities) > 0 })
	c.output(t, p.Background, p.OutputFormat, p.OutputCompression)
	if checkEnum(&c, t, "moderation", p.Moderation, t.m.Moderations, func(m *ModelInfo) bool { return len(m.Moderations) > 0 }) && p.Moderation != "" && !jsonEdit {
		// CreateImageEditRequest (the multipart schema) has no moderation
		// property; EditImageBodyJsonParam has.
		c.add("moderation", string(p.Moderation), "moderation is not a field of multipart edits (CreateImageEditRequest)",
			`omit it, use ImageRefs (a JSON edit), or send it with WithExtraBody("moderation", ...)`)
	}
	if c.responseFormat(t, p.ResponseFormat) && p.ResponseFormat != "" && jsonEdit {
		// EditImageBodyJsonParam has no response_format property.
		c.add("response_format", string(p.ResponseFormat), "response_format is not a field of JSON edits (EditImageBodyJsonParam)",
			`omit it, upload Images (multipart), or send it with WithExtraBody("response_format", ...)`)
	}
	checkEnum(&c, t, "input_fidelity", p.InputFidelity, t.m.InputFidelities, func(m *ModelInfo) bool { return len(m.InputFidelities) > 0 })
	c.streaming(t, stream, OpEditStream, p.PartialImages, "EditStream")

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
	masked := p.Mask != nil || p.MaskRef != nil
	for i, im := range images {
		if im.ok {
			c.image(t, fmt.Sprintf("image[%d]", i), im.value, im.info, rule, "input image", masked)
		}
	}
	first := firstInfo(images)
	if mask.ok {
		c.image(t, "mask", mask.value, mask.info, t.m.Mask, "mask", true)
		c.sameSize(t, "mask", mask.value, mask.info, first)
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
	return c.err()
}

// validateVariation checks the parameters of a variation.
func validateVariation(p *VariationParams) error {
	var c checker
	c.nAtLeastOne(p.N)
	var img probed
	if p.Image.IsZero() {
		c.add("image", "", "an image is required", "a square PNG")
	} else {
		img = c.probe("image", p.Image)
	}
	t, known := defaultTarget(p.Model, defaultVariationModel, "variation")
	if known && c.supports(t, "image variations (POST /images/variations)", OpVariation) {
		c.n(t, p.N)
		c.size(t, p.Size, false)
		c.responseFormat(t, p.ResponseFormat)
		if img.ok {
			c.image(t, "image", img.value, img.info, t.m.VariationImage, "variation image", true)
		}
	}
	return c.err()
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
	if n <= t.m.MaxN {
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

// output checks background, output_format and output_compression together.
func (c *checker) output(t target, bg Background, format OutputFormat, compression *int) {
	checkEnum(c, t, "background", bg, t.m.Backgrounds, func(m *ModelInfo) bool { return len(m.Backgrounds) > 0 })
	checkEnum(c, t, "output_format", format, t.m.OutputFormats, func(m *ModelInfo) bool { return len(m.OutputFormats) > 0 })

	// output_format: "The default value is `png`."
	effective, note := format, ""
	if effective == "" {
		effective, note = OutputFormatPNG, " (the default)"
	}
	knownFormat := slices.Contains(t.m.OutputFormats, effective)

	// background: "When using `transparent`, set the output format to `png`
	// or `webp`."
	if bg == BackgroundTransparent && slices.Contains(t.m.Backgrounds, bg) && knownFormat &&
		effective != OutputFormatPNG && effective != OutputFormatWebP {
		c.add("background", string(bg), fmt.Sprintf("a transparent background needs png or webp output, but output_format is %s", effective), "output_format png or webp")
	}

	if compression == nil {
		return
	}
	v := strconv.Itoa(*compression)
	switch {
	case !t.m.OutputCompression:
		c.add("output_compression", v, t.label+" does not support output_compression; "+
			supporters("output_compression", func(m *ModelInfo) bool { return m.OutputCompression }), "omit it")
	case *compression < 0 || *compression > 100:
		// "The compression level (0-100%)"; EditImageBodyJsonParam:
		// minimum 0, maximum 100.
		c.add("output_compression", v, "output_compression must be between 0 and 100", "0-100")
	case knownFormat && effective == OutputFormatPNG && *compression != 100:
		// "only supported for the GPT image models with the `webp` or
		// `jpeg` output formats, and defaults to 100". 100, the default,
		// changes nothing and is accepted with png: the spec's own
		// json_with_file_id example sends output_format png with
		// output_compression 100.
		c.add("output_compression", v, "output_compression applies only to jpeg or webp output, but output_format is png"+note,
			"output_format jpeg or webp, or omit output_compression")
	}
}

// streaming checks stream and partial_images. partial_images is sent only by
// the stream calls, so setting it on another call would be silently dropped.
func (c *checker) streaming(t target, stream bool, op Operation, partial *int, streamCall string) {
	if !stream {
		if partial != nil {
			c.add("partial_images", strconv.Itoa(*partial), "partial_images applies only to streams ("+streamCall+") and would not be sent", "omit it, or call "+streamCall)
		}
		return
	}
	if !t.m.Supports(op) {
		// CreateImageRequest.stream: "This parameter is only supported for
		// the GPT image models." Seed 001_ceb467fc86781364.txt, edit:
		// "stream: (gpt-image-1 only)".
		c.add("stream", "true", t.label+" does not support streaming", modelNames(op))
		return
	}
	// PartialImages: "Value must be between 0 and 3."
	if partial != nil && (*partial < 0 || *partial > t.m.MaxPartialImages) {
		c.add("partial_images", strconv.Itoa(*partial), fmt.Sprintf("partial_images must be between 0 and %d", t.m.MaxPartialImages), fmt.Sprintf("0-%d", t.m.MaxPartialImages))
	}
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
