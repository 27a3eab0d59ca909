package imagestest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"net/http"
	"strings"

	"github.com/imagegen-go/openai-images/gen"
	"github.com/imagegen-go/openai-images/wrapper"
)

// The Responses API (POST /v1/responses, GET /v1/responses/{id}) is
// emulated for its image_generation tool. A turn with the tool draws an
// image from the input's text; it edits instead when the input carries
// input_image parts or image_generation_call items, or when
// previous_response_id names a turn that made an image (that image comes
// first, then the input's images), and the tool's input_image_mask limits
// the edit to the mask's transparent areas. The result is one
// image_generation_call output item with every field the API returns
// (action, background, output_format, quality, revised_prompt, size). A
// turn without the tool is answered with one fixed assistant message, as a
// text model would answer. Responses are kept (unless store is false) for
// retrieval and chaining, the newest 64.

// responsesRequest is what the emulator reads of a Responses API request.
type responsesRequest struct {
	Model              string            `json:"model"`
	Input              json.RawMessage   `json:"input"`
	Instructions       *string           `json:"instructions"`
	Tools              []json.RawMessage `json:"tools"`
	ToolChoice         json.RawMessage   `json:"tool_choice"`
	ParallelToolCalls  *bool             `json:"parallel_tool_calls"`
	PreviousResponseID string            `json:"previous_response_id"`
	Stream             bool              `json:"stream"`
	Store              *bool             `json:"store"`
	Metadata           map[string]string `json:"metadata"`
	Temperature        *float64          `json:"temperature"`
	TopP               *float64          `json:"top_p"`
	MaxOutputTokens    *int              `json:"max_output_tokens"`
	User               *string           `json:"user"`
	SafetyIdentifier   *string           `json:"safety_identifier"`
}

// imageTool is the image_generation tool of a request (ImageGenTool in the
// spec, with the action field newer SDKs send).
type imageTool struct {
	Type              string  `json:"type"`
	Model             string  `json:"model"`
	Action            string  `json:"action"`
	Quality           string  `json:"quality"`
	Size              string  `json:"size"`
	OutputFormat      string  `json:"output_format"`
	OutputCompression *int    `json:"output_compression"`
	Background        string  `json:"background"`
	PartialImages     int     `json:"partial_images"`
	InputImageMask    *imgRef `json:"input_image_mask"`
	InputFidelity     *string `json:"input_fidelity"`
	Moderation        string  `json:"moderation"`
	// Newer than the vendored spec (newer.yaml, from openai-go v3.100.0
	// responses/response.go ToolImageGenerationParam).
	Complexity      string              `json:"complexity"`
	FrameCount      int                 `json:"frame_count"`
	FrameDurationMs *int                `json:"frame_duration_ms"`
	Svg             *gen.CreateImageSvg `json:"svg"`
}

// imgRef is an image given by URL (a data URL, or any URL: the emulator
// draws a picture from it) or by the id of a file uploaded to the emulator.
type imgRef struct {
	ImageURL string `json:"image_url"`
	FileID   string `json:"file_id"`
}

// responsesInput is the input after reading: its text and its images.
type responsesInput struct {
	text   string
	images []image.Image
}

// readInput flattens the input: a string, or a list of items. Messages
// contribute their text (a string, or input_text parts) and their
// input_image parts; image_generation_call items contribute their result
// (or, given by id alone, the image of an earlier call of this emulator).
func (e *Emulator) readInput(raw json.RawMessage) (responsesInput, error) {
	var in responsesInput
	var s string
	if json.Unmarshal(raw, &s) == nil {
		in.text = s
		return in, nil
	}
	var items []struct {
		Type    string          `json:"type"`
		ID      string          `json:"id"`
		Result  string          `json:"result"`
		Content json.RawMessage `json:"content"`
	}
	if len(raw) > 0 && json.Unmarshal(raw, &items) != nil {
		return in, errors.New("input must be a string or a list of input items")
	}
	var texts []string
	for i, it := range items {
		switch it.Type {
		case "image_generation_call":
			m, err := e.callImage(it.ID, it.Result)
			if err != nil {
				return in, fmt.Errorf("input[%d]: %v", i, err)
			}
			in.images = append(in.images, m)
			continue
		case "", "message":
		default:
			continue // reasoning, item_reference, ...: nothing to draw from
		}
		if json.Unmarshal(it.Content, &s) == nil {
			texts = append(texts, s)
			continue
		}
		var parts []struct {
			Type string `json:"type"`
			Text string `json:"text"`
			imgRef
		}
		if json.Unmarshal(it.Content, &parts) != nil {
			return in, fmt.Errorf("input[%d].content must be a string or a list of content parts", i)
		}
		for k, p := range parts {
			switch p.Type {
			case "input_text", "output_text":
				texts = append(texts, p.Text)
			case "input_image":
				m, err := e.resolveRef(wrapper.ImageRef{URL: p.ImageURL, FileID: p.FileID})
				if err != nil {
					return in, fmt.Errorf("input[%d].content[%d]: %v", i, k, err)
				}
				in.images = append(in.images, m)
			}
		}
	}
	in.text = strings.Join(texts, "\n")
	return in, nil
}

// callImage decodes an image_generation_call item given back as input.
func (e *Emulator) callImage(id, result string) (image.Image, error) {
	if result != "" {
		b, err := base64.StdEncoding.DecodeString(result)
		if err != nil {
			return nil, fmt.Errorf("result: invalid base64: %v", err)
		}
		m, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("result: not a supported image: %v", err)
		}
		return m, nil
	}
	e.mu.Lock()
	m := e.callImages[id]
	e.mu.Unlock()
	if m == nil {
		return nil, fmt.Errorf("image generation call '%s' not found", id)
	}
	return m, nil
}

// storedResponse is a turn kept for GET /v1/responses/{id} and chaining.
type storedResponse struct {
	body []byte       // the Response object as JSON
	img  *image.NRGBA // the turn's image, nil for a text turn
}

// responsesAPI emulates POST /v1/responses.
func (e *Emulator) responsesAPI(w http.ResponseWriter, r *http.Request) {
	var req responsesRequest
	if !readJSON(w, r, &req) {
		return
	}
	switch {
	case req.Model == "":
		apiError(w, 400, "invalid_request_error", "model", "missing_required_parameter", "Missing required parameter: 'model'.")
		return
	case !checkResponsesModel(w, req.Model):
		return
	case len(req.Input) == 0 || string(req.Input) == "null":
		apiError(w, 400, "invalid_request_error", "input", "missing_required_parameter", "Missing required parameter: 'input'.")
		return
	}
	in, err := e.readInput(req.Input)
	if err != nil {
		apiError(w, 400, "invalid_request_error", "input", "invalid_value", "Invalid 'input': "+err.Error())
		return
	}
	var tool *imageTool
	toolIndex := 0
	for i, raw := range req.Tools {
		var t imageTool
		if json.Unmarshal(raw, &t) == nil && t.Type == "image_generation" {
			tool, toolIndex = &t, i
		}
	}
	var prev *storedResponse
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
	if tool != nil {
		if _, ok := e.checkModel(w, tool.Model, fmt.Sprintf("tools[%d].model", toolIndex), wrapper.OpGenerate, true); !ok {
			return
		}
	}
	if strings.TrimSpace(in.text) == "" && len(in.images) == 0 {
		apiError(w, 400, "invalid_request_error", "input", "missing_required_parameter", "Missing required parameter: 'input'.")
		return
	}

	t := &turn{e: e, req: &req, in: in, id: newID("resp"), created: e.now().Unix()}
	if tool == nil {
		t.text()
	} else if !t.image(w, tool, prev) {
		return
	} else {
		addThumb(r.Context(), t.img)
	}
	if req.Store == nil || *req.Store {
		e.keepResponse(t.id, &storedResponse{body: mustJSON(t.object("completed", t.output)), img: t.img}, t.callID)
	}
	if !req.Stream {
		writeJSON(w, t.object("completed", t.output))
		return
	}
	t.stream(w, r)
}

// turn is one Responses API turn being answered.
type turn struct {
	e       *Emulator
	req     *responsesRequest
	in      responsesInput
	id      string
	created int64

	output []any
	usage  map[string]any
	// image turns
	j        *job
	img      *image.NRGBA
	callID   string
	partials int
	call     map[string]any
}

// textReply is the emulator's answer to a turn without the image tool.
const textReply = "This is the offline emulator of the Images API: it answers text requests with this fixed message. Offer the image_generation tool to get an image."

// text answers a turn without the image tool with one assistant message.
func (t *turn) text() {
	t.output = []any{map[string]any{
		"type": "message", "id": newID("msg"), "status": "completed", "role": "assistant",
		"content": []any{map[string]any{"type": "output_text", "text": textReply, "annotations": []any{}, "logprobs": []any{}}},
	}}
	in := len(t.in.text)/4 + 1
	out := len(textReply)/4 + 1
	t.usage = responseUsage(in, out)
}

// image renders the turn's image; it reports false when it answered an
// error instead.
func (t *turn) image(w http.ResponseWriter, tool *imageTool, prev *storedResponse) bool {
	model := tool.Model
	if model == "" {
		// ImageGenTool.model's default (newer.yaml, from openai-go
		// v3.100.0 ToolImageGenerationParam.Model: "Default:
		// `gpt-image-2.6-sunburst`.").
		model = string(wrapper.ModelGPTImage26Sunburst)
	}
	quality, format, bg := tool.Quality, tool.OutputFormat, tool.Background
	j := newJob("generation", model, t.in.text, 1, wrapper.Size(tool.Size), quality, format, tool.OutputCompression, bg, "b64_json")
	j.setOutput(tool.Complexity, tool.FrameCount, tool.FrameDurationMs, svgOptions(tool.Svg), "")
	var inputs []image.Image
	if prev != nil && prev.img != nil {
		inputs = append(inputs, prev.img)
	}
	inputs = append(inputs, t.in.images...)
	action := "generate"
	if len(inputs) > 0 && tool.Action != "generate" {
		action = "edit"
		j.kind, j.inputs = "edit", inputs
		if tool.Size == "" || tool.Size == "auto" {
			b := inputs[0].Bounds()
			j.w, j.h = b.Dx(), b.Dy()
		}
		if tool.InputImageMask != nil {
			m, err := t.e.resolveRef(wrapper.ImageRef{URL: tool.InputImageMask.ImageURL, FileID: tool.InputImageMask.FileID})
			if err != nil {
				apiError(w, 400, "invalid_request_error", "tools.input_image_mask", "invalid_image", err.Error())
				return false
			}
			j.mask = m
		}
	} else if tool.Action == "edit" {
		apiError(w, 400, "invalid_request_error", "tools.action", "invalid_value",
			"The image_generation tool's action 'edit' needs an input image: none was given.")
		return false
	}
	b, _, _, img, err := j.output(0)
	if err != nil {
		apiError(w, 500, "server_error", "", "", "emulator: encode failed")
		return false
	}
	if quality == "" || quality == "auto" {
		quality = "medium"
	}
	if bg == "" || bg == "auto" || format == "jpeg" {
		bg = "opaque"
	}
	t.j, t.img, t.callID, t.partials = j, img, newID("ig"), min(max(tool.PartialImages, 0), 3)
	if j.format == "gif" || j.format == "svg" {
		t.partials = 0 // no partial images of GIF or SVG output
	}
	t.call = map[string]any{
		"type": "image_generation_call", "id": t.callID, "status": "completed",
		"result": base64.StdEncoding.EncodeToString(b), "action": action, "background": bg,
		"output_format": j.format, "quality": quality, "size": j.size(),
		"revised_prompt": "An image of: " + clipValue(strings.Join(strings.Fields(t.in.text), " ")),
	}
	if j.format == "svg" {
		t.call["svg_usage"] = j.svgUsage(len(b))
	}
	t.output = []any{t.call}
	u := j.usage()
	t.usage = responseUsage(u["input_tokens"].(int), u["output_tokens"].(int))
	return true
}

// responseUsage is a ResponseUsage object.
func responseUsage(in, out int) map[string]any {
	return map[string]any{
		"input_tokens":          in,
		"input_tokens_details":  map[string]any{"cached_tokens": 0, "cache_write_tokens": 0},
		"output_tokens":         out,
		"output_tokens_details": map[string]any{"reasoning_tokens": 0},
		"total_tokens":          in + out,
	}
}

// object is the turn's Response object, with every field the spec's
// Response schema requires and those the API sends besides.
func (t *turn) object(status string, output []any) map[string]any {
	req := t.req
	or := func(v, def any) any {
		switch x := v.(type) {
		case *string:
			if x != nil {
				return *x
			}
		case *bool:
			if x != nil {
				return *x
			}
		case *float64:
			if x != nil {
				return *x
			}
		case *int:
			if x != nil {
				return *x
			}
		case json.RawMessage:
			if len(x) > 0 {
				return x
			}
		}
		return def
	}
	metadata := map[string]string{}
	if req.Metadata != nil {
		metadata = req.Metadata
	}
	tools := req.Tools
	if tools == nil {
		tools = []json.RawMessage{}
	}
	m := map[string]any{
		"id": t.id, "object": "response", "created_at": t.created, "status": status,
		"background": false, "error": nil, "incomplete_details": nil,
		"instructions": or(req.Instructions, nil), "max_output_tokens": or(req.MaxOutputTokens, nil),
		"max_tool_calls": nil, "model": req.Model, "output": output,
		"parallel_tool_calls": or(req.ParallelToolCalls, true), "previous_response_id": nullable(req.PreviousResponseID),
		"reasoning": map[string]any{"effort": nil, "summary": nil}, "service_tier": "default",
		"store": or(req.Store, true), "temperature": or(req.Temperature, 1.0),
		"text":        map[string]any{"format": map[string]any{"type": "text"}, "verbosity": "medium"},
		"tool_choice": or(req.ToolChoice, "auto"), "tools": tools, "top_p": or(req.TopP, 1.0),
		"truncation": "disabled", "usage": nil, "user": or(req.User, nil), "metadata": metadata,
		"safety_identifier": or(req.SafetyIdentifier, nil),
		"completed_at":      nil,
	}
	if status == "completed" {
		m["usage"], m["completed_at"] = t.usage, t.created
	}
	return m
}

// stream sends the turn as the API's server-sent events.
func (t *turn) stream(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
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
	if !send("response.created", map[string]any{"response": t.object("in_progress", []any{})}) ||
		!send("response.in_progress", map[string]any{"response": t.object("in_progress", []any{})}) {
		return
	}
	done := t.output[0].(map[string]any)
	pending := map[string]any{}
	for k, v := range done {
		pending[k] = v
	}
	pending["status"] = "in_progress"
	if t.j == nil {
		pending["content"] = []any{}
		if !t.streamText(send, done, pending) {
			return
		}
	} else {
		pending["result"] = nil
		if !t.streamImage(r, send, pending) {
			return
		}
	}
	if send("response.output_item.done", map[string]any{"output_index": 0, "item": done}) {
		send("response.completed", map[string]any{"response": t.object("completed", t.output)})
	}
}

func (t *turn) streamText(send func(string, map[string]any) bool, done, pending map[string]any) bool {
	id := done["id"]
	part := map[string]any{"type": "output_text", "text": "", "annotations": []any{}, "logprobs": []any{}}
	full := done["content"].([]any)[0]
	steps := []struct {
		typ string
		ev  map[string]any
	}{
		{"response.output_item.added", map[string]any{"output_index": 0, "item": pending}},
		{"response.content_part.added", map[string]any{"output_index": 0, "item_id": id, "content_index": 0, "part": part}},
		{"response.output_text.delta", map[string]any{"output_index": 0, "item_id": id, "content_index": 0, "delta": textReply, "logprobs": []any{}}},
		{"response.output_text.done", map[string]any{"output_index": 0, "item_id": id, "content_index": 0, "text": textReply, "logprobs": []any{}}},
		{"response.content_part.done", map[string]any{"output_index": 0, "item_id": id, "content_index": 0, "part": full}},
	}
	for _, s := range steps {
		if !send(s.typ, s.ev) {
			return false
		}
	}
	return true
}

func (t *turn) streamImage(r *http.Request, send func(string, map[string]any) bool, pending map[string]any) bool {
	steps := []struct {
		typ string
		ev  map[string]any
	}{
		{"response.output_item.added", map[string]any{"output_index": 0, "item": pending}},
		{"response.image_generation_call.in_progress", map[string]any{"output_index": 0, "item_id": t.callID}},
		{"response.image_generation_call.generating", map[string]any{"output_index": 0, "item_id": t.callID}},
	}
	for _, s := range steps {
		if !send(s.typ, s.ev) {
			return false
		}
	}
	factors := []int{32, 16, 8}
	for k := range t.partials {
		if !t.e.partialPause(r.Context()) {
			return false
		}
		pb, _, _, err := t.j.encode(blurred(t.img, factors[3-t.partials+k]))
		if err != nil {
			return false
		}
		if !send("response.image_generation_call.partial_image", map[string]any{
			"output_index": 0, "item_id": t.callID, "partial_image_index": k,
			"partial_image_b64": base64.StdEncoding.EncodeToString(pb), "size": t.j.size(),
			"output_format": t.j.format, "background": t.call["background"], "quality": t.call["quality"],
		}) {
			return false
		}
	}
	return send("response.image_generation_call.completed", map[string]any{"output_index": 0, "item_id": t.callID})
}

// getResponse emulates GET /v1/responses/{response_id}.
func (e *Emulator) getResponse(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("response_id")
	e.mu.Lock()
	s := e.responses[id]
	e.mu.Unlock()
	if s == nil {
		apiError(w, http.StatusNotFound, "invalid_request_error", "response_id", "", fmt.Sprintf("Response with id '%s' not found.", clipValue(id)))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-request-id", newID("req"))
	w.Write(s.body)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of JSON values: cannot fail
	}
	return append(b, '\n')
}

// keepResponse remembers a turn for retrieval and the next turn, and its
// call's image for image_generation_call items given back by id.
func (e *Emulator) keepResponse(id string, s *storedResponse, callID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.responses[id] = s
	if callID != "" && s.img != nil {
		e.callImages[callID] = s.img
	}
	e.respIDs = append(e.respIDs, respKey{id, callID})
	for len(e.respIDs) > maxResponses {
		delete(e.responses, e.respIDs[0].resp)
		delete(e.callImages, e.respIDs[0].call)
		e.respIDs = e.respIDs[1:]
	}
}

// maxResponses bounds the turns kept.
const maxResponses = maxStored / 8

type respKey struct{ resp, call string }
