package wrapper

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file is the capability table: what each model named by the vendored
// OpenAPI document (../openapi.yaml) accepts. It is data; validate.go applies
// it. Every rule names its source: a schema property of the vendored spec
// (quoted), a seed document under /work/shared/seeds (by file name), or the
// retirement facts of /work/shared/upstream/README.md.
//
// Seed files: 001_ceb467fc86781364.txt is the official Python SDK's images
// resource, 003_b513f896fccf9503.txt an OpenAPI-generated ImagesApi, and
// 004_e1387c23d10c9660.txt the image-generation guide.

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

// VariationsDeprecation records that OpenAI has retired the variations
// endpoint (POST /images/variations) on its own service. Validation never
// rejects a call because of it: OpenAI-compatible servers may still offer the
// endpoint. Source: /work/shared/upstream/README.md ("the variations endpoint
// retired").
const VariationsDeprecation = "OpenAI has retired the image variations endpoint (POST /images/variations); OpenAI-compatible servers may still offer it"

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
	// MaxPartialImages is the largest partial_images of a stream (the range
	// starts at 0); meaningful when the model supports a stream operation.
	MaxPartialImages int
	// EditImages are the input images of an edit (zero without edits).
	EditImages ImageRule
	// Mask is the optional mask of an edit (zero without edits).
	Mask ImageRule
	// VariationImage is the image of a variation (zero without variations).
	VariationImage ImageRule
	// Retirement is the date OpenAI retired, or will shut down, the model
	// on its own service; zero when none is announced. It is recorded for
	// callers to show; validation never rejects a model because of it,
	// since OpenAI-compatible servers may still serve the name.
	Retirement time.Time
	// Deprecation explains the retirement ("" when none).
	Deprecation string
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
// at time t. It is informational: validation does not use it.
func (m ModelInfo) RetiredAt(t time.Time) bool {
	return !m.Retirement.IsZero() && !t.Before(m.Retirement)
}

// Models returns every model of the capability table, in a stable order:
// dall-e-2, dall-e-3, gpt-image-1, gpt-image-1-mini, gpt-image-1.5,
// gpt-image-2, gpt-image-2-2026-04-21, chatgpt-image-latest.
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

// Retirement dates. Source: /work/shared/upstream/README.md: "dall-e-2/dall-e-3
// retired 2026-05-12, gpt-image-1 shut down 2026-10-23; the variations
// endpoint retired".
var (
	dallERetirement    = time.Date(2026, time.May, 12, 0, 0, 0, 0, time.UTC)
	gptImage1Shutdown  = time.Date(2026, time.October, 23, 0, 0, 0, 0, time.UTC)
	dallEDeprecation   = "OpenAI retired dall-e-2 and dall-e-3 on 2026-05-12; OpenAI-compatible servers may still serve them"
	gptImage1Deprecate = "OpenAI shuts gpt-image-1 down on 2026-10-23; OpenAI-compatible servers may still serve it"
)

// gptCustomSize is the custom-size rule of gpt-image-2 and its snapshot.
// Source: CreateImageRequest.size and CreateImageEditRequest.size: "For
// `gpt-image-2` and `gpt-image-2-2026-04-21`, arbitrary resolutions are
// supported as `WIDTHxHEIGHT` strings, for example `1536x864`. Width and
// height must both be divisible by 16 and the requested aspect ratio must be
// between 1:3 and 3:1. Resolutions above `2560x1440` are experimental, and
// the maximum supported resolution is `3840x2160`. The requested size must
// also satisfy the model's current pixel and edge limits."
//
// "Maximum supported resolution 3840x2160" together with "pixel and edge
// limits" is read as two limits: at most 3840*2160 pixels in all and at most
// 3840 pixels on the longer side, in either orientation (so 2160x3840 and
// 2880x2880 pass; 4096x2160 and 3840x2176 do not).
var gptCustomSize = CustomSizeRule{Multiple: 16, MaxAspectRatio: 3, MaxEdge: 3840, MaxPixels: 3840 * 2160}

// dallE2 is dall-e-2's entry.
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
	}
}

// dallE3 is dall-e-3's entry.
func dallE3() ModelInfo {
	return ModelInfo{
		Model: ModelDallE3,
		// Generations only: dall-e-3 is in CreateImageRequest.model's enum
		// but not in CreateImageEditRequest.model's ("This endpoint supports
		// GPT Image models ... and `dall-e-2`") nor in variations'.
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
	}
}

// gptImage is the entry of a GPT image model; the differences between GPT
// image models are applied by the callers.
func gptImage(name Model) ModelInfo {
	return ModelInfo{
		Model:    name,
		GPTImage: true,
		// Generations: CreateImageRequest.model enum. Edits, both bodies:
		// CreateImageEditRequest.model and EditImageBodyJsonParam.model
		// enums. Streams: CreateImageRequest.stream "only supported for the
		// GPT image models"; CreateImageEditRequest.stream and
		// EditImageBodyJsonParam.stream. (chatgpt-image-latest drops
		// OpGenerate and OpGenerateStream below.)
		Operations: []Operation{OpGenerate, OpGenerateStream, OpEdit, OpEditJSON, OpEditStream},
		// CreateImageRequest.prompt: "The maximum length is 32000 characters
		// for the GPT image models"; EditImageBodyJsonParam.prompt
		// maxLength 32000.
		MaxPromptLength: 32000,
		// CreateImageRequest.n and CreateImageEditRequest.n: "Must be between
		// 1 and 10."
		MaxN: 10,
		// CreateImageRequest.size: "The standard sizes `1024x1024`,
		// `1536x1024`, and `1024x1536` are supported by the GPT image models;
		// `auto` is supported for models that allow automatic sizing"
		// (`auto` is the generation default and in every GPT size enum).
		Sizes: []Size{SizeAuto, Size1024x1024, Size1536x1024, Size1024x1536},
		// CreateImageRequest.quality: "`high`, `medium` and `low` are
		// supported for the GPT image models"; `auto` is the default.
		// EditImageBodyJsonParam.quality enum: low, medium, high, auto.
		Qualities: []Quality{QualityAuto, QualityLow, QualityMedium, QualityHigh},
		// CreateImageRequest.background: "This parameter is only supported
		// for the GPT image models. Must be one of `transparent`, `opaque`,
		// or `auto`".
		Backgrounds: []Background{BackgroundAuto, BackgroundTransparent, BackgroundOpaque},
		// CreateImageRequest.output_format: "This parameter is only
		// supported for the GPT image models. Must be one of `png`, `jpeg`,
		// or `webp`."
		OutputFormats: []OutputFormat{OutputFormatPNG, OutputFormatJPEG, OutputFormatWebP},
		// CreateImageRequest.output_compression: "The compression level
		// (0-100%) for the generated images. This parameter is only
		// supported for the GPT image models with the `webp` or `jpeg`
		// output formats".
		OutputCompression: true,
		// CreateImageRequest.moderation: "Control the content-moderation
		// level for images generated by the GPT image models. Must be either
		// `low` ... or `auto`"; EditImageBodyJsonParam.moderation: "Moderation
		// level for GPT image models."
		Moderations: []Moderation{ModerationAuto, ModerationLow},
		// InputFidelity: "This parameter is only supported for `gpt-image-1`
		// and `gpt-image-1.5` and later models, unsupported for
		// `gpt-image-1-mini`. Supports `high` and `low`." (gpt-image-1-mini
		// clears it below.)
		InputFidelities: []InputFidelity{InputFidelityLow, InputFidelityHigh},
		// PartialImages: "Value must be between 0 and 3." Streams are GPT
		// only (seed 001: "partial_images: (gpt-image-1 only)").
		MaxPartialImages: 3,
		// CreateImageEditRequest.image: "For the GPT image models ... each
		// image should be a `png`, `webp`, or `jpg` file less than 50MB. You
		// can provide up to 16 images. `chatgpt-image-latest` follows the
		// same input constraints as GPT image models."
		EditImages: ImageRule{MaxCount: 16, Formats: []string{"png", "jpeg", "webp"}, MaxBytes: maxGPTByte},
		Mask:       maskRule(),
	}
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

// modelTable is the capability table, in the order of the model constants.
var modelTable = []ModelInfo{
	dallE2(),
	dallE3(),
	func() ModelInfo {
		m := gptImage(ModelGPTImage1)
		m.Retirement = gptImage1Shutdown
		m.Deprecation = gptImage1Deprecate
		return m
	}(),
	func() ModelInfo {
		m := gptImage(ModelGPTImage1Mini)
		// InputFidelity: "unsupported for `gpt-image-1-mini`"; seed 001:
		// "input_fidelity: (gpt-image-1 only, not supported for
		// gpt-image-1-mini)".
		m.InputFidelities = nil
		return m
	}(),
	gptImage(ModelGPTImage15),
	gptImage2(ModelGPTImage2, ""),
	gptImage2(ModelGPTImage2_20260421, ModelGPTImage2),
	func() ModelInfo {
		m := gptImage(ModelChatGPTImageLatest)
		// The vendored spec names chatgpt-image-latest only for edits: in
		// the enums of CreateImageEditRequest.model and
		// EditImageBodyJsonParam.model and in the createImageEdit summary,
		// not in CreateImageRequest.model. Its input rules:
		// CreateImageEditRequest.image "`chatgpt-image-latest` follows the
		// same input constraints as GPT image models". input_fidelity is
		// kept: InputFidelity excludes only gpt-image-1-mini.
		m.Operations = []Operation{OpEdit, OpEditJSON, OpEditStream}
		return m
	}(),
}

// gptImage2 is the entry of gpt-image-2 or its dated snapshot.
func gptImage2(name, snapshotOf Model) ModelInfo {
	m := gptImage(name)
	m.SnapshotOf = snapshotOf
	m.CustomSize = gptCustomSize
	// CreateImageRequest.background: "For `gpt-image-2` and
	// `gpt-image-2-2026-04-21`, this support is in preview." Size: "Resolutions
	// above `2560x1440` are experimental".
	m.Notes = []string{
		"transparent backgrounds are in preview",
		"custom sizes above 2560x1440 are experimental",
	}
	return m
}
