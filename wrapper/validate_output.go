package wrapper

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds the rules that hold for every model, known or not: the
// ranges and enumerations of the effective spec, and how the output
// parameters go together (transparent backgrounds, compression, GIF and SVG
// output, markup). They run even when the call names no model or one the
// table does not know.

// Limits the effective spec states for every model.
const (
	// CreateImageRequest.n, CreateImageEditRequest.n: "Must be between 1
	// and 10."
	maxN = 10
	// PartialImages: "Value must be between 0 and 3."
	maxPartialImages = 3
	// npm images.ts frame_count: "Accepts integers from 2 through 16."
	minFrames, maxFrames = 2, 16
)

// output are the output parameters of a generation or an edit.
type output struct {
	n           int
	background  Background
	format      OutputFormat
	compression *int
	frameCount  int
	frameDur    time.Duration
	svg         *SVGOptions
	stream      bool
	partial     *int
	streamCall  string
	// generation: the SVG author model is required (npm images.ts
	// ImageGenerateParams.Svg.model is required, "Required when SVG model
	// selection is enabled"; in edits it is optional).
	generation bool
	masked     bool
}

// universalOutput checks how the output parameters go together, for every
// model.
func (c *checker) universalOutput(o output) {
	if o.n > maxN {
		c.add("n", strconv.Itoa(o.n), fmt.Sprintf("n must be between 1 and %d", maxN), fmt.Sprintf("1-%d", maxN))
	}
	effective, note := o.format, ""
	if effective == "" {
		// output_format: "The default value is `png`."
		effective, note = OutputFormatPNG, " (the default)"
	}

	// background: "When using `transparent`, set the output format to `png`
	// or `webp`."
	if o.background == BackgroundTransparent && effective != OutputFormatPNG && effective != OutputFormatWebP && knownFormat(effective) {
		c.add("background", string(o.background), fmt.Sprintf("a transparent background needs png or webp output, but output_format is %s", effective), "output_format png or webp")
	}

	if o.compression != nil {
		v := strconv.Itoa(*o.compression)
		switch {
		case *o.compression < 0 || *o.compression > 100:
			// "The compression level (0-100%)"; EditImageBodyJsonParam:
			// minimum 0, maximum 100.
			c.add("output_compression", v, "output_compression must be between 0 and 100", "0-100")
		case effective == OutputFormatSVG:
			// npm images.ts svg: "SVG output requires n=1 and cannot use
			// streaming, partial images, or output compression."
			c.add("output_compression", v, "SVG output cannot use output_compression", "omit output_compression")
		case (effective == OutputFormatPNG || effective == OutputFormatGIF) && *o.compression != 100:
			// output_compression: "only supported for the GPT image models
			// with the `webp` or `jpeg` output formats, and defaults to
			// 100"; frame_count: "GIF output does not support ... custom
			// output compression". 100, the default, changes nothing: the
			// spec's own json_with_file_id example sends output_format png
			// with output_compression 100.
			c.add("output_compression", v, fmt.Sprintf("output_compression applies only to jpeg or webp output, but output_format is %s%s", effective, note),
				"output_format jpeg or webp, or omit output_compression")
		}
	}

	// GIF parameters. npm images.ts frame_count: "Accepts integers from 2
	// through 16. ... Only supported with output_format=gif";
	// frame_duration_ms: "Only supported with output_format=gif".
	if o.frameCount != 0 {
		switch {
		case effective != OutputFormatGIF:
			c.add("frame_count", strconv.Itoa(o.frameCount), "frame_count applies only to GIF output", "output_format gif, or omit frame_count")
		case o.frameCount < minFrames || o.frameCount > maxFrames:
			c.add("frame_count", strconv.Itoa(o.frameCount), fmt.Sprintf("frame_count must be between %d and %d", minFrames, maxFrames), fmt.Sprintf("%d-%d", minFrames, maxFrames))
		}
	}
	if o.frameDur != 0 {
		ms := o.frameDur.Milliseconds()
		switch {
		case effective != OutputFormatGIF:
			c.add("frame_duration_ms", strconv.FormatInt(ms, 10), "frame_duration_ms applies only to GIF output", "output_format gif, or omit FrameDuration")
		case o.frameDur < time.Millisecond:
			c.add("frame_duration_ms", o.frameDur.String(), "a frame's delay is a positive number of milliseconds", "1ms or more (the API rounds to 10 ms)")
		}
	}
	if effective == OutputFormatGIF {
		// frame_count: "GIF output does not support streaming, partial
		// images, masks, or custom output compression."
		if o.stream {
			c.add("stream", "true", "GIF output cannot be streamed", "output_format png, jpeg or webp, or call "+strings.TrimSuffix(o.streamCall, "Stream"))
		}
		if o.masked {
			c.add("mask", "", "GIF output cannot use a mask", "omit the mask, or another output_format")
		}
	}

	// SVG. npm images.ts svg: "SVG output requires n=1 and cannot use
	// streaming, partial images, or output compression." "Requires
	// output_format=svg".
	if effective == OutputFormatSVG {
		if o.n > 1 {
			c.add("n", strconv.Itoa(o.n), "SVG output requires n=1", "1")
		}
		if o.stream {
			c.add("stream", "true", "SVG output cannot be streamed", "call "+strings.TrimSuffix(o.streamCall, "Stream"))
		}
	}
	if o.svg != nil {
		switch {
		case effective != OutputFormatSVG:
			c.add("svg", describeSVG(o.svg), "SVG options apply only to SVG output", "output_format svg, or omit SVG")
		case o.generation && o.svg.Model == "":
			c.add("svg.model", "", "SVG options in a generation need the author model; without SVG model selection on your project, leave SVG nil",
				"SVGOptions{Model: ...}, or SVG nil")
		}
		if e := o.svg.ReasoningEffort; e != "" && !slices.Contains(reasoningEfforts, e) {
			c.add("svg.reasoning.effort", string(e), "not a reasoning effort the API documents", joinValues(reasoningEfforts))
		}
	}

	// Streams: partial_images is sent only by the stream calls.
	if !o.stream && o.partial != nil {
		c.add("partial_images", strconv.Itoa(*o.partial), "partial_images applies only to streams ("+o.streamCall+") and would not be sent", "omit it, or call "+o.streamCall)
	}
	if o.stream && o.partial != nil {
		switch {
		case *o.partial < 0 || *o.partial > maxPartialImages:
			c.add("partial_images", strconv.Itoa(*o.partial), fmt.Sprintf("partial_images must be between 0 and %d", maxPartialImages), fmt.Sprintf("0-%d", maxPartialImages))
		case *o.partial > 0 && (effective == OutputFormatGIF || effective == OutputFormatSVG):
			c.add("partial_images", strconv.Itoa(*o.partial), fmt.Sprintf("%s output has no partial images", strings.ToUpper(string(effective))), "0, or another output_format")
		}
	}
}

// reasoningEfforts are the SVG author's efforts (npm images.ts
// ImageGenerateParams.Svg.Reasoning.effort).
var reasoningEfforts = []ReasoningEffort{ReasoningEffortNone, ReasoningEffortMinimal, ReasoningEffortLow, ReasoningEffortMedium, ReasoningEffortHigh, ReasoningEffortXHigh, ReasoningEffortMax}

// knownFormat reports whether f is an output format of the effective spec.
func knownFormat(f OutputFormat) bool {
	return slices.Contains([]OutputFormat{OutputFormatPNG, OutputFormatJPEG, OutputFormatWebP, OutputFormatGIF, OutputFormatSVG}, f)
}

func describeSVG(o *SVGOptions) string {
	var parts []string
	if o.Model != "" {
		parts = append(parts, "model "+o.Model)
	}
	if o.ReasoningEffort != "" {
		parts = append(parts, "effort "+string(o.ReasoningEffort))
	}
	return strings.Join(parts, ", ")
}

// specEnum checks a value against the effective spec's enumeration for a
// request property (valid is the generated type's Valid method), for every
// model: values the API does not document are refused with the way to send
// them anyway.
func specEnum[T ~string](c *checker, field string, v T, valid func(T) bool, known []T) {
	if v == "" || valid(v) {
		return
	}
	c.add(field, string(v), fmt.Sprintf("not a documented %s value", field),
		joinValues(known)+`; a value newer than this module: WithExtraBody("`+field+`", ...) or WithRequestValidation(false)`)
}
