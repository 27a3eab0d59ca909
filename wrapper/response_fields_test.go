package wrapper

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// The response fields newer than the vendored spec (npm openai 7.59.0
// ImagesResponse.safety_identifier and svg_usage, ImageGenCompletedEvent
// .safety_identifier, the image_generation_call item's settings) land in the
// typed results, each in its own field.
func TestNewerResponseFields(t *testing.T) {
	ctx := context.Background()
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>`
	b64svg := base64.StdEncoding.EncodeToString([]byte(svg))
	png := base64.StdEncoding.EncodeToString(vtPNG(t, 8, 8, false))
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /images/generations", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if stream := string(body); len(stream) > 0 && strings.Contains(stream, `"stream":true`) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, `data: {"type":"image_generation.completed","b64_json":"`+png+`","created_at":1,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3,"input_tokens_details":{"text_tokens":1,"image_tokens":0}},"safety_identifier":"user-hash-2"}`+"\n\n")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"created":1700000000,"data":[{"b64_json":"`+b64svg+`"}],"output_format":"svg","quality":"xhigh","size":"1536x864",`+
			`"safety_identifier":"user-hash-1","svg_usage":{"input_tokens":10,"model":"gpt-5","output_tokens":20,"reasoning_tokens":5,"total_tokens":30}}`)
	})
	res, err := c.Generate(ctx, GenerateParams{Model: ModelGPTImage25Sunburst, Prompt: "a fox", OutputFormat: OutputFormatSVG, Quality: QualityXHigh, SafetyIdentifier: "user-hash-1"})
	if err != nil {
		t.Fatal(err)
	}
	if res.SafetyIdentifier != "user-hash-1" || res.Quality != QualityXHigh || res.OutputFormat != OutputFormatSVG || res.Size != "1536x864" {
		t.Errorf("response = %+v", res)
	}
	if want := (&SVGUsage{Model: "gpt-5", InputTokens: 10, OutputTokens: 20, ReasoningTokens: 5, TotalTokens: 30}); !reflect.DeepEqual(res.SVGUsage, want) {
		t.Errorf("SVGUsage = %+v, want %+v", res.SVGUsage, want)
	}

	st, err := c.GenerateStream(ctx, GenerateParams{Model: ModelGPTImage2, Prompt: "a fox"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got *CompletedEvent
	for ev, err := range st.All() {
		if err != nil {
			t.Fatal(err)
		}
		if ce, ok := ev.(*CompletedEvent); ok {
			got = ce
		}
	}
	if got == nil || got.SafetyIdentifier != "user-hash-2" {
		t.Errorf("completed event = %+v", got)
	}
}

// A session turn reads the call's settings, and a failed call's own error
// becomes the turn's *StreamError; a streamed turn yields typed progress
// events.
func TestTurnFields(t *testing.T) {
	ctx := context.Background()
	png := base64.StdEncoding.EncodeToString(vtPNG(t, 8, 8, false))
	var answer string
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /responses", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if answer == "stream" {
			w.Header().Set("Content-Type", "text/event-stream")
			for _, ev := range []string{
				`{"type":"response.image_generation_call.in_progress","item_id":"ig_1","output_index":0,"sequence_number":1}`,
				`{"type":"response.image_generation_call.generating","item_id":"ig_1","output_index":0,"sequence_number":2}`,
				`{"type":"response.image_generation_call.completed","item_id":"ig_1","output_index":0,"sequence_number":3}`,
				`{"type":"response.completed","sequence_number":4,"response":{"id":"resp_2","status":"completed","output":[{"type":"image_generation_call","id":"ig_1","status":"completed","result":"` + png + `"}]}}`,
			} {
				io.WriteString(w, "data: "+ev+"\n\n")
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answer)
	})
	s := c.NewEditSession("gpt-5", ImageTool{Model: ModelGPTImage25Flare})

	answer = `{"id":"resp_1","status":"completed","output":[{"type":"image_generation_call","id":"ig_1","status":"completed","result":"` + png + `",` +
		`"action":"edit","background":"opaque","output_format":"png","quality":"max","size":"1024x1536","revised_prompt":"a red fox",` +
		`"svg_usage":{"input_tokens":1,"model":"gpt-5","output_tokens":2,"reasoning_tokens":0,"total_tokens":3}}]}`
	turn, err := s.Create(ctx, "a fox")
	if err != nil {
		t.Fatal(err)
	}
	img, _ := turn.Image()
	want := TurnImage{CallID: "ig_1", B64JSON: png, RevisedPrompt: "a red fox", Action: "edit", Background: BackgroundOpaque,
		OutputFormat: OutputFormatPNG, Quality: QualityMax, Size: "1024x1536", SVGUsage: &SVGUsage{Model: "gpt-5", InputTokens: 1, OutputTokens: 2, TotalTokens: 3}}
	if !reflect.DeepEqual(img, want) {
		t.Errorf("turn image =\n%+v\nwant\n%+v", img, want)
	}

	answer = `{"id":"resp_1","status":"completed","output":[{"type":"image_generation_call","id":"ig_9","status":"failed","result":null,` +
		`"error":{"code":"moderation_blocked","message":"Your request was rejected by the safety system.","param":"prompt","type":"invalid_request_error"}}]}`
	_, err = s.Create(ctx, "something refused")
	var se *StreamError
	if !errors.As(err, &se) || se.Code != "moderation_blocked" || se.Param != "prompt" || se.Type != "invalid_request_error" || !strings.Contains(se.Message, "safety system") {
		t.Errorf("failed call: %#v", err)
	}

	answer = "stream"
	st, err := s.CreateStream(ctx, "a fox")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var progress []CallProgressEvent
	for ev, err := range st.All() {
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := ev.(*CallProgressEvent); ok {
			progress = append(progress, *p)
		}
	}
	if len(progress) != 3 || progress[1] != (CallProgressEvent{Type: "response.image_generation_call.generating", ItemID: "ig_1", SequenceNumber: 2}) {
		t.Errorf("progress events = %+v", progress)
	}
}
