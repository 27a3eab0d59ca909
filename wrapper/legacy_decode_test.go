package wrapper

// The decoders as they were before image responses went through
// internal/imagejson (the body read whole, json.Unmarshal of the whole event
// or body, base64.StdEncoding.DecodeString), kept verbatim as the reference
// that the parity fuzz targets (decode_parity_test.go) and the before/after
// benchmarks (bench_decode_test.go) hold the new ones to.

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/imagegen-go/openai-images/gen"
)

func legacyDecodeB64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("openai-images: decode b64_json: %w", err)
	}
	return b, nil
}

// legacyParseImages is parseImages with the generated parser, the body
// read whole by parseJSON first.
func (c *Client) legacyParseImages(op string, resp *http.Response, parse func(*http.Response) (*gen.ImagesResponse, error)) (*ImagesResponse, error) {
	if parse == nil {
		parse = func(r *http.Response) (*gen.ImagesResponse, error) {
			parsed, err := gen.ParseCreateImageResponse(r)
			if err != nil {
				return nil, err
			}
			return parsed.JSON200, nil
		}
	}
	r, err := parseJSON(op, resp, c.cfg.maxResponseSize, parse)
	if err != nil {
		return nil, err
	}
	res := c.imagesResponse(r, resp.Header.Get("x-request-id"))
	if len(res.Data) == 0 {
		return nil, &NoImagesError{Operation: op, RequestID: res.RequestID}
	}
	return res, nil
}

// legacyReadTurn is readTurn with json.NewDecoder, the body read whole by
// parseJSON first.
func legacyReadTurn(resp *http.Response, limit int64) (*Turn, error) {
	defer resp.Body.Close()
	r, err := parseJSON(responsesOp, resp, limit, func(r *http.Response) (*responsesResponse, error) {
		var out responsesResponse
		if err := json.NewDecoder(r.Body).Decode(&out); err != nil {
			return nil, err
		}
		return &out, nil
	})
	if err != nil {
		return nil, err
	}
	return legacyParseTurn(r, resp.Header.Get("x-request-id"))
}

// decodeStreamEvent decodes one event's data into a typed event, or a
// *StreamError for error events in either form servers send
// ({"error": {...}} data, or an "error" event / "type": "error").
func legacyDecodeStreamEvent(sseType string, data []byte) (StreamEvent, error) {
	// One pass over the data (an event can hold a 64 MiB image): the
	// generated completed-event type has every field of the partial one
	// but its index, which is added here, along with the error member.
	var e struct {
		gen.ImageGenCompletedEvent
		PartialImageIndex int             `json:"partial_image_index"`
		Error             json.RawMessage `json:"error"`
	}
	err := json.Unmarshal(data, &e)
	var typeErr *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &typeErr) {
		// Not JSON at all: the type is known only from the event name.
		name := sseType
		if name == "" {
			name = "message"
		}
		return nil, &EventDecodeError{EventType: name, Err: err}
	}
	typ := string(e.Type)
	if typ == "" {
		typ = sseType
	}
	if len(e.Error) > 0 && string(e.Error) != "null" || typ == "error" || sseType == "error" {
		return nil, streamError(data, e.Error)
	}
	switch typ {
	case "image_generation.partial_image", "image_edit.partial_image":
		if err != nil {
			return nil, &EventDecodeError{EventType: typ, Err: err}
		}
		return &PartialImageEvent{
			Type: typ, Index: e.PartialImageIndex, B64JSON: e.B64Json,
			Size: Size(e.Size), Quality: Quality(e.Quality), Background: Background(e.Background),
			OutputFormat: OutputFormat(e.OutputFormat), CreatedAt: time.Unix(int64(e.CreatedAt), 0).UTC(),
		}, nil
	case "image_generation.completed", "image_edit.completed":
		if err != nil {
			return nil, &EventDecodeError{EventType: typ, Err: err}
		}
		u := e.Usage
		return &CompletedEvent{
			Type: typ, B64JSON: e.B64Json,
			Size: Size(e.Size), Quality: Quality(e.Quality), Background: Background(e.Background),
			OutputFormat: OutputFormat(e.OutputFormat), CreatedAt: time.Unix(int64(e.CreatedAt), 0).UTC(),
			Usage: &Usage{
				InputTokens: u.InputTokens, InputTextTokens: u.InputTokensDetails.TextTokens,
				InputImageTokens: u.InputTokensDetails.ImageTokens, OutputTokens: u.OutputTokens, TotalTokens: u.TotalTokens,
			},
		}, nil
	}
	// An event type this version does not know: its fields may have any
	// type, so a type mismatch against the image events is no error here.
	return &UnknownEvent{Type: typ, Raw: append(json.RawMessage(nil), data...)}, nil
}

// parseTurn reads the image calls of a response.
func legacyParseTurn(r *responsesResponse, requestID string) (*Turn, error) {
	if r.Status == "failed" || len(r.Error) > 0 && string(r.Error) != "null" {
		return nil, streamError(r.Error, nil)
	}
	if r.ID == "" {
		return nil, &APIError{Operation: responsesOp, StatusCode: http.StatusOK, RequestID: requestID, Message: "response has no id"}
	}
	turn := &Turn{ResponseID: r.ID, RequestID: requestID}
	for _, raw := range r.Output {
		var head struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(raw, &head) != nil || head.Type != "image_generation_call" {
			continue
		}
		var call imageCall
		if err := json.Unmarshal(raw, &call); err != nil {
			return nil, &EventDecodeError{EventType: "image_generation_call", Err: err}
		}
		if call.Status == gen.ImageGenToolCallStatusFailed {
			return nil, failedCall(call, raw)
		}
		if call.Result == nil {
			continue
		}
		turn.Images = append(turn.Images, turnImageOf(call, *call.Result))
	}
	return turn, nil
}

// decodeEvent maps Responses API stream events: partial images, the
// completed response (which also advances the session), errors; the many
// other event types pass through as *UnknownEvent.
func legacyDecodeSessionEvent(sseType string, data []byte) (StreamEvent, error) {
	var head struct {
		Type     string          `json:"type"`
		Response json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, &EventDecodeError{EventType: sseType, Err: err}
	}
	typ := head.Type
	if typ == "" {
		typ = sseType
	}
	switch typ {
	case "response.image_generation_call.partial_image":
		var e gen.ResponseImageGenCallPartialImageEvent
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, &EventDecodeError{EventType: typ, Err: err}
		}
		return &PartialImageEvent{
			Type: typ, Index: e.PartialImageIndex, B64JSON: e.PartialImageB64,
			Size: Size(deref(e.Size)), Quality: Quality(deref(e.Quality)), Background: Background(deref(e.Background)),
			OutputFormat: OutputFormat(deref(e.OutputFormat)), CreatedAt: time.Time{},
		}, nil
	case "response.completed", "response.failed", "response.incomplete":
		var r responsesResponse
		if err := json.Unmarshal(head.Response, &r); err != nil {
			return nil, &EventDecodeError{EventType: typ, Err: err}
		}
		if typ == "response.incomplete" {
			return nil, &StreamError{Code: "response_incomplete", Message: "the response ended incomplete", Raw: append([]byte(nil), data...)}
		}
		turn, err := legacyParseTurn(&r, "")
		if err != nil {
			return nil, err
		}
		return &TurnCompletedEvent{Type: typ, Turn: turn}, nil
	case "response.image_generation_call.in_progress", "response.image_generation_call.generating", "response.image_generation_call.completed":
		var e struct {
			ItemID         string `json:"item_id"`
			OutputIndex    int    `json:"output_index"`
			SequenceNumber int    `json:"sequence_number"`
		}
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, &EventDecodeError{EventType: typ, Err: err}
		}
		return &CallProgressEvent{Type: typ, ItemID: e.ItemID, OutputIndex: e.OutputIndex, SequenceNumber: e.SequenceNumber}, nil
	case "error":
		return nil, streamError(data, nil)
	}
	var probe eventHead
	if json.Unmarshal(data, &probe) == nil && len(probe.Error) > 0 && string(probe.Error) != "null" {
		return nil, streamError(data, probe.Error)
	}
	return &UnknownEvent{Type: typ, Raw: append(json.RawMessage(nil), data...)}, nil
}
