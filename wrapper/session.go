package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/imagegen-go/openai-images/gen"
)

// ImageTool configures the Responses API image_generation tool: the image
// model and its output. Zero values are not sent.
type ImageTool struct {
	// Model is the image model (the API's default is gpt-image-2.6-sunburst).
	Model             Model
	Size              Size
	Quality           Quality
	Complexity        Complexity
	OutputFormat      OutputFormat
	OutputCompression *int
	Background        Background
	Moderation        Moderation
	// PartialImages (0-3) is used by streamed turns.
	PartialImages *int
	InputFidelity InputFidelity
	// InputImageMask is an inpainting mask, by URL, data URL or file ID.
	InputImageMask *ImageRef
	// FrameCount and FrameDuration shape GIF output (see GenerateParams).
	FrameCount    int
	FrameDuration time.Duration
	// SVG selects the SVG author (output_format svg only); without it the
	// SVG author is the session's model where SVG model selection is on.
	SVG *SVGOptions
	// Action is "generate", "edit" or "auto" (the default).
	Action string
}

func (t ImageTool) param(stream bool) gen.ImageGenTool {
	p := gen.ImageGenTool{
		Type:              gen.ImageGenToolTypeImageGeneration,
		Model:             optString[string](t.Model),
		Size:              optString[string](t.Size),
		Quality:           optString[gen.ImageGenToolQuality](t.Quality),
		OutputFormat:      optString[gen.ImageGenToolOutputFormat](t.OutputFormat),
		OutputCompression: t.OutputCompression,
		Background:        optString[gen.ImageGenToolBackground](t.Background),
		Moderation:        optString[gen.ImageGenToolModeration](t.Moderation),
		InputFidelity:     optString[gen.InputFidelity](t.InputFidelity),
		Action:            optString[gen.ImageGenActionEnum](t.Action),
		Complexity:        optString[gen.ImageGenToolComplexity](t.Complexity),
		FrameCount:        optInt(t.FrameCount),
		FrameDurationMs:   optInt(milliseconds(t.FrameDuration)),
	}
	if t.InputImageMask != nil {
		p.InputImageMask = &gen.ImageGenToolInputImageMask{ImageUrl: optString[string](t.InputImageMask.URL), FileId: optString[string](t.InputImageMask.FileID)}
	}
	if t.SVG != nil {
		p.Svg = &gen.ImageGenToolSvg{Model: optString[string](t.SVG.Model)}
		if t.SVG.ReasoningEffort != "" {
			p.Svg.Reasoning = &gen.ImageGenToolSvgReasoning{Effort: optString[gen.ImageGenToolSvgReasoningEffort](t.SVG.ReasoningEffort)}
		}
	}
	if stream {
		p.PartialImages = t.PartialImages
	}
	return p
}

// responsesRequest is the subset of a Responses API request a session
// sends. The full Responses schema is far larger than an image session
// needs; the tool itself is the generated type.
type responsesRequest struct {
	Model              string             `json:"model"`
	Input              string             `json:"input"`
	Tools              []gen.ImageGenTool `json:"tools"`
	PreviousResponseID string             `json:"previous_response_id,omitempty"`
	Stream             bool               `json:"stream,omitempty"`
}

// responsesResponse is the subset of a Responses API response a session reads.
type responsesResponse struct {
	ID     string            `json:"id"`
	Status string            `json:"status"`
	Output []json.RawMessage `json:"output"`
	Error  json.RawMessage   `json:"error"`
}

// imageCall is an image_generation_call output item.
type imageCall = gen.ImageGenToolCall

// Turn is the result of one turn of an [EditSession].
type Turn struct {
	// ResponseID identifies the response; the next turn chains from it.
	ResponseID string
	// Images holds the turn's generated images (usually one).
	Images []TurnImage
	// RequestID is the x-request-id header.
	RequestID string
}

// TurnImage is an image produced by the image_generation tool.
type TurnImage struct {
	// CallID is the image_generation_call item's id.
	CallID  string
	B64JSON string
	// RevisedPrompt is the prompt used after the model rewrote it.
	RevisedPrompt string
	// Action is what the tool did: "generate" or "edit" (when reported).
	Action string
	// Background, OutputFormat, Quality and Size are the settings used,
	// when reported.
	Background   Background
	OutputFormat OutputFormat
	Quality      Quality
	Size         Size
	// SVGUsage is the token usage of SVG authoring (SVG output only).
	SVGUsage *SVGUsage
	// Path is the file the image was written to as it arrived, with
	// WithImageFiles or WriteFiles; B64JSON is empty then.
	Path string
}

// failedCall is the error of a failed image_generation_call: the call's own
// error (a moderation refusal, say) when it has one.
func failedCall(call imageCall, raw []byte) *StreamError {
	e := &StreamError{Code: "image_generation_failed", Message: "the image generation call " + call.Id + " failed", Raw: raw}
	if ce := call.Error; ce != nil {
		e.Type, e.Param = ce.Type, ce.Param
		if ce.Code != "" {
			e.Code = ce.Code
		}
		if ce.Message != "" {
			e.Message = ce.Message
		}
	}
	return e
}

// turnImageOf reads an image_generation_call item into a TurnImage.
func turnImageOf(call imageCall, b64 string) TurnImage {
	t := TurnImage{
		CallID: call.Id, B64JSON: b64, RevisedPrompt: deref(call.RevisedPrompt), Size: Size(deref(call.Size)),
		Action: string(deref(call.Action)), Background: Background(deref(call.Background)),
		OutputFormat: OutputFormat(deref(call.OutputFormat)), Quality: Quality(deref(call.Quality)),
	}
	if u := call.SvgUsage; u != nil {
		t.SVGUsage = &SVGUsage{Model: deref(u.Model), InputTokens: deref(u.InputTokens), OutputTokens: deref(u.OutputTokens),
			ReasoningTokens: deref(u.ReasoningTokens), TotalTokens: deref(u.TotalTokens)}
	}
	return t
}

// Image returns the turn's first image, or false when it produced none.
func (t *Turn) Image() (TurnImage, bool) {
	if len(t.Images) == 0 {
		return TurnImage{}, false
	}
	return t.Images[0], true
}

// CallProgressEvent reports the progress of a streamed turn's image
// generation call: Type is response.image_generation_call.in_progress,
// .generating or .completed (the image itself follows in the
// TurnCompletedEvent).
type CallProgressEvent struct {
	Type string
	// ItemID is the image_generation_call item's id (TurnImage.CallID).
	ItemID string
	// OutputIndex is the item's position in the response's output.
	OutputIndex int
	// SequenceNumber orders the response's events.
	SequenceNumber int
}

func (e *CallProgressEvent) EventType() string { return e.Type }
func (*CallProgressEvent) isStreamEvent()      {}

// TurnCompletedEvent ends a streamed session turn with its result.
type TurnCompletedEvent struct {
	Type string
	Turn *Turn
}

func (e *TurnCompletedEvent) EventType() string { return e.Type }
func (*TurnCompletedEvent) isStreamEvent()      {}

// EditSession is a multi-turn image editing conversation through the
// Responses API and its image_generation tool: a first turn creates an
// image, and each later turn edits the previous result, chained by
// previous_response_id. It is safe for concurrent use, though turns are
// naturally sequential: a turn chains from the last completed one.
type EditSession struct {
	client *Client
	model  string
	tool   ImageTool

	mu     sync.Mutex
	lastID string
}

// ErrNoPreviousTurn is returned by Edit before any turn has completed.
var ErrNoPreviousTurn = errors.New("openai-images: session has no previous turn to edit; call Create first")

// NewEditSession starts a session in which model (a Responses API model
// such as "gpt-5") calls the image tool configured by tool.
func (c *Client) NewEditSession(model string, tool ImageTool) *EditSession {
	return &EditSession{client: c, model: model, tool: tool}
}

// ResumeEditSession continues a session from a known response id.
func (c *Client) ResumeEditSession(model string, tool ImageTool, responseID string) *EditSession {
	return &EditSession{client: c, model: model, tool: tool, lastID: responseID}
}

// ResponseID is the id of the last completed turn ("" before the first).
func (s *EditSession) ResponseID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastID
}

func (s *EditSession) setLast(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastID = id
}

// Create runs the first turn: prompt describes the image to generate
// ("Generate an image: ..." phrasing works best). It starts a new chain even
// if the session had turns before.
//
// API: POST /responses
func (s *EditSession) Create(ctx context.Context, prompt string, opts ...RequestOption) (*Turn, error) {
	return s.turn(ctx, prompt, "", opts)
}

// Edit runs a turn that edits the last turn's image as instruction says.
//
// API: POST /responses
func (s *EditSession) Edit(ctx context.Context, instruction string, opts ...RequestOption) (*Turn, error) {
	prev := s.ResponseID()
	if prev == "" {
		return nil, ErrNoPreviousTurn
	}
	return s.turn(ctx, instruction, prev, opts)
}

// CreateStream is Create, streamed: partial images
// (ImageTool.PartialImages) arrive as *PartialImageEvent, and the turn ends
// with a *TurnCompletedEvent.
//
// API: POST /responses
func (s *EditSession) CreateStream(ctx context.Context, prompt string, opts ...RequestOption) (*ImageStream, error) {
	return s.turnStream(ctx, prompt, "", opts)
}

// EditStream is Edit, streamed like CreateStream.
//
// API: POST /responses
func (s *EditSession) EditStream(ctx context.Context, instruction string, opts ...RequestOption) (*ImageStream, error) {
	prev := s.ResponseID()
	if prev == "" {
		return nil, ErrNoPreviousTurn
	}
	return s.turnStream(ctx, instruction, prev, opts)
}

const responsesOp = "createResponse"

func (s *EditSession) request(input, prev string, stream bool, rc *requestConfig) (call, error) {
	cl := call{op: responsesOp, path: "POST /responses", stream: stream, replayable: true}
	if strings.TrimSpace(input) == "" {
		return cl, &ValidationError{Problems: []Problem{{Field: "input", Rule: "must not be empty", Allowed: "a prompt or instruction"}}}
	}
	if s.model == "" {
		return cl, &ValidationError{Problems: []Problem{{Field: "model", Rule: "a Responses API model is required", Allowed: `e.g. "gpt-5"`}}}
	}
	tool := s.tool
	if az := s.client.cfg.azure; az != nil {
		// On Azure the tool's deployment goes in a header (below); the
		// tool's model is the model that deployment runs, when known.
		tool.Model = az.modelFor(tool.Model)
	}
	body, err := jsonBody(responsesRequest{
		Model: s.model, Input: input, Tools: []gen.ImageGenTool{tool.param(stream)},
		PreviousResponseID: prev, Stream: stream,
	}, rc.body)
	if err != nil {
		return cl, fmt.Errorf("openai-images: %s: %w", responsesOp, err)
	}
	c := s.client
	var imageDeployment string
	if az := c.cfg.azure; az != nil {
		// On Azure the tool's image deployment is named by a header.
		if imageDeployment, err = az.route(s.tool.Model, "tools[0].model"); err != nil {
			return cl, err
		}
	}
	cl.send = func(ctx context.Context, editors []gen.RequestEditorFn) (*http.Response, error) {
		// /responses is outside the vendored Images spec, so this one
		// request is built here, with the same editors as generated calls.
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.api.Server, "/")+"/responses", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		if imageDeployment != "" {
			req.Header.Set(azureImageDeploymentHeader, imageDeployment)
		}
		for _, edit := range append(append([]gen.RequestEditorFn{}, c.api.RequestEditors...), editors...) {
			if err := edit(ctx, req); err != nil {
				return nil, err
			}
		}
		return c.api.Client.Do(req)
	}
	return cl, nil
}

func (s *EditSession) turn(ctx context.Context, input, prev string, opts []RequestOption) (*Turn, error) {
	rc, err := s.client.requestConfig(opts)
	if err != nil {
		return nil, err
	}
	cl, err := s.request(input, prev, false, rc)
	if err != nil {
		return nil, err
	}
	var turn *Turn
	err = s.client.do(ctx, cl, rc, func(_ context.Context, resp *http.Response, _ func()) error {
		turn, err = readTurn(resp, s.client.cfg.maxResponseSize, rc.files)
		return s.client.cfg.scrubErr(err)
	})
	if err != nil {
		return nil, err
	}
	s.setLast(turn.ResponseID)
	return turn, nil
}

// readTurn reads a JSON Responses API response (at most limit bytes, with
// the generated-client checks of parseJSON, read as it arrives) into a
// turn, its images kept as base64 text or, with files, decoded into files
// as they arrive.
func readTurn(resp *http.Response, limit int64, files *imageFiles) (*Turn, error) {
	defer resp.Body.Close()
	doc := getImageDoc(&responseDocs, files)
	defer putImageDoc(&responseDocs, doc)
	r, err := parseJSONStreamed(responsesOp, resp, limit, func(r *http.Response) (*responsesResponse, error) {
		if _, err := doc.sc.ReadFrom(r.Body); err != nil {
			return nil, err
		}
		if err := doc.finish(); err != nil {
			return nil, err
		}
		var out responsesResponse
		if err := doc.sc.Decode(&out); err != nil { // as json.NewDecoder(r.Body).Decode
			return nil, err
		}
		return &out, nil
	})
	if err != nil {
		return nil, err
	}
	return parseTurn(r, resp.Header.Get("x-request-id"), doc)
}

// parseTurn reads the image calls of a response, whose images are
// placeholders of doc.
func parseTurn(r *responsesResponse, requestID string, doc *imageDoc) (*Turn, error) {
	if r.Status == "failed" || len(r.Error) > 0 && string(r.Error) != "null" {
		return nil, streamError(r.Error, nil)
	}
	if r.ID == "" {
		return nil, &APIError{Operation: responsesOp, StatusCode: http.StatusOK, RequestID: requestID, Message: "response has no id"}
	}
	turn := &Turn{ResponseID: r.ID, RequestID: requestID}
	var calls []imageCall
	for _, raw := range r.Output {
		var head struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(raw, &head) != nil || head.Type != "image_generation_call" {
			continue
		}
		var call imageCall
		if err := json.Unmarshal(raw, &call); err != nil {
			// The error as the item with its image would give it.
			if err2 := json.Unmarshal(doc.restore(raw), &call); err2 != nil {
				err = err2
			}
			return nil, &EventDecodeError{EventType: "image_generation_call", Err: err}
		}
		if call.Status == gen.ImageGenToolCallStatusFailed {
			return nil, failedCall(call, doc.restore(raw))
		}
		if call.Result != nil {
			calls = append(calls, call)
		}
	}
	var items []saveItem
	for k, call := range calls {
		img := doc.image(*call.Result)
		turn.Images = append(turn.Images, turnImageOf(call, img.text))
		if doc.files != nil && (img.file != nil || img.text != "") {
			// A turn's image is checked as TurnImage.Content checks it:
			// any image format.
			items = append(items, saveItem{img: img, info: ImageFile{Index: doc.completed + k, Count: len(calls)}})
		}
	}
	if len(items) > 0 {
		paths, err := doc.save(items)
		if err != nil {
			return nil, err
		}
		for k, it := range items {
			img := &turn.Images[it.info.Index-doc.completed]
			img.B64JSON, img.Path = "", paths[k]
		}
	}
	return turn, nil
}

func (s *EditSession) turnStream(ctx context.Context, input, prev string, opts []RequestOption) (*ImageStream, error) {
	rc, err := s.client.requestConfig(opts)
	if err != nil {
		return nil, err
	}
	cl, err := s.request(input, prev, true, rc)
	if err != nil {
		return nil, err
	}
	return s.client.openStream(ctx, streamDecoder{paths: responseEventPaths, event: s.decodeEvent, json: s.turnAsEvents}, cl, rc)
}

// turnAsEvents handles a server that answered a streamed turn with JSON.
func (s *EditSession) turnAsEvents(_ *Client, _ string, resp *http.Response, files *imageFiles) ([]StreamEvent, error) {
	turn, err := readTurn(resp, s.client.cfg.maxResponseSize, files)
	if err != nil {
		return nil, err
	}
	s.setLast(turn.ResponseID)
	return []StreamEvent{&TurnCompletedEvent{Type: "response.completed", Turn: turn}}, nil
}

// decodeEvent maps Responses API stream events: partial images, the
// completed response (which also advances the session), errors; the many
// other event types pass through as *UnknownEvent.
func (s *EditSession) decodeEvent(sseType string, doc *imageDoc) (StreamEvent, error) {
	var head struct {
		Type     string          `json:"type"`
		Response json.RawMessage `json:"response"`
	}
	if err := doc.unmarshal(&head); err != nil {
		return nil, &EventDecodeError{EventType: sseType, Err: err}
	}
	typ := head.Type
	if typ == "" {
		typ = sseType
	}
	switch typ {
	case "response.image_generation_call.partial_image":
		var e gen.ResponseImageGenCallPartialImageEvent
		if err := doc.unmarshal(&e); err != nil {
			return nil, &EventDecodeError{EventType: typ, Err: err}
		}
		ev := &PartialImageEvent{
			Type: typ, Index: e.PartialImageIndex,
			Size: Size(deref(e.Size)), Quality: Quality(deref(e.Quality)), Background: Background(deref(e.Background)),
			OutputFormat: OutputFormat(deref(e.OutputFormat)), CreatedAt: time.Time{},
		}
		var err error
		ev.B64JSON, ev.Path, err = doc.eventImage(e.PartialImageB64, ImageFile{Index: doc.completed, Partial: true, PartialIndex: e.PartialImageIndex}, ev.OutputFormat)
		if err != nil {
			return nil, err
		}
		return ev, nil
	case "response.completed", "response.failed", "response.incomplete":
		var r responsesResponse
		if err := json.Unmarshal(head.Response, &r); err != nil {
			if err2 := json.Unmarshal(doc.restore(head.Response), &r); err2 != nil {
				err = err2
			}
			return nil, &EventDecodeError{EventType: typ, Err: err}
		}
		if typ == "response.incomplete" {
			return nil, &StreamError{Code: "response_incomplete", Message: "the response ended incomplete", Raw: doc.original()}
		}
		turn, err := parseTurn(&r, "", doc)
		if err != nil {
			return nil, err
		}
		s.setLast(turn.ResponseID)
		return &TurnCompletedEvent{Type: typ, Turn: turn}, nil
	case "response.image_generation_call.in_progress", "response.image_generation_call.generating", "response.image_generation_call.completed":
		var e struct {
			ItemID         string `json:"item_id"`
			OutputIndex    int    `json:"output_index"`
			SequenceNumber int    `json:"sequence_number"`
		}
		if err := doc.unmarshal(&e); err != nil {
			return nil, &EventDecodeError{EventType: typ, Err: err}
		}
		return &CallProgressEvent{Type: typ, ItemID: e.ItemID, OutputIndex: e.OutputIndex, SequenceNumber: e.SequenceNumber}, nil
	case "error":
		return nil, streamError(doc.original(), nil)
	}
	var probe eventHead
	if doc.unmarshal(&probe) == nil && len(probe.Error) > 0 && string(probe.Error) != "null" {
		return nil, streamError(doc.original(), probe.Error)
	}
	return &UnknownEvent{Type: typ, Raw: doc.original()}, nil
}
