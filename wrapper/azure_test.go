package wrapper

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// testAzureKey is a fake Azure key (32 hex digits, as Azure's are).
const testAzureKey = "0123456789abcdef0123456789abcdef"

// azureServer records every request and answers each path with a canned
// response of the right shape.
func azureServer(t *testing.T) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	mux := http.NewServeMux()
	rec.handle(t, mux, "/", func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(p, "/images/generations") || strings.HasSuffix(p, "/images/edits") || strings.HasSuffix(p, "/images/variations"):
			if strings.Contains(string(rec.last(t).Body), `"stream":true`) || slices.Contains(rec.last(t).Fields["stream"], "true") {
				w.Header().Set("Content-Type", "text/event-stream")
				io.WriteString(w, "event: image_generation.completed\ndata: {\"type\":\"image_generation.completed\",\"b64_json\":\""+pngB64+"\",\"output_format\":\"png\"}\n\n")
				return
			}
			okImages(w, r)
		case strings.HasSuffix(p, "/responses"):
			io.WriteString(w, `{"id":"resp_1","status":"completed","output":[{"type":"image_generation_call","id":"ig_1","status":"completed","result":"`+pngB64+`"}]}`)
		case strings.HasSuffix(p, "/files"):
			io.WriteString(w, `{"id":"file-1","object":"file","bytes":10,"created_at":1,"filename":"batch.jsonl","purpose":"batch"}`)
		case strings.HasSuffix(p, "/content"):
			w.Header().Set("Content-Type", "application/octet-stream")
		case strings.Contains(p, "/batches"):
			io.WriteString(w, `{"id":"batch_1","object":"batch","endpoint":"/v1/images/generations","input_file_id":"file-1","completion_window":"24h","status":"validating","created_at":1}`)
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, rec
}

func newAzure(t *testing.T, srv *httptest.Server, a AzureConfig, opts ...Option) *Client {
	t.Helper()
	a.Endpoint = srv.URL
	if a.APIVersion == "" {
		a.APIVersion = "2025-04-01-preview"
	}
	if a.APIKey == "" && a.TokenSource == nil {
		a.APIKey = testAzureKey
	}
	c, err := New(append([]Option{WithAzure(a), WithMaxRetries(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func clearEnv(t *testing.T) {
	for _, k := range []string{"OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION"} {
		t.Setenv(k, "")
	}
}

// Every operation goes where Azure's docs say, with the api-version query,
// the api-key header and no Authorization header.
func TestAzureRoutesEveryOperation(t *testing.T) {
	clearEnv(t)
	srv, rec := azureServer(t)
	c := newAzure(t, srv, AzureConfig{})
	ctx := context.Background()
	png := testPNG(t, 64, 64, true)
	mustNot := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	type want struct{ method, path, header string }
	var wants []want
	step := func(w want, f func() error) {
		t.Helper()
		mustNot(f())
		wants = append(wants, w)
	}
	step(want{"POST", "/openai/deployments/img-prod/images/generations", ""}, func() error {
		_, err := c.Generate(ctx, GenerateParams{Model: "img-prod", Prompt: "an otter"})
		return err
	})
	step(want{"POST", "/openai/deployments/img-prod/images/generations", ""}, func() error {
		s, err := c.GenerateStream(ctx, GenerateParams{Model: "img-prod", Prompt: "an otter", PartialImages: Ptr(1)})
		if err != nil {
			return err
		}
		for _, err := range s.All() {
			if err != nil {
				return err
			}
		}
		return nil
	})
	step(want{"POST", "/openai/deployments/img-prod/images/edits", ""}, func() error {
		_, err := c.Edit(ctx, EditParams{Model: "img-prod", Prompt: "a hat", Images: []Image{ImageFromBytes("a.png", png)}})
		return err
	})
	step(want{"POST", "/openai/deployments/img-prod/images/edits", ""}, func() error {
		_, err := c.Edit(ctx, EditParams{Model: "img-prod", Prompt: "a hat", Images: []Image{ImageFromBytes("a.png", png), ImageFromBytes("b.png", png)}})
		return err
	})
	step(want{"POST", "/openai/deployments/img-prod/images/edits", ""}, func() error {
		_, err := c.Edit(ctx, EditParams{Model: "img-prod", Prompt: "a hat", ImageRefs: []ImageRef{ImageURL("https://example.com/a.png")}})
		return err
	})
	step(want{"POST", "/openai/deployments/img-prod/images/edits", ""}, func() error {
		s, err := c.EditStream(ctx, EditParams{Model: "img-prod", Prompt: "a hat", Images: []Image{ImageFromBytes("a.png", png)}})
		if err != nil {
			return err
		}
		defer s.Close()
		for s.Next() {
		}
		return s.Err()
	})
	step(want{"POST", "/openai/deployments/dalle2/images/variations", ""}, func() error {
		_, err := c.Vary(ctx, VaryParams{Model: "dalle2", Image: ImageFromBytes("a.png", png)})
		return err
	})
	step(want{"POST", "/openai/responses", "img-prod"}, func() error {
		_, err := c.NewEditSession("gpt-5-chat", ImageTool{Model: "img-prod"}).Create(ctx, "a red car")
		return err
	})
	step(want{"POST", "/openai/files", ""}, func() error {
		_, err := c.UploadFile(ctx, "vision", ImageFromBytes("a.png", png))
		return err
	})
	wants = append(wants, want{"POST", "/openai/files", ""})
	step(want{"POST", "/openai/batches", ""}, func() error {
		_, err := c.SubmitBatch(ctx, []BatchItem{{ID: "a", Generate: &GenerateParams{Model: "batch-img", Prompt: "x"}}}, SubmitBatchOptions{})
		return err
	})
	step(want{"GET", "/openai/batches/batch_1", ""}, func() error {
		_, err := c.RetrieveBatch(ctx, "batch_1")
		return err
	})
	step(want{"POST", "/openai/batches/batch_1/cancel", ""}, func() error {
		_, err := c.CancelBatch(ctx, "batch_1")
		return err
	})
	step(want{"GET", "/openai/files/file-9/content", ""}, func() error {
		return c.downloadFile(ctx, "file-9", &requestConfig{}, func(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err })
	})

	got := rec.all()
	if len(got) != len(wants) {
		t.Fatalf("%d requests, want %d", len(got), len(wants))
	}
	for i, r := range got {
		w := wants[i]
		if r.Method != w.method || r.Path != w.path {
			t.Errorf("request %d: %s %s, want %s %s", i, r.Method, r.Path, w.method, w.path)
		}
		if r.RawQuery != "api-version=2025-04-01-preview" {
			t.Errorf("request %d (%s): query %q, want api-version only", i, r.Path, r.RawQuery)
		}
		if got := r.Header.Get("api-key"); got != testAzureKey {
			t.Errorf("request %d (%s): api-key %q", i, r.Path, got)
		}
		if r.Header.Get("Authorization") != "" {
			t.Errorf("request %d (%s): Authorization sent to Azure with a key", i, r.Path)
		}
		if got := r.Header.Get("x-ms-oai-image-generation-deployment"); got != w.header {
			t.Errorf("request %d (%s): image deployment header %q, want %q", i, r.Path, got, w.header)
		}
	}
	// The multi-image edit keeps the API's image[] fields; the body's
	// model is what the caller gave.
	if multi := got[3]; len(multi.Files) != 2 || multi.Files[0].Field != "image[]" || multi.Fields["model"][0] != "img-prod" {
		t.Errorf("multi-image edit: files %v, model %v", multi.Files, multi.Fields["model"])
	}
	// The batch line names the deployment.
	if in := got[9]; !bytes.Contains(in.Files[0].Data, []byte(`"model":"batch-img"`)) || !bytes.Contains(in.Files[0].Data, []byte(`"url":"/v1/images/generations"`)) {
		t.Errorf("batch input line: %s", in.Files[0].Data)
	}
}

// The deployment is the configured one whatever the model, and with none a
// call is refused before anything is sent.
func TestAzureDeploymentChoice(t *testing.T) {
	clearEnv(t)
	srv, rec := azureServer(t)
	ctx := context.Background()
	c := newAzure(t, srv, AzureConfig{Deployment: "images"})
	if _, err := c.Generate(ctx, GenerateParams{Model: ModelGPTImage15, Prompt: "x"}); err != nil {
		t.Fatal(err)
	}
	r := rec.last(t)
	if r.Path != "/openai/deployments/images/images/generations" || r.JSON["model"] != "gpt-image-1.5" {
		t.Errorf("path %s, model %v", r.Path, r.JSON["model"])
	}
	if _, err := c.NewEditSession("gpt-5", ImageTool{}).Create(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if h := rec.last(t).Header.Get("x-ms-oai-image-generation-deployment"); h != "images" {
		t.Errorf("session image deployment %q", h)
	}
	// The tool names the deployment's model when the client knows it, and
	// no model (the header chooses) when it does not.
	c2 := newAzure(t, srv, AzureConfig{DeploymentModels: map[string]Model{"img-prod": ModelGPTImage15}})
	for dep, want := range map[Model]any{"img-prod": "gpt-image-1.5", "gpt-image-1-mini": "gpt-image-1-mini", "my-images": nil} {
		if _, err := c2.NewEditSession("gpt-5", ImageTool{Model: dep}).Create(ctx, "x"); err != nil {
			t.Fatal(err)
		}
		r := rec.last(t)
		tool := r.JSON["tools"].([]any)[0].(map[string]any)
		if tool["model"] != want || r.Header.Get("x-ms-oai-image-generation-deployment") != string(dep) {
			t.Errorf("tool of deployment %s: model %v, header %q", dep, tool["model"], r.Header.Get("x-ms-oai-image-generation-deployment"))
		}
	}

	n := len(rec.all())
	c = newAzure(t, srv, AzureConfig{})
	_, err := c.Generate(ctx, GenerateParams{Prompt: "x"})
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "deployment") {
		t.Errorf("no deployment: %v", err)
	}
	if _, err := c.NewEditSession("gpt-5", ImageTool{}).Create(ctx, "x"); !errors.As(err, &ve) {
		t.Errorf("session without an image deployment: %v", err)
	}
	_, err = c.SubmitBatch(ctx, []BatchItem{
		{ID: "a", Generate: &GenerateParams{Model: "one", Prompt: "x"}},
		{ID: "b", Generate: &GenerateParams{Model: "two", Prompt: "y"}},
	}, SubmitBatchOptions{})
	if err == nil || !strings.Contains(err.Error(), "one deployment") {
		t.Errorf("two deployments in one batch: %v", err)
	}
	if _, err := c.Generate(ctx, GenerateParams{Model: "a/b", Prompt: "x"}); !errors.As(err, &ve) {
		t.Errorf("deployment with a slash: %v", err)
	}
	if len(rec.all()) != n {
		t.Errorf("%d requests sent by refused calls", len(rec.all())-n)
	}
}

// Validation applies the model a deployment runs, when known; otherwise
// only the universal rules, and a deployment's name is never a typo.
// OpenAI's retirements do not apply; Azure's do with WithRetiredModels(false).
func TestAzureValidation(t *testing.T) {
	clearEnv(t)
	srv, rec := azureServer(t)
	ctx := context.Background()
	c := newAzure(t, srv, AzureConfig{DeploymentModels: map[string]Model{"img-prod": ModelGPTImage15, "old": ModelDallE3}})
	refused := func(p GenerateParams, want string) {
		t.Helper()
		n := len(rec.all())
		_, err := c.Generate(ctx, p)
		var ve *ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want a ValidationError with %q", p, err, want)
		}
		if len(rec.all()) != n {
			t.Errorf("%+v: sent although refused", p)
		}
	}
	sent := func(c *Client, p GenerateParams) {
		t.Helper()
		if _, err := c.Generate(ctx, p); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	// The mapped deployment runs gpt-image-1.5: style is dall-e-3's.
	refused(GenerateParams{Model: "img-prod", Prompt: "x", Style: StyleVivid}, "gpt-image-1.5 (deployment img-prod)")
	// A deployment named after a model runs it.
	refused(GenerateParams{Model: ModelGPTImage15, Prompt: "x", Style: StyleVivid}, "style")
	// An unknown deployment: universal rules only (n >= 1 holds for all).
	sent(c, GenerateParams{Model: "my-images", Prompt: "x", Style: StyleVivid})
	refused(GenerateParams{Model: "my-images", Prompt: "x", N: -1}, "n")
	// A name one edit away from a model is a deployment, not a typo.
	sent(c, GenerateParams{Model: "gpt-image-1-5", Prompt: "x"})
	// dall-e-3: OpenAI retired it, Azure retires it on its own date;
	// neither refuses by default on Azure.
	sent(c, GenerateParams{Model: "old", Prompt: "x"})
	sent(c, GenerateParams{Model: ModelDallE2, Prompt: "x"})

	strict := newAzure(t, srv, AzureConfig{DeploymentModels: map[string]Model{"old": ModelDallE3}}, WithRetiredModels(false))
	n := len(rec.all())
	_, err := strict.Generate(ctx, GenerateParams{Model: "old", Prompt: "x"})
	if err == nil || !strings.Contains(err.Error(), "Azure OpenAI retired dall-e-3 on 2026-02-18") || !strings.Contains(err.Error(), "gpt-image-1-mini") {
		t.Errorf("Azure-retired dall-e-3 with WithRetiredModels(false): %v", err)
	}
	_, err = strict.Vary(ctx, VaryParams{Model: ModelDallE2, Image: ImageFromBytes("a.png", testPNG(t, 64, 64, false))})
	if err == nil || !strings.Contains(err.Error(), "Azure OpenAI retired dall-e-2 on 2025-01-27") || strings.Contains(err.Error(), "variations endpoint") {
		t.Errorf("Azure-retired dall-e-2: %v", err)
	}
	if len(rec.all()) != n {
		t.Error("a refused call was sent")
	}
	// gpt-image-1: OpenAI shut it down; Azure's docs give no date.
	sent(strict, GenerateParams{Model: ModelGPTImage1, Prompt: "x"})

	// Off Azure, the same typo is refused.
	plain, _ := New(WithBaseURL(srv.URL+"/v1"), WithAPIKey(testAPIKey))
	if _, err := plain.Generate(ctx, GenerateParams{Model: "gpt-image-1-5", Prompt: "x"}); err == nil {
		t.Error("a model typo went through off Azure")
	}
}

// The official SDKs' environment variables configure Azure; the OpenAI
// ones are not read.
func TestAzureEnvironment(t *testing.T) {
	srv, rec := azureServer(t)
	t.Setenv("AZURE_OPENAI_ENDPOINT", srv.URL+"/")
	t.Setenv("AZURE_OPENAI_API_KEY", testAzureKey)
	t.Setenv("OPENAI_API_VERSION", "2024-10-21")
	t.Setenv("OPENAI_API_KEY", testAPIKey)
	t.Setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
	t.Setenv("OPENAI_ORG_ID", "org-123")
	c, err := New(WithAzure(AzureConfig{}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Generate(context.Background(), GenerateParams{Model: "d", Prompt: "x"}); err != nil {
		t.Fatal(err)
	}
	r := rec.last(t)
	if r.Path != "/openai/deployments/d/images/generations" || r.RawQuery != "api-version=2024-10-21" ||
		r.Header.Get("api-key") != testAzureKey || r.Header.Get("Authorization") != "" || r.Header.Get("OpenAI-Organization") != "" {
		t.Errorf("from the environment: %s?%s, headers %v", r.Path, r.RawQuery, r.Header)
	}
	if got := c.BaseURL(); got != srv.URL+"/openai?api-version=2024-10-21" {
		t.Errorf("BaseURL %q", got)
	}
	// An explicit organization is still sent.
	c, _ = New(WithAzure(AzureConfig{}), WithOrganization("org-mine"))
	c.Generate(context.Background(), GenerateParams{Model: "d", Prompt: "x"})
	if rec.last(t).Header.Get("OpenAI-Organization") != "org-mine" {
		t.Error("explicit organization dropped")
	}
}

// Configurations that cannot work are refused at New, saying why, and
// never quoting the key.
func TestAzureConfigErrors(t *testing.T) {
	clearEnv(t)
	src := TokenSourceFunc(func(context.Context) (AccessToken, error) { return AccessToken{Token: "tok"}, nil })
	cases := []struct {
		opts []Option
		want string
	}{
		{[]Option{WithAzure(AzureConfig{APIVersion: "v", APIKey: testAzureKey})}, "AZURE_OPENAI_ENDPOINT"},
		{[]Option{WithAzure(AzureConfig{Endpoint: "https://r.openai.azure.com", APIKey: testAzureKey})}, "OPENAI_API_VERSION"},
		{[]Option{WithAzure(AzureConfig{Endpoint: "https://r.openai.azure.com", APIVersion: "v"})}, "no credentials"},
		{[]Option{WithAzure(AzureConfig{Endpoint: "https://r.openai.azure.com", APIVersion: "v", APIKey: testAzureKey, TokenSource: src})}, "not both"},
		{[]Option{WithAzure(AzureConfig{Endpoint: "https://r.openai.azure.com/openai/deployments/img", APIVersion: "v", APIKey: testAzureKey})}, "AzureConfig.Deployment"},
		{[]Option{WithAzure(AzureConfig{Endpoint: "https://r.openai.azure.com/openai/v1", APIVersion: "v", APIKey: testAzureKey})}, "v1 API"},
		{[]Option{WithAzure(AzureConfig{Endpoint: "https://r.openai.azure.com?api-version=x", APIVersion: "v", APIKey: testAzureKey})}, "no query"},
		{[]Option{WithAzure(AzureConfig{Endpoint: testAzureKey, APIVersion: "v", APIKey: testAzureKey})}, "absolute"},
		{[]Option{WithAzure(AzureConfig{Endpoint: "https://r.openai.azure.com", APIVersion: "v", APIKey: testAzureKey, Deployment: "a/b"})}, "path segment"},
		{[]Option{WithAzure(AzureConfig{Endpoint: "https://r.openai.azure.com", APIVersion: "v", APIKey: testAzureKey, DeploymentModels: map[string]Model{"x": ""}})}, "empty model"},
		{[]Option{WithAzure(AzureConfig{Endpoint: "https://r.openai.azure.com", APIVersion: "v", APIKey: testAzureKey}), WithBaseURL("https://example.com/v1")}, "not WithBaseURL"},
		{[]Option{WithAzure(AzureConfig{Endpoint: "https://r.openai.azure.com", APIVersion: "v"}), WithAPIKey(testAzureKey)}, "AzureConfig.APIKey"},
		{[]Option{WithAzure(AzureConfig{Endpoint: "https://r.openai.azure.com", APIVersion: "v", APIKey: testAzureKey}), WithQuery("api-version", "x")}, "AzureConfig.APIVersion"},
		{[]Option{WithAzure(AzureConfig{}), WithAzure(AzureConfig{})}, "twice"},
		{[]Option{WithAPIKey(testAPIKey), WithTokenSource(src)}, "not both"},
	}
	for _, tc := range cases {
		_, err := New(tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v, want an error with %q", err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), testAzureKey) {
			t.Errorf("error quotes the key: %v", err)
		}
	}
	// A gateway's path prefix, and a pasted /openai, are kept and dropped.
	for endpoint, root := range map[string]string{
		"https://r.openai.azure.com/":       "https://r.openai.azure.com/openai",
		"https://r.openai.azure.com/openai": "https://r.openai.azure.com/openai",
		"https://gw.example.com/aoai/":      "https://gw.example.com/aoai/openai",
	} {
		c, err := New(WithAzure(AzureConfig{Endpoint: endpoint, APIVersion: "v", APIKey: testAzureKey}))
		if err != nil {
			t.Errorf("%s: %v", endpoint, err)
			continue
		}
		if got := c.BaseURL(); got != root+"?api-version=v" {
			t.Errorf("%s: base %s", endpoint, got)
		}
	}
	// The key from the environment is not used with a token source.
	t.Setenv("AZURE_OPENAI_API_KEY", testAzureKey)
	if _, err := New(WithAzure(AzureConfig{Endpoint: "https://r.openai.azure.com", APIVersion: "v", TokenSource: src})); err != nil {
		t.Errorf("token source with the key in the environment: %v", err)
	}
}

// Base URLs the client cannot use are refused with the reason; a query in
// one, and WithQuery's, go with every request.
func TestBaseURLsAndQuery(t *testing.T) {
	clearEnv(t)
	for base, want := range map[string]string{
		"https://api.openai.com":                    "/v1",
		"https://api.openai.com/":                   "/v1",
		"https://example.com/v1/images/generations": "drop the trailing /images/generations",
		"https://r.openai.azure.com/openai/deployments/img?api-version=2025-04-01-preview": "WithAzure",
		"https://r.openai.azure.com":                   "WithAzure",
		"https://r.cognitiveservices.azure.com/openai": "WithAzure",
	} {
		_, err := New(WithBaseURL(base), WithAPIKey(testAPIKey))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", base, err, want)
		}
		// The environment's base URL is checked the same way.
		t.Setenv("OPENAI_BASE_URL", base)
		if _, err := New(WithAPIKey(testAPIKey)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("OPENAI_BASE_URL=%s: %v", base, err)
		}
		t.Setenv("OPENAI_BASE_URL", "")
	}
	for _, base := range []string{"https://api.openai.com/v1", "https://r.openai.azure.com/openai/v1", "https://gateway.example.com", "http://localhost:8080/v1"} {
		if _, err := New(WithBaseURL(base), WithAPIKey(testAPIKey)); err != nil {
			t.Errorf("%s: %v", base, err)
		}
	}

	srv, rec := azureServer(t)
	c, err := New(WithBaseURL(srv.URL+"/v1?tenant=a&api_key="+testAzureKey), WithAPIKey(testAPIKey),
		WithQuery("region", "eu"), WithQuery("tenant", "b"), WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c.Generate(ctx, GenerateParams{Prompt: "x"})
	c.RetrieveBatch(ctx, "batch_1")
	c.NewEditSession("gpt-5", ImageTool{}).Create(ctx, "x")
	for _, r := range rec.all() {
		q, _ := url.ParseQuery(r.RawQuery)
		if q.Get("tenant") != "b" || q.Get("region") != "eu" || q.Get("api_key") != testAzureKey || len(q) != 3 {
			t.Errorf("%s: query %q", r.Path, r.RawQuery)
		}
	}
	if err := WithQuery("", "x")(&config{}); err == nil {
		t.Error("WithQuery with an empty name")
	}
}

// The Azure key never reaches an error, a log line or a returned value,
// though the server echoes it.
func TestAzureKeyScrubbed(t *testing.T) {
	clearEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("apim-request-id", "id-"+r.Header.Get("api-key"))
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"code":"401","message":"Access denied for key `+r.Header.Get("api-key")+`"}}`)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	c := newAzure(t, srv, AzureConfig{}, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := c.Generate(context.Background(), GenerateParams{Model: "d", Prompt: "x"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != "401" {
		t.Fatalf("%v", err)
	}
	if apiErr.RequestID != "id-[redacted]" {
		t.Errorf("request id from apim-request-id: %q", apiErr.RequestID)
	}
	for _, s := range []string{err.Error(), string(apiErr.Body), logs.String()} {
		if strings.Contains(s, testAzureKey) {
			t.Errorf("key leaked: %s", s)
		}
	}
}

// Azure's content filter errors are content policy violations.
func TestAzureContentFilter(t *testing.T) {
	for _, code := range []string{"contentFilter", "content_filter"} {
		if !IsContentPolicyViolation(&APIError{StatusCode: 400, Code: code}) {
			t.Errorf("%s", code)
		}
	}
}

// The batch manifest and the downloaded results of an Azure batch are
// named by the items, as elsewhere.
func TestAzureBatchLinesNameTheDeployment(t *testing.T) {
	clearEnv(t)
	srv, rec := azureServer(t)
	c := newAzure(t, srv, AzureConfig{Deployment: "global-batch"})
	dir := t.TempDir()
	img := filepath.Join(dir, "x.png")
	os.WriteFile(img, testPNG(t, 8, 8, false), 0o644)
	_, err := c.SubmitBatch(context.Background(), []BatchItem{
		{ID: "a", Edit: &EditParams{Model: ModelGPTImage15, Prompt: "x", ImageRefs: []ImageRef{ImageFileID("file-1")}}},
		{ID: "b", Edit: &EditParams{Model: ModelGPTImage1Mini, Prompt: "y", ImageRefs: []ImageRef{ImageFileID("file-2")}}},
	}, SubmitBatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	upload := rec.all()[0]
	lines := bytes.Split(bytes.TrimSpace(upload.Files[0].Data), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		if !bytes.Contains(l, []byte(`"model":"global-batch"`)) || !bytes.Contains(l, []byte(`"url":"/v1/images/edits"`)) {
			t.Errorf("line %s", l)
		}
	}
	_ = time.Second
}
