package wrapper

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Model names an image model. Any string is accepted, so models released
// after this module can be used at once; the constants are the models the
// effective spec names (see [Models] for what each supports).
type Model string

// Models the effective spec names (openapi.yaml and newer.yaml).
const (
	ModelGPTImage26Sunburst          Model = "gpt-image-2.6-sunburst"
	ModelGPTImage26Flare             Model = "gpt-image-2.6-flare"
	ModelGPTImage25Sunburst          Model = "gpt-image-2.5-sunburst"
	ModelGPTImage25Sunburst_20260908 Model = "gpt-image-2.5-sunburst-2026-09-08"
	ModelGPTImage25Flare             Model = "gpt-image-2.5-flare"
	ModelGPTImage25Flare_20260908    Model = "gpt-image-2.5-flare-2026-09-08"
	ModelGPTImage2                   Model = "gpt-image-2"
	ModelGPTImage2_20260421          Model = "gpt-image-2-2026-04-21"
	ModelGPTImage15                  Model = "gpt-image-1.5"
	ModelGPTImage1Mini               Model = "gpt-image-1-mini"
	ModelChatGPTImageLatest          Model = "chatgpt-image-latest"

	// Retired on OpenAI's own API; OpenAI-compatible servers may still
	// serve them (see [ModelInfo.Retirement] and [WithRetiredModels]).
	ModelGPTImage1 Model = "gpt-image-1"
	ModelDallE3    Model = "dall-e-3"
	ModelDallE2    Model = "dall-e-2"
)

// Size is an output size: a named size such as "1024x1024", "auto", or a
// custom WIDTHxHEIGHT for models that allow it (see [CustomSize]).
type Size string

// Named sizes from the vendored spec.
const (
	SizeAuto      Size = "auto"
	Size256x256   Size = "256x256"
	Size512x512   Size = "512x512"
	Size1024x1024 Size = "1024x1024"
	Size1536x1024 Size = "1536x1024"
	Size1024x1536 Size = "1024x1536"
	Size1792x1024 Size = "1792x1024"
	Size1024x1792 Size = "1024x1792"
)

// CustomSize returns the size WIDTHxHEIGHT, for models that accept arbitrary
// resolutions (gpt-image-2: both sides divisible by 16, aspect ratio within
// 1:3 to 3:1, at most 3840x2160).
func CustomSize(width, height int) Size {
	return Size(strconv.Itoa(width) + "x" + strconv.Itoa(height))
}

// Dimensions parses a WIDTHxHEIGHT size. It reports false for "auto", an
// empty size or anything that is not two positive integers.
func (s Size) Dimensions() (width, height int, ok bool) {
	w, h, found := strings.Cut(string(s), "x")
	if !found {
		return 0, 0, false
	}
	width, err1 := strconv.Atoi(w)
	height, err2 := strconv.Atoi(h)
	if err1 != nil || err2 != nil || width <= 0 || height <= 0 || w[0] == '+' || h[0] == '+' {
		return 0, 0, false
	}
	return width, height, true
}

// Quality is the rendering quality.
type Quality string

// Quality values from the effective spec.
const (
	QualityAuto   Quality = "auto"
	QualityLow    Quality = "low"
	QualityMedium Quality = "medium"
	QualityHigh   Quality = "high"
	// QualityXHigh and QualityMax are for the gpt-image-2.5 models.
	QualityXHigh Quality = "xhigh"
	QualityMax   Quality = "max"
	// QualityStandard and QualityHD are for the retired DALL-E models.
	QualityStandard Quality = "standard"
	QualityHD       Quality = "hd"
)

// Complexity is how much computation the model spends planning the image,
// independently of rendering quality.
type Complexity string

// Complexity values from the effective spec.
const (
	ComplexityLow    Complexity = "low"
	ComplexityMedium Complexity = "medium"
	ComplexityHigh   Complexity = "high"
)

// ReasoningEffort is how much the SVG author reasons (see [SVGOptions]).
type ReasoningEffort string

// Reasoning efforts from the effective spec; the author model decides which
// it supports.
const (
	ReasoningEffortNone    ReasoningEffort = "none"
	ReasoningEffortMinimal ReasoningEffort = "minimal"
	ReasoningEffortLow     ReasoningEffort = "low"
	ReasoningEffortMedium  ReasoningEffort = "medium"
	ReasoningEffortHigh    ReasoningEffort = "high"
	ReasoningEffortXHigh   ReasoningEffort = "xhigh"
	ReasoningEffortMax     ReasoningEffort = "max"
)

// SVGOptions select the model and reasoning effort that author SVG output
// (OutputFormat [OutputFormatSVG]). The image model (Model) draws a
// reference image; the SVG author turns it into vector markup. Give them
// only when your project has SVG model selection; otherwise leave SVG nil.
type SVGOptions struct {
	// Model authors the SVG. Required in generations when SVG options are
	// given.
	Model string
	// ReasoningEffort is the author's reasoning effort; empty uses the
	// author model's default.
	ReasoningEffort ReasoningEffort
}

// Style is the dall-e-3 style.
type Style string

// Style values from the vendored spec.
const (
	StyleVivid   Style = "vivid"
	StyleNatural Style = "natural"
)

// Background is the background of GPT image model output.
type Background string

// Background values from the vendored spec.
const (
	BackgroundAuto        Background = "auto"
	BackgroundTransparent Background = "transparent"
	BackgroundOpaque      Background = "opaque"
)

// Moderation is the content-moderation level of GPT image models.
type Moderation string

// Moderation values from the vendored spec.
const (
	ModerationAuto Moderation = "auto"
	ModerationLow  Moderation = "low"
)

// OutputFormat is the file format of GPT image model output.
type OutputFormat string

// Output formats from the effective spec.
const (
	OutputFormatPNG  OutputFormat = "png"
	OutputFormatJPEG OutputFormat = "jpeg"
	OutputFormatWebP OutputFormat = "webp"
	// OutputFormatGIF is an animated GIF ([GenerateParams.FrameCount],
	// FrameDuration); no streaming, partial images, mask or custom
	// output_compression.
	OutputFormatGIF OutputFormat = "gif"
	// OutputFormatSVG is vector markup ([SVGOptions]); n=1, no streaming,
	// partial images or output_compression.
	OutputFormatSVG OutputFormat = "svg"
)

// ResponseFormat says how DALL-E models return images.
type ResponseFormat string

// Response formats from the vendored spec.
const (
	ResponseFormatURL     ResponseFormat = "url"
	ResponseFormatB64JSON ResponseFormat = "b64_json"
)

// InputFidelity controls how closely an edit keeps the input images' features.
type InputFidelity string

// Input fidelity values from the vendored spec.
const (
	InputFidelityHigh InputFidelity = "high"
	InputFidelityLow  InputFidelity = "low"
)

// Ptr returns a pointer to v, for the optional numeric fields where zero is
// a meaningful value (OutputCompression, PartialImages).
func Ptr[T any](v T) *T { return &v }

// GenerateParams are the parameters of [Client.Generate] (POST
// /images/generations). Zero values are not sent: the API's defaults apply.
type GenerateParams struct {
	// Prompt describes the image(s). Required.
	Prompt string
	// Model is the image model. Name one: the API documents no default
	// now that dall-e-2 is retired, and without a model only the checks
	// that hold for every model run.
	Model Model
	// N is the number of images, 1-10. Zero means unset.
	N int
	// Size is a named size or, for models that allow it, WIDTHxHEIGHT.
	Size    Size
	Quality Quality
	// Complexity is the computation spent planning the image.
	Complexity        Complexity
	Background        Background
	Moderation        Moderation
	OutputFormat      OutputFormat
	OutputCompression *int // 0-100; only with jpeg or webp output
	// FrameCount is the number of frames of GIF output, 2-16 (the API's
	// default is 9). Zero means unset.
	FrameCount int
	// FrameDuration is each GIF frame's delay, sent as frame_duration_ms
	// in whole milliseconds (the API's default is 200 ms; it rounds to
	// 10 ms). Zero means unset.
	FrameDuration time.Duration
	// SVG selects the SVG author (output_format svg only).
	SVG *SVGOptions
	// SafetyIdentifier is a stable, hashed identifier of your end user for
	// OpenAI's safety monitoring; it takes precedence over User.
	SafetyIdentifier string
	// Deprecated: the API deprecated user in favour of safety_identifier;
	// use SafetyIdentifier. User is still sent when set.
	User string
	// PartialImages is the number of partial images (0-3) a stream sends
	// before the final image. Used by GenerateStream only.
	PartialImages *int

	// Style is a parameter of the retired dall-e-3 (vivid or natural).
	Style Style
	// ResponseFormat is a parameter of the retired DALL-E models: GPT
	// image models always return base64 data.
	ResponseFormat ResponseFormat
}

// EditParams are the parameters of [Client.Edit] (POST /images/edits).
//
// Give either Images (uploaded as multipart/form-data) or ImageRefs
// (references sent as JSON: URLs, data URLs or file IDs), not both. The mask
// is likewise an uploaded Mask or a MaskRef.
type EditParams struct {
	// Images are the images to edit: one, or up to 16 for GPT image models.
	Images []Image
	// ImageRefs reference the images to edit by URL or file ID (JSON edit).
	ImageRefs []ImageRef
	// Mask marks with fully transparent pixels where the first image is
	// edited: a PNG with an alpha channel, the same size as the image.
	Mask *Image
	// MaskRef references the mask by URL or file ID (JSON edit).
	MaskRef *ImageRef
	// Markup is a transparent PNG of the first image's size overlaid on it
	// to guide the edit (gpt-image-2.5 models; multipart edits; not with a
	// mask).
	Markup *Image

	Prompt string
	// Model is the image model; name one (see [GenerateParams.Model]).
	Model             Model
	N                 int
	Size              Size
	Quality           Quality
	Complexity        Complexity
	Background        Background
	Moderation        Moderation // JSON edits only, per the spec
	OutputFormat      OutputFormat
	OutputCompression *int
	// InputFidelity is how closely the edit keeps the input images'
	// features: high or low on gpt-image-1.5, only low on
	// gpt-image-1-mini, omitted for gpt-image-2.
	InputFidelity InputFidelity
	// FrameCount and FrameDuration shape GIF output (see GenerateParams).
	FrameCount    int
	FrameDuration time.Duration
	// SVG selects the SVG author (output_format svg only), sent as the
	// svg[model] and svg[reasoning][effort] parts.
	SVG              *SVGOptions
	SafetyIdentifier string
	// Deprecated: use SafetyIdentifier; User is still sent when set.
	User          string
	PartialImages *int // EditStream only

	// ResponseFormat is a parameter of the retired dall-e-2 (multipart
	// edits).
	ResponseFormat ResponseFormat
}

// isJSON reports whether the edit is sent as application/json.
func (p *EditParams) isJSON() bool { return len(p.ImageRefs) > 0 || p.MaskRef != nil }

// VaryParams are the parameters of [Client.Vary] (POST /images/variations).
type VaryParams struct {
	// Image is the image to vary: a square PNG under 4 MB. Required.
	Image          Image
	Model          Model
	N              int
	Size           Size
	ResponseFormat ResponseFormat
	User           string
}

// ImageRef references an input image of a JSON edit: exactly one of URL (a
// fully qualified URL or a base64 data URL) or FileID (a Files API ID).
type ImageRef struct {
	URL    string
	FileID string
}

// ImageURL references an image by URL or data URL.
func ImageURL(url string) ImageRef { return ImageRef{URL: url} }

// ImageFileID references an image uploaded through the Files API.
func ImageFileID(id string) ImageRef { return ImageRef{FileID: id} }

// ImageDataURL references image bytes inline as a base64 data URL; the media
// type is sniffed from the bytes.
func ImageDataURL(data []byte) ImageRef {
	return ImageRef{URL: dataURL(sniffContentType(data), data)}
}

func (r ImageRef) String() string {
	switch {
	case r.FileID != "" && r.URL == "":
		return "file " + r.FileID
	case r.URL != "" && r.FileID == "":
		if strings.HasPrefix(r.URL, "data:") {
			return fmt.Sprintf("data URL (%d bytes)", len(r.URL))
		}
		return r.URL
	default:
		return fmt.Sprintf("ImageRef{URL: %q, FileID: %q}", r.URL, r.FileID)
	}
}
