package tests

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	openaiimages "github.com/imagegen-go/openai-images"
	"github.com/imagegen-go/openai-images/gen"
	"github.com/imagegen-go/openai-images/internal/specsubset"
)

// upstreamSpec is the vendored official OpenAI spec that openapi.yaml is
// extracted from (make spec UPSTREAM=file replaces it).
const upstreamSpec = "../upstream/openai-openapi.yaml"

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openaiimages.OpenAPISpec())
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestSpecLoadsAndValidates(t *testing.T) {
	doc := loadSpec(t)
	if !doc.IsOpenAPI31OrLater() || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi: %q, want 3.1.0", doc.OpenAPI)
	}
	// Validate picks the 3.1 rules from the document's version; say so
	// anyway, and check examples against their schemas too.
	if err := doc.Validate(context.Background(), openapi3.IsOpenAPI31OrLater(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "https://api.openai.com/v1" {
		t.Fatalf("servers: %v", doc.Servers)
	}
	// The effective document (openapi.yaml with the pins and newer facts)
	// is a valid 3.1 document too: the generator, the contract harness and
	// the emulator read it.
	eff, err := openapi3.NewLoader().LoadFromData(openaiimages.EffectiveSpec())
	if err != nil {
		t.Fatal(err)
	}
	if err := eff.Validate(context.Background(), openapi3.IsOpenAPI31OrLater(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("effective document: %v", err)
	}
	embedded, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(embedded, openaiimages.OpenAPISpec()) {
		t.Fatal("OpenAPISpec() is not ../openapi.yaml")
	}
}

func TestSpecOperations(t *testing.T) {
	type op struct {
		Method, Path string
		Request      []string // request body media types
		Response200  []string
	}
	want := map[string]op{
		"createImage":          {"POST", "/images/generations", []string{"application/json"}, []string{"application/json", "text/event-stream"}},
		"createImageEdit":      {"POST", "/images/edits", []string{"application/json", "multipart/form-data"}, []string{"application/json", "text/event-stream"}},
		"createImageVariation": {"POST", "/images/variations", []string{"multipart/form-data"}, []string{"application/json"}},
		// Files and Batches, for the Batch API (wrapper.SubmitBatch, WaitBatch,
		// DownloadBatchResults). downloadFile declares application/json (a
		// string) upstream; the API sends the file's bytes as
		// application/octet-stream, and the wrapper reads them raw.
		"createFile":    {"POST", "/files", []string{"multipart/form-data"}, []string{"application/json"}},
		"retrieveFile":  {"GET", "/files/{file_id}", nil, []string{"application/json"}},
		"downloadFile":  {"GET", "/files/{file_id}/content", nil, []string{"application/json"}},
		"createBatch":   {"POST", "/batches", []string{"application/json"}, []string{"application/json"}},
		"retrieveBatch": {"GET", "/batches/{batch_id}", nil, []string{"application/json"}},
		"cancelBatch":   {"POST", "/batches/{batch_id}/cancel", nil, []string{"application/json"}},
	}
	got := map[string]op{}
	doc := loadSpec(t)
	codes := map[string][]string{}
	for path, item := range doc.Paths.Map() {
		for method, o := range item.Operations() {
			var req, resp []string
			if o.RequestBody != nil {
				req = sortedKeys(o.RequestBody.Value.Content)
			}
			if r := o.Responses.Status(200); r != nil {
				resp = sortedKeys(r.Value.Content)
			}
			codes[o.OperationID] = sortedKeys(o.Responses.Map())
			got[o.OperationID] = op{method, path, req, resp}
		}
	}
	// One line per difference, so that a change upstream reads as what it is.
	for _, id := range sortedKeys(want) {
		g, ok := got[id]
		switch {
		case !ok:
			t.Errorf("%s: missing from openapi.yaml", id)
		case !reflect.DeepEqual(g, want[id]):
			t.Errorf("%s: got %s %s, request %v, 200 %v; want %s %s, request %v, 200 %v",
				id, g.Method, g.Path, g.Request, g.Response200, want[id].Method, want[id].Path, want[id].Request, want[id].Response200)
		}
		if c := codes[id]; ok && len(c) != 1 {
			t.Errorf("%s declares responses %v; the wrapper reads 200 and the error shape only", id, c)
		}
	}
	for _, id := range sortedKeys(got) {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: in openapi.yaml but not expected here", id)
		}
	}
	if !doc.Paths.Value("/images/edits").Post.RequestBody.Value.Required {
		t.Error("the edit request body is not required")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func readUpstream(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(upstreamSpec)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestSpecIsUpstreamSubset checks that openapi.yaml is exactly what the
// subset tool makes of the vendored upstream spec (make spec would not
// change it).
func TestSpecIsUpstreamSubset(t *testing.T) {
	upstream := readUpstream(t)
	cfg, err := specsubset.LoadConfig("../specsubset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := specsubset.Extract(upstream, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := line(gl, i), line(wl, i)
			if g != w {
				t.Fatalf("openapi.yaml is stale (run make spec); first difference at line %d:\n extracted: %q\n openapi.yaml: %q", i+1, g, w)
			}
		}
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end of file>"
}

// TestSpecSchemasMatchUpstream checks that every component schema is
// copied unchanged from the upstream spec.
func TestSpecSchemasMatchUpstream(t *testing.T) {
	upstream := schemasOf(t, readUpstream(t))
	local := schemasOf(t, openaiimages.OpenAPISpec())
	if len(local) == 0 {
		t.Fatal("no component schemas")
	}
	for name, schema := range local {
		up, ok := upstream[name]
		if !ok {
			t.Errorf("schema %s is not in the upstream spec", name)
			continue
		}
		if !reflect.DeepEqual(schema, up) {
			t.Errorf("schema %s differs from the upstream one", name)
		}
	}
}

func schemasOf(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	return schemas
}

// TestGenerated checks the generate directive and, at compile time, the
// generated client's surface that the wrapper and these tests rely on.
func TestGenerated(t *testing.T) {
	src, err := os.ReadFile("../generate.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, directive := range []string{
		"//go:generate go run ./cmd/specsubset effective -o gen/openapi.effective.yaml openapi.yaml",
		"//go:generate go tool oapi-codegen -config oapi-codegen.yaml gen/openapi.effective.yaml",
	} {
		if !slices.Contains(strings.Split(string(src), "\n"), directive) {
			t.Fatalf("generate.go lacks %q", directive)
		}
	}

	c, err := gen.NewClient("https://api.openai.com/v1")
	if err != nil {
		t.Fatal(err)
	}
	type (
		jsonMethod[B any] = func(context.Context, B, ...gen.RequestEditorFn) (*http.Response, error)
		bodyMethod        = func(context.Context, string, io.Reader, ...gen.RequestEditorFn) (*http.Response, error)
		idMethod          = func(context.Context, string, ...gen.RequestEditorFn) (*http.Response, error)
	)
	var (
		_ jsonMethod[gen.CreateImageJSONRequestBody]     = c.CreateImage
		_ bodyMethod                                     = c.CreateImageWithBody
		_ jsonMethod[gen.CreateImageEditJSONRequestBody] = c.CreateImageEdit
		_ bodyMethod                                     = c.CreateImageEditWithBody
		_ bodyMethod                                     = c.CreateImageVariationWithBody
		_ bodyMethod                                     = c.CreateFileWithBody
		_ bodyMethod                                     = c.CreateBatchWithBody
		_ jsonMethod[gen.CreateBatchJSONRequestBody]     = c.CreateBatch
		_ idMethod                                       = c.RetrieveFile
		_ idMethod                                       = c.DownloadFile
		_ idMethod                                       = c.RetrieveBatch
		_ idMethod                                       = c.CancelBatch
		_ gen.ClientInterface                            = c
		// The JSON request bodies are the spec's schemas.
		_ gen.CreateImageRequest     = gen.CreateImageJSONRequestBody{}
		_ gen.EditImageBodyJsonParam = gen.CreateImageEditJSONRequestBody{}
	)
	var names []string
	ci := reflect.TypeFor[gen.ClientInterface]()
	for i := range ci.NumMethod() {
		names = append(names, ci.Method(i).Name)
	}
	want := []string{"CancelBatch", "CreateBatch", "CreateBatchWithBody", "CreateFileWithBody", "CreateImage", "CreateImageEdit",
		"CreateImageEditWithBody", "CreateImageVariationWithBody", "CreateImageWithBody", "DownloadFile", "RetrieveBatch", "RetrieveFile"}
	if !slices.Equal(names, want) {
		t.Fatalf("ClientInterface methods %v, want %v", names, want)
	}
}
