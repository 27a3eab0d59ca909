package wrapper

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestGenerateSendsEveryParameter(t *testing.T) {
	c, mux, _ := setup(t)
	var rec recorder
	rec.handle(t, mux, "POST /images/generations", okImages)

	res, err := c.Generate(context.Background(), GenerateParams{
		Prompt:            "A cute baby sea otter",
		Model:             ModelGPTImage15,
		N:                 2,
		Size:              Size1536x1024,
		Quality:           QualityHigh,
		Background:        BackgroundTransparent,
		Moderation:        ModerationLow,
		OutputFormat:      OutputFormatWebP,
		OutputCompression: Ptr(0),
		User:              "user-1234",
	}, WithRequestValidation(false))
	if err != nil {
		t.Fatal(err)
	}
	got := rec.last(t)
	want := map[string]any{
		"prompt": "A cute baby sea otter", "model": "gpt-image-1.5", "n": 2.0, "size": "1536x1024",
		"quality": "high", "background": "transparent", "moderation": "low", "output_format": "webp",
		"output_compression": 0.0, "user": "user-1234",
	}
	if !reflect.DeepEqual(got.JSON, want) {
		t.Errorf("body = %v\nwant   %v", got.JSON, want)
	}
	if got.ContentType != "application/json" {
		t.Errorf("Content-Type = %q", got.ContentType)
	}
	if got.Header.Get("Authorization") != "Bearer "+testAPIKey {
		t.Errorf("Authorization header = %q", got.Header.Get("Authorization"))
	}
	if ua := got.Header.Get("User-Agent"); !strings.HasPrefix(ua, "openai-images-go/") {
		t.Errorf("User-Agent = %q", ua)
	}

	if res.RequestID != "req_123" || len(res.Data) != 1 || res.Data[0].RevisedPrompt != "an otter" {
		t.Errorf("response = %+v", res)
	}
	if !res.Created.Equal(time.Unix(1700000000, 0)) || res.Background != BackgroundOpaque || res.OutputFormat != OutputFormatPNG || res.Quality != QualityHigh || res.Size != Size1024x1024 {
		t.Errorf("response metadata = %+v", res)
	}
	if u := res.Usage; u == nil || *u != (Usage{InputTokens: 10, InputTextTokens: 8, InputImageTokens: 2, OutputTokens: 20, TotalTokens: 30}) {
		t.Errorf("usage = %+v", res.Usage)
	}
}

func TestGenerateDallEParameters(t *testing.T) {
	c, mux, _ := setup(t)
	var rec recorder
	rec.handle(t, mux, "POST /images/generations", okImages)
	_, err := c.Generate(context.Background(), GenerateParams{
		Prompt: "a lighthouse", Model: ModelDallE3, Size: Size1792x1024, Quality: QualityHD,
		Style: StyleNatural, ResponseFormat: ResponseFormatB64JSON,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"prompt": "a lighthouse", "model": "dall-e-3", "size": "1792x1024", "quality": "hd", "style": "natural", "response_format": "b64_json"}
	if got := rec.last(t).JSON; !reflect.DeepEqual(got, want) {
		t.Errorf("body = %v, want %v", got, want)
	}
}

// Unset fields are omitted, never sent as "" or 0.
func TestGenerateOmitsUnsetFields(t *testing.T) {
	c, mux, _ := setup(t)
	var rec recorder
	rec.handle(t, mux, "POST /images/generations", okImages)
	if _, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := string(rec.last(t).Body); got != `{"prompt":"x"}` {
		t.Errorf("body = %s", got)
	}
}

func TestGenerateCustomSize(t *testing.T) {
	c, mux, _ := setup(t)
	var rec recorder
	rec.handle(t, mux, "POST /images/generations", okImages)
	if _, err := c.Generate(context.Background(), GenerateParams{Prompt: "x", Model: ModelGPTImage2, Size: CustomSize(1536, 864)}); err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t).JSON["size"]; got != "1536x864" {
		t.Errorf("size = %v", got)
	}
}

func TestExtraHeadersQueryAndBody(t *testing.T) {
	c, mux, _ := setup(t, WithOrganization("org-1"), WithProject("proj-1"), WithHeader("X-Client", "a"), WithUserAgent("my-app/1"))
	var rec recorder
	rec.handle(t, mux, "POST /images/generations", okImages)
	_, err := c.Generate(context.Background(), GenerateParams{Prompt: "x", Model: ModelGPTImage15, Quality: QualityHigh},
		WithExtraHeader("X-Trace", "t1"),
		WithExtraQuery("api-version", "2026-01-01"),
		WithExtraBody("quality", "xhigh"),
		WithExtraBody("safety_identifier", "hash-1"),
		WithExtraBody("frame_count", 4),
		WithRequestValidation(false),
	)
	if err != nil {
		t.Fatal(err)
	}
	got := rec.last(t)
	for k, v := range map[string]string{"OpenAI-Organization": "org-1", "OpenAI-Project": "proj-1", "X-Client": "a", "X-Trace": "t1", "User-Agent": "my-app/1"} {
		if got.Header.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, got.Header.Get(k), v)
		}
	}
	if got.RawQuery != "api-version=2026-01-01" {
		t.Errorf("query = %q", got.RawQuery)
	}
	if got.JSON["quality"] != "xhigh" || got.JSON["safety_identifier"] != "hash-1" || got.JSON["frame_count"] != 4.0 || got.JSON["model"] != "gpt-image-1.5" {
		t.Errorf("body = %v", got.JSON)
	}
}

func TestEnvironmentDefaults(t *testing.T) {
	_, mux, srv := setup(t)
	var rec recorder
	rec.handle(t, mux, "POST /images/generations", okImages)
	t.Setenv("OPENAI_API_KEY", "sk-env")
	t.Setenv("OPENAI_BASE_URL", srv.URL+"/v1")
	t.Setenv("OPENAI_ORG_ID", "org-env")
	t.Setenv("OPENAI_PROJECT_ID", "proj-env")
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != srv.URL+"/v1" {
		t.Errorf("BaseURL = %q", c.BaseURL())
	}
	if _, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"}); err != nil {
		t.Fatal(err)
	}
	h := rec.last(t).Header
	if h.Get("Authorization") != "Bearer sk-env" || h.Get("OpenAI-Organization") != "org-env" || h.Get("OpenAI-Project") != "proj-env" {
		t.Errorf("headers = %v", h)
	}
	t.Setenv("OPENAI_BASE_URL", "")
	c, _ = New()
	if c.BaseURL() != DefaultBaseURL {
		t.Errorf("default BaseURL = %q", c.BaseURL())
	}
}

func TestOptionsRejectBadValues(t *testing.T) {
	bad := map[string]Option{
		"empty key":         WithAPIKey(" "),
		"key with newline":  WithAPIKey("a\nb"),
		"relative base":     WithBaseURL("/v1"),
		"ftp base":          WithBaseURL("ftp://x/v1"),
		"credentials":       WithBaseURL("https://user:pw@example.com/v1"),
		"nil http client":   WithHTTPClient(nil),
		"negative retries":  WithMaxRetries(-1),
		"negative timeout":  WithTimeout(-time.Second),
		"auth header":       WithHeader("authorization", "Bearer x"),
		"bad header name":   WithHeader("a b", "x"),
		"header injection":  WithHeader("X-A", "a\r\nX-B: b"),
		"bad download size": WithMaxDownloadSize(0),
		"bad event size":    WithMaxEventSize(-1),
		"ua with newline":   WithUserAgent("a\n"),
		"org with newline":  WithOrganization("a\n"),
		"proj with newline": WithProject("a\r"),
	}
	for name, opt := range bad {
		t.Run(name, func(t *testing.T) {
			c, err := New(opt)
			if err == nil || c != nil {
				t.Fatalf("New accepted it: %v", err)
			}
			if strings.Contains(err.Error(), "pw") {
				t.Errorf("error echoes credentials: %v", err)
			}
		})
	}
	c, _, _ := setup(t)
	for name, opt := range map[string]RequestOption{
		"empty query":      WithExtraQuery("", "x"),
		"empty body key":   WithExtraBody("", 1),
		"negative timeout": WithRequestTimeout(-1),
		"negative retries": WithRequestMaxRetries(-1),
		"auth header":      WithExtraHeader("Authorization", "x"),
	} {
		if _, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"}, opt); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"}, WithExtraBody("bad", make(chan int))); err == nil {
		t.Error("unmarshalable extra body accepted")
	}
}

func TestGenerateIsGoroutineSafe(t *testing.T) {
	c, mux, _ := setup(t)
	var rec recorder
	rec.handle(t, mux, "POST /images/generations", okImages)
	done := make(chan error)
	for i := range 16 {
		go func() {
			_, err := c.Generate(context.Background(), GenerateParams{Prompt: strings.Repeat("p", i+1)}, WithExtraHeader("X-N", "v"))
			done <- err
		}()
	}
	for range 16 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	seen := map[string]bool{}
	for _, r := range rec.all() {
		var body map[string]any
		json.Unmarshal(r.Body, &body)
		seen[body["prompt"].(string)] = true
		if len(r.Header.Values("X-N")) != 1 {
			t.Errorf("X-N header repeated: %v", r.Header.Values("X-N"))
		}
	}
	if len(seen) != 16 {
		t.Errorf("%d distinct prompts reached the server, want 16", len(seen))
	}
}
