package imagestest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

// Qualities that the spec's response schemas allow; the emulator reports a
// quality only when the schema can carry it.
var reportQualities = []string{"low", "medium", "high", "xhigh", "max"}

// size is the image's real dimensions as WIDTHxHEIGHT: what the API echoes
// in size, for custom sizes and auto too. Newer than the vendored spec,
// whose enum has only the three standard sizes; source: openai-go v3.100.0
// ImagesResponse.Size, "The image dimensions as a WIDTHxHEIGHT string, for
// example 1536x864".
func (j *job) size() string { return fmt.Sprintf("%dx%d", j.w, j.h) }

// respond renders the job's images and writes them as JSON or a stream.
func (e *Emulator) respond(w http.ResponseWriter, r *http.Request, j *job) {
	if j.stream {
		e.stream(w, r, j)
		return
	}
	created := e.now().Unix()
	var data []map[string]any
	var svgBytes int
	for i := range j.n {
		if r.Context().Err() != nil {
			return
		}
		b, ct, ext, still, err := j.output(i)
		if err != nil {
			apiError(w, 500, "server_error", "", "", "emulator: encode failed: "+err.Error())
			return
		}
		addThumb(r.Context(), still)
		svgBytes += len(b)
		item := map[string]any{}
		if j.b64 {
			item["b64_json"] = base64.StdEncoding.EncodeToString(b)
		} else {
			item["url"] = baseURL(r) + e.storeImage(b, ct, ext)
		}
		if j.model == "dall-e-3" {
			item["revised_prompt"] = "A detailed rendering of: " + j.prompt
		}
		data = append(data, item)
	}
	body := map[string]any{"created": created, "data": data}
	if j.gpt {
		e.describe(body, j)
		body["usage"] = j.usage()
		if j.format == "svg" {
			body["svg_usage"] = j.svgUsage(svgBytes)
		}
	}
	if j.safetyID != "" {
		body["safety_identifier"] = j.safetyID
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-request-id", newID("req"))
	json.NewEncoder(w).Encode(body)
}

// describe adds the output settings GPT image models report.
func (e *Emulator) describe(m map[string]any, j *job) {
	m["size"] = j.size()
	q := j.quality
	if q == "" || q == "auto" {
		q = "medium"
	}
	if slices.Contains(reportQualities, q) {
		m["quality"] = q
	}
	bg := "opaque"
	if j.bg == "transparent" && j.format != "jpeg" {
		bg = "transparent"
	}
	m["background"] = bg
	m["output_format"] = j.format
}

// usage is a deterministic token count: text tokens from the prompt, image
// tokens from the inputs, output image tokens from the pixels (of every
// frame of a GIF), and output text tokens for the planning the complexity
// asks for.
func (j *job) usage() map[string]any {
	text := len(j.prompt)/4 + 1
	img := 0
	for _, in := range j.inputs {
		b := in.Bounds()
		img += 65 + b.Dx()*b.Dy()/(512*512)*129
	}
	outImage := j.n * (j.w * j.h / 4096)
	if j.format == "gif" {
		outImage *= j.frames
	}
	outText := planningTokens[j.complexity]
	out := outImage + outText
	return map[string]any{
		"input_tokens":          text + img,
		"input_tokens_details":  map[string]any{"text_tokens": text, "image_tokens": img},
		"output_tokens":         out,
		"output_tokens_details": map[string]any{"image_tokens": outImage, "text_tokens": outText},
		"total_tokens":          text + img + out,
	}
}

// planningTokens are the emulator's output text tokens for each
// complexity (none when it is not given).
var planningTokens = map[string]int{"low": 64, "medium": 192, "high": 512}

// defaultSVGAuthor is the SVG author the emulator reports in svg_usage when
// the request names none. The sources name no default author ("When model
// selection is disabled, omit this object": the project's configured author
// writes the SVG), so the emulator names a current text model.
const defaultSVGAuthor = "gpt-5"

// svgReasoningTokens are the emulator's reasoning tokens of the SVG author
// for each effort ("" is the author model's default, taken as medium).
var svgReasoningTokens = map[string]int{"none": 0, "minimal": 64, "low": 256, "": 1024, "medium": 1024, "high": 4096, "xhigh": 8192, "max": 16384}

// svgUsage is the SVG authoring usage (ImagesResponse.svg_usage): the
// author reads the prompt and the reference picture and writes the markup
// (about four bytes a token), after reasoning; reasoning tokens are counted
// in output_tokens, as OpenAI's usage objects count them.
func (j *job) svgUsage(svgBytes int) map[string]any {
	model := j.svgModel
	if model == "" {
		model = defaultSVGAuthor
	}
	in := len(j.prompt)/4 + 1 + j.w*j.h/4096
	reasoning := svgReasoningTokens[j.svgEffort]
	out := svgBytes/4 + 1 + reasoning
	return map[string]any{"model": model, "input_tokens": in, "output_tokens": out, "reasoning_tokens": reasoning, "total_tokens": in + out}
}

// stream sends partial frames (coarse versions of the final image) and
// then the completed event, for each image.
func (e *Emulator) stream(w http.ResponseWriter, r *http.Request, j *job) {
	prefix := "image_generation"
	if j.kind == "edit" {
		prefix = "image_edit"
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("x-request-id", newID("req"))
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(typ string, ev map[string]any) bool {
		ev["type"] = typ
		b, _ := json.Marshal(ev)
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ, b); err != nil {
			return false
		}
		return rc.Flush() == nil && r.Context().Err() == nil
	}
	factors := []int{32, 16, 8}
	for i := range j.n {
		final := j.render(i)
		addThumb(r.Context(), final)
		for k := range min(j.partials, 3) {
			if !e.partialPause(r.Context()) {
				return
			}
			b, _, _, err := j.encode(blurred(final, factors[3-min(j.partials, 3)+k]))
			if err != nil {
				return
			}
			ev := e.eventBase(j, b)
			ev["partial_image_index"] = k
			if !send(prefix+".partial_image", ev) {
				return
			}
		}
		b, _, _, err := j.encode(final)
		if err != nil {
			send("error", map[string]any{"error": map[string]any{"message": "emulator: encode failed", "type": "server_error"}})
			return
		}
		ev := e.eventBase(j, b)
		ev["usage"] = j.usage()
		if j.safetyID != "" {
			ev["safety_identifier"] = j.safetyID
		}
		if !send(prefix+".completed", ev) {
			return
		}
	}
}

// eventBase holds the fields every stream event requires.
func (e *Emulator) eventBase(j *job, img []byte) map[string]any {
	q := j.quality
	if !slices.Contains(reportQualities, q) {
		q = "auto"
	}
	bg := "opaque"
	if j.bg == "transparent" && j.format != "jpeg" {
		bg = "transparent"
	}
	return map[string]any{
		"b64_json": base64.StdEncoding.EncodeToString(img), "created_at": e.now().Unix(),
		"size": j.size(), "quality": q, "background": bg, "output_format": j.format,
	}
}
