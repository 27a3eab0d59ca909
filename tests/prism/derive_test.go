package prism

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	openaiimages "github.com/imagegen-go/openai-images"
)

// These tests need no Prism: they check the transformation itself.

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatalf("derived spec does not parse: %v", err)
	}
	return v
}

// at follows a JSON pointer into a decoded document.
func at(t *testing.T, v any, pointer string) any {
	t.Helper()
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				t.Fatalf("%s: no %q", pointer, tok)
			}
		case []any:
			var i int
			if _, err := fmt.Sscan(tok, &i); err != nil || i >= len(x) {
				t.Fatalf("%s: bad index %q", pointer, tok)
			}
			v = x[i]
		default:
			t.Fatalf("%s: %q below a scalar", pointer, tok)
		}
	}
	return v
}

// diff returns the JSON pointers where a and b differ, as deep as both are
// mappings.
func diff(a, b any, path string) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		if reflect.DeepEqual(a, b) {
			return nil
		}
		return []string{path}
	}
	var out []string
	for k, av := range am {
		p := path + "/" + escape(k)
		if bv, ok := bm[k]; ok {
			out = append(out, diff(av, bv, p)...)
		} else {
			out = append(out, p)
		}
	}
	for k := range bm {
		if _, ok := am[k]; !ok {
			out = append(out, path+"/"+escape(k))
		}
	}
	return out
}

// findNullable returns the pointers of every `nullable` keyword left in the
// document's schemas.
func findNullable(v any, path string, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if k == "example" || k == "examples" || k == "default" || k == "enum" || strings.HasPrefix(k, "x-") {
				continue
			}
			if _, isBool := c.(bool); k == "nullable" && isBool {
				*out = append(*out, path)
			}
			findNullable(c, path+"/"+k, out)
		}
	case []any:
		for i, c := range x {
			findNullable(c, fmt.Sprintf("%s/%d", path, i), out)
		}
	}
}

func TestDeriveVendoredSpec(t *testing.T) {
	orig := openaiimages.OpenAPISpec()
	out, changes, err := Derive(orig)
	if err != nil {
		t.Fatal(err)
	}
	a, b := decode(t, orig), decode(t, out)

	var left []string
	findNullable(b, "", &left)
	if len(left) > 0 {
		t.Errorf("nullable left in the derived spec at %v", left)
	}
	var before []string
	findNullable(a, "", &before)
	if len(before) == 0 {
		t.Log("the vendored spec has no nullable any more: change 1 of Derive may be dropped")
	}

	// Nothing changed but what the change log names.
	var prefixes []string
	for _, c := range changes {
		p, _, _ := strings.Cut(c, ": ")
		prefixes = append(prefixes, p+"/")
	}
	for _, d := range diff(a, b, "") {
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(d+"/", p) }) {
			t.Errorf("derived spec differs at %s, which no change names", d)
		}
	}

	const gen = "/components/schemas/CreateImageRequest/properties"
	if got := at(t, b, gen+"/n/type"); !reflect.DeepEqual(got, []any{"integer", "null"}) {
		t.Errorf("generate n type = %v, want [integer null]", got)
	}
	if got := at(t, b, gen+"/model/anyOf/2"); !reflect.DeepEqual(got, map[string]any{"type": "null"}) {
		t.Errorf("generate model: third anyOf branch = %v, want {type: null}", got)
	}
	if got := at(t, b, gen+"/size/anyOf"); len(got.([]any)) != 3 {
		t.Errorf("generate size anyOf = %v, want a null branch added", got)
	}
	if got := at(t, b, gen+"/quality/enum"); !reflect.DeepEqual(got, at(t, a, gen+"/quality/enum")) {
		t.Errorf("enum changed: %v", got)
	}

	const edit = "/components/schemas/CreateImageEditRequest"
	if !reflect.DeepEqual(at(t, b, edit+"/properties/image[]"), at(t, a, edit+"/properties/image")) {
		t.Errorf("image[] is not a copy of image")
	}
	if got := at(t, b, edit+"/required"); !reflect.DeepEqual(got, []any{"prompt"}) {
		t.Errorf("edit required = %v, want [prompt]", got)
	}
	want := []any{map[string]any{"required": []any{"image"}}, map[string]any{"required": []any{"image[]"}}}
	if got := at(t, b, edit+"/anyOf"); !reflect.DeepEqual(got, want) {
		t.Errorf("edit anyOf = %v, want %v", got, want)
	}
	// The JSON edit body and the variation body get no alias: the first is
	// not multipart, the second has no array property.
	for _, s := range []string{"EditImageBodyJsonParam", "CreateImageVariationRequest"} {
		for k := range at(t, b, "/components/schemas/"+s+"/properties").(map[string]any) {
			if strings.HasSuffix(k, "[]") {
				t.Errorf("%s got an alias %q", s, k)
			}
		}
	}

	// Deriving again changes nothing.
	if _, again, err := Derive(out); err != nil || len(again) > 0 {
		t.Errorf("Derive of the derived spec: changes %q, err %v; want none", again, err)
	}
}

const fixture = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /up:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema:
              $ref: "#/components/schemas/Up"
          application/json:
            schema:
              $ref: "#/components/schemas/Json"
      x-nullable-ext: {nullable: true}
components:
  schemas:
    Up:
      type: object
      required: [files, name]
      properties:
        files:
          type: array
          items: {type: string, format: binary}
        name: {type: string, nullable: true}
        one: {type: string, format: binary}
    Json:
      type: object
      properties:
        s: {type: string, nullable: true, example: {nullable: true}}
        l: {type: [string, integer], nullable: true}
        already: {type: [string, "null"], nullable: true}
        isnull: {type: "null", nullable: true}
        a: {anyOf: [{type: string}], nullable: true}
        a2: {anyOf: [{type: string}, {type: "null"}], nullable: true}
        o: {oneOf: [{type: string}, {type: integer}], nullable: true}
        off: {type: string, nullable: false}
        nullable: {type: object, properties: {nullable: {type: boolean}}}
        default: {type: integer, nullable: true, default: 1}
        list: {type: array, items: {type: string}}
`

func TestDeriveFixture(t *testing.T) {
	out, changes, err := Derive([]byte(fixture))
	if err != nil {
		t.Fatal(err)
	}
	b := decode(t, out)
	const p = "/components/schemas/Json/properties"
	for _, c := range []struct {
		pointer string
		want    any
	}{
		{p + "/s/type", []any{"string", "null"}},
		{p + "/s/example", map[string]any{"nullable": true}}, // data: untouched
		{p + "/l/type", []any{"string", "integer", "null"}},
		{p + "/already/type", []any{"string", "null"}},
		{p + "/isnull/type", "null"},
		{p + "/a/anyOf", []any{map[string]any{"type": "string"}, map[string]any{"type": "null"}}},
		{p + "/a2/anyOf", []any{map[string]any{"type": "string"}, map[string]any{"type": "null"}}},
		{p + "/o/oneOf", []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}, map[string]any{"type": "null"}}},
		{p + "/off", map[string]any{"type": "string"}},
		{p + "/nullable", map[string]any{"type": "object", "properties": map[string]any{"nullable": map[string]any{"type": "boolean"}}}},
		{p + "/default", map[string]any{"type": []any{"integer", "null"}, "default": 1}},
		{"/paths/~1up/post/x-nullable-ext", map[string]any{"nullable": true}}, // extension: untouched
		// Multipart: the array property gets an alias and an either-or
		// requirement; the JSON body's array does not.
		{"/components/schemas/Up/properties/files[]", map[string]any{"type": "array", "items": map[string]any{"type": "string", "format": "binary"}}},
		{"/components/schemas/Up/required", []any{"name"}},
		{"/components/schemas/Up/anyOf", []any{map[string]any{"required": []any{"files"}}, map[string]any{"required": []any{"files[]"}}}},
		{"/components/schemas/Up/properties/name/type", []any{"string", "null"}},
	} {
		if got := at(t, b, c.pointer); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.pointer, got, c.want)
		}
	}
	if _, ok := at(t, b, "/components/schemas/Up/properties").(map[string]any)["one[]"]; ok {
		t.Error("a non-array property got an alias")
	}
	if _, ok := at(t, b, p).(map[string]any)["list[]"]; ok {
		t.Error("a JSON body property got an alias")
	}
	if len(changes) != 12 {
		t.Errorf("%d changes, want 12:\n%s", len(changes), strings.Join(changes, "\n"))
	}
}

func TestDeriveErrors(t *testing.T) {
	for name, spec := range map[string]string{
		"not 3.1":              "openapi: 3.0.3\npaths: {}\n",
		"not a mapping":        "- a\n",
		"nullable $ref":        "openapi: 3.1.0\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/B'\n      nullable: true\n",
		"nullable type map":    "openapi: 3.1.0\ncomponents:\n  schemas:\n    A: {type: {x: 1}, nullable: true}\n",
		"remote multipart ref": "openapi: 3.1.0\npaths:\n  /x:\n    post:\n      requestBody:\n        content:\n          multipart/form-data:\n            schema: {$ref: 'other.yaml#/A'}\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := Derive([]byte(spec)); err == nil {
				t.Error("no error")
			} else {
				t.Log(err)
			}
		})
	}
}
