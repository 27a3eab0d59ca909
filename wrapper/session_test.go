package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// turnImage is the image of turn n (from 1), partialImage partial i.
func turnImage(t testing.TB, n int) []byte    { return testPNG(t, n, n, false) }
func partialImage(t testing.TB, i int) []byte { return testPNG(t, i+1, 9, false) }

// fakeResponses is a minimal Responses API: each turn returns an image
// whose size names the turn, and records what it was sent.
type fakeResponses struct {
	mu    sync.Mutex
	turns []recorded
}

func (f *fakeResponses) serve(t *testing.T, mux *http.ServeMux) {
	mux.HandleFunc("POST /responses", func(w http.ResponseWriter, r *http.Request) {
		got := record(t, r)
		f.mu.Lock()
		f.turns = append(f.turns, got)
		n := len(f.turns)
		f.mu.Unlock()
		id := fmt.Sprintf("resp_%d", n)
		img := b64(turnImage(t, n))
		call := fmt.Sprintf(`{"type":"image_generation_call","id":"ig_%d","status":"completed","result":%q,"revised_prompt":"revised %d"}`, n, img, n)
		full := fmt.Sprintf(`{"id":%q,"object":"response","status":"completed","output":[{"type":"message","id":"m","content":[]},%s]}`, id, call)
		if got.JSON["stream"] == true {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprintf(w, "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":%q}}\n\n", id)
			for i := range 2 {
				fmt.Fprintf(w, "event: response.image_generation_call.partial_image\ndata: {\"type\":\"response.image_generation_call.partial_image\",\"output_index\":1,\"item_id\":\"ig_%d\",\"sequence_number\":%d,\"partial_image_index\":%d,\"partial_image_b64\":%q,\"size\":\"1024x1024\"}\n\n", n, i+1, i, b64(partialImage(t, i)))
			}
			fmt.Fprintf(w, "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":9,\"response\":%s}\n\n", full)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-request-id", "req_"+id)
		io.WriteString(w, full)
	})
}

func TestEditSessionThreeTurns(t *testing.T) {
	c, mux, _ := setup(t)
	var api fakeResponses
	api.serve(t, mux)
	s := c.NewEditSession("gpt-5", ImageTool{Model: ModelGPTImage15, Size: Size1024x1024, Quality: QualityHigh, OutputFormat: OutputFormatPNG, Background: BackgroundAuto, InputFidelity: InputFidelityHigh})
	ctx := context.Background()
	if _, err := s.Edit(ctx, "too early"); !errors.Is(err, ErrNoPreviousTurn) {
		t.Fatalf("Edit before Create: %v", err)
	}
	turns := []func() (*Turn, error){
		func() (*Turn, error) { return s.Create(ctx, "Generate an image: a red car") },
		func() (*Turn, error) { return s.Edit(ctx, "Edit the image: make it blue") },
		func() (*Turn, error) { return s.Edit(ctx, "Edit the image: add racing stripes") },
	}
	dir := t.TempDir()
	for i, run := range turns {
		turn, err := run()
		if err != nil {
			t.Fatalf("turn %d: %v", i+1, err)
		}
		img, ok := turn.Image()
		if !ok {
			t.Fatalf("turn %d: no image", i+1)
		}
		if turn.ResponseID != fmt.Sprintf("resp_%d", i+1) || img.RevisedPrompt != fmt.Sprintf("revised %d", i+1) || img.CallID != fmt.Sprintf("ig_%d", i+1) {
			t.Errorf("turn %d = %+v", i+1, turn)
		}
		path := filepath.Join(dir, fmt.Sprintf("turn%d.png", i+1))
		if err := img.Save(path); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); !bytes.Equal(b, turnImage(t, i+1)) {
			t.Errorf("turn %d saved %q", i+1, b)
		}
		if s.ResponseID() != turn.ResponseID {
			t.Errorf("session id = %q after turn %d", s.ResponseID(), i+1)
		}
	}
	for i, req := range api.turns {
		body := req.JSON
		if body["model"] != "gpt-5" || !strings.Contains(body["input"].(string), "image") {
			t.Errorf("turn %d body = %v", i+1, body)
		}
		prev, has := body["previous_response_id"]
		if i == 0 && has {
			t.Errorf("first turn sent previous_response_id %v", prev)
		}
		if i > 0 && prev != fmt.Sprintf("resp_%d", i) {
			t.Errorf("turn %d previous_response_id = %v, want resp_%d", i+1, prev, i)
		}
		tools := body["tools"].([]any)
		tool := tools[0].(map[string]any)
		want := map[string]any{"type": "image_generation", "model": "gpt-image-1.5", "size": "1024x1024", "quality": "high", "output_format": "png", "background": "auto", "input_fidelity": "high"}
		if len(tools) != 1 || fmt.Sprint(tool) != fmt.Sprint(want) {
			t.Errorf("turn %d tool = %v", i+1, tool)
		}
		if req.Header.Get("Authorization") != "Bearer "+testAPIKey {
			t.Errorf("turn %d without the key", i+1)
		}
	}
}

func TestEditSessionStreamedTurn(t *testing.T) {
	c, mux, _ := setup(t)
	var api fakeResponses
	api.serve(t, mux)
	s := c.NewEditSession("gpt-5", ImageTool{Model: ModelGPTImage1, PartialImages: Ptr(2)})
	ctx := context.Background()
	if _, err := s.Create(ctx, "Generate an image: a cat"); err != nil {
		t.Fatal(err)
	}
	stream, err := s.EditStream(ctx, "Edit the image: give it a hat")
	if err != nil {
		t.Fatal(err)
	}
	var partials []string
	var done *TurnCompletedEvent
	unknown := 0
	for ev, err := range stream.All() {
		if err != nil {
			t.Fatal(err)
		}
		switch ev := ev.(type) {
		case *PartialImageEvent:
			b, err := ev.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				if bytes.Equal(b, partialImage(t, i)) {
					partials = append(partials, fmt.Sprintf("partial %d", i))
				}
			}
			if ev.Type != "response.image_generation_call.partial_image" || ev.Size != Size1024x1024 {
				t.Errorf("partial = %+v", ev)
			}
		case *TurnCompletedEvent:
			done = ev
		case *UnknownEvent:
			unknown++
		}
	}
	if strings.Join(partials, ",") != "partial 0,partial 1" {
		t.Errorf("partials = %v", partials)
	}
	if done == nil || done.Turn.ResponseID != "resp_2" || unknown != 1 {
		t.Fatalf("done = %+v, unknown = %d", done, unknown)
	}
	if s.ResponseID() != "resp_2" {
		t.Errorf("session did not advance: %q", s.ResponseID())
	}
	req := api.turns[1].JSON
	tool := req["tools"].([]any)[0].(map[string]any)
	if req["stream"] != true || req["previous_response_id"] != "resp_1" || tool["partial_images"] != 2.0 {
		t.Errorf("streamed turn body = %v", req)
	}
	// A non-streamed turn does not send partial_images.
	if tool := api.turns[0].JSON["tools"].([]any)[0].(map[string]any); tool["partial_images"] != nil {
		t.Errorf("partial_images sent without streaming: %v", tool)
	}
}

func TestEditSessionFailures(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /responses", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		body, _ := io.ReadAll(r.Body)
		switch {
		case strings.Contains(string(body), "refuse"):
			io.WriteString(w, `{"id":"resp_x","status":"failed","error":{"code":"moderation_blocked","message":"refused"},"output":[]}`)
		case strings.Contains(string(body), "fail-call"):
			io.WriteString(w, `{"id":"resp_y","status":"completed","output":[{"type":"image_generation_call","id":"ig","status":"failed","result":null}]}`)
		default:
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"message":"bad tool","param":"tools[0].size"}}`)
		}
	})
	s := c.NewEditSession("gpt-5", ImageTool{})
	ctx := context.Background()
	if _, err := s.Create(ctx, "refuse this"); !IsContentPolicyViolation(err) {
		t.Errorf("failed response: %v", err)
	}
	var se *StreamError
	if _, err := s.Create(ctx, "fail-call"); !errors.As(err, &se) {
		t.Errorf("failed call: %v", err)
	}
	var apiErr *APIError
	if _, err := s.Create(ctx, "other"); !errors.As(err, &apiErr) || apiErr.Param != "tools[0].size" {
		t.Errorf("400: %v", err)
	}
	if s.ResponseID() != "" {
		t.Errorf("failed turns advanced the session to %q", s.ResponseID())
	}
	var ve *ValidationError
	if _, err := s.Create(ctx, "  "); !errors.As(err, &ve) {
		t.Errorf("empty prompt: %v", err)
	}
	if _, err := c.NewEditSession("", ImageTool{}).Create(ctx, "x"); !errors.As(err, &ve) {
		t.Errorf("no model: %v", err)
	}
	resumed := c.ResumeEditSession("gpt-5", ImageTool{}, "resp_old")
	if resumed.ResponseID() != "resp_old" {
		t.Error("resume lost the id")
	}
}
