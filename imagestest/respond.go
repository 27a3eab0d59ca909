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
var reportQualities = []string{"low", "medium", "high"}

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
	for i := range j.n {
		if r.Context().Err() != nil {
			return
		}
		img := j.render(i)
		addThumb(r.Context(), img)
		b, ct, ext, err := j.encode(img)
		if err != nil {
			apiError(w, 500, "server_error", "", "", "emulator: encode failed: "+err.Error())
			return
		}
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
// tokens from the inputs, output tokens from the pixels.
func (j *job) usage() map[string]any {
	text := len(j.prompt)/4 + 1
	img := 0
	for _, in := range j.inputs {
		b := in.Bounds()
		img += 65 + b.Dx()*b.Dy()/(512*512)*129
	}
	out := j.n * (j.w * j.h / 4096)
	return map[string]any{
		"input_tokens":         text + img,
		"input_tokens_details": map[string]any{"text_tokens": text, "image_tokens": img},
		"output_tokens":        out,
		"total_tokens":         text + img + out,
	}
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
