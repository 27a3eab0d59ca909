package wrapper

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file is the capability table: what each model named by the effective
// spec (openapi.yaml with newer.yaml) accepts, as of 2026-12-02. It is data;
// validate.go applies it. Every rule names its source:
//
//   - a schema property of the vendored spec (quoted);
//   - the newest official SDKs, generated from a spec newer than the
//     published one: npm openai 7.59.0 src/resources/images.ts ("npm
//     images.ts") and openai-go v3.100.0 image.go and responses/response.go,
//     quoted;
//   - a seed document the product was specified from (by file name:
//     001_ceb467fc86781364.txt is the official Python SDK's images resource,
//     003_b513f896fccf9503.txt an OpenAPI-generated ImagesApi,
//     004_e1387c23d10c9660.txt the image-generation guide).
//
// Where the sources are silent about a model and a parameter, the table lets
// the value through and says so in the model's Notes: a wrong refusal blocks
// a paying user, and the API refuses what a model does not take for free.

// Operation is a call, or a mode of a call, that a model may support.
type Operation string

// Operations a model may support (see [ModelInfo.Supports]).
const (
	// OpGenerate is POST /images/generations ([Client.Generate]).
	OpGenerate Operation = "generate"
	// OpGenerateStream is a generation with stream=true and partial images.
	OpGenerateStream Operation = "generate-stream"
	// OpEdit is POST /images/edits with uploaded images
	// (multipart/form-data: EditParams.Images and Mask).
	OpEdit Operation = "edit"
	// OpEditJSON is POST /images/edits with image references
	// (application/json: EditParams.ImageRefs and MaskRef).
	OpEditJSON Operation = "edit-json"
	// OpEditStream is an edit with stream=true and partial images.
	OpEditStream Operation = "edit-stream"
	// OpVary is POST /images/variations ([Client.Vary]).
	OpVary Operation = "variation"
)

// ModelInfo is what a model accepts, as the vendored OpenAPI document and the
// seed documents describe it. A user interface can offer only valid choices
// from it. Values returned by [Models], [LookupModel] and [Model.Info] are
// copies: changing them does not change the table.
//
// The per-model lists hold the values the model accepts in any call that has
// the parameter; parameters absent from a request schema are not accepted
// there whatever the model (style exists only in generations, input_fidelity
// only in edits, moderation only in generations and JSON edits,
// response_format not in JSON edits, custom sizes not in JSON edits). An
// empty list means the model does not take the parameter at all.
type ModelInfo struct {
	// Model is the model's name as sent in requests.
	Model Model
	// GPTImage is true for the GPT image models, which take the parameters
	// the spec calls specific to them (background, moderation,
	// output_format, output_compression, stream, partial_images).
	GPTImage bool
	// SnapshotOf names the model a dated snapshot pins ("" otherwise).
	SnapshotOf Model
	// Operations are the calls and modes the model supports.
	Operations []Operation
	// MaxPromptLength is the most characters a prompt may have.
	MaxPromptLength int
	// MaxN is the largest n (images per request); n starts at 1.
	MaxN int
	// Sizes are the named sizes the model accepts ("auto" included where
	// the model sizes automatically).
	Sizes []Size
	// CustomSize describes the WIDTHxHEIGHT sizes the model accepts beyond
	// Sizes; see [ModelInfo.SupportsCustomSize].
	CustomSize CustomSizeRule
	// Qualities are the accepted quality values.
	Qualities []Quality
	// Styles are the accepted style values (dall-e-3 only).
	Styles []Style
	// Backgrounds are the accepted background values. A transparent
	// background needs png or webp output.
	Backgrounds []Background
	// OutputFormats are the accepted output_format values.
	OutputFormats []OutputFormat
	// OutputCompression reports whether output_compression (0-100, with
	// jpeg or webp output) is accepted.
	OutputCompression bool
	// Moderations are the accepted moderation values.
	Moderations []Moderation
	// ResponseFormats are the accepted response_format values.
	ResponseFormats []ResponseFormat
	// InputFidelities are the accepted input_fidelity values of edits.
	InputFidelities []InputFidelity
	// Complexities are the accepted complexity values.
	Complexities []Complexity
	// MaxPartialImages is the largest partial_images of a stream (the range
	// starts at 0); meaningful when the model supports a stream operation.
	MaxPartialImages int
	// EditImages are the input images of an edit (zero without edits).
	EditImages ImageRule
	// Mask is the optional mask of an edit (zero without edits).
	Mask ImageRule
	// VariationImage is the image of a variation (zero without variations).
	VariationImage ImageRule
	// Markup is the markup image of a multipart edit, a transparent PNG
	// overlaid on the first image to guide the edit (zero for models that
	// take none).
	Markup ImageRule
	// Retirement is the date OpenAI retired, or will shut down, the model
	// on its own service; zero when none is announced. On OpenAI's own API
	// a client refuses a retired model before sending anything (see
	// [WithRetiredModels]); on other base URLs the model's old rules apply.
	Retirement time.Time
	// Deprecation explains the retirement ("" when none).
	Deprecation string
	// Replacements are the models OpenAI suggests instead of a retired one.
	Replacements []Model
	// AzureRetirement is the date Azure OpenAI retires, or retired, the
	// model, where Azure's documentation gives one (zero otherwise, and
	// where it says only "no earlier than"). Azure's schedule is its own:
	// OpenAI's Retirement does not apply to a client made with
	// [WithAzure], and Azure's applies only with [WithRetiredModels](false)
	// (Azure retires region by region, and has moved dates before).
	AzureRetirement time.Time
	// AzureDeprecation explains AzureRetirement, with its source.
	AzureDeprecation string
	// AzureReplacements are the models Azure's documentation suggests
	// instead.
	AzureReplacements []Model
	// Notes are caveats the spec states (preview or experimental features).
	Notes []string
}

// CustomSizeRule constrains the WIDTHxHEIGHT sizes of models that accept
// arbitrary resolutions. The zero value accepts none; a zero limit other
// than Multiple is not checked.
type CustomSizeRule struct {
	// Multiple: width and height must both be divisible by it.
	Multiple int
	// MaxAspectRatio: the longer side may be at most this many times the
	// shorter (3 means aspect ratios from 1:3 to 3:1).
	MaxAspectRatio int
	// MaxEdge is the longest side allowed, in pixels.
	MaxEdge int
	// MaxPixels is the largest width*height allowed.
	MaxPixels int
}

// Allows reports whether a custom size of width x height satisfies the rule.
func (r CustomSizeRule) Allows(width, height int) bool {
	return r.Multiple > 0 && len(r.violations(width, height)) == 0
}

// String describes the rule, e.g. for a size picker's help text.
func (r CustomSizeRule) String() string {
	if r.Multiple == 0 {
		return "no custom sizes"
	}
	return fmt.Sprintf("WIDTHxHEIGHT with both sides divisible by %d, aspect ratio between 1:%d and %d:1, each side at most %d and at most %d pixels in all",
		r.Multiple, r.MaxAspectRatio, r.MaxAspectRatio, r.MaxEdge, r.MaxPixels)
}

// violations lists, as rule texts, what width x height breaks.
func (r CustomSizeRule) violations(w, h int) []string {
	var out []string
	if w <= 0 || h <= 0 {
		return []string{"width and height must be positive"}
	}
	if r.Multiple > 0 && (w%r.Multiple != 0 || h%r.Multiple != 0) {
		out = append(out, fmt.Sprintf("width and height must both be divisible by %d", r.Multiple))
	}
	long, short := max(w, h), min(w, h)
	// long > short*ratio and w*h > MaxPixels, written so that no product
	// can overflow whatever the sizes parsed from a string.
	if r.MaxAspectRatio > 0 && (long-1)/r.MaxAspectRatio >= short {
		out = append(out, fmt.Sprintf("aspect ratio must be between 1:%d and %d:1", r.MaxAspectRatio, r.MaxAspectRatio))
	}
	if r.MaxEdge > 0 && long > r.MaxEdge {
		out = append(out, fmt.Sprintf("each side must be at most %d pixels", r.MaxEdge))
	}
	if r.MaxPixels > 0 && w > r.MaxPixels/h {
		out = append(out, fmt.Sprintf("width*height must be at most %d pixels", r.MaxPixels))
	}
	return out
}

// ImageRule describes the input images a call accepts.
type ImageRule struct {
	// MaxCount is the most images one request takes (0: the call takes
	// none for this model).
	MaxCount int
	// Formats are the accepted formats, named as [ImageInfo].Format
	// ("png", "jpeg", "webp"). The format is sniffed from the bytes.
	Formats []string
	// MaxBytes: each image must be smaller than this many bytes.
	MaxBytes int64
	// Square: width and height must be equal.
	Square bool
	// Alpha: the image must have an alpha channel.
	Alpha bool
	// AlphaWithoutMask: when no mask is given, the image must have an
	// alpha channel, whose transparent areas then mark what to edit.
	AlphaWithoutMask bool
	// SameSizeAsImage: the image must have the dimensions of the first
	// input image (masks).
	SameSizeAsImage bool
}

// Supports reports whether the model supports op.
func (m ModelInfo) Supports(op Operation) bool { return slices.Contains(m.Operations, op) }

// SupportsCustomSize reports whether the model accepts WIDTHxHEIGHT sizes
// beyond its named Sizes (within CustomSize).
func (m ModelInfo) SupportsCustomSize() bool { return m.CustomSize.Multiple > 0 }

// AllowsSize reports whether size is one of the model's named sizes or a
// custom size the model accepts.
func (m ModelInfo) AllowsSize(size Size) bool {
	if slices.Contains(m.Sizes, size) {
		return true
	}
	if !m.SupportsCustomSize() {
		return false
	}
	w, h, ok := size.Dimensions()
	return ok && m.CustomSize.Allows(w, h)
}

// RetiredAt reports whether OpenAI has retired the model on its own service
// at time t.
func (m ModelInfo) RetiredAt(t time.Time) bool {
	return !m.Retirement.IsZero() && !t.Before(m.Retirement)
}

// AzureRetiredAt reports whether Azure OpenAI has retired the model at time
// t, as its documentation gives the date (see [ModelInfo].AzureRetirement).
func (m ModelInfo) AzureRetiredAt(t time.Time) bool {
	return !m.AzureRetirement.IsZero() && !t.Before(m.AzureRetirement)
}

// Models returns every model of the capability table, in a stable order:
// the current models, newest first (gpt-image-2.6-sunburst,
// gpt-image-2.6-flare, the gpt-image-2.5 models and their snapshots,
// gpt-image-2 and its snapshot, gpt-image-1.5, gpt-image-1-mini,
// chatgpt-image-latest), then the retired ones (gpt-image-1, dall-e-3,
// dall-e-2).
func Models() []ModelInfo {
	out := make([]ModelInfo, len(modelTable))
	for i := range modelTable {
		out[i] = modelTable[i].clone()
	}
	return out
}

// ModelsSupporting returns the models that support op, in the order of
// [Models].
func ModelsSupporting(op Operation) []ModelInfo {
	var out []ModelInfo
	for i := range modelTable {
		if modelTable[i].Supports(op) {
			out = append(out, modelTable[i].clone())
		}
	}
	return out
}

// LookupModel returns what the table knows of the model called name. It
// reports false for models the table does not know, which validation lets
// through with only the universal checks.
func LookupModel(name Model) (ModelInfo, bool) {
	if m := lookupModel(name); m != nil {
		return m.clone(), true
	}
	return ModelInfo{}, false
}

// Info is [LookupModel](m).
func (m Model) Info() (ModelInfo, bool) { return LookupModel(m) }

// lookupModel returns the table's entry, not a copy; callers must not
// modify it.
func lookupModel(name Model) *ModelInfo {
	for i := range modelTable {
		if modelTable[i].Model == name {
			return &modelTable[i]
		}
	}
	return nil
}

// clone returns a deep copy of m: no slice shares memory with the table.
func (m ModelInfo) clone() ModelInfo {
	c := m
	c.Operations = slices.Clone(m.Operations)
	c.Sizes = slices.Clone(m.Sizes)
	c.Qualities = slices.Clone(m.Qualities)
	c.Styles = slices.Clone(m.Styles)
	c.Backgrounds = slices.Clone(m.Backgrounds)
	c.OutputFormats = slices.Clone(m.OutputFormats)
	c.Moderations = slices.Clone(m.Moderations)
	c.ResponseFormats = slices.Clone(m.ResponseFormats)
	c.InputFidelities = slices.Clone(m.InputFidelities)
	c.Complexities = slices.Clone(m.Complexities)
	c.Replacements = slices.Clone(m.Replacements)
	c.AzureReplacements = slices.Clone(m.AzureReplacements)
	c.Markup = m.Markup.clone()
	c.EditImages = m.EditImages.clone()
	c.Mask = m.Mask.clone()
	c.VariationImage = m.VariationImage.clone()
	c.Notes = slices.Clone(m.Notes)
	return c
}

func (r ImageRule) clone() ImageRule {
	r.Formats = slices.Clone(r.Formats)
	return r
}

// modelNames lists the names of the models that support op, for messages.
func modelNames(op Operation) string {
	var names []string
	for i := range modelTable {
		if modelTable[i].Supports(op) {
			names = append(names, string(modelTable[i].Model))
		}
	}
	return strings.Join(names, ", ")
}

// Sizes of input images. "Less than 4MB" and "less than 50MB" are read as
// binary megabytes, the more permissive reading: validation must not reject
// what the API accepts.
const (
	mib          = 1 << 20
	maxDallEByte = 4 * mib  // "less than 4MB"
	maxGPTByte   = 50 * mib // "less than 50MB"
	maxMaskByte  = 4 * mib  // mask: "less than 4MB"
)

// Retirement dates and replacements. Sources: npm images.ts ImageModel:
// "gpt-image-1: GPT Image 1 was shut down on October 23, 2026. Use
// gpt-image-2.5-sunburst or gpt-image-2.5-flare instead."; "dall-e-2,
// dall-e-3: This model was retired on May 12, 2026. Use a GPT image model
// instead." Images.createVariation: "This endpoint is retired and no longer
// available."
var (
	dallERetirement    = time.Date(2026, time.May, 12, 0, 0, 0, 0, time.UTC)
	gptImage1Shutdown  = time.Date(2026, time.October, 23, 0, 0, 0, 0, time.UTC)
	dallEDeprecation   = "OpenAI retired dall-e-2 and dall-e-3 on 2026-05-12: use a GPT image model instead; OpenAI-compatible servers may still serve them"
	gptImage1Deprecate = "OpenAI shut gpt-image-1 down on 2026-10-23: use gpt-image-2.5-sunburst or gpt-image-2.5-flare instead; OpenAI-compatible servers may still serve it"
	// The replacements npm images.ts names for gpt-image-1; for the DALL-E
	// models it says "a GPT image model", and these are the ones it names.
	retiredReplacements = []Model{ModelGPTImage25Sunburst, ModelGPTImage25Flare}
)

// Azure OpenAI's own schedule, where its documentation gives a date
// (MicrosoftDocs/azure-ai-docs, articles/ai-foundry/openai):
//
//   - concepts/legacy-models.md (ms.date 02/12/2026), "Retired models":
//     "dall-e-2 | | January 27, 2025 | dall-e-3";
//   - includes/retirement/models.md (ms.date 12/16/2025), "Image and
//     video": "dall-e-3 | 3 | Generally Available | n/a | 2026-02-18 |
//     gpt-image-1-mini" and "gpt-image-1-mini | 2025-10-06 | Generally
//     Available | 2026-10-06 | 2027-04-07".
//
// The same table gives gpt-image-1 "No earlier than 2026-03-31" and
// gpt-image-1.5 "No earlier than 2026-12-16": not dates, so not recorded.
// The docs at hand say nothing of the other models on Azure.
var (
	azureDallE2Retirement     = time.Date(2025, time.January, 27, 0, 0, 0, 0, time.UTC)
	azureDallE3Retirement     = time.Date(2026, time.February, 18, 0, 0, 0, 0, time.UTC)
	azureGPTImage1MiniRetires = time.Date(2027, time.April, 7, 0, 0, 0, 0, time.UTC)
)

// VariationsDeprecation records that OpenAI has retired the variations
// endpoint (POST /images/variations) on its own service. Source: npm
// images.ts Images.createVariation: "This endpoint is retired and no longer
// available. Use the image edits endpoint with a GPT Image model and a
// prompt to create a variation of an image."
const VariationsDeprecation = "OpenAI has retired the image variations endpoint (POST /images/variations): use an edit with a GPT image model and a prompt instead; OpenAI-compatible servers may still offer it"

// customSizeRule is the custom-size rule of the models the size
// descriptions name. Sources: CreateImageRequest.size (vendored spec) for
// gpt-image-2 and gpt-image-2-2026-04-21; npm images.ts
// ImageGenerateParamsBase.size and ImageEditParamsBase.size for the
// gpt-image-2.5 models and their snapshots: "arbitrary resolutions are
// supported as `WIDTHxHEIGHT` strings, for example `1536x864`. Width and
// height must both be divisible by 16 and the requested aspect ratio must
// be between 1:3 and 3:1. Resolutions above `2560x1440` are experimental,
// and the maximum supported resolution is `3840x2160`. The requested size
// must also satisfy the model's current pixel and edge limits." The
// gpt-image-2.6 models are not named there, so they take the standard
// sizes only.
//
// "Maximum supported resolution 3840x2160" together with "pixel and edge
// limits" is read as two limits: at most 3840*2160 pixels in all and at most
// 3840 pixels on the longer side, in either orientation (so 2160x3840 and
// 2880x2880 pass; 4096x2160 and 3840x2176 do not).
var customSizeRule = CustomSizeRule{Multiple: 16, MaxAspectRatio: 3, MaxEdge: 3840, MaxPixels: 3840 * 2160}

// gptImage is the entry of a current GPT image model; the differences
// between models are applied by the callers.
func gptImage(name Model) ModelInfo {
	return ModelInfo{
		Model:    name,
		GPTImage: true,
		// Generations: CreateImageRequest.model enum (newer.yaml adds the
		// 2.5 and 2.6 models and chatgpt-image-latest: npm images.ts
		// ImageGenerateParamsBase.model "Supported models include
		// `gpt-image-1-mini`, ... `gpt-image-2.6-flare`, and
		// `chatgpt-image-latest`"). Edits, both bodies:
		// CreateImageEditRequest.model and EditImageBodyJsonParam.model
		// enums; npm images.ts ImageEditParamsBase.model. Streams:
		// CreateImageRequest.stream "only supported for the GPT image
		// models"; CreateImageEditRequest.stream.
		Operations: []Operation{OpGenerate, OpGenerateStream, OpEdit, OpEditJSON, OpEditStream},
		// npm images.ts ImageGenerateParamsBase.prompt: "The maximum length
		// is 32000 characters."; EditImageBodyJsonParam.prompt maxLength
		// 32000.
		MaxPromptLength: 32000,
		// CreateImageRequest.n and CreateImageEditRequest.n: "Must be between
		// 1 and 10."
		MaxN: 10,
		// CreateImageRequest.size: "The standard sizes `1024x1024`,
		// `1536x1024`, and `1024x1536` are supported by the GPT image models;
		// `auto` is supported for models that allow automatic sizing"
		// (`auto` is the generation default and in every GPT size enum).
		Sizes: []Size{SizeAuto, Size1024x1024, Size1536x1024, Size1024x1536},
		// npm images.ts ImageGenerateParamsBase.quality: "`auto` (default
		// value)"; "`high`, `medium` and `low` are supported for the GPT
		// image models."
		Qualities: []Quality{QualityAuto, QualityLow, QualityMedium, QualityHigh},
		// npm images.ts ImageGenerateParamsBase.complexity: "Computation
		// spent planning the image ... Uses the image model's configured
		// default when omitted." No model is excluded.
		Complexities: []Complexity{ComplexityLow, ComplexityMedium, ComplexityHigh},
		// CreateImageRequest.background: "Must be one of `transparent`,
		// `opaque`, or `auto`"; "Transparent backgrounds are available for
		// supported GPT Image models."
		Backgrounds: []Background{BackgroundAuto, BackgroundTransparent, BackgroundOpaque},
		// npm images.ts ImageGenerateParamsBase.output_format: 'png' | 'webp'
		// | 'jpeg' | 'gif' | 'svg', "only supported for the GPT image
		// models". GIF "Requires access to the GIF preview for the selected
		// model" and SVG "a supported image model and project access"
		// (ImageEditParamsBase.output_format): neither names models, so the
		// table cannot; the API answers 400 where a project lacks access.
		OutputFormats: []OutputFormat{OutputFormatPNG, OutputFormatJPEG, OutputFormatWebP, OutputFormatGIF, OutputFormatSVG},
		// CreateImageRequest.output_compression: "The compression level
		// (0-100%) for the generated images. This parameter is only
		// supported for the GPT image models with the `webp` or `jpeg`
		// output formats".
		OutputCompression: true,
		// CreateImageRequest.moderation: "Control the content-moderation
		// level for images generated by the GPT image models. Must be either
		// `low` ... or `auto`".
		Moderations: []Moderation{ModerationAuto, ModerationLow},
		// Set per model below: npm images.ts ImageEditParamsBase.input_fidelity.
		InputFidelities: nil,
		// PartialImages: "Value must be between 0 and 3."
		MaxPartialImages: 3,
		// npm images.ts ImageEditParamsBase.image: "For the GPT image models
		// (`gpt-image-1-mini`, `gpt-image-1.5`, `gpt-image-2`, ... and
		// `gpt-image-2.5-flare-2026-09-08`), each image should be a `png`,
		// `webp`, or `jpg` file less than 50MB. You can provide up to 16
		// images. `chatgpt-image-latest` follows the same input constraints
		// as GPT image models."
		EditImages: ImageRule{MaxCount: 16, Formats: []string{"png", "jpeg", "webp"}, MaxBytes: maxGPTByte},
		Mask:       maskRule(),
	}
}

// bothFidelities is input_fidelity high and low.
var bothFidelities = []InputFidelity{InputFidelityLow, InputFidelityHigh}

// undocumentedFidelity notes where input_fidelity is not documented for a
// model: npm images.ts ImageEditParamsBase.input_fidelity names only
// gpt-image-1.5 (high and low), gpt-image-1-mini (low) and gpt-image-2
// (omit), so for other models the value is sent as given.
const undocumentedFidelity = "input_fidelity is not documented for this model: high and low are sent as given"

// gpt25 is a gpt-image-2.5 model or its dated snapshot.
func gpt25(name, snapshotOf Model) ModelInfo {
	m := gptImage(name)
	m.SnapshotOf = snapshotOf
	// npm images.ts ImageGenerateParamsBase.quality: "`gpt-image-2.5-sunburst`
	// and `gpt-image-2.5-flare`, including their `2026-09-08` snapshots,
	// also support `xhigh` and `max`."
	m.Qualities = append(m.Qualities, QualityXHigh, QualityMax)
	m.CustomSize = customSizeRule
	// npm images.ts ImageEditParamsBase.markup: "A transparent PNG overlaid
	// on the first image to guide the edit. Must match that image's
	// dimensions after orientation and contain transparent pixels. Supports
	// GPT Image 2.5. Cannot be combined with mask." Multipart only: the
	// JSON edit body has no file parts.
	m.Markup = markupRule
	m.InputFidelities = bothFidelities
	// npm images.ts background: "`gpt-image-2.5-sunburst` and
	// `gpt-image-2.5-flare`, including their `2026-09-08` snapshots,
	// support `opaque` and `transparent` backgrounds" (not in preview).
	m.Notes = []string{"custom sizes above 2560x1440 are experimental", undocumentedFidelity}
	return m
}

// gpt26 is a gpt-image-2.6 model.
func gpt26(name Model) ModelInfo {
	m := gptImage(name)
	m.InputFidelities = bothFidelities
	m.Notes = []string{undocumentedFidelity}
	return m
}

// gptImage2 is the entry of gpt-image-2 or its dated snapshot.
func gptImage2(name, snapshotOf Model) ModelInfo {
	m := gptImage(name)
	m.SnapshotOf = snapshotOf
	m.CustomSize = customSizeRule
	// input_fidelity: "For `gpt-image-2`, omit this parameter." (npm
	// images.ts ImageEditParamsBase.input_fidelity): nil.
	// CreateImageRequest.background: "For `gpt-image-2` and
	// `gpt-image-2-2026-04-21`, this support is in preview." Size:
	// "Resolutions above `2560x1440` are experimental".
	m.Notes = []string{
		"transparent backgrounds are in preview",
		"custom sizes above 2560x1440 are experimental",
	}
	return m
}

// maskRule is the mask of an edit, for every model with edits. Source:
// CreateImageEditRequest.mask: "An additional image whose fully transparent
// areas (e.g. where alpha is zero) indicate where `image` should be edited.
// If there are multiple images provided, the mask will be applied on the
// first image. Must be a valid PNG file, less than 4MB, and have the same
// dimensions as `image`." (An alpha channel is needed to have transparent
// areas; seed 001: "Fully transparent areas (alpha=0) indicate where to
// edit".)
func maskRule() ImageRule {
	return ImageRule{MaxCount: 1, Formats: []string{"png"}, MaxBytes: maxMaskByte, Alpha: true, SameSizeAsImage: true}
}

// gptImage1 is the retired gpt-image-1, with the rules it had: the formats
// and parameters of the vendored spec (2026-08-21), before GIF, SVG and
// complexity. "input_fidelity: This parameter is only supported for
// `gpt-image-1` and `gpt-image-1.5` and later models" (InputFidelity).
func gptImage1() ModelInfo {
	m := gptImage(ModelGPTImage1)
	m.OutputFormats = []OutputFormat{OutputFormatPNG, OutputFormatJPEG, OutputFormatWebP}
	m.Complexities = nil
	m.InputFidelities = bothFidelities
	m.Retirement = gptImage1Shutdown
	m.Deprecation = gptImage1Deprecate
	m.Replacements = retiredReplacements
	return m
}

// dallE2 is the retired dall-e-2's entry, with the rules of the vendored
// spec.
func dallE2() ModelInfo {
	return ModelInfo{
		Model: ModelDallE2,
		// Generations: CreateImageRequest.model enum. Multipart edits:
		// CreateImageEditRequest.model enum. Not JSON edits:
		// EditImageBodyJsonParam: "JSON edits support GPT image models
		// only; DALL-E edits require multipart (`dall-e-2` only)".
		// Variations: createImageVariation summary "This endpoint only
		// supports `dall-e-2`". No streams: CreateImageRequest.stream "This
		// parameter is only supported for the GPT image models"; seed 001
		// (edit stream: "gpt-image-1 only").
		Operations: []Operation{OpGenerate, OpEdit, OpVary},
		// CreateImageRequest.prompt / CreateImageEditRequest.prompt: "The
		// maximum length is 1000 characters for `dall-e-2`".
		MaxPromptLength: 1000,
		// CreateImageRequest.n, CreateImageEditRequest.n,
		// CreateImageVariationRequest.n: "Must be between 1 and 10."
		MaxN: 10,
		// CreateImageRequest.size: "For `dall-e-2`, use one of `256x256`,
		// `512x512`, or `1024x1024`." CreateImageVariationRequest.size:
		// "Must be one of `256x256`, `512x512`, or `1024x1024`."
		Sizes: []Size{Size256x256, Size512x512, Size1024x1024},
		// CreateImageRequest.quality: "`standard` is the only option for
		// `dall-e-2`"; "`auto` (default value) will automatically select the
		// best quality for the given model".
		Qualities: []Quality{QualityAuto, QualityStandard},
		// CreateImageRequest.response_format: "The format in which generated
		// images with `dall-e-2` and `dall-e-3` are returned. Must be one of
		// `url` or `b64_json`." CreateImageEditRequest.response_format:
		// "This parameter is only supported for `dall-e-2`".
		ResponseFormats: []ResponseFormat{ResponseFormatURL, ResponseFormatB64JSON},
		// CreateImageEditRequest.image: "For `dall-e-2`, you can only provide
		// one image, and it should be a square `png` file less than 4MB."
		// AlphaWithoutMask: seed 003_b513f896fccf9503.txt (create_image_edit
		// image): "If mask is not provided, image must have transparency,
		// which will be used as the mask."
		EditImages: ImageRule{MaxCount: 1, Formats: []string{"png"}, MaxBytes: maxDallEByte, Square: true, AlphaWithoutMask: true},
		Mask:       maskRule(),
		// CreateImageVariationRequest.image: "Must be a valid PNG file, less
		// than 4MB, and square."
		VariationImage: ImageRule{MaxCount: 1, Formats: []string{"png"}, MaxBytes: maxDallEByte, Square: true},
		Retirement:     dallERetirement,
		Deprecation:    dallEDeprecation + "; " + VariationsDeprecation,
		Replacements:   retiredReplacements,

		AzureRetirement:   azureDallE2Retirement,
		AzureDeprecation:  "Azure OpenAI retired dall-e-2 on 2025-01-27: use dall-e-3 (Azure docs, retired models)",
		AzureReplacements: []Model{ModelDallE3},
	}
}

// dallE3 is the retired dall-e-3's entry, with the rules of the vendored
// spec.
func dallE3() ModelInfo {
	return ModelInfo{
		Model: ModelDallE3,
		// Generations only: dall-e-3 is in CreateImageRequest.model's enum
		// but not in CreateImageEditRequest.model's nor in variations'.
		Operations: []Operation{OpGenerate},
		// CreateImageRequest.prompt: "4000 characters for `dall-e-3`".
		MaxPromptLength: 4000,
		// CreateImageRequest.n: "For `dall-e-3`, only `n=1` is supported."
		MaxN: 1,
		// CreateImageRequest.size: "For `dall-e-3`, use one of `1024x1024`,
		// `1792x1024`, or `1024x1792`."
		Sizes: []Size{Size1024x1024, Size1792x1024, Size1024x1792},
		// CreateImageRequest.quality: "`hd` and `standard` are supported for
		// `dall-e-3`"; `auto` is the default for every model.
		Qualities: []Quality{QualityAuto, QualityStandard, QualityHD},
		// CreateImageRequest.style: "This parameter is only supported for
		// `dall-e-3`. Must be one of `vivid` or `natural`."
		Styles: []Style{StyleVivid, StyleNatural},
		// CreateImageRequest.response_format (see dall-e-2).
		ResponseFormats: []ResponseFormat{ResponseFormatURL, ResponseFormatB64JSON},
		Retirement:      dallERetirement,
		Deprecation:     dallEDeprecation,
		Replacements:    retiredReplacements,

		AzureRetirement:   azureDallE3Retirement,
		AzureDeprecation:  "Azure OpenAI retires dall-e-3 on 2026-02-18: use gpt-image-1-mini (Azure docs, model retirements)",
		AzureReplacements: []Model{ModelGPTImage1Mini},
	}
}

// modelTable is the capability table, current models first.
var modelTable = []ModelInfo{
	gpt26(ModelGPTImage26Sunburst),
	gpt26(ModelGPTImage26Flare),
	gpt25(ModelGPTImage25Sunburst, ""),
	gpt25(ModelGPTImage25Sunburst_20260908, ModelGPTImage25Sunburst),
	gpt25(ModelGPTImage25Flare, ""),
	gpt25(ModelGPTImage25Flare_20260908, ModelGPTImage25Flare),
	gptImage2(ModelGPTImage2, ""),
	gptImage2(ModelGPTImage2_20260421, ModelGPTImage2),
	func() ModelInfo {
		m := gptImage(ModelGPTImage15)
		// npm images.ts ImageEditParamsBase.input_fidelity: "Supports
		// `high` and `low` on `gpt-image-1.5`".
		m.InputFidelities = bothFidelities
		return m
	}(),
	func() ModelInfo {
		m := gptImage(ModelGPTImage1Mini)
		// npm images.ts ImageEditParamsBase.input_fidelity:
		// "`gpt-image-1-mini` supports only `low`."
		m.InputFidelities = []InputFidelity{InputFidelityLow}
		m.AzureRetirement = azureGPTImage1MiniRetires
		m.AzureDeprecation = "Azure OpenAI deprecates gpt-image-1-mini (2025-10-06) for new customers on 2026-10-06 and retires it on 2027-04-07 (Azure docs, model retirements)"
		return m
	}(),
	func() ModelInfo {
		// npm images.ts names chatgpt-image-latest among the generation
		// models (ImageGenerateParamsBase.model) and the edit models; its
		// inputs: "`chatgpt-image-latest` follows the same input constraints
		// as GPT image models."
		m := gptImage(ModelChatGPTImageLatest)
		m.InputFidelities = bothFidelities
		m.Notes = []string{undocumentedFidelity}
		return m
	}(),
	gptImage1(),
	dallE3(),
	dallE2(),
}
