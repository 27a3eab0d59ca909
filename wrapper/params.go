package wrapper

import (
	"fmt"
	"strconv"
	"strings"
)

// Model names an image model. Any string is accepted, so models released
// after this module can be used at once; the constants are the models the
// vendored spec names (see [Models] for what each supports).
type Model string

// Models named by the vendored OpenAPI document.
const (
	ModelDallE2             Model = "dall-e-2"
	ModelDallE3             Model = "dall-e-3"
	ModelGPTImage1          Model = "gpt-image-1"
	ModelGPTImage1Mini      Model = "gpt-image-1-mini"
	ModelGPTImage15         Model = "gpt-image-1.5"
	ModelGPTImage2          Model = "gpt-image-2"
	ModelGPTImage2_20260421 Model = "gpt-image-2-2026-04-21"
	ModelChatGPTImageLatest Model = "chatgpt-image-latest"
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

// Quality values from the vendored spec.
const (
	QualityAuto     Quality = "auto"
	QualityLow      Quality = "low"
	QualityMedium   Quality = "medium"
	QualityHigh     Quality = "high"
	QualityStandard Quality = "standard"
	QualityHD       Quality = "hd"
)

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

// Output formats from the vendored spec.
const (
	OutputFormatPNG  OutputFormat = "png"
	OutputFormatJPEG OutputFormat = "jpeg"
	OutputFormatWebP OutputFormat = "webp"
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
	// Model defaults, on the server, to dall-e-2 unless a GPT-only
	// parameter is set.
	Model Model
	// N is the number of images, 1-10 (dall-e-3: 1). Zero means unset.
	N int
	// Size is a named size or, for models that allow it, WIDTHxHEIGHT.
	Size              Size
	Quality           Quality
	Style             Style
	Background        Background
	Moderation        Moderation
	OutputFormat      OutputFormat
	OutputCompression *int // 0-100; only with jpeg or webp output
	ResponseFormat    ResponseFormat
	// User identifies your end user to OpenAI's abuse monitoring.
	User string
	// PartialImages is the number of partial images (0-3) a stream sends
	// before the final image. Used by GenerateStream only.
	PartialImages *int
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

	Prompt            string
	Model             Model
	N                 int
	Size              Size
	Quality           Quality
	Background        Background
	Moderation        Moderation // JSON edits only, per the vendored spec
	OutputFormat      OutputFormat
	OutputCompression *int
	InputFidelity     InputFidelity
	ResponseFormat    ResponseFormat // multipart edits only (dall-e-2)
	User              string
	PartialImages     *int // EditStream only
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
