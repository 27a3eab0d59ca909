package azure_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

var update = flag.Bool("update", false, "rewrite docs/azure-wire.md")

const (
	apiVersion = "2025-04-01-preview"
	apiKey     = "0123456789abcdef0123456789abcdef"
	entraToken = "entra-token-0123456789abcdef"
	pngB64     = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAEUlEQVR4nGP4z8DwHwyBNAMAY/sJ955dn7IAAAAASUVORK5CYII="
)

// wireRequest is what one request carried that matters on Azure.
type wireRequest struct {
	Method, Path, Query string
	// Auth is "api-key", "bearer" or "none"; both would be "api-key+bearer".
	Auth string
	// Credential is the key or token sent.
	Credential string
	// MediaType is the Content-Type's media type ("" without a body).
	MediaType string
	// ImageDeployment is the x-ms-oai-image-generation-deployment header.
	ImageDeployment string
	// Model is the body's model field; Parts lists a multipart body's field
	// names in order (files marked with @).
	Model string
	Parts []string
}

func (r wireRequest) line() string {
	s := r.Method + " " + r.Path
	if r.Query != "" {
		s += "?" + r.Query
	}
	return s
}

func (r wireRequest) headers() string {
	parts := []string{r.Auth}
	if r.MediaType != "" {
		parts = append(parts, r.MediaType)
	}
	if r.ImageDeployment != "" {
		parts = append(parts, "x-ms-oai-image-generation-deployment: "+r.ImageDeployment)
	}
	return strings.Join(parts, ", ")
}

// recorder labels the requests it gets with the operation announced last
// (GET /__op/NAME) and answers each with a canned body of the right shape.
type recorder struct {
	mu  sync.Mutex
	op  string
	ops []string
	got map[string][]wireRequest
}

func newRecorder() *recorder { return &recorder{got: map[string][]wireRequest{}} }

func (rec *recorder) setOp(op string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.op = op
	rec.ops = append(rec.ops, op)
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if op, ok := strings.CutPrefix(r.URL.Path, "/__op/"); ok {
		rec.setOp(op)
		return
	}
	body, _ := io.ReadAll(r.Body)
	wr := wireRequest{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, ImageDeployment: r.Header.Get("x-ms-oai-image-generation-deployment")}
	var auth []string
	if k := r.Header.Get("api-key"); k != "" {
		auth, wr.Credential = append(auth, "api-key"), k
	}
	if a := r.Header.Get("Authorization"); a != "" {
		auth, wr.Credential = append(auth, "bearer"), strings.TrimPrefix(a, "Bearer ")
	}
	wr.Auth = strings.Join(auth, "+")
	if wr.Auth == "" {
		wr.Auth = "none"
	}
	stream := false
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if len(body) > 0 {
		wr.MediaType = mt
	}
	switch mt {
	case "application/json":
		var fields struct {
			Model  string `json:"model"`
			Stream bool   `json:"stream"`
		}
		json.Unmarshal(body, &fields)
		wr.Model, stream = fields.Model, fields.Stream
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			v, _ := io.ReadAll(p)
			name := p.FormName()
			if p.FileName() != "" {
				name = "@" + name
			}
			wr.Parts = append(wr.Parts, name)
			switch p.FormName() {
			case "model":
				wr.Model = string(v)
			case "stream":
				stream = string(v) == "true"
			}
		}
	}
	rec.mu.Lock()
	rec.got[rec.op] = append(rec.got[rec.op], wr)
	rec.mu.Unlock()

	p := r.URL.Path
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-request-id", "req_1")
	switch {
	case strings.Contains(p, "/images/") && stream:
		w.Header().Set("Content-Type", "text/event-stream")
		typ := "image_generation.completed"
		if strings.HasSuffix(p, "/edits") {
			typ = "image_edit.completed"
		}
		fmt.Fprintf(w, "event: %s\ndata: {\"type\":%q,\"b64_json\":%q,\"created_at\":1,\"size\":\"1024x1024\",\"quality\":\"high\",\"background\":\"opaque\",\"output_format\":\"png\",\"usage\":{\"total_tokens\":1,\"input_tokens\":1,\"output_tokens\":0,\"input_tokens_details\":{\"text_tokens\":1,\"image_tokens\":0}}}\n\n", typ, typ, pngB64)
	case strings.Contains(p, "/images/"):
		fmt.Fprintf(w, `{"created":1,"data":[{"b64_json":%q}]}`, pngB64)
	case strings.HasSuffix(p, "/responses"):
		fmt.Fprintf(w, `{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-5","output":[{"type":"image_generation_call","id":"ig_1","status":"completed","result":%q}]}`, pngB64)
	case strings.HasSuffix(p, "/content"):
		w.Header().Set("Content-Type", "application/octet-stream")
	case strings.HasSuffix(p, "/files"):
		io.WriteString(w, `{"id":"file-1","object":"file","bytes":3,"created_at":1,"filename":"batch.jsonl","purpose":"batch","status":"processed"}`)
	case strings.Contains(p, "/batches"):
		io.WriteString(w, `{"id":"batch_1","object":"batch","endpoint":"/v1/images/generations","input_file_id":"file-1","completion_window":"24h","status":"validating","created_at":1}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":{"code":"404","message":"Resource not found"}}`)
	}
}

// operation is one call, made the same way by both clients.
type operation struct {
	name, what string
	// want is where Azure's documentation sends it (the Go client must
	// match it exactly): method, path and whether the image deployment
	// header is set.
	want wireRequest
	// differs, when set, says why npm's AzureOpenAI sends something else.
	differs string
	run     func(ctx context.Context, c clients) error
}

type clients struct{ keyed, withDeployment, entra *wrapper.Client }

var png, _ = base64.StdEncoding.DecodeString(pngB64)

func drain(s *wrapper.ImageStream, err error) error {
	if err != nil {
		return err
	}
	defer s.Close()
	for _, err := range s.All() {
		if err != nil {
			return err
		}
	}
	return nil
}

var operations = []operation{
	{name: "generate", what: "generation (`Generate`; npm `images.generate`)",
		want: wireRequest{Method: "POST", Path: "/openai/deployments/img-prod/images/generations"},
		run: func(ctx context.Context, c clients) error {
			_, err := c.keyed.Generate(ctx, wrapper.GenerateParams{Model: "img-prod", Prompt: "a lighthouse"})
			return err
		}},
	{name: "generate-stream", what: "streamed generation (`GenerateStream`; npm `stream: true`)",
		want: wireRequest{Method: "POST", Path: "/openai/deployments/img-prod/images/generations"},
		run: func(ctx context.Context, c clients) error {
			return drain(c.keyed.GenerateStream(ctx, wrapper.GenerateParams{Model: "img-prod", Prompt: "a lighthouse", PartialImages: wrapper.Ptr(1)}))
		}},
	{name: "edit", what: "edit, one uploaded image (multipart)",
		want: wireRequest{Method: "POST", Path: "/openai/deployments/img-prod/images/edits"},
		run: func(ctx context.Context, c clients) error {
			_, err := c.keyed.Edit(ctx, wrapper.EditParams{Model: "img-prod", Prompt: "a hat", Images: []wrapper.Image{wrapper.ImageFromBytes("a.png", png)}}, wrapper.WithRequestValidation(false))
			return err
		}},
	{name: "edit-multi", what: "edit, two uploaded images (multipart `image[]`)",
		want: wireRequest{Method: "POST", Path: "/openai/deployments/img-prod/images/edits"},
		run: func(ctx context.Context, c clients) error {
			_, err := c.keyed.Edit(ctx, wrapper.EditParams{Model: "img-prod", Prompt: "a hat",
				Images: []wrapper.Image{wrapper.ImageFromBytes("a.png", png), wrapper.ImageFromBytes("b.png", png)}}, wrapper.WithRequestValidation(false))
			return err
		}},
	{name: "edit-json", what: "edit with image references (JSON body; npm `client.post`, as `images.edit` takes uploads only)",
		want: wireRequest{Method: "POST", Path: "/openai/deployments/img-prod/images/edits"},
		run: func(ctx context.Context, c clients) error {
			_, err := c.keyed.Edit(ctx, wrapper.EditParams{Model: "img-prod", Prompt: "a hat", ImageRefs: []wrapper.ImageRef{wrapper.ImageURL("https://example.com/a.png")}})
			return err
		}},
	{name: "edit-stream", what: "streamed edit (`EditStream`)",
		want: wireRequest{Method: "POST", Path: "/openai/deployments/img-prod/images/edits"},
		run: func(ctx context.Context, c clients) error {
			return drain(c.keyed.EditStream(ctx, wrapper.EditParams{Model: "img-prod", Prompt: "a hat", Images: []wrapper.Image{wrapper.ImageFromBytes("a.png", png)}, PartialImages: wrapper.Ptr(1)}, wrapper.WithRequestValidation(false)))
		}},
	{name: "variation", what: "variation (`Vary`; npm `images.createVariation`)",
		want:    wireRequest{Method: "POST", Path: "/openai/deployments/dalle2/images/variations"},
		differs: "npm leaves /images/variations out of its deployment routes (azure.ts `_deployments_endpoints`), so the call reaches no deployment; this library routes every image operation alike",
		run: func(ctx context.Context, c clients) error {
			_, err := c.keyed.Vary(ctx, wrapper.VaryParams{Model: "dalle2", Image: wrapper.ImageFromBytes("a.png", png)}, wrapper.WithRequestValidation(false))
			return err
		}},
	{name: "responses", what: "editing session turn (`EditSession.Create`; npm `responses.create` with the image tool)",
		want: wireRequest{Method: "POST", Path: "/openai/responses", ImageDeployment: "img-prod"},
		run: func(ctx context.Context, c clients) error {
			_, err := c.keyed.NewEditSession("gpt-5-chat", wrapper.ImageTool{Model: "img-prod"}).Create(ctx, "a red car")
			return err
		}},
	{name: "upload", what: "file upload (`UploadFile`; npm `files.create`)",
		want: wireRequest{Method: "POST", Path: "/openai/files"},
		run: func(ctx context.Context, c clients) error {
			_, err := c.keyed.UploadFile(ctx, "vision", wrapper.ImageFromBytes("a.png", png))
			return err
		}},
	{name: "batch-create", what: "Batch API submission (`SubmitBatch`; npm `files.create` + `batches.create`)",
		want: wireRequest{Method: "POST", Path: "/openai/batches"},
		run: func(ctx context.Context, c clients) error {
			_, err := c.keyed.SubmitBatch(ctx, []wrapper.BatchItem{{ID: "a", Generate: &wrapper.GenerateParams{Model: "img-prod", Prompt: "a kite"}}}, wrapper.SubmitBatchOptions{})
			return err
		}},
	{name: "batch-retrieve", what: "batch status (`RetrieveBatch`)",
		want: wireRequest{Method: "GET", Path: "/openai/batches/batch_1"},
		run: func(ctx context.Context, c clients) error {
			_, err := c.keyed.RetrieveBatch(ctx, "batch_1")
			return err
		}},
	{name: "batch-cancel", what: "batch cancel (`CancelBatch`)",
		want: wireRequest{Method: "POST", Path: "/openai/batches/batch_1/cancel"},
		run: func(ctx context.Context, c clients) error {
			_, err := c.keyed.CancelBatch(ctx, "batch_1")
			return err
		}},
	{name: "file-content", what: "batch results download (`DownloadBatchResults`: the input file, then the output file; npm `files.content`)",
		want: wireRequest{Method: "GET", Path: "/openai/files/file-9/content"},
		run: func(ctx context.Context, c clients) error {
			_, err := c.keyed.DownloadBatchResults(ctx, &wrapper.Batch{ID: "batch_1", Status: wrapper.BatchCompleted, InputFileID: "file-8", OutputFileID: "file-9"}, tempDir)
			return err
		}},
	{name: "deployment-generate", what: "generation, deployment set on the client (`AzureConfig.Deployment`; npm `deployment`)",
		want: wireRequest{Method: "POST", Path: "/openai/deployments/images/images/generations"},
		run: func(ctx context.Context, c clients) error {
			_, err := c.withDeployment.Generate(ctx, wrapper.GenerateParams{Model: wrapper.ModelGPTImage15, Prompt: "a lighthouse"})
			return err
		}},
	{name: "deployment-batch-create", what: "batch creation, deployment set on the client",
		want:    wireRequest{Method: "POST", Path: "/openai/batches"},
		differs: "npm puts /batches among its deployment routes, so a client with a deployment posts to /openai/deployments/images/batches; Azure's docs create batches at /openai/batches (how-to/batch.md) and name the deployment in each line's model, which is what this library does",
		run: func(ctx context.Context, c clients) error {
			_, err := c.withDeployment.SubmitBatch(ctx, []wrapper.BatchItem{{ID: "a", Generate: &wrapper.GenerateParams{Model: wrapper.ModelGPTImage15, Prompt: "a kite"}}}, wrapper.SubmitBatchOptions{})
			return err
		}},
	{name: "entra-generate", what: "generation with a Microsoft Entra ID token (`AzureConfig.TokenSource`; npm `azureADTokenProvider`)",
		want: wireRequest{Method: "POST", Path: "/openai/deployments/img-prod/images/generations", Auth: "bearer"},
		run: func(ctx context.Context, c clients) error {
			_, err := c.entra.Generate(ctx, wrapper.GenerateParams{Model: "img-prod", Prompt: "a lighthouse"})
			return err
		}},
}

var tempDir string

// TestAzureWireMatchesNodeSDK makes every call of the library through
// WithAzure and through npm openai's AzureOpenAI, against the same
// recording server, and checks that the library sends what Azure's docs
// describe and what npm sends, but where a difference is explained. The
// comparison is docs/azure-wire.md (rewritten with -update).
func TestAzureWireMatchesNodeSDK(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	sdk := filepath.Join(root, "node_modules", "openai", "package.json")
	if _, serr := os.Stat(sdk); err != nil || serr != nil {
		msg := "node and npm openai are needed (npm ci at the repository root; make test-sdk does it)"
		if os.Getenv("CI") == "true" || os.Getenv("SDK_REQUIRED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	tempDir = t.TempDir()

	nodeRec := newRecorder()
	nodeSrv := httptest.NewServer(nodeRec)
	defer nodeSrv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(root, "tests", "sdk", "node", "azure-wire.mjs"), nodeSrv.URL)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var sdkInfo struct{ Version string }
	json.Unmarshal(bytes.TrimSpace(out[bytes.LastIndexByte(bytes.TrimSpace(out), '\n')+1:]), &sdkInfo)

	goRec := newRecorder()
	goSrv := httptest.NewServer(goRec)
	defer goSrv.Close()
	for _, k := range []string{"AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"} {
		t.Setenv(k, "")
	}
	mk := func(a wrapper.AzureConfig) *wrapper.Client {
		a.Endpoint, a.APIVersion = goSrv.URL, apiVersion
		c, err := wrapper.New(wrapper.WithAzure(a), wrapper.WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cs := clients{
		keyed:          mk(wrapper.AzureConfig{APIKey: apiKey}),
		withDeployment: mk(wrapper.AzureConfig{APIKey: apiKey, Deployment: "images"}),
		entra: mk(wrapper.AzureConfig{TokenSource: wrapper.TokenSourceFunc(func(context.Context) (wrapper.AccessToken, error) {
			return wrapper.AccessToken{Token: entraToken, ExpiresOn: time.Now().Add(time.Hour)}, nil
		})}),
	}
	for _, op := range operations {
		goRec.setOp(op.name)
		if err := op.run(ctx, cs); err != nil {
			t.Errorf("%s: %v", op.name, err)
		}
	}
	if strings.Join(nodeRec.ops, " ") != strings.Join(goRec.ops, " ") {
		t.Fatalf("the node script made %v, the Go side %v", nodeRec.ops, goRec.ops)
	}

	var table strings.Builder
	fmt.Fprintf(&table, "| operation | this library (`WithAzure`) | npm `openai` %s `AzureOpenAI` |\n| --- | --- | --- |\n", sdkInfo.Version)
	var notes []string
	for _, op := range operations {
		ours, theirs := goRec.got[op.name], nodeRec.got[op.name]
		if len(ours) == 0 || len(theirs) == 0 {
			t.Errorf("%s: %d requests from this library, %d from npm", op.name, len(ours), len(theirs))
			continue
		}
		last := ours[len(ours)-1]
		wantAuth, wantCred := "api-key", apiKey
		if op.want.Auth != "" {
			wantAuth, wantCred = op.want.Auth, entraToken
		}
		// What Azure's docs describe.
		for _, r := range ours {
			if r.Query != "api-version="+apiVersion || r.Auth != wantAuth || r.Credential != wantCred {
				t.Errorf("%s: %s sent with %s (%s), want api-version only and %s", op.name, r.line(), r.Auth, r.Query, wantAuth)
			}
		}
		if last.Method != op.want.Method || last.Path != op.want.Path || last.ImageDeployment != op.want.ImageDeployment {
			t.Errorf("%s: sent %s [%s], want %s %s [%s]", op.name, last.line(), last.ImageDeployment, op.want.Method, op.want.Path, op.want.ImageDeployment)
		}
		// What npm sends.
		same := len(ours) == len(theirs)
		for i := 0; same && i < len(ours); i++ {
			a, b := ours[i], theirs[i]
			same = a.line() == b.line() && a.Auth == b.Auth && a.Credential == b.Credential && a.MediaType == b.MediaType &&
				a.ImageDeployment == b.ImageDeployment && a.Model == b.Model && imageParts(a.Parts) == imageParts(b.Parts)
		}
		switch {
		case same && op.differs != "":
			t.Errorf("%s: npm now sends what this library does: drop the note %q", op.name, op.differs)
		case !same && op.differs == "":
			for i := range max(len(ours), len(theirs)) {
				t.Errorf("%s: request %d differs:\n  this library: %s\n  npm:          %s", op.name, i, describe(ours, i), describe(theirs, i))
			}
		}
		cell := func(rs []wireRequest) string {
			var lines []string
			for _, r := range rs {
				l := "`" + r.line() + "` · " + r.headers()
				if p := imageParts(r.Parts); p != "" {
					l += " · " + p
				}
				lines = append(lines, l)
			}
			return strings.Join(lines, "<br>")
		}
		npmCell := "same"
		if !same {
			npmCell = cell(theirs)
			notes = append(notes, fmt.Sprintf("- **%s**: %s.", op.name, op.differs))
		}
		fmt.Fprintf(&table, "| %s: %s | %s | %s |\n", op.name, op.what, cell(ours), npmCell)
	}

	doc := azureWireDoc(sdkInfo.Version, table.String(), notes)
	golden := filepath.Join(root, "docs", "azure-wire.md")
	if *update {
		if err := os.WriteFile(golden, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil || string(want) != doc {
		t.Errorf("docs/azure-wire.md is not what this run shows (rerun with -update and review):\n%s", doc)
	}
}

// imageParts lists a multipart body's file fields ("@image[] @image[]").
func imageParts(parts []string) string {
	var out []string
	for _, p := range parts {
		if strings.HasPrefix(p, "@") {
			out = append(out, "`"+p[1:]+"`")
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "files " + strings.Join(out, ", ")
}

func describe(rs []wireRequest, i int) string {
	if i >= len(rs) {
		return "(no request)"
	}
	r := rs[i]
	return fmt.Sprintf("%s · %s · model %q · %s", r.line(), r.headers(), r.Model, imageParts(r.Parts))
}

func azureWireDoc(version, table string, notes []string) string {
	var b strings.Builder
	b.WriteString(`# What goes over the wire to Azure OpenAI

Every call of the library, made with ` + "`wrapper.WithAzure`" + ` and with the official Node SDK's
` + "`AzureOpenAI`" + ` client (npm ` + "`openai`" + ` ` + version + `, pinned in package-lock.json) against the same
recording server. Both clients use the endpoint of the server, API version ` + "`" + apiVersion + "`" + `,
an API key (the last row: a Microsoft Entra ID token), and deployments named ` + "`img-prod`" + ` (passed as the
model, as the official SDKs do), ` + "`dalle2`" + ` and ` + "`images`" + ` (set on the client). Each cell shows the
method, path and query, how the request authenticates (` + "`api-key`" + ` header or ` + "`Authorization: Bearer`" + `),
the body's media type, the image deployment header of the Responses API, and the file fields of a
multipart body. Where npm sends the same, the cell says so; "same" also covers the body's ` + "`model`" + `.

Generated by ` + "`go test ./tests/azure -run TestAzureWireMatchesNodeSDK -update`" + ` (run by ` + "`make test`" + `
when ` + "`npm ci`" + ` has installed the SDK, and by ` + "`make test-sdk`" + `); the test fails when either client
changes what it sends. Where Azure's documentation gives the shape (MicrosoftDocs/azure-ai-docs:
how-to/dall-e.md for images, how-to/responses.md for the image tool's header, how-to/batch.md for files and
batches), the test also checks this library against it.

`)
	b.WriteString(table)
	if len(notes) > 0 {
		b.WriteString("\nWhere they differ:\n\n")
		b.WriteString(strings.Join(notes, "\n"))
		b.WriteString("\n")
	}
	b.WriteString(`
Not in the table: the Responses API's image deployment header is one npm sends only when the caller adds
it by hand (Azure's docs pass it as a default header); this library sets it from the session's image tool
(` + "`ImageTool.Model`" + ` or ` + "`AzureConfig.Deployment`" + `). Neither client sends the other's
credential: with a key there is no Authorization header, with a token no api-key.
`)
	return b.String()
}
