package bench

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/responses"
	_ "golang.org/x/image/webp"

	"github.com/imagegen-go/openai-images/imagestest"
)

// TestOpenAIGoSDK runs openai-go (the version go.mod pins) against the
// emulator in process: every Images API call a user of the SDK would make,
// the Responses API image tool, files, batches with polling and listing,
// and the error cases. Every image is decoded and its format and size
// checked. It logs how many SDK calls and HTTP requests it made.
func TestOpenAIGoSDK(t *testing.T) {
	srv := imagestest.NewServer(imagestest.WithBatchDelay(200 * time.Millisecond))
	// An OpenAI-compatible server that still serves the retired models and
	// the variations endpoint.
	legacySrv := imagestest.NewServer(imagestest.AllowRetiredModels())
	t.Cleanup(func() {
		for _, e := range []*imagestest.Server{srv, legacySrv} {
			e.Close()
			for _, v := range e.Violations() {
				t.Errorf("emulator response broke the spec: %v", v)
			}
		}
	})
	s := newSDKSuite(t, srv.URL)
	legacy := s.clientFor(legacySrv.URL)
	t.Cleanup(func() { t.Logf("openai-go: %d calls, %d HTTP requests", s.calls, s.requests.Load()) })
	ctx := t.Context()
	c := s.client

	t.Run("generate", func(t *testing.T) {
		res := got(c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "a red fox", Model: openai.ImageModelGPTImage1_5, Size: "1024x1536", Quality: "low"})).must(s, t)
		checkB64(t, res.Data[0].B64JSON, "png", 1024, 1536)
		if res.Size != "1024x1536" || res.Quality != "low" || res.Usage.TotalTokens == 0 {
			t.Errorf("size %q quality %q usage %+v", res.Size, res.Quality, res.Usage)
		}
		res = got(c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "a wide fox", Model: openai.ImageModelGPTImage2, Size: "1536x864", OutputFormat: "jpeg", OutputCompression: openai.Int(60)})).must(s, t)
		checkB64(t, res.Data[0].B64JSON, "jpeg", 1536, 864)
		if res.Size != "1536x864" {
			t.Errorf("custom size echoed as %q", res.Size)
		}
		res = got(c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "a fox", Model: openai.ImageModelGPTImage1Mini, OutputFormat: "webp", Background: "transparent", N: openai.Int(2)})).must(s, t)
		if len(res.Data) != 2 || res.Background != "transparent" {
			t.Fatalf("%d images, background %q", len(res.Data), res.Background)
		}
		for _, d := range res.Data {
			checkB64(t, d.B64JSON, "webp", 1024, 1024)
		}
	})

	t.Run("generate: xhigh, GIF, SVG, safety_identifier", func(t *testing.T) {
		res := got(c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "a glacier", Model: openai.ImageModelGPTImage2_5Sunburst, Size: "512x512",
			Quality: openai.ImageGenerateParamsQualityXhigh, Complexity: openai.ImageGenerateParamsComplexityHigh})).must(s, t)
		checkB64(t, res.Data[0].B64JSON, "png", 512, 512)
		if res.Quality != "xhigh" || res.Usage.OutputTokensDetails.TextTokens == 0 {
			t.Errorf("quality %q, usage %s", res.Quality, res.Usage.RawJSON())
		}

		res = got(c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "a spinning top", Model: openai.ImageModelGPTImage2_5Flare, Size: "256x256",
			OutputFormat: openai.ImageGenerateParamsOutputFormatGIF, FrameCount: openai.Int(5), FrameDurationMs: openai.Int(120)})).must(s, t)
		g := decodeGIF(t, res.Data[0].B64JSON)
		if len(g.Image) != 5 || g.Config.Width != 256 || g.Config.Height != 256 || g.LoopCount != 0 || !slices.Equal(g.Delay, []int{12, 12, 12, 12, 12}) || res.OutputFormat != "gif" {
			t.Errorf("GIF: %d frames of %dx%d, delays %v, loop %d, output_format %q", len(g.Image), g.Config.Width, g.Config.Height, g.Delay, g.LoopCount, res.OutputFormat)
		}

		res = got(c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: `a fox & <its> "den"`, Model: openai.ImageModelGPTImage2_5Sunburst, Size: "768x512",
			OutputFormat: openai.ImageGenerateParamsOutputFormatSvg, Svg: openai.ImageGenerateParamsSvg{Model: "gpt-5", Reasoning: openai.ImageGenerateParamsSvgReasoning{Effort: "low"}}})).must(s, t)
		svg := parseSVG(t, res.Data[0].B64JSON)
		if svg.Width != "768" || svg.Height != "512" || svg.ViewBox != "0 0 768 512" || svg.Title != `a fox & <its> "den"` || svg.Shapes == 0 {
			t.Errorf("SVG %+v", svg)
		}
		if u := res.SvgUsage; u.Model != "gpt-5" || u.ReasoningTokens == 0 || u.TotalTokens != u.InputTokens+u.OutputTokens {
			t.Errorf("svg_usage %s", u.RawJSON())
		}

		res = got(c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "x", Model: openai.ImageModelGPTImage1Mini, Size: "1024x1024", SafetyIdentifier: openai.String("hashed-user-42")})).must(s, t)
		if res.SafetyIdentifier != "hashed-user-42" {
			t.Errorf("safety_identifier %q", res.SafetyIdentifier)
		}
		s.calls++
		st := c.Images.GenerateStreaming(ctx, openai.ImageGenerateParams{Prompt: "x", Model: openai.ImageModelGPTImage1_5, Size: "1024x1024", PartialImages: openai.Int(1), SafetyIdentifier: openai.String("streamed-user")})
		var completed string
		for st.Next() {
			if ev := st.Current(); ev.Type == "image_generation.completed" {
				completed = ev.SafetyIdentifier
			}
		}
		if err := st.Err(); err != nil || completed != "streamed-user" {
			t.Errorf("completed event safety_identifier %q: %v", completed, err)
		}
	})

	t.Run("an OpenAI-compatible server: DALL-E models, url answers, revised prompts", func(t *testing.T) {
		res := got(legacy.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "a fox", Model: openai.ImageModelDallE2, Size: "256x256", ResponseFormat: "url"})).must(s, t)
		checkImage(t, s.fetch(res.Data[0].URL), "png", 256, 256)
		res = got(legacy.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "a fox", Model: openai.ImageModelDallE3, Size: "1792x1024", ResponseFormat: "b64_json"})).must(s, t)
		checkB64(t, res.Data[0].B64JSON, "png", 1792, 1024)
		if !strings.Contains(res.Data[0].RevisedPrompt, "a fox") {
			t.Errorf("revised prompt %q", res.Data[0].RevisedPrompt)
		}
	})

	t.Run("generate stream", func(t *testing.T) {
		s.calls++
		st := c.Images.GenerateStreaming(ctx, openai.ImageGenerateParams{Prompt: "a forest", Model: openai.ImageModelGPTImage1_5, Size: "1024x1024", PartialImages: openai.Int(2)})
		var types []string
		for st.Next() {
			ev := st.Current()
			types = append(types, ev.Type)
			checkB64(t, ev.B64JSON, "png", 1024, 1024)
		}
		if err := st.Err(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(types, []string{"image_generation.partial_image", "image_generation.partial_image", "image_generation.completed"}) {
			t.Errorf("events %v", types)
		}
	})

	red, blue := pngOf(solidImage(512, 512, color.NRGBA{220, 30, 30, 255}, image.Rectangle{}, color.NRGBA{})), pngOf(solidImage(512, 512, color.NRGBA{30, 30, 220, 255}, image.Rectangle{}, color.NRGBA{}))
	// Opaque but for the square (128,128)-(256,256), the only part an edit
	// may change.
	mask := pngOf(solidImage(512, 512, color.NRGBA{0, 0, 0, 255}, image.Rect(128, 128, 256, 256), color.NRGBA{}))
	file := func(name string, b []byte) io.Reader { return openai.File(bytes.NewReader(b), name, "image/png") }
	redRGBA := color.NRGBA{220, 30, 30, 255}

	t.Run("edit", func(t *testing.T) {
		res := got(c.Images.Edit(ctx, openai.ImageEditParams{Prompt: "add a hat", Model: openai.ImageModelGPTImage1_5, Size: "1024x1024",
			Image: openai.ImageEditParamsImageUnion{OfFile: file("red.png", red)}})).must(s, t)
		checkB64(t, res.Data[0].B64JSON, "png", 1024, 1024)
		res = got(c.Images.Edit(ctx, openai.ImageEditParams{Prompt: "put them in a basket", Model: openai.ImageModelGPTImage1_5, Size: "1024x1024",
			Image: openai.ImageEditParamsImageUnion{OfFileArray: []io.Reader{file("red.png", red), file("blue.png", blue)}}, Mask: file("mask.png", mask)})).must(s, t)
		img := checkB64(t, res.Data[0].B64JSON, "png", 1024, 1024)
		if at(img, 900, 900) != redRGBA || at(img, 600, 100) != redRGBA || at(img, 380, 380) == redRGBA {
			t.Errorf("masked edit: outside %v %v, inside %v", at(img, 900, 900), at(img, 600, 100), at(img, 380, 380))
		}
		if res.Usage.InputTokensDetails.ImageTokens == 0 {
			t.Error("no image tokens for two input images")
		}
		s.calls++
		st := c.Images.EditStreaming(ctx, openai.ImageEditParams{Prompt: "add a hat", Model: openai.ImageModelGPTImage1_5, Size: "1024x1024", PartialImages: openai.Int(1),
			Image: openai.ImageEditParamsImageUnion{OfFile: file("red.png", red)}})
		var types []string
		for st.Next() {
			types = append(types, st.Current().Type)
			checkB64(t, st.Current().B64JSON, "png", 1024, 1024)
		}
		if err := st.Err(); err != nil || !slices.Equal(types, []string{"image_edit.partial_image", "image_edit.completed"}) {
			t.Errorf("edit stream %v: %v", types, err)
		}
	})

	t.Run("edit with markup", func(t *testing.T) {
		// A transparent markup with one opaque yellow stroke.
		yellow := color.NRGBA{255, 220, 0, 255}
		markup := pngOf(solidImage(512, 512, color.NRGBA{}, image.Rect(100, 250, 400, 262), yellow))
		p := openai.ImageEditParams{Prompt: "a bridge across", Model: openai.ImageModelGPTImage2_5Sunburst, Size: "512x512", Image: openai.ImageEditParamsImageUnion{OfFile: file("red.png", red)}}
		plain := checkB64(t, got(c.Images.Edit(ctx, p)).must(s, t).Data[0].B64JSON, "png", 512, 512)
		p.Image, p.Markup = openai.ImageEditParamsImageUnion{OfFile: file("red.png", red)}, file("markup.png", markup)
		marked := checkB64(t, got(c.Images.Edit(ctx, p)).must(s, t).Data[0].B64JSON, "png", 512, 512)
		if bytes.Equal(plain.Pix, marked.Pix) || at(marked, 250, 255) != yellow || at(marked, 250, 300) != at(plain, 250, 300) {
			t.Errorf("markup edit: stroke %v, elsewhere %v (plain %v)", at(marked, 250, 255), at(marked, 250, 300), at(plain, 250, 300))
		}
	})

	t.Run("variation: retired, served by an OpenAI-compatible server", func(t *testing.T) {
		_, err := c.Images.NewVariation(ctx, openai.ImageNewVariationParams{Image: file("red.png", red), Model: openai.ImageModelDallE2, N: openai.Int(2), Size: "256x256"})
		s.calls++
		var e *openai.Error
		if !errors.As(err, &e) || e.StatusCode != 400 || e.Code != "model_not_found" || !strings.Contains(e.Message, "variations endpoint") {
			t.Errorf("variation on the default emulator: %v", err)
		}
		res := got(legacy.Images.NewVariation(ctx, openai.ImageNewVariationParams{Image: file("red.png", red), Model: openai.ImageModelDallE2, N: openai.Int(2), Size: "256x256", ResponseFormat: "b64_json"})).must(s, t)
		if len(res.Data) != 2 {
			t.Fatalf("%d images", len(res.Data))
		}
		for _, d := range res.Data {
			checkB64(t, d.B64JSON, "png", 256, 256)
		}
	})

	t.Run("responses", func(t *testing.T) {
		tool := func(p responses.ToolImageGenerationParam) []responses.ToolUnionParam {
			return []responses.ToolUnionParam{{OfImageGeneration: &p}}
		}
		first := got(c.Responses.New(ctx, responses.ResponseNewParams{Model: "gpt-5", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Generate an image: a red car")},
			Tools: tool(responses.ToolImageGenerationParam{Model: "gpt-image-1.5", Size: "1024x1024"})})).must(s, t)
		call1, img1 := callImage(t, first, 1024, 1024)
		if call1.Action != "generate" {
			t.Errorf("first turn: action %q", call1.Action)
		}
		var fields map[string]json.RawMessage
		json.Unmarshal([]byte(first.RawJSON()), &fields)
		// Required by the spec's Response schema (some are null here).
		for _, k := range []string{"id", "object", "created_at", "error", "incomplete_details", "instructions", "model", "tools", "output", "parallel_tool_calls", "metadata", "tool_choice", "temperature", "top_p"} {
			if _, ok := fields[k]; !ok {
				t.Errorf("response lacks %q", k)
			}
		}
		second := got(c.Responses.New(ctx, responses.ResponseNewParams{Model: "gpt-5", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Make it blue")},
			PreviousResponseID: openai.String(first.ID), Tools: tool(responses.ToolImageGenerationParam{Model: "gpt-image-1.5", Size: "1024x1024"})})).must(s, t)
		call2, img2 := callImage(t, second, 1024, 1024)
		if call2.Action != "edit" || bytes.Equal(img1.Pix, img2.Pix) {
			t.Errorf("second turn: action %q, same pixels %v", call2.Action, bytes.Equal(img1.Pix, img2.Pix))
		}
		retrieved := got(c.Responses.Get(ctx, second.ID, responses.ResponseGetParams{})).must(s, t)
		if retrieved.ID != second.ID || retrieved.Output[0].Result != call2.Result {
			t.Error("retrieved response differs")
		}

		dataURL := func(b []byte) string { return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b) }
		content := responses.ResponseInputMessageContentListParam{
			{OfInputText: &responses.ResponseInputTextParam{Text: "add a hat"}},
			{OfInputImage: &responses.ResponseInputImageParam{ImageURL: openai.String(dataURL(red)), Detail: responses.ResponseInputImageDetailAuto}},
		}
		edited := got(c.Responses.New(ctx, responses.ResponseNewParams{Model: "gpt-5",
			Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{responses.ResponseInputItemParamOfMessage(content, responses.EasyInputMessageRoleUser)}},
			Tools: tool(responses.ToolImageGenerationParam{InputImageMask: responses.ToolImageGenerationInputImageMaskParam{ImageURL: openai.String(dataURL(mask))}})})).must(s, t)
		call3, img3 := callImage(t, edited, 512, 512)
		if call3.Action != "edit" || at(img3, 400, 400) != redRGBA || at(img3, 190, 190) == redRGBA {
			t.Errorf("input image with mask: action %q, outside %v, inside %v", call3.Action, at(img3, 400, 400), at(img3, 190, 190))
		}

		text := got(c.Responses.New(ctx, responses.ResponseNewParams{Model: "gpt-5", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hello")}})).must(s, t)
		if !strings.Contains(text.OutputText(), "emulator") {
			t.Errorf("text turn %q", text.OutputText())
		}

		s.calls++
		st := c.Responses.NewStreaming(ctx, responses.ResponseNewParams{Model: "gpt-5", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("a boat")},
			Tools: tool(responses.ToolImageGenerationParam{PartialImages: openai.Int(2), Size: "1536x1024"})})
		var partials int
		var last string
		var done responses.Response
		for st.Next() {
			ev := st.Current()
			last = ev.Type
			switch ev.Type {
			case "response.image_generation_call.partial_image":
				partials++
				checkB64(t, ev.PartialImageB64, "png", 1536, 1024)
			case "response.completed":
				done = ev.Response
			}
		}
		if err := st.Err(); err != nil || partials != 2 || last != "response.completed" {
			t.Fatalf("stream: %d partials, last %q, %v", partials, last, err)
		}
		callImage(t, &done, 1536, 1024)
	})

	t.Run("files and batches", func(t *testing.T) {
		var lines []string
		for _, p := range []string{"one", "two", "three"} {
			b, _ := json.Marshal(map[string]any{"custom_id": p, "method": "POST", "url": "/v1/images/generations",
				"body": map[string]any{"model": "gpt-image-1-mini", "prompt": p, "size": "1024x1024", "quality": "low"}})
			lines = append(lines, string(b))
		}
		input := got(c.Files.New(ctx, openai.FileNewParams{File: openai.File(strings.NewReader(strings.Join(lines, "\n")+"\n"), "batch.jsonl", "application/jsonl"), Purpose: openai.FilePurposeBatch})).must(s, t)
		if f := got(c.Files.Get(ctx, input.ID)).must(s, t); f.Bytes != input.Bytes {
			t.Errorf("retrieved %d bytes, uploaded %d", f.Bytes, input.Bytes)
		}
		extra := got(c.Files.New(ctx, openai.FileNewParams{File: file("red.png", red), Purpose: openai.FilePurposeVision})).must(s, t)

		b := got(c.Batches.New(ctx, openai.BatchNewParams{InputFileID: input.ID, Endpoint: openai.BatchNewParamsEndpointV1ImagesGenerations, CompletionWindow: openai.BatchNewParamsCompletionWindow24h})).must(s, t)
		seen := []string{string(b.Status)}
		for !slices.Contains([]string{"completed", "failed", "cancelled", "expired"}, string(b.Status)) {
			time.Sleep(40 * time.Millisecond)
			b = got(c.Batches.Get(ctx, b.ID)).must(s, t)
			if seen[len(seen)-1] != string(b.Status) {
				seen = append(seen, string(b.Status))
			}
		}
		if !slices.Equal(seen, []string{"validating", "in_progress", "finalizing", "completed"}) || b.RequestCounts.Completed != 3 {
			t.Errorf("statuses %v, counts %+v", seen, b.RequestCounts)
		}

		var batches, files []string
		s.calls++
		for it := c.Batches.ListAutoPaging(ctx, openai.BatchListParams{Limit: openai.Int(1)}); it.Next(); {
			batches = append(batches, it.Current().ID)
		}
		s.calls++
		pager := c.Files.ListAutoPaging(ctx, openai.FileListParams{Limit: openai.Int(1)})
		for pager.Next() {
			files = append(files, pager.Current().ID)
		}
		if err := pager.Err(); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(batches, b.ID) || !slices.Contains(files, input.ID) || !slices.Contains(files, extra.ID) || !slices.Contains(files, b.OutputFileID) {
			t.Errorf("lists: batches %v, files %v", batches, files)
		}
		page := got(c.Files.List(ctx, openai.FileListParams{Purpose: openai.String("batch")})).must(s, t)
		if len(page.Data) != 1 || page.Data[0].ID != input.ID {
			t.Errorf("batch files %+v", page.Data)
		}

		resp := got(c.Files.Content(ctx, b.OutputFileID)).must(s, t)
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var ids []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var r struct {
				CustomID string `json:"custom_id"`
				Response struct {
					StatusCode int                   `json:"status_code"`
					Body       openai.ImagesResponse `json:"body"`
				} `json:"response"`
			}
			if err := json.Unmarshal([]byte(l), &r); err != nil || r.Response.StatusCode != 200 {
				t.Fatalf("output line %s: %v", l, err)
			}
			checkB64(t, r.Response.Body.Data[0].B64JSON, "png", 1024, 1024)
			ids = append(ids, r.CustomID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"one", "three", "two"}) {
			t.Errorf("output ids %v", ids)
		}
	})

	t.Run("errors", func(t *testing.T) {
		apiErr := func(err error) *openai.Error {
			t.Helper()
			s.calls++
			var e *openai.Error
			if !errors.As(err, &e) {
				t.Fatalf("not an API error: %v", err)
			}
			if e.Response.Header.Get("x-request-id") == "" {
				t.Errorf("%d without x-request-id", e.StatusCode)
			}
			return e
		}
		_, err := c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "x", Model: "not-a-model"})
		if e := apiErr(err); e.StatusCode != 400 || e.Code != "invalid_value" || e.Param != "model" || !strings.HasPrefix(e.Message, "Invalid value: 'not-a-model'. Supported values are: ") {
			t.Errorf("unknown model: %d %q %q %q", e.StatusCode, e.Code, e.Param, e.Message)
		}
		_, err = c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "x", Model: "gpt-image-l"})
		if e := apiErr(err); e.StatusCode != 400 || e.Param != "model" || !strings.HasPrefix(e.Message, "Invalid value: 'gpt-image-l'. Supported values are: 'gpt-image-2.6-sunburst'") {
			t.Errorf("typo: %d %q %q", e.StatusCode, e.Param, e.Message)
		}
		_, err = c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "x", Model: openai.ImageModelDallE3})
		if e := apiErr(err); e.StatusCode != 400 || e.Param != "model" || e.Code != "model_not_found" ||
			!strings.Contains(e.Message, "retired on May 12, 2026") || !strings.Contains(e.Message, "gpt-image-2.5-sunburst or gpt-image-2.5-flare") {
			t.Errorf("retired model: %d %q %q %q", e.StatusCode, e.Param, e.Code, e.Message)
		}
		_, err = c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "x", Model: openai.ImageModelGPTImage2, Quality: openai.ImageGenerateParamsQualityXhigh})
		if e := apiErr(err); e.StatusCode != 400 || e.Param != "quality" || e.Code != "invalid_value" || e.Message != "Invalid value: 'xhigh'. Supported values are: 'low', 'medium', 'high', and 'auto'." {
			t.Errorf("xhigh for gpt-image-2: %d %q %q %q", e.StatusCode, e.Param, e.Code, e.Message)
		}
		s.calls++
		st := c.Images.GenerateStreaming(ctx, openai.ImageGenerateParams{Prompt: "x", Model: openai.ImageModelGPTImage2, OutputFormat: openai.ImageGenerateParamsOutputFormatSvg})
		for st.Next() {
		}
		var e *openai.Error
		if !errors.As(st.Err(), &e) || e.StatusCode != 400 || e.Param != "stream" || e.Code != "unsupported_value" {
			t.Errorf("SVG stream: %v", st.Err())
		}
		bad := openai.NewClient(option.WithBaseURL(srv.URL+"/"), option.WithAPIKey(imagestest.InvalidAPIKey), option.WithMaxRetries(0))
		_, err = bad.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "x", Model: openai.ImageModelGPTImage1_5})
		if e := apiErr(err); e.StatusCode != 401 || e.Code != "invalid_api_key" {
			t.Errorf("bad key: %d %q", e.StatusCode, e.Code)
		}
		err = c.Get(ctx, "images/nothing", nil, nil)
		if e := apiErr(err); e.StatusCode != 404 || e.Message != "Invalid URL (GET /v1/images/nothing)" {
			t.Errorf("unknown path: %d %q", e.StatusCode, e.Message)
		}
		_, err = c.Batches.Get(ctx, "batch_nope")
		if e := apiErr(err); e.StatusCode != 404 {
			t.Errorf("unknown batch: %d", e.StatusCode)
		}
		_, err = c.Responses.Get(ctx, "resp_nope", responses.ResponseGetParams{})
		if e := apiErr(err); e.StatusCode != 404 {
			t.Errorf("unknown response: %d", e.StatusCode)
		}
		_, err = c.Files.Get(ctx, "file-nope")
		if e := apiErr(err); e.StatusCode != 404 {
			t.Errorf("unknown file: %d", e.StatusCode)
		}
		_, err = c.Responses.New(ctx, responses.ResponseNewParams{Model: "gpt-5", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("x")}, PreviousResponseID: param.NewOpt("resp_nope")})
		if e := apiErr(err); e.StatusCode != 400 || e.Code != "previous_response_not_found" {
			t.Errorf("unknown previous response: %d %q", e.StatusCode, e.Code)
		}
	})

	t.Run("retries", func(t *testing.T) {
		srv.InjectFault(imagestest.ServerError(500), 2)
		before := s.requests.Load()
		res := got(c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "x", Model: openai.ImageModelGPTImage2, Size: "256x256"}, option.WithMaxRetries(2))).must(s, t)
		checkB64(t, res.Data[0].B64JSON, "png", 256, 256)
		if n := s.requests.Load() - before; n != 3 {
			t.Errorf("%d requests for two 500s and a success", n)
		}
	})
}

type sdkSuite struct {
	t        *testing.T
	client   openai.Client
	calls    int
	requests atomic.Int64
}

func newSDKSuite(t *testing.T, base string) *sdkSuite {
	s := &sdkSuite{t: t}
	s.client = s.clientFor(base)
	return s
}

// clientFor is a client of the emulator at base whose requests the suite
// counts.
func (s *sdkSuite) clientFor(base string) openai.Client {
	counting := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		s.requests.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	return openai.NewClient(option.WithBaseURL(base+"/"), option.WithAPIKey("sk-openai-go"), option.WithHTTPClient(counting), option.WithMaxRetries(0))
}

// decodeGIF decodes a base64 GIF, every frame.
func decodeGIF(t *testing.T, b64 string) *gif.GIF {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a GIF: %v", err)
	}
	return g
}

// svgDoc is what the suite reads of an SVG document.
type svgDoc struct {
	Width, Height, ViewBox, Title string
	Shapes                        int
}

// parseSVG decodes a base64 SVG, checks that it is well-formed XML (every
// token) with an svg root in the SVG namespace, and reads it.
func parseSVG(t *testing.T, b64 string) svgDoc {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	var doc svgDoc
	d := xml.NewDecoder(bytes.NewReader(b))
	var path []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			path = append(path, tok.Name.Local)
			if len(path) == 1 {
				if tok.Name.Local != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Fatalf("root element %v", tok.Name)
				}
				for _, a := range tok.Attr {
					switch a.Name.Local {
					case "width":
						doc.Width = a.Value
					case "height":
						doc.Height = a.Value
					case "viewBox":
						doc.ViewBox = a.Value
					}
				}
			}
			if tok.Name.Local == "circle" || tok.Name.Local == "rect" {
				doc.Shapes++
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		case xml.CharData:
			if len(path) == 2 && path[1] == "title" {
				doc.Title += string(tok)
			}
		}
	}
	return doc
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// result is an SDK call's result, for got(call).must(s, t).
type result[T any] struct {
	v   T
	err error
}

func got[T any](v T, err error) result[T] { return result[T]{v, err} }

// must counts the call and returns its value, failing the test on error.
func (r result[T]) must(s *sdkSuite, t *testing.T) T {
	t.Helper()
	s.calls++
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

func (s *sdkSuite) fetch(url string) []byte {
	s.t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

func checkB64(t *testing.T, b64, format string, w, h int) *image.NRGBA {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return checkImage(t, b, format, w, h)
}

// checkImage decodes the whole image and checks its format and size.
func checkImage(t *testing.T, b []byte, format string, w, h int) *image.NRGBA {
	t.Helper()
	img, got, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not an image: %v", err)
	}
	if got != format || img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Fatalf("got %s %dx%d, want %s %dx%d", got, img.Bounds().Dx(), img.Bounds().Dy(), format, w, h)
	}
	n := image.NewNRGBA(img.Bounds())
	for y := range h {
		for x := range w {
			n.Set(x, y, img.At(x, y))
		}
	}
	return n
}

func callImage(t *testing.T, r *responses.Response, w, h int) (responses.ResponseOutputItemImageGenerationCall, *image.NRGBA) {
	t.Helper()
	for _, item := range r.Output {
		if item.Type == "image_generation_call" {
			call := item.AsImageGenerationCall()
			if call.Size != fmt.Sprintf("%dx%d", w, h) || call.Background == "" || call.Quality == "" || call.OutputFormat == "" || call.RevisedPrompt == "" {
				t.Errorf("call item fields: %s", call.RawJSON())
			}
			return call, checkB64(t, call.Result, "png", w, h)
		}
	}
	t.Fatalf("no image_generation_call in %s", r.RawJSON())
	return responses.ResponseOutputItemImageGenerationCall{}, nil
}

func at(m *image.NRGBA, x, y int) color.NRGBA { return m.NRGBAAt(x, y) }

func solidImage(w, h int, c color.NRGBA, r image.Rectangle, rc color.NRGBA) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if image.Pt(x, y).In(r) {
				m.SetNRGBA(x, y, rc)
			} else {
				m.SetNRGBA(x, y, c)
			}
		}
	}
	return m
}

func pngOf(m image.Image) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, m)
	return buf.Bytes()
}

var _ = jpeg.Decode // registers the JPEG decoder for image.Decode
