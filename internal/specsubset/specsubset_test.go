package specsubset

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var imagesConfig = Config{
	Operations:              []string{"createImage", "createImageEdit", "createImageVariation"},
	DropOperationExtensions: []string{"x-oaiMeta"},
}

func readFixture(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/upstream.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestExtractKeepsOnlyImagesOperations(t *testing.T) {
	out, err := Extract(readFixture(t), imagesConfig)
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, out)
	paths := doc["paths"].(map[string]any)
	var got []string
	for p := range paths {
		got = append(got, p)
	}
	want := map[string]string{
		"/images/generations": "createImage",
		"/images/edits":       "createImageEdit",
		"/images/variations":  "createImageVariation",
	}
	if len(paths) != len(want) {
		t.Fatalf("paths = %v, want the three images paths", got)
	}
	for p, id := range want {
		if dig(paths, p, "post", "operationId") != id {
			t.Errorf("%s: operationId = %v, want %s", p, dig(paths, p, "post", "operationId"), id)
		}
		if dig(paths, p, "post", "x-oaiMeta") != nil {
			t.Errorf("%s: x-oaiMeta was not dropped", p)
		}
	}
	// Both request content types of the edit, and both response types.
	for _, ct := range []string{"multipart/form-data", "application/json"} {
		if dig(paths, "/images/edits", "post", "requestBody", "content", ct) == nil {
			t.Errorf("edit request content type %s missing", ct)
		}
	}
	for _, p := range []string{"/images/edits", "/images/generations"} {
		if dig(paths, p, "post", "responses", "200", "content", "text/event-stream") == nil {
			t.Errorf("%s: text/event-stream response missing", p)
		}
	}
	schemas := dig(doc, "components", "schemas").(map[string]any)
	for _, name := range []string{"ListModelsResponse", "Model"} {
		if _, ok := schemas[name]; ok {
			t.Errorf("unreferenced schema %s was kept", name)
		}
	}
	for _, name := range []string{"CreateImageRequest", "ImageGenStreamEvent", "ImageGenPartialImageEvent", "ImageGenUsage", "ImageRefParam", "PartialImages", "InputFidelity"} {
		if _, ok := schemas[name]; !ok {
			t.Errorf("referenced schema %s missing", name)
		}
	}
	if dig(doc, "components", "securitySchemes", "ApiKeyAuth") == nil {
		t.Error("security scheme ApiKeyAuth missing")
	}
	if tags := doc["tags"].([]any); len(tags) != 1 || dig(tags[0], "name") != "Images" {
		t.Errorf("tags = %v, want only Images", tags)
	}
	if doc["x-oaiMeta"] != nil {
		t.Error("top-level x-oaiMeta copied")
	}
	if dig(doc, "info", "x-subset-of", "source-version") != "2.3.0" || dig(doc, "info", "title") != "OpenAI API" {
		t.Errorf("info = %v", doc["info"])
	}
	if dig(doc, "info", "x-subset-of", "source") != nil {
		t.Error("the note names the upstream file: the output would depend on the file's name")
	}
}

// Every kept component equals the upstream one, extensions included.
func TestExtractIsFaithful(t *testing.T) {
	up := readFixture(t)
	out, err := Extract(up, imagesConfig)
	if err != nil {
		t.Fatal(err)
	}
	AssertFaithful(t, up, out)
}

// AssertFaithful checks that every component and every kept operation of out
// equals the upstream one (operation x-oaiMeta aside).
func AssertFaithful(t *testing.T, upstream, out []byte) {
	t.Helper()
	up, sub := decode(t, upstream), decode(t, out)
	for kind, group := range dig(sub, "components").(map[string]any) {
		for name, v := range group.(map[string]any) {
			if !reflect.DeepEqual(v, dig(up, "components", kind, name)) {
				t.Errorf("components.%s.%s differs from upstream", kind, name)
			}
		}
	}
	for p, item := range sub["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			want := dig(up, "paths", p, method).(map[string]any)
			clone := map[string]any{}
			for k, v := range want {
				if k != "x-oaiMeta" {
					clone[k] = v
				}
			}
			if !reflect.DeepEqual(op, clone) {
				t.Errorf("paths.%s.%s differs from upstream", p, method)
			}
		}
	}
}

func TestExtractIsDeterministic(t *testing.T) {
	up := readFixture(t)
	first, err := Extract(up, imagesConfig)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, err := Extract(up, imagesConfig)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatal("two extractions of the same input differ")
		}
	}
}

func TestExtractExtraSchemas(t *testing.T) {
	cfg := imagesConfig
	cfg.Schemas = []string{"ListModelsResponse"}
	out, err := Extract(readFixture(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	schemas := dig(decode(t, out), "components", "schemas").(map[string]any)
	for _, name := range []string{"ListModelsResponse", "Model"} { // Model is reached through the extra schema
		if _, ok := schemas[name]; !ok {
			t.Errorf("schema %s missing", name)
		}
	}
}

func TestExtractErrors(t *testing.T) {
	up := readFixture(t)
	cases := []struct {
		name     string
		upstream []byte
		cfg      Config
		want     string
	}{
		{"unknown operation", up, Config{Operations: []string{"createImage", "nope"}}, "operations not found upstream: nope"},
		{"unknown schema", up, Config{Operations: []string{"createImage"}, Schemas: []string{"Nope"}}, "not found upstream:\n  Nope\nnothing was written"},
		{"dangling refs", bytes.ReplaceAll(up, []byte(`$ref: "#/components/schemas/PartialImages"`), []byte(`$ref: "#/components/schemas/Gone"`)), imagesConfig, `dangling references: "#/components/schemas/Gone"`},
		{"openapi 3.0", bytes.Replace(up, []byte("openapi: 3.1.0"), []byte("openapi: 3.0.3"), 1), imagesConfig, "upstream is OpenAPI 3.0.3, older than the 3.1 this project reads"},
		{"openapi 4", bytes.Replace(up, []byte("openapi: 3.1.0"), []byte("openapi: 4.0.0"), 1), imagesConfig, "not an OpenAPI 3.x document"},
		{"remote ref", bytes.Replace(up, []byte(`$ref: "#/components/schemas/PartialImages"`), []byte(`$ref: "other.yaml#/X"`), 1), imagesConfig, "unsupported reference"},
		{"swagger", []byte("swagger: '2.0'\n"), imagesConfig, "Swagger 2.0 document, not OpenAPI 3.1; nothing was written"},
		{"not openapi", []byte("title: x\n"), imagesConfig, "not an OpenAPI 3.x document"},
		{"not yaml", []byte("{{{"), imagesConfig, "parse upstream"},
		{"no paths", []byte("openapi: 3.1.0\n"), imagesConfig, "no paths"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Extract(tc.upstream, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte("operations: [createImage]\nschemas: [A]\ndrop_operation_extensions: [x-oaiMeta]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, Config{Operations: []string{"createImage"}, Schemas: []string{"A"}, DropOperationExtensions: []string{"x-oaiMeta"}}) {
		t.Fatalf("cfg = %+v", cfg)
	}
	for _, bad := range []string{"operations: []\n", "operation: [createImage]\n", "operations: [a]\ndrop_operation_extensions: [summary]\n"} {
		if _, err := ParseConfig([]byte(bad)); err == nil {
			t.Errorf("ParseConfig(%q) accepted", bad)
		}
	}
}

// The repository's own config file parses and names the Images operations.
func TestRepositoryConfig(t *testing.T) {
	cfg, err := LoadConfig("../../specsubset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range imagesConfig.Operations {
		found := false
		for _, op := range cfg.Operations {
			found = found || op == id
		}
		if !found {
			t.Errorf("specsubset.yaml lacks %s", id)
		}
	}
}

// A new enum value upstream reaches openapi.yaml and the generated code.
func TestNewUpstreamEnumValueReachesGeneratedCode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the code generator")
	}
	up := readFixture(t)
	// One more value in CreateImageRequest.quality.
	const anchor = "    CreateImageRequest:"
	i := bytes.Index(up, []byte(anchor))
	j := bytes.Index(up[i:], []byte("            - auto\n"))
	if i < 0 || j < 0 {
		t.Fatal("fixture layout changed: cannot find CreateImageRequest.quality enum")
	}
	at := i + j
	patched := append(append(append([]byte{}, up[:at]...), "            - ultra\n"...), up[at:]...)
	if q := dig(decode(t, patched), "components", "schemas", "CreateImageRequest", "properties", "quality", "enum"); !reflect.DeepEqual(q, []any{"standard", "hd", "low", "medium", "high", "ultra", "auto"}) {
		t.Fatalf("patched enum = %v", q)
	}
	// The repository's own configuration, so the overlay's targets exist.
	repoConfig, err := LoadConfig("../../specsubset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The fixture holds the Images operations only; the repository also
	// extracts Files and Batches operations (for the Batch API), which the
	// overlay does not target.
	repoConfig.Operations = slices.DeleteFunc(repoConfig.Operations, func(id string) bool {
		return !slices.Contains(imagesConfig.Operations, id)
	})
	out, err := Extract(patched, repoConfig)
	if err != nil {
		t.Fatal(err)
	}
	q := dig(decode(t, out), "components", "schemas", "CreateImageRequest", "properties", "quality", "enum").([]any)
	found := false
	for _, v := range q {
		found = found || v == "ultra"
	}
	if !found {
		t.Fatalf("openapi.yaml quality enum = %v, lacks ultra", q)
	}

	dir := t.TempDir()
	root, _ := filepath.Abs("../..")
	spec := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(spec, out, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(root, "oapi-codegen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg = bytes.Replace(cfg, []byte("output: gen/images.gen.go"), []byte("output: "+filepath.Join(dir, "images.gen.go")), 1)
	cfg = bytes.Replace(cfg, []byte("path: overlay.yaml"), []byte("path: "+filepath.Join(root, "overlay.yaml")), 1)
	if err := os.WriteFile(filepath.Join(dir, "oapi-codegen.yaml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "oapi-codegen", "-config", filepath.Join(dir, "oapi-codegen.yaml"), spec)
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, msg)
	}
	code, err := os.ReadFile(filepath.Join(dir, "images.gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`CreateImageRequestQualityUltra\s+CreateImageRequestQuality = "ultra"`).Match(code) {
		t.Error("generated code lacks the new quality constant")
	}
}

// A folded (>) scalar with more-indented lines (upstream's createFile
// summary has a Markdown list) keeps its value: yaml.v3 would emit it with
// extra blank lines.
func TestExtractKeepsFoldedScalarsWithIndentedLines(t *testing.T) {
	const up = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /files:
    post:
      operationId: createFile
      summary: >
        Upload a file.


        - The Batch API only supports .jsonl files. The input
          also has a specific required format.

        Contact us.
      responses:
        "200": {description: OK}
`
	out, err := Extract([]byte(up), Config{Operations: []string{"createFile"}})
	if err != nil {
		t.Fatal(err)
	}
	want := dig(decode(t, []byte(up)), "paths", "/files", "post", "summary")
	if got := dig(decode(t, out), "paths", "/files", "post", "summary"); got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
}

// Every listed schema missing upstream is named in one error, with the
// upstream schema it was probably renamed to: same properties as in the
// previous subset, or a close name.
func TestExtractNamesEveryMissingSchemaWithRenameHints(t *testing.T) {
	up := readFixture(t)
	previous, err := Extract(up, Config{Operations: []string{"createImage"}, Schemas: []string{"ImageRefParam", "InputFidelity"}})
	if err != nil {
		t.Fatal(err)
	}
	// Upstream renames ImageRefParam (same shape) and InputFidelity (a close
	// name) and drops PartialImages' name from the listed extras.
	renamed := bytes.ReplaceAll(up, []byte("ImageRefParam"), []byte("ImageReference"))
	renamed = bytes.ReplaceAll(renamed, []byte("InputFidelity:"), []byte("InputFidelty:"))
	renamed = bytes.ReplaceAll(renamed, []byte("schemas/InputFidelity\""), []byte("schemas/InputFidelty\""))
	cfg := Config{Operations: []string{"createImage"}, Schemas: []string{"ImageRefParam", "InputFidelity", "NoSuchThing"}, Previous: previous}
	_, err = Extract(renamed, cfg)
	var me *MissingSchemasError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *MissingSchemasError", err)
	}
	if !slices.Equal(me.Names, []string{"ImageRefParam", "InputFidelity", "NoSuchThing"}) {
		t.Errorf("missing = %v, want all three in one error", me.Names)
	}
	if h := me.Hints["ImageRefParam"]; len(h) == 0 || h[0] != "ImageReference" {
		t.Errorf("hint for ImageRefParam = %v, want ImageReference first (same properties)", h)
	}
	if h := me.Hints["InputFidelity"]; len(h) == 0 || h[0] != "InputFidelty" {
		t.Errorf("hint for InputFidelity = %v, want InputFidelty (close name)", h)
	}
	if h := me.Hints["NoSuchThing"]; len(h) != 0 {
		t.Errorf("hint for NoSuchThing = %v, want none", h)
	}
	msg := err.Error()
	for _, want := range []string{"3 schema(s)", "ImageRefParam (renamed? similar upstream: ImageReference", "NoSuchThing\n", "nothing was written"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

// A subset is itself an upstream the tool reads: extracting it again gives
// the same document, with one provenance note (its own digest).
func TestExtractOfASubsetIsTheSubset(t *testing.T) {
	first, err := Extract(readFixture(t), imagesConfig)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Extract(first, imagesConfig)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(again, []byte("x-subset-of:")); n != 1 {
		t.Fatalf("%d provenance notes", n)
	}
	strip := regexp.MustCompile(`source-sha256: \w+`)
	if !bytes.Equal(strip.ReplaceAll(first, nil), strip.ReplaceAll(again, nil)) {
		t.Fatal("extracting a subset changed it")
	}
}
