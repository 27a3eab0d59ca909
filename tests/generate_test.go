package tests

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/contract"
	"github.com/imagegen-go/openai-images/gen"
)

func TestCreateImageValid(t *testing.T) {
	api := newFakeAPI(t)
	c := api.clientWithResponses(t)
	ctx := context.Background()

	bodies := []gen.CreateImageRequest{
		{Prompt: "a sea otter"},
		{
			Prompt:            "a sea otter wearing a beret",
			Model:             ptr("gpt-image-1.5"),
			N:                 ptr(2),
			Quality:           ptr(gen.CreateImageRequestQuality("high")),
			Size:              ptr("1536x1024"),
			Background:        ptr(gen.CreateImageRequestBackground("transparent")),
			OutputFormat:      ptr(gen.CreateImageRequestOutputFormat("webp")),
			OutputCompression: ptr(80),
			Moderation:        ptr(gen.CreateImageRequestModeration("low")),
			User:              ptr("user-1234"),
		},
		{Prompt: "a sea otter", Model: ptr("dall-e-3"), Style: ptr(gen.CreateImageRequestStyle("natural")), ResponseFormat: ptr(gen.CreateImageRequestResponseFormat("b64_json")), Size: ptr("1792x1024")},
	}
	for _, body := range bodies {
		resp, err := c.CreateImageWithResponse(ctx, body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode() != http.StatusOK || resp.JSON200 == nil || resp.JSON200.Created != 1700000000 {
			t.Fatalf("status %d, body %s", resp.StatusCode(), resp.Body)
		}
	}
	if n := api.calls.Load(); int(n) != len(bodies) {
		t.Fatalf("%d requests reached the API, want %d", n, len(bodies))
	}
}

// rejected checks the Middleware's answer to an invalid request: 400 and an
// OpenAI error naming the field, without reaching the API.
func rejected(t *testing.T, api *fakeAPI, resp *http.Response, err error, field string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	before := api.calls.Load()
	var e openAIError
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || e.Error.Type != "invalid_request_error" {
		t.Fatalf("status %d, error %+v", resp.StatusCode, e)
	}
	if e.Error.Param == nil || *e.Error.Param != field || !strings.Contains(e.Error.Message, `"`+field+`"`) {
		t.Fatalf("error %+v does not name %q", e.Error, field)
	}
	if api.calls.Load() != before {
		t.Fatal("the API got an invalid request")
	}
}

func TestCreateImageInvalid(t *testing.T) {
	api := newFakeAPI(t)
	c := api.client(t)
	ctx := context.Background()

	// Through the typed method: enum values the spec does not have.
	resp, err := c.CreateImage(ctx, gen.CreateImageRequest{Prompt: "x", Quality: ptr(gen.CreateImageRequestQuality("not-a-quality"))})
	rejected(t, api, resp, err, "quality")
	resp, err = c.CreateImage(ctx, gen.CreateImageRequest{Prompt: "x", ResponseFormat: ptr(gen.CreateImageRequestResponseFormat("not-a-format"))})
	rejected(t, api, resp, err, "response_format")
	resp, err = c.CreateImage(ctx, gen.CreateImageRequest{Prompt: "x", N: ptr(11)})
	rejected(t, api, resp, err, "n")

	// Through the raw-body method: what the types cannot express.
	for _, c2 := range []struct{ body, field string }{
		{`{"n": 1}`, "prompt"},
		{`{"prompt": "x", "n": "two"}`, "n"},
		{`{"prompt": "x", "partial_images": 4}`, "partial_images"},
		{`{"prompt": ["x"]}`, "prompt"},
	} {
		resp, err := c.CreateImageWithBody(ctx, "application/json", strings.NewReader(c2.body))
		rejected(t, api, resp, err, c2.field)
	}
	if n := api.calls.Load(); n != 0 {
		t.Fatalf("%d invalid requests reached the API", n)
	}
}

func TestCreateImageRoundTripper(t *testing.T) {
	api := newFakeAPI(t)
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	c := api.client(t, gen.WithHTTPClient(&http.Client{Transport: v.RoundTripper(nil)}))
	ctx := context.Background()

	resp, err := c.CreateImage(ctx, gen.CreateImageRequest{Prompt: "x", N: ptr(1)})
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := gen.ParseCreateImageResponse(resp)
	if err != nil || parsed.JSON200 == nil {
		t.Fatalf("%v %v", parsed, err)
	}

	// Rejected on the client side: nothing is sent.
	_, err = c.CreateImage(ctx, gen.CreateImageRequest{Prompt: "x", Quality: ptr(gen.CreateImageRequestQuality("not-a-quality"))})
	wantField(t, err, "quality")
	_, err = c.CreateImageWithBody(ctx, "application/json", strings.NewReader(`{"prompt":"x","n":"two"}`))
	wantField(t, err, "n")
	_, err = c.CreateImageWithBody(ctx, "application/json", strings.NewReader(`{"size":"auto"}`))
	wantField(t, err, "prompt")
	if n := api.calls.Load(); n != 1 {
		t.Fatalf("%d requests reached the API, want 1", n)
	}
}

// readEvents reads a stream's data fields.
func readEvents(body io.Reader) ([]string, error) {
	var events []string
	sc := bufio.NewScanner(body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			events = append(events, data)
		}
	}
	return events, sc.Err()
}

func TestCreateImageStream(t *testing.T) {
	api := newFakeAPI(t)
	c := api.client(t)
	ctx := context.Background()
	body := gen.CreateImageRequest{Prompt: "x", Stream: ptr(true), PartialImages: ptr(2)}

	// A good stream: checked by the server-side Middleware...
	resp, err := c.CreateImage(ctx, body, stream(genPartial, genPartial, genCompleted))
	if err != nil {
		t.Fatal(err)
	}
	events, err := readEvents(resp.Body)
	resp.Body.Close()
	if err != nil || len(events) != 3 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events %d, %v", len(events), err)
	}
	if vs := api.takeViolations(); len(vs) != 0 {
		t.Fatalf("violations: %v", vs)
	}

	// ...and a bad one: the event without partial_image_index is recorded.
	resp, err = c.CreateImage(ctx, body, stream(genPartial, genPartialBad, genCompleted))
	if err != nil {
		t.Fatal(err)
	}
	events, _ = readEvents(resp.Body)
	resp.Body.Close()
	if len(events) != 3 {
		t.Fatalf("the Middleware altered the stream: %d events", len(events))
	}
	vs := api.takeViolations()
	if len(vs) != 1 {
		t.Fatalf("violations: %v", vs)
	}
	if e := wantField(t, vs[0], "partial_image_index"); e.In != contract.InEvent || e.Event != 2 {
		t.Fatalf("violation %v", e)
	}

	// On the client side, the RoundTripper turns the bad event into a read
	// error before the event reaches the reader.
	v, _ := contract.New()
	rc := api.client(t, gen.WithHTTPClient(&http.Client{Transport: v.RoundTripper(nil)}))
	resp, err = rc.CreateImage(ctx, body, stream(genPartial, genPartialBad, genCompleted))
	if err != nil {
		t.Fatal(err)
	}
	events, err = readEvents(resp.Body)
	resp.Body.Close()
	var e *contract.Error
	if !errors.As(err, &e) || e.Field != "partial_image_index" || len(events) != 1 {
		t.Fatalf("events %d, err %v", len(events), err)
	}
	api.takeViolations() // the server side saw it too
}
