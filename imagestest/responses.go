package imagestest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"net/http"
	"strings"

	"github.com/imagegen-go/openai-images/gen"
	"github.com/imagegen-go/openai-images/wrapper"
)

// responsesRequest is what the emulator reads of a Responses API request.
type responsesRequest struct {
	Model              string            `json:"model"`
	Input              json.RawMessage   `json:"input"`
	Tools              []json.RawMessage `json:"tools"`
	PreviousResponseID string            `json:"previous_response_id"`
	Stream             bool              `json:"stream"`
}

// inputText flattens the input: a string, or a list of messages whose
// content is a string or a list of input_text parts.
func inputText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var msgs []struct {
		Content json.RawMessage `json:"content"`
	}
	if json.Unmarshal(raw, &msgs) != nil {
		return ""
	}
	var parts []string
	for _, m := range msgs {
		if json.Unmarshal(m.Content, &s) == nil {
			parts = append(parts, s)
			continue
		}
		var items []struct {
			Text string `json:"text"`
		}
		json.Unmarshal(m.Content, &items)
		for _, it := range items {
			parts = append(parts, it.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// responsesAPI emulates POST /v1/responses with the image_generation tool:
// each turn draws an image from the input, or edits the previous turn's
// image when previous_response_id is given.
func (e *Emulator) responsesAPI(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		apiError(w, 401, "invalid_request_error", "", "missing_api_key", "You didn't provide an API key (any Bearer token works with the emulator).")
		return
	}
	var req responsesRequest
	if !readJSON(w, r, &req) {
		return
	}
	prompt := inputText(req.Input)
	switch {
	case req.Model == "":
		apiError(w, 400, "invalid_request_error", "model", "missing_required_parameter", "Missing required parameter: 'model'.")
		return
	case strings.TrimSpace(prompt) == "":
		apiError(w, 400, "invalid_request_error", "input", "missing_required_parameter", "Missing required parameter: 'input'.")
		return
	}
	var tool *gen.ImageGenTool
	for _, raw := range req.Tools {
		var t gen.ImageGenTool
		if json.Unmarshal(raw, &t) == nil && t.Type == gen.ImageGenToolTypeImageGeneration {
			tool = &t
		}
	}
	if tool == nil {
		apiError(w, 400, "invalid_request_error", "tools", "invalid_value", "The emulator only answers requests that offer the image_generation tool.")
		return
	}
	var prev *image.NRGBA
	if req.PreviousResponseID != "" {
		e.mu.Lock()
		prev = e.responses[req.PreviousResponseID]
		e.mu.Unlock()
		if prev == nil {
			apiError(w, 400, "invalid_request_error", "previous_response_id", "previous_response_not_found",
				fmt.Sprintf("Previous response with id '%s' not found.", req.PreviousResponseID))
			return
		}
	}
	j := newJob("generation", deref(tool.Model), prompt, 1, sizeOf(tool.Size), string(derefEnum(tool.Quality)),
		string(derefEnum(tool.OutputFormat)), tool.OutputCompression, string(derefEnum(tool.Background)), "b64_json")
	if j.model == "" {
		j.model = "gpt-image-1"
	}
	var img *image.NRGBA
	if prev != nil {
		j.kind, j.inputs = "edit", []image.Image{prev}
		if tool.Size == nil || *tool.Size == "auto" {
			j.w, j.h = prev.Rect.Dx(), prev.Rect.Dy()
		}
	}
	img = j.render(0)
	b, _, _, err := j.encode(img)
	if err != nil {
		apiError(w, 500, "server_error", "", "", "emulator: encode failed")
		return
	}
	id, callID := newID("resp"), newID("ig")
	e.keepResponse(id, img)
	call := map[string]any{
		"type": "image_generation_call", "id": callID, "status": "completed",
		"result": base64.StdEncoding.EncodeToString(b), "revised_prompt": "An image of: " + prompt,
		"size": j.sizeName, "output_format": j.format,
	}
	resp := map[string]any{
		"id":                   id,
		"object":               "response",
		"created_at":           e.now().Unix(),
		"status":               "completed",
		"model":                req.Model,
		"previous_response_id": nullable(req.PreviousResponseID),
		"output":               []any{call},
		"tools":                req.Tools,
		"usage":                j.usage(),
	}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-request-id", newID("req"))
		json.NewEncoder(w).Encode(resp)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("x-request-id", newID("req"))
	rc := http.NewResponseController(w)
	seq := 0
	send := func(typ string, ev map[string]any) bool {
		ev["type"], ev["sequence_number"] = typ, seq
		seq++
		data, _ := json.Marshal(ev)
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ, data); err != nil {
			return false
		}
		return rc.Flush() == nil && r.Context().Err() == nil
	}
	pending := map[string]any{"id": id, "object": "response", "status": "in_progress", "model": req.Model, "output": []any{}}
	item := map[string]any{"type": "image_generation_call", "id": callID, "status": "in_progress", "result": nil}
	steps := []struct {
		typ string
		ev  map[string]any
	}{
		{"response.created", map[string]any{"response": pending}},
		{"response.in_progress", map[string]any{"response": pending}},
		{"response.output_item.added", map[string]any{"output_index": 0, "item": item}},
		{"response.image_generation_call.in_progress", map[string]any{"output_index": 0, "item_id": callID}},
		{"response.image_generation_call.generating", map[string]any{"output_index": 0, "item_id": callID}},
	}
	for _, s := range steps {
		if !send(s.typ, s.ev) {
			return
		}
	}
	n := min(deref(tool.PartialImages), 3)
	factors := []int{32, 16, 8}
	for k := range n {
		pb, _, _, err := j.encode(blurred(img, factors[3-n+k]))
		if err != nil {
			return
		}
		if !send("response.image_generation_call.partial_image", map[string]any{
			"output_index": 0, "item_id": callID, "partial_image_index": k,
			"partial_image_b64": base64.StdEncoding.EncodeToString(pb), "size": j.sizeName, "output_format": j.format,
		}) {
			return
		}
	}
	if send("response.image_generation_call.completed", map[string]any{"output_index": 0, "item_id": callID}) &&
		send("response.output_item.done", map[string]any{"output_index": 0, "item": call}) {
		send("response.completed", map[string]any{"response": resp})
	}
}

func sizeOf(s *string) wrapper.Size {
	if s == nil {
		return ""
	}
	return wrapper.Size(*s)
}

func derefEnum[T ~string](p *T) T {
	if p == nil {
		return ""
	}
	return *p
}

// keepResponse remembers a turn's image for the next turn.
func (e *Emulator) keepResponse(id string, img *image.NRGBA) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.responses[id] = img
	e.respIDs = append(e.respIDs, id)
	for len(e.respIDs) > maxStored/8 {
		delete(e.responses, e.respIDs[0])
		e.respIDs = e.respIDs[1:]
	}
}
