package imagestest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// apiErr is the API's error body.
type apiErr struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

func decodeErr(t *testing.T, rec *httptest.ResponseRecorder) apiErr {
	t.Helper()
	var e apiErr
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Message == "" {
		t.Fatalf("not an API error (%v): %s", err, rec.Body)
	}
	if rec.Header().Get("x-request-id") == "" {
		t.Errorf("error %d without x-request-id", rec.Code)
	}
	return e
}

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

func TestAuthAndUnknownURL(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	send := func(method, path, auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://emulator.test"+path, strings.NewReader(`{"prompt":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		m.e.ServeHTTP(rec, req)
		return rec
	}
	for _, auth := range []string{"", "Bearer ", "Basic abc", "Bearer    "} {
		rec := send("POST", "/v1/images/generations", auth)
		e := decodeErr(t, rec)
		if rec.Code != 401 || e.Error.Code != nil || e.Error.Param != nil || e.Error.Type != "invalid_request_error" ||
			!strings.HasPrefix(e.Error.Message, "You didn't provide an API key.") {
			t.Errorf("auth %q: %d %s", auth, rec.Code, rec.Body)
		}
	}
	rec := send("POST", "/v1/images/generations", "Bearer "+InvalidAPIKey)
	if e := decodeErr(t, rec); rec.Code != 401 || str(e.Error.Code) != "invalid_api_key" || strings.Contains(e.Error.Message, InvalidAPIKey) {
		t.Errorf("invalid key: %d %s", rec.Code, rec.Body)
	}
	for _, c := range []struct{ method, path string }{
		{"POST", "/v1/images/foo"}, {"GET", "/v1/images/generations"}, {"GET", "/v1/nothing"}, {"PUT", "/v1/files"}, {"POST", "/images/generations"},
	} {
		rec := send(c.method, c.path, "Bearer sk-x")
		e := decodeErr(t, rec)
		if want := fmt.Sprintf("Invalid URL (%s %s)", c.method, c.path); rec.Code != 404 || e.Error.Message != want || e.Error.Code != nil {
			t.Errorf("%s %s: %d %s, want 404 %q", c.method, c.path, rec.Code, rec.Body, want)
		}
	}
}

func TestUnknownModelRefused(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	small := pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 16, 16)))
	cases := []struct {
		name string
		op   wrapper.Operation
		m    inMemory
		send func(m inMemory) *httptest.ResponseRecorder
	}{
		{"generate", wrapper.OpGenerate, m, func(m inMemory) *httptest.ResponseRecorder {
			return m.call("POST", "/v1/images/generations", "application/json", []byte(`{"prompt":"x","model":"not-a-model"}`), nil)
		}},
		{"edit", wrapper.OpEdit, m, func(m inMemory) *httptest.ResponseRecorder {
			ct, body := multipartBody(t, map[string]string{"prompt": "x", "model": "not-a-model"}, map[string][]byte{"image": small})
			return m.call("POST", "/v1/images/edits", ct, body, nil)
		}},
		// The variations endpoint is retired: only an emulator that serves
		// it looks at its model.
		{"variation", wrapper.OpVariation, newInMemory(t, AllowRetiredModels()), func(m inMemory) *httptest.ResponseRecorder {
			ct, body := multipartBody(t, map[string]string{"model": "not-a-model"}, map[string][]byte{"image": small})
			return m.call("POST", "/v1/images/variations", ct, body, nil)
		}},
	}
	for _, c := range cases {
		rec := c.send(c.m)
		e := decodeErr(t, rec)
		if rec.Code != 400 || str(e.Error.Param) != "model" || str(e.Error.Code) != "invalid_value" ||
			!strings.HasPrefix(e.Error.Message, "Invalid value: 'not-a-model'. Supported values are: ") {
			t.Errorf("%s: %d %s", c.name, rec.Code, rec.Body)
		}
		// The models offered are those served: the retired ones only
		// where retired models are allowed.
		for _, info := range wrapper.ModelsSupporting(c.op) {
			offered := strings.Contains(e.Error.Message, "'"+string(info.Model)+"'")
			if want := c.m.e.allowRetired || !info.RetiredAt(time.Now()); offered != want {
				t.Errorf("%s: %s offered %v, want %v: %s", c.name, info.Model, offered, want, e.Error.Message)
			}
		}
	}
	// The Responses API: an unknown main model, and an unknown tool model.
	rec := m.call("POST", "/v1/responses", "application/json", []byte(`{"model":"not-a-model","input":"x"}`), nil)
	if e := decodeErr(t, rec); rec.Code != 400 || str(e.Error.Code) != "model_not_found" || e.Error.Message != "The requested model 'not-a-model' does not exist." {
		t.Errorf("responses model: %d %s", rec.Code, rec.Body)
	}
	rec = m.call("POST", "/v1/responses", "application/json", []byte(`{"model":"gpt-5","input":"x","tools":[{"type":"web_search"},{"type":"image_generation","model":"not-a-model"}]}`), nil)
	if e := decodeErr(t, rec); rec.Code != 400 || str(e.Error.Param) != "tools[1].model" || str(e.Error.Code) != "invalid_value" {
		t.Errorf("tool model: %d %s", rec.Code, rec.Body)
	}
	// A typo of a known model is unknown to the API as well.
	rec = m.call("POST", "/v1/images/generations", "application/json", []byte(`{"prompt":"x","model":"gpt-image-l"}`), nil)
	if e := decodeErr(t, rec); rec.Code != 400 || str(e.Error.Param) != "model" || !strings.HasPrefix(e.Error.Message, "Invalid value: 'gpt-image-l'.") {
		t.Errorf("typo: %d %s", rec.Code, rec.Body)
	}
}

// Every retired model of the table, for every call it had, is answered as
// the API answers it now, unless retired models are allowed; before its
// retirement date it is served.
func TestRetiredModelsRefused(t *testing.T) {
	t.Parallel()
	small := pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 16, 16)))
	send := func(m inMemory, model string, op wrapper.Operation) *httptest.ResponseRecorder {
		switch op {
		case wrapper.OpGenerate:
			return m.call("POST", "/v1/images/generations", "application/json", []byte(`{"prompt":"x","model":"`+model+`","size":"1024x1024"}`), nil)
		case wrapper.OpEdit:
			ct, body := multipartBody(t, map[string]string{"prompt": "x", "model": model, "size": "1024x1024"}, map[string][]byte{"image": small})
			return m.call("POST", "/v1/images/edits", ct, body, nil)
		case wrapper.OpEditJSON:
			return m.call("POST", "/v1/images/edits", "application/json",
				[]byte(`{"prompt":"x","model":"`+model+`","images":[{"image_url":"https://example.com/a.png"}]}`), nil)
		}
		ct, body := multipartBody(t, map[string]string{"model": model, "size": "256x256"}, map[string][]byte{"image": small})
		return m.call("POST", "/v1/images/variations", ct, body, nil)
	}
	var seen int
	for _, info := range wrapper.Models() {
		if info.Retirement.IsZero() {
			continue
		}
		seen++
		after, before := info.Retirement.Add(time.Hour), info.Retirement.Add(-time.Hour)
		refusing := newInMemory(t, WithClock(func() time.Time { return after }))
		allowing := newInMemory(t, WithClock(func() time.Time { return after }), AllowRetiredModels())
		early := newInMemory(t, WithClock(func() time.Time { return before }))
		for _, op := range []wrapper.Operation{wrapper.OpGenerate, wrapper.OpEdit, wrapper.OpEditJSON, wrapper.OpVariation} {
			if !info.Supports(op) {
				continue
			}
			name := fmt.Sprintf("%s %s", info.Model, op)
			rec := send(refusing, string(info.Model), op)
			e := decodeErr(t, rec)
			date := info.Retirement.Format("January 2, 2006")
			if rec.Code != 400 || e.Error.Type != "invalid_request_error" || str(e.Error.Param) != "model" || str(e.Error.Code) != "model_not_found" ||
				!strings.Contains(e.Error.Message, date) || !strings.Contains(e.Error.Message, string(info.Replacements[0])) {
				t.Errorf("%s after its retirement: %d %s", name, rec.Code, rec.Body)
			}
			if rec := send(allowing, string(info.Model), op); rec.Code != 200 {
				t.Errorf("%s with AllowRetiredModels: %d %s", name, rec.Code, rec.Body)
			}
			if rec := send(early, string(info.Model), op); rec.Code != 200 {
				t.Errorf("%s before its retirement: %d %s", name, rec.Code, rec.Body)
			}
		}
	}
	if seen == 0 {
		t.Fatal("the model table announces no retirement")
	}

	// The variations endpoint is refused whatever the model, or none.
	m := newInMemory(t)
	ct, body := multipartBody(t, nil, map[string][]byte{"image": small})
	rec := m.call("POST", "/v1/images/variations", ct, body, nil)
	if e := decodeErr(t, rec); rec.Code != 400 || str(e.Error.Code) != "model_not_found" || !strings.Contains(e.Error.Message, "variations endpoint") {
		t.Errorf("variation: %d %s", rec.Code, rec.Body)
	}
	// The deprecated option changes nothing.
	if rec := newInMemory(t, RefuseRetiredModels()).call("POST", "/v1/images/generations", "application/json", []byte(`{"prompt":"x","model":"dall-e-3"}`), nil); rec.Code != 400 {
		t.Errorf("RefuseRetiredModels: %d %s", rec.Code, rec.Body)
	}
	// The Responses API's tool.
	rec = m.call("POST", "/v1/responses", "application/json", []byte(`{"model":"gpt-5","input":"x","tools":[{"type":"image_generation","model":"gpt-image-1"}]}`), nil)
	if e := decodeErr(t, rec); rec.Code != 400 || str(e.Error.Param) != "tools[0].model" || str(e.Error.Code) != "model_not_found" {
		t.Errorf("tool model: %d %s", rec.Code, rec.Body)
	}
}

// A Batch API line naming a retired model lands in the error file with the
// API's answer.
func TestRetiredModelInBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The bubble's clock starts in 2000, before any retirement.
		today := time.Date(2026, time.December, 2, 0, 0, 0, 0, time.UTC)
		m := newInMemory(t, WithClock(func() time.Time { return today }))
		input := `{"custom_id":"old","method":"POST","url":"/v1/images/generations","body":{"prompt":"x","model":"dall-e-2","size":"256x256"}}` + "\n" +
			`{"custom_id":"new","method":"POST","url":"/v1/images/generations","body":{"prompt":"x","model":"gpt-image-2","size":"256x256"}}` + "\n"
		_, f := m.upload("batch", "in.jsonl", []byte(input))
		_, b := m.createBatch(f["id"].(string), "/v1/images/generations")
		for b.Status != "completed" {
			time.Sleep(time.Second)
			b = m.batch(b.ID)
		}
		errs := m.lines(b.ErrorFileID)
		if len(errs) != 1 || errs[0].CustomID != "old" || errs[0].Response.StatusCode != 400 || !bytes.Contains(errs[0].Response.Body, []byte(`"model_not_found"`)) {
			t.Errorf("error lines %+v", errs)
		}
		if out := m.lines(b.OutputFileID); len(out) != 1 || out[0].CustomID != "new" {
			t.Errorf("output lines %+v", out)
		}
	})
}

func TestSizeAlwaysEchoed(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	for body, want := range map[string]string{
		`{"prompt":"x","model":"gpt-image-2","size":"1536x864"}`:    "1536x864",
		`{"prompt":"x","model":"gpt-image-1.5","size":"auto"}`:      "1024x1024",
		`{"prompt":"x","model":"gpt-image-1.5"}`:                    "1024x1024",
		`{"prompt":"x","model":"gpt-image-1.5","size":"1024x1536"}`: "1024x1536",
	} {
		var res struct {
			Size string `json:"size"`
			Data []struct {
				B64 string `json:"b64_json"`
			} `json:"data"`
		}
		if rec := m.call("POST", "/v1/images/generations", "application/json", []byte(body), &res); rec.Code != 200 {
			t.Fatalf("%s: %d %s", body, rec.Code, rec.Body)
		}
		b, _ := base64.StdEncoding.DecodeString(res.Data[0].B64)
		cfg, _ := decodeConfig(t, b)
		if res.Size != want || fmt.Sprintf("%dx%d", cfg.Width, cfg.Height) != want {
			t.Errorf("%s: size %q, image %dx%d, want %s", body, res.Size, cfg.Width, cfg.Height, want)
		}
	}
	// Stream events too.
	rec := m.call("POST", "/v1/images/generations", "application/json", []byte(`{"prompt":"x","model":"gpt-image-2","size":"1536x864","stream":true,"partial_images":1}`), nil)
	if n := strings.Count(rec.Body.String(), `"size":"1536x864"`); n != 2 {
		t.Errorf("stream: %d events with the real size, want 2", n)
	}
}

// respObj is a decoded Response object.
type respObj map[string]any

func (m inMemory) respond(t *testing.T, body string) (respObj, *httptest.ResponseRecorder) {
	t.Helper()
	var out respObj
	rec := m.call("POST", "/v1/responses", "application/json", []byte(body), &out)
	if rec.Code != 200 {
		t.Fatalf("%s: %d %s", body, rec.Code, rec.Body)
	}
	checkResponseObject(t, out)
	return out, rec
}

// checkResponseObject asserts the fields the upstream spec's Response
// schema requires ("required" of its inline part: id, object, created_at,
// error, incomplete_details, instructions, model, tools, output,
// parallel_tool_calls, metadata, tool_choice, temperature, top_p), and those
// of each output item (ImageGenToolCall: type, id, status, result;
// OutputMessage: id, type, role, content, status) with the fields the API
// adds to image calls.
func checkResponseObject(t *testing.T, r respObj) {
	t.Helper()
	for _, k := range []string{"id", "object", "created_at", "error", "incomplete_details", "instructions", "model", "tools", "output", "parallel_tool_calls", "metadata", "tool_choice", "temperature", "top_p", "status", "usage"} {
		if _, ok := r[k]; !ok {
			t.Errorf("response lacks %q", k)
		}
	}
	for _, it := range r["output"].([]any) {
		item := it.(map[string]any)
		keys := []string{"id", "type", "role", "content", "status"}
		if item["type"] == "image_generation_call" {
			keys = []string{"type", "id", "status", "result", "action", "background", "output_format", "quality", "revised_prompt", "size"}
		}
		for _, k := range keys {
			if v, ok := item[k]; !ok || v == "" {
				t.Errorf("%s item: %q is %v", item["type"], k, v)
			}
		}
	}
}

func callResult(t *testing.T, r respObj) (map[string]any, *image.NRGBA) {
	t.Helper()
	out := r["output"].([]any)
	if len(out) != 1 {
		t.Fatalf("output: %v", out)
	}
	call := out[0].(map[string]any)
	b, err := base64.StdEncoding.DecodeString(call["result"].(string))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return call, toNRGBA(img)
}

func dataURL(t *testing.T, m image.Image) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(pngBytes(t, m))
}

func solid(w, h int, c color.NRGBA) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(m.Pix); i += 4 {
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return m
}

func TestResponsesEditsInputImages(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	withImage := func(img image.Image, extra string) string {
		return fmt.Sprintf(`{"model":"gpt-5","tools":[{"type":"image_generation","size":"1024x1024"%s}],"input":[{"role":"user","content":[{"type":"input_text","text":"make it festive"},{"type":"input_image","image_url":%q}]}]}`, extra, dataURL(t, img))
	}
	red, blue := solid(256, 256, color.NRGBA{255, 0, 0, 255}), solid(256, 256, color.NRGBA{0, 0, 255, 255})
	r1, _ := m.respond(t, withImage(red, ""))
	r2, _ := m.respond(t, withImage(blue, ""))
	gen, _ := m.respond(t, `{"model":"gpt-5","tools":[{"type":"image_generation","size":"1024x1024"}],"input":"make it festive"}`)
	c1, img1 := callResult(t, r1)
	c2, img2 := callResult(t, r2)
	cg, imgGen := callResult(t, gen)
	if bytes.Equal(img1.Pix, img2.Pix) || bytes.Equal(img1.Pix, imgGen.Pix) {
		t.Error("an edit of different input images, or a generation, gave the same pixels")
	}
	if c1["action"] != "edit" || c2["action"] != "edit" || cg["action"] != "generate" {
		t.Errorf("actions %v %v %v", c1["action"], c2["action"], cg["action"])
	}
	details := r1["usage"].(map[string]any)
	if details["input_tokens"].(float64) <= gen["usage"].(map[string]any)["input_tokens"].(float64) {
		t.Errorf("an input image adds no input tokens: %v vs %v", details, gen["usage"])
	}

	// With a mask, only its transparent rectangle changes: elsewhere the
	// result keeps the input's pixels.
	mask := solid(256, 256, color.NRGBA{0, 0, 0, 255})
	for y := 64; y < 128; y++ {
		for x := 64; x < 128; x++ {
			mask.SetNRGBA(x, y, color.NRGBA{})
		}
	}
	r3, _ := m.respond(t, withImage(red, fmt.Sprintf(`,"input_image_mask":{"image_url":%q}`, dataURL(t, mask))))
	_, img3 := callResult(t, r3)
	var inside, outside int
	for y := 0; y < 1024; y += 8 {
		for x := 0; x < 1024; x += 8 {
			c := img3.NRGBAAt(x, y)
			kept := c == (color.NRGBA{255, 0, 0, 255})
			if x >= 256 && x < 512 && y >= 256 && y < 512 {
				if !kept {
					inside++
				}
			} else if !kept {
				outside++
			}
		}
	}
	if outside != 0 || inside == 0 {
		t.Errorf("masked edit: %d changed samples outside the mask, %d inside", outside, inside)
	}
}

func TestResponsesRetrieveChainAndText(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	first, _ := m.respond(t, `{"model":"gpt-5","tools":[{"type":"image_generation"}],"input":"a red car","metadata":{"k":"v"},"instructions":"be brief"}`)
	if first["instructions"] != "be brief" || first["metadata"].(map[string]any)["k"] != "v" || first["parallel_tool_calls"] != true || first["tool_choice"] != "auto" {
		t.Errorf("echoed fields: %v", first)
	}
	var got respObj
	if rec := m.call("GET", "/v1/responses/"+first["id"].(string), "", nil, &got); rec.Code != 200 {
		t.Fatalf("retrieve: %d %s", rec.Code, rec.Body)
	}
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(got)
	if !bytes.Equal(a, b) {
		t.Error("the retrieved response differs from the created one")
	}
	second, _ := m.respond(t, fmt.Sprintf(`{"model":"gpt-5","tools":[{"type":"image_generation"}],"input":"make it blue","previous_response_id":%q}`, first["id"]))
	if call, _ := callResult(t, second); call["action"] != "edit" || second["previous_response_id"] != first["id"] {
		t.Errorf("second turn: %v", call["action"])
	}
	if rec := m.call("GET", "/v1/responses/resp_nope", "", nil, nil); rec.Code != 404 {
		t.Errorf("unknown id: %d", rec.Code)
	}
	unstored, _ := m.respond(t, `{"model":"gpt-5","store":false,"tools":[{"type":"image_generation"}],"input":"x"}`)
	if rec := m.call("GET", "/v1/responses/"+unstored["id"].(string), "", nil, nil); rec.Code != 404 {
		t.Errorf("store false is retrievable: %d", rec.Code)
	}

	// Without the image tool: a plain text answer.
	text, _ := m.respond(t, `{"model":"gpt-5","input":"hello"}`)
	msg := text["output"].([]any)[0].(map[string]any)
	content := msg["content"].([]any)[0].(map[string]any)
	if msg["type"] != "message" || msg["role"] != "assistant" || content["type"] != "output_text" || content["text"] != textReply {
		t.Errorf("text turn: %v", msg)
	}
	// Streamed, it ends with response.completed carrying the same output.
	rec := m.call("POST", "/v1/responses", "application/json", []byte(`{"model":"gpt-5","input":"hello","stream":true}`), nil)
	evs := sseTypes(rec.Body.String())
	want := []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
		"response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"}
	if !slices.Equal(evs, want) {
		t.Errorf("text stream events %v", evs)
	}
}

func sseTypes(body string) []string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if s, ok := strings.CutPrefix(l, "event: "); ok {
			out = append(out, s)
		}
	}
	return out
}

func TestListFilesAndBatches(t *testing.T) {
	t.Parallel()
	m := newInMemory(t)
	var ids []string
	for i := range 5 {
		purpose := "vision"
		if i%2 == 0 {
			purpose = "batch"
		}
		_, f := m.upload(purpose, fmt.Sprintf("f%d.jsonl", i), []byte(line("a", fmt.Sprintf("p%d", i))))
		ids = append(ids, f["id"].(string))
	}
	type page struct {
		Object  string           `json:"object"`
		Data    []map[string]any `json:"data"`
		FirstID *string          `json:"first_id"`
		LastID  *string          `json:"last_id"`
		HasMore bool             `json:"has_more"`
	}
	walk := func(path string, limit int) []string {
		var got []string
		after := ""
		for range 10 {
			var p page
			q := fmt.Sprintf("%s?limit=%d", path, limit)
			if strings.Contains(path, "?") {
				q = fmt.Sprintf("%s&limit=%d", path, limit)
			}
			if after != "" {
				q += "&after=" + after
			}
			if rec := m.call("GET", q, "", nil, &p); rec.Code != 200 {
				t.Fatalf("%s: %d %s", q, rec.Code, rec.Body)
			}
			if p.Object != "list" || len(p.Data) > limit {
				t.Fatalf("%s: %+v", q, p)
			}
			for _, d := range p.Data {
				got = append(got, d["id"].(string))
			}
			if len(p.Data) > 0 && (str(p.FirstID) != p.Data[0]["id"] || str(p.LastID) != p.Data[len(p.Data)-1]["id"]) {
				t.Errorf("%s: first_id/last_id %s %s", q, str(p.FirstID), str(p.LastID))
			}
			if !p.HasMore {
				return got
			}
			after = str(p.LastID)
		}
		t.Fatalf("%s: paging does not end", path)
		return nil
	}
	newest := slices.Clone(ids)
	slices.Reverse(newest)
	if got := walk("/v1/files", 2); !slices.Equal(got, newest) {
		t.Errorf("files newest first: %v, want %v", got, newest)
	}
	if got := walk("/v1/files?order=asc", 3); !slices.Equal(got, ids) {
		t.Errorf("files oldest first: %v, want %v", got, ids)
	}
	if got := walk("/v1/files?purpose=batch", 1); !slices.Equal(got, []string{ids[4], ids[2], ids[0]}) {
		t.Errorf("batch files: %v", got)
	}
	for _, q := range []string{"/v1/files?limit=0", "/v1/files?limit=10001", "/v1/files?limit=x", "/v1/files?order=up", "/v1/files?after=file-nope", "/v1/batches?limit=101"} {
		if rec := m.call("GET", q, "", nil, nil); rec.Code != 400 {
			t.Errorf("%s: %d %s", q, rec.Code, rec.Body)
		} else if e := decodeErr(t, rec); e.Error.Param == nil {
			t.Errorf("%s: no param: %s", q, rec.Body)
		}
	}
	var empty page
	m.call("GET", "/v1/batches", "", nil, &empty)
	if len(empty.Data) != 0 || empty.HasMore || empty.FirstID != nil {
		t.Errorf("no batches: %+v", empty)
	}
	var batches []string
	for _, i := range []int{0, 2, 4} {
		_, b := m.createBatch(ids[i], "/v1/images/generations")
		batches = append(batches, b.ID)
	}
	slices.Reverse(batches)
	if got := walk("/v1/batches", 2); !slices.Equal(got, batches) {
		t.Errorf("batches: %v, want %v", got, batches)
	}
	waitBatches(t, m, batches)
}

// waitBatches waits (really: a batch's requests run on goroutines) until the
// batches are done, so that no goroutine outlives the test.
func waitBatches(t *testing.T, m inMemory, ids []string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		done := 0
		for _, id := range ids {
			switch m.batch(id).Status {
			case "completed", "failed", "cancelled":
				done++
			}
		}
		if done == len(ids) {
			return
		}
	}
	t.Fatal("batches did not finish")
}

// multipartBody builds a multipart/form-data body.
func multipartBody(t *testing.T, fields map[string]string, files map[string][]byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for k, v := range files {
		fw, _ := mw.CreateFormFile(k, k+".png")
		fw.Write(v)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}
