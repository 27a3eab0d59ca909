package contract

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaSet validates values against the schemas of an OpenAPI 3.1
// document with a JSON Schema 2020-12 validator (santhosh-tekuri/jsonschema,
// the one kin-openapi uses for 3.1), compiling each schema once, on first
// use, and keeping it for the life of the Validator.
//
// kin-openapi's Schema.VisitJSON, given a 3.1 document, converts and
// compiles the schema it is called on at every call (and for schemas with
// component references then throws the result away and runs its OpenAPI 3.0
// validator instead): 100 to 600 times the cost of decoding the body. Here
// the whole document is one JSON Schema resource, so a schema is compiled at
// its place in the document, its references resolve where the document says,
// and the components that several operations share are compiled once.
type schemaSet struct {
	// where is the JSON pointer of each schema defined in the document
	// (the place its keywords are written, not a $ref to it).
	where map[*openapi3.Schema]string
	// at is the inverse of where: the schema at each JSON pointer.
	at     map[string]*openapi3.Schema
	walked map[*openapi3.Schema]bool

	mu       sync.RWMutex
	compiler *jsonschema.Compiler // guarded by mu; not safe for concurrent use
	compiled map[*openapi3.Schema]*jsonschema.Schema
	failed   map[*openapi3.Schema]bool // cannot be compiled: left to kin-openapi
}

// schemaResource is the URL the document is known by to the compiler; it is
// never fetched.
const schemaResource = "urn:openai-images:contract:openapi.json"

// newSchemaSet prepares doc's schemas for compiling.
func newSchemaSet(doc *openapi3.T) (*schemaSet, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encoding the document as JSON Schema: %w", err)
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("encoding the document as JSON Schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(schemaResource, tree); err != nil {
		return nil, fmt.Errorf("encoding the document as JSON Schema: %w", err)
	}
	formats := map[string]bool{}
	collectFormats(tree, formats)
	for name := range formats {
		c.RegisterFormat(&jsonschema.Format{Name: name, Validate: formatValidator(name)})
	}
	c.AssertFormat() // as kin-openapi does: formats are assertions here

	s := &schemaSet{
		where:    map[*openapi3.Schema]string{},
		at:       map[string]*openapi3.Schema{},
		walked:   map[*openapi3.Schema]bool{},
		compiler: c,
		compiled: map[*openapi3.Schema]*jsonschema.Schema{},
		failed:   map[*openapi3.Schema]bool{},
	}
	s.walkDocument(doc)
	s.walked = nil
	return s, nil
}

// get returns the compiled form of schema, or nil when schema is not one of
// the document's or does not compile (a regular expression Go's regexp
// rejects, say); the caller then leaves it to kin-openapi.
func (s *schemaSet) get(schema *openapi3.Schema) *jsonschema.Schema {
	s.mu.RLock()
	cs, failed := s.compiled[schema], s.failed[schema]
	s.mu.RUnlock()
	if cs != nil || failed {
		return cs
	}
	ptr, ok := s.where[schema]
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.compiled[schema]; cs != nil {
		return cs
	}
	if ok {
		cs, err := s.compiler.Compile(schemaResource + "#" + ptr)
		if err == nil {
			s.compiled[schema] = cs
			return cs
		}
	}
	s.failed[schema] = true
	return nil
}

// schemaAtURL returns the document's schema at a compiled schema's location
// (a ValidationError's SchemaURL), or nil.
func (s *schemaSet) schemaAtURL(u string) *openapi3.Schema {
	_, frag, ok := strings.Cut(u, "#")
	if !ok {
		return nil
	}
	if f, err := url.PathUnescape(frag); err == nil {
		frag = f
	}
	return s.at[frag]
}

// walkDocument records where each schema of doc is written: under
// components first (where referenced schemas live), then in the paths.
func (s *schemaSet) walkDocument(doc *openapi3.T) {
	if c := doc.Components; c != nil {
		for _, name := range sortedKeys(c.Schemas) {
			s.walkSchema(c.Schemas[name], "/components/schemas/"+escapeToken(name))
		}
		for _, name := range sortedKeys(c.Parameters) {
			if p := c.Parameters[name]; p != nil && p.Ref == "" {
				s.walkParameter(p.Value, "/components/parameters/"+escapeToken(name))
			}
		}
		for _, name := range sortedKeys(c.Headers) {
			if h := c.Headers[name]; h != nil && h.Ref == "" && h.Value != nil {
				s.walkParameter(&h.Value.Parameter, "/components/headers/"+escapeToken(name))
			}
		}
		for _, name := range sortedKeys(c.RequestBodies) {
			if rb := c.RequestBodies[name]; rb != nil && rb.Ref == "" && rb.Value != nil {
				s.walkContent(rb.Value.Content, "/components/requestBodies/"+escapeToken(name)+"/content")
			}
		}
		for _, name := range sortedKeys(c.Responses) {
			if r := c.Responses[name]; r != nil && r.Ref == "" {
				s.walkResponse(r.Value, "/components/responses/"+escapeToken(name))
			}
		}
	}
	if doc.Paths == nil {
		return
	}
	paths := doc.Paths.Map()
	for _, p := range sortedKeys(paths) {
		item := paths[p]
		if item == nil || item.Ref != "" {
			continue
		}
		base := "/paths/" + escapeToken(p)
		for i, param := range item.Parameters {
			if param != nil && param.Ref == "" {
				s.walkParameter(param.Value, fmt.Sprintf("%s/parameters/%d", base, i))
			}
		}
		ops := item.Operations()
		for _, method := range sortedKeys(ops) {
			op := ops[method]
			opBase := base + "/" + strings.ToLower(method)
			for i, param := range op.Parameters {
				if param != nil && param.Ref == "" {
					s.walkParameter(param.Value, fmt.Sprintf("%s/parameters/%d", opBase, i))
				}
			}
			if rb := op.RequestBody; rb != nil && rb.Ref == "" && rb.Value != nil {
				s.walkContent(rb.Value.Content, opBase+"/requestBody/content")
			}
			if op.Responses != nil {
				responses := op.Responses.Map()
				for _, code := range sortedKeys(responses) {
					if r := responses[code]; r != nil && r.Ref == "" {
						s.walkResponse(r.Value, opBase+"/responses/"+escapeToken(code))
					}
				}
			}
		}
	}
}

func (s *schemaSet) walkParameter(p *openapi3.Parameter, ptr string) {
	if p == nil {
		return
	}
	s.walkSchema(p.Schema, ptr+"/schema")
	s.walkContent(p.Content, ptr+"/content")
}

func (s *schemaSet) walkResponse(r *openapi3.Response, ptr string) {
	if r == nil {
		return
	}
	for _, name := range sortedKeys(r.Headers) {
		if h := r.Headers[name]; h != nil && h.Ref == "" && h.Value != nil {
			s.walkParameter(&h.Value.Parameter, ptr+"/headers/"+escapeToken(name))
		}
	}
	s.walkContent(r.Content, ptr+"/content")
}

func (s *schemaSet) walkContent(c openapi3.Content, ptr string) {
	for _, mt := range sortedKeys(c) {
		m := c[mt]
		if m == nil {
			continue
		}
		base := ptr + "/" + escapeToken(mt)
		s.walkSchema(m.Schema, base+"/schema")
		s.walkSchema(m.ItemSchema, base+"/itemSchema")
	}
}

// walkSchema records ref's schema at ptr and walks its subschemas. A
// reference is recorded where it is written (validating there follows the
// $ref to the same schema, and a $ref with sibling keywords is validated as
// the merged schema kin-openapi built for it) but not walked into: its target
// is walked where it is defined.
func (s *schemaSet) walkSchema(ref *openapi3.SchemaRef, ptr string) {
	if ref == nil || ref.Value == nil {
		return
	}
	sch := ref.Value
	if _, ok := s.at[ptr]; !ok {
		s.at[ptr] = sch
	}
	if _, ok := s.where[sch]; !ok || ref.Ref == "" {
		s.where[sch] = ptr // a definition wins over a $ref to it
	}
	if ref.Ref != "" || s.walked[sch] {
		return
	}
	s.walked[sch] = true
	for _, m := range []struct {
		kw      string
		schemas openapi3.Schemas
	}{{"properties", sch.Properties}, {"patternProperties", sch.PatternProperties}, {"dependentSchemas", sch.DependentSchemas}, {"$defs", sch.Defs}} {
		for _, name := range sortedKeys(m.schemas) {
			s.walkSchema(m.schemas[name], ptr+"/"+m.kw+"/"+escapeToken(name))
		}
	}
	for _, l := range []struct {
		kw   string
		refs openapi3.SchemaRefs
	}{{"allOf", sch.AllOf}, {"anyOf", sch.AnyOf}, {"oneOf", sch.OneOf}, {"prefixItems", sch.PrefixItems}} {
		for i, r := range l.refs {
			s.walkSchema(r, fmt.Sprintf("%s/%s/%d", ptr, l.kw, i))
		}
	}
	for _, one := range []struct {
		kw  string
		ref *openapi3.SchemaRef
	}{
		{"items", sch.Items}, {"not", sch.Not}, {"contains", sch.Contains}, {"propertyNames", sch.PropertyNames},
		{"if", sch.If}, {"then", sch.Then}, {"else", sch.Else}, {"contentSchema", sch.ContentSchema},
		{"additionalProperties", sch.AdditionalProperties.Schema}, {"unevaluatedItems", sch.UnevaluatedItems.Schema},
		{"unevaluatedProperties", sch.UnevaluatedProperties.Schema},
	} {
		s.walkSchema(one.ref, ptr+"/"+one.kw)
	}
}

// escapeToken escapes one JSON pointer token (RFC 6901).
func escapeToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// collectFormats gathers the values of every "format" keyword in a JSON tree.
func collectFormats(node any, formats map[string]bool) {
	switch n := node.(type) {
	case map[string]any:
		if f, ok := n["format"].(string); ok && f != "" {
			formats[f] = true
		}
		for _, v := range n {
			collectFormats(v, formats)
		}
	case []any:
		for _, v := range n {
			collectFormats(v, formats)
		}
	}
}

// formatValidator checks a format the way kin-openapi's validators do:
// "uri" with validateURI, other formats with the validators registered in
// kin-openapi (openapi3.DefineStringFormatValidator and friends), looked up
// when a value is checked; formats nobody defined are not checked.
func formatValidator(name string) func(any) error {
	return func(v any) error {
		switch x := v.(type) {
		case string:
			if name == "uri" {
				return validateURI(x)
			}
			if f, ok := openapi3.SchemaStringFormats[name]; ok {
				return f.Validate(x)
			}
		case float64:
			if x == math.Trunc(x) && !math.IsInf(x, 0) {
				if f, ok := openapi3.SchemaIntegerFormats[name]; ok {
					if x < math.MinInt64 || x >= math.MaxInt64 {
						return fmt.Errorf("integer out of range for %s", name)
					}
					return f.Validate(int64(x))
				}
			}
			if f, ok := openapi3.SchemaNumberFormats[name]; ok {
				return f.Validate(x)
			}
		}
		return nil
	}
}

// compiled returns the compiled form of schema, or nil when kin-openapi
// checks it instead (OpenAPI 3.0, WithNullable, or a schema that is not
// compiled; see schemaSet.get).
func (v *Validator) compiled(schema *openapi3.Schema) *jsonschema.Schema {
	if v.schemas == nil {
		return nil
	}
	return v.schemas.get(schema)
}
