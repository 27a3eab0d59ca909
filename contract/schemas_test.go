package contract

import (
	"encoding/json"
	"maps"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// lookupPointer follows a JSON pointer in a decoded JSON document.
func lookupPointer(t *testing.T, tree any, ptr string) any {
	t.Helper()
	node := tree
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch n := node.(type) {
		case map[string]any:
			node = n[tok]
		case []any:
			var i int
			if err := json.Unmarshal([]byte(tok), &i); err != nil || i < 0 || i >= len(n) {
				t.Fatalf("%s: bad index %q", ptr, tok)
			}
			node = n[i]
		default:
			t.Fatalf("%s: no %q in a %T", ptr, tok, node)
		}
	}
	return node
}

func jsonTree(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestSchemaLocations checks that the place recorded for each schema of the
// embedded document holds that schema (or a $ref to it), so that the
// compiled validator checks what the spec says, and that the schema of every
// request body, response body and stream event is compiled rather than left
// to kin-openapi.
func TestSchemaLocations(t *testing.T) {
	v := newValidator(t)
	tree := jsonTree(t, v.doc)
	if len(v.schemas.where) < 100 {
		t.Fatalf("only %d schemas located", len(v.schemas.where))
	}
	for sch, ptr := range v.schemas.where {
		node := lookupPointer(t, tree, ptr)
		for range 8 { // follow $ref chains; siblings of $ref add to its target
			m, ok := node.(map[string]any)
			ref, isRef := m["$ref"].(string)
			if !ok || !isRef {
				break
			}
			u, err := url.Parse(ref)
			if err != nil || !strings.HasPrefix(ref, "#") {
				t.Fatalf("%s: $ref %q", ptr, ref)
			}
			target, _ := lookupPointer(t, tree, u.Fragment).(map[string]any)
			merged := maps.Clone(target)
			for k, v := range m {
				if k != "$ref" {
					merged[k] = v
				}
			}
			node = merged
		}
		if want := jsonTree(t, sch); !reflect.DeepEqual(node, want) {
			t.Errorf("%s holds\n%v\nwant\n%v", ptr, node, want)
		}
		if v.schemas.at[ptr] == nil {
			t.Errorf("%s is not in the inverse map", ptr)
		}
	}

	for path, item := range v.doc.Paths.Map() {
		for method, op := range item.Operations() {
			var media []*openapi3.MediaType
			if op.RequestBody != nil {
				for _, mt := range op.RequestBody.Value.Content {
					media = append(media, mt)
				}
			}
			for _, r := range op.Responses.Map() {
				for _, mt := range r.Value.Content {
					media = append(media, mt)
				}
			}
			for _, mt := range media {
				s := eventSchema(mt)
				if v.compiled(s) == nil {
					t.Errorf("%s %s: a body schema is not compiled", method, path)
				}
				if s.Discriminator != nil {
					for _, b := range append(s.AnyOf, s.OneOf...) {
						if v.compiled(b.Value) == nil {
							t.Errorf("%s %s: branch %s is not compiled", method, path, b.Ref)
						}
					}
				}
			}
		}
	}
}

// TestCompiledReferences checks that references resolve where the document
// says: into a component's property, through $defs, and with sibling
// keywords beside $ref (OpenAPI 3.1).
func TestCompiledReferences(t *testing.T) {
	spec := `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [size, count]
              properties:
                size: {$ref: "#/components/schemas/Box/properties/size"}
                count: {$ref: "#/components/schemas/Count", maximum: 5}
                box: {$ref: "#/components/schemas/Box"}
                tag:
                  anyOf:
                    - {type: string, const: red}
                    - {type: integer}
      responses:
        "200": {description: OK}
components:
  schemas:
    Count: {type: integer, minimum: 1}
    Box:
      type: object
      properties:
        size: {$ref: "#/components/schemas/Box/$defs/Size"}
        inner: {$ref: "#/components/schemas/Box"}
      $defs:
        Size: {type: string, enum: [s, m, l]}
`
	v := newValidator(t, WithSpec([]byte(spec)), WithoutSecurity())
	const url = "http://x/things"
	for _, body := range []string{
		`{"size":"m","count":5}`,
		`{"size":"s","count":1,"box":{"size":"l","inner":{"inner":{"size":"s"}}},"tag":"red"}`,
		`{"size":"s","count":1,"tag":3}`,
	} {
		noError(t, v.ValidateRequest(jsonRequest(t, url, body)))
	}
	for _, c := range []struct{ body, field, msg string }{
		{`{"size":"xl","count":1}`, "size", "'s', 'm', 'l'"},
		{`{"size":"s","count":0}`, "count", "at least 1"},
		{`{"size":"s","count":6}`, "count", "at most 5"}, // the sibling of $ref
		{`{"size":"s","count":1,"box":{"inner":{"inner":{"size":7}}}}`, "box.inner.inner.size", "string"},
		{`{"size":"s","count":1,"tag":"blue"}`, "tag", "value must be 'red'; or value must be an integer"},
		{`{"count":1}`, "size", "missing"},
	} {
		t.Run(c.body, func(t *testing.T) {
			e := wantViolation(t, v.ValidateRequest(jsonRequest(t, url, c.body)), InBody, c.field)
			if !strings.Contains(e.Message, c.msg) {
				t.Errorf("message %q does not contain %q", e.Message, c.msg)
			}
		})
	}
	if len(v.schemas.failed) != 0 {
		t.Errorf("%d schemas were left to kin-openapi", len(v.schemas.failed))
	}
}

// TestUncompiledSchema checks that a schema the document does not hold is
// still checked, by kin-openapi.
func TestUncompiledSchema(t *testing.T) {
	v := newValidator(t)
	s := openapi3.NewObjectSchema().WithProperty("n", openapi3.NewIntegerSchema()).WithRequired([]string{"n"})
	if v.compiled(s) != nil {
		t.Fatal("a schema from outside the document was compiled")
	}
	if e := v.checkValue(true, s, map[string]any{}); e == nil || e.Field != "n" {
		t.Fatalf("got %v, want a violation of n", e)
	}
	if e := v.checkValue(true, s, map[string]any{"n": 1.0}); e != nil {
		t.Fatal(e)
	}
}
