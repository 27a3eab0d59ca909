// Package specdrift describes the part of an OpenAPI document that
// handwritten code depends on (its surface: operations, request and response
// properties, enum values, models, stream events) and reports how that
// surface differs between two versions of the document, naming for each
// change the handwritten place that must learn it.
//
// The drift report is what a maintainer reads when a new upstream spec
// arrives (make spec-diff, make spec); the same surface drives the tests
// that fail until the handwritten code maps, or explicitly declines, every
// part of it (tests/surface_test.go).
package specdrift

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/imagegen-go/openai-images/internal/yamlnode"
)

// Surface is what a document offers, in terms the handwritten code maps.
type Surface struct {
	// Version and SHA256 identify the upstream document (from the subset's
	// x-subset-of note, when present).
	Version, SHA256 string
	// Operations maps an operation id to "METHOD /path".
	Operations map[string]string
	// Locations holds every property set, keyed by location (see Location).
	Locations map[string]*Location
	// Events maps a stream event type to the location of its properties.
	Events map[string]string
}

// Location is one place with properties: a request body of one media type,
// a JSON response body, a stream event, or a component schema the subset
// lists on its own (the Responses API image tool and its call).
type Location struct {
	// Key names the location: "createImage request application/json",
	// "createImage response", "event image_generation.completed",
	// "schema ImageGenTool".
	Key string
	// Kind is "request", "response", "event" or "schema".
	Kind string
	// Operation is the operation id ("" for schemas).
	Operation string
	// Schema is the component schema name at the location, when it is one.
	Schema string
	// Properties are the property paths (nested objects joined with ".",
	// array items with "[]"), each with its enum values if it has any.
	Properties map[string]*Property
}

// Property is one property path of a location.
type Property struct {
	Path string
	// Enum holds the enumerated values a string property takes (the
	// values of every enum branch of an anyOf), in spec order.
	Enum []string
	// Open is true when the property also takes any other string (anyOf
	// with a plain string branch, as model and size are).
	Open bool
	// Binary is true for file parts of multipart bodies.
	Binary bool
	// Deprecated is true when the spec marks the property deprecated.
	Deprecated bool
	// Type is the JSON type the property takes ("string", "integer",
	// "number", "boolean", "object", "array"; the first non-null one of a
	// union).
	Type string
}

// Paths returns the location's property paths, sorted.
func (l *Location) Paths() []string {
	var out []string
	for p := range l.Properties {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// IsModel reports whether the property names a model.
func (p *Property) IsModel() bool {
	return p.Path == "model" || strings.HasSuffix(p.Path, ".model") && !strings.HasPrefix(p.Path, "svg")
}

// maxDepth bounds how deep nested objects are flattened.
const maxDepth = 4

// Describe reads the surface of an OpenAPI document (YAML or JSON). extra
// lists the component schemas to describe on their own beyond the
// operations (the subset's extra schemas); schemas whose type property is a
// single-value enum ending in an event name are described as events.
func Describe(data []byte) (*Surface, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("specdrift: %w", err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("specdrift: not a YAML mapping")
	}
	root := doc.Content[0]
	s := &Surface{Operations: map[string]string{}, Locations: map[string]*Location{}, Events: map[string]string{}}
	if note := yamlnode.Lookup(yamlnode.Lookup(root, "info"), "x-subset-of"); note != nil {
		s.Version = scalarValue(yamlnode.Lookup(note, "source-version"))
		s.SHA256 = scalarValue(yamlnode.Lookup(note, "source-sha256"))
	} else {
		s.Version = scalarValue(yamlnode.Lookup(yamlnode.Lookup(root, "info"), "version"))
	}
	d := &describer{root: root, s: s}
	paths := yamlnode.Lookup(root, "paths")
	for i := 0; paths != nil && i+1 < len(paths.Content); i += 2 {
		path, item := paths.Content[i].Value, paths.Content[i+1]
		for j := 0; j+1 < len(item.Content); j += 2 {
			method, op := item.Content[j].Value, item.Content[j+1]
			id := scalarValue(yamlnode.Lookup(op, "operationId"))
			if id == "" {
				continue
			}
			s.Operations[id] = strings.ToUpper(method) + " " + path
			body := d.follow(yamlnode.Lookup(op, "requestBody"))
			content := yamlnode.Lookup(body, "content")
			for k := 0; content != nil && k+1 < len(content.Content); k += 2 {
				media := content.Content[k].Value
				schema := yamlnode.Lookup(content.Content[k+1], "schema")
				loc := d.location(id+" request "+media, "request", id, schema)
				d.flatten(loc, schema, "", 0, map[*yaml.Node]bool{})
			}
			ok := d.follow(yamlnode.Lookup(yamlnode.Lookup(op, "responses"), "200"))
			content = yamlnode.Lookup(ok, "content")
			for k := 0; content != nil && k+1 < len(content.Content); k += 2 {
				media := content.Content[k].Value
				schema := yamlnode.Lookup(content.Content[k+1], "schema")
				if media == "text/event-stream" {
					for _, branch := range d.branches(schema) {
						d.event(branch, id)
					}
					continue
				}
				if !strings.Contains(media, "json") {
					continue
				}
				loc := d.location(id+" response", "response", id, schema)
				d.flatten(loc, schema, "", 0, map[*yaml.Node]bool{})
			}
		}
	}
	// The listed extra schemas (x-subset-of.extra-schemas), or every schema
	// no operation reaches when the note is absent.
	schemas := yamlnode.Lookup(yamlnode.Lookup(root, "components"), "schemas")
	var extras []string
	if note := yamlnode.Lookup(yamlnode.Lookup(root, "info"), "x-subset-of"); note != nil {
		for _, n := range seqValues(yamlnode.Lookup(note, "extra-schemas")) {
			extras = append(extras, n)
		}
	}
	for _, name := range extras {
		schema := yamlnode.Lookup(schemas, name)
		if schema == nil {
			continue
		}
		if d.isEvent(schema) {
			d.event(schema, "")
			continue
		}
		loc := d.location("schema "+name, "schema", "", nil)
		loc.Schema = name
		d.flatten(loc, schema, "", 0, map[*yaml.Node]bool{})
	}
	return s, nil
}

type describer struct {
	root *yaml.Node
	s    *Surface
}

func (d *describer) location(key, kind, op string, schema *yaml.Node) *Location {
	if l, ok := d.s.Locations[key]; ok {
		return l
	}
	l := &Location{Key: key, Kind: kind, Operation: op, Schema: refName(schema), Properties: map[string]*Property{}}
	d.s.Locations[key] = l
	return l
}

// event records a stream event schema under its type.
func (d *describer) event(schema *yaml.Node, op string) {
	schema = d.follow(schema)
	typ := d.follow(yamlnode.Lookup(yamlnode.Lookup(schema, "properties"), "type"))
	values := seqValues(yamlnode.Lookup(typ, "enum"))
	if len(values) != 1 {
		return
	}
	key := "event " + values[0]
	loc := d.location(key, "event", op, nil)
	d.flatten(loc, schema, "", 0, map[*yaml.Node]bool{})
	d.s.Events[values[0]] = key
}

func (d *describer) isEvent(schema *yaml.Node) bool {
	typ := d.follow(yamlnode.Lookup(yamlnode.Lookup(d.follow(schema), "properties"), "type"))
	values := seqValues(yamlnode.Lookup(typ, "enum"))
	return len(values) == 1 && strings.Contains(values[0], ".")
}

// branches returns the schemas of a union (anyOf/oneOf), or the schema.
func (d *describer) branches(schema *yaml.Node) []*yaml.Node {
	schema = d.follow(schema)
	for _, k := range []string{"anyOf", "oneOf"} {
		if u := yamlnode.Lookup(schema, k); u != nil {
			var out []*yaml.Node
			for _, b := range u.Content {
				out = append(out, d.branches(b)...)
			}
			return out
		}
	}
	return []*yaml.Node{schema}
}

// flatten records the properties of schema under prefix.
func (d *describer) flatten(loc *Location, schema *yaml.Node, prefix string, depth int, seen map[*yaml.Node]bool) {
	schema = d.follow(schema)
	if schema == nil || seen[schema] || depth > maxDepth {
		return
	}
	seen[schema] = true
	defer delete(seen, schema)
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		for _, b := range contentOf(yamlnode.Lookup(schema, k)) {
			d.flatten(loc, b, prefix, depth, seen)
		}
	}
	props := yamlnode.Lookup(schema, "properties")
	for i := 0; props != nil && i+1 < len(props.Content); i += 2 {
		path := props.Content[i].Value
		if prefix != "" {
			path = prefix + "." + path
		}
		p := loc.Properties[path]
		if p == nil {
			p = &Property{Path: path}
			loc.Properties[path] = p
		}
		d.describeValue(p, props.Content[i+1], map[*yaml.Node]bool{})
		sub := d.follow(props.Content[i+1])
		d.flatten(loc, sub, path, depth+1, seen)
		// An array of objects: flatten its items as path[].
		for _, b := range d.branches(sub) {
			if items := yamlnode.Lookup(b, "items"); items != nil {
				d.flatten(loc, items, path+"[]", depth+1, seen)
			}
		}
	}
}

// describeValue collects a property's enum values and whether it is open
// or binary, through unions.
func (d *describer) describeValue(p *Property, schema *yaml.Node, seen map[*yaml.Node]bool) {
	schema = d.follow(schema)
	if schema == nil || seen[schema] {
		return
	}
	seen[schema] = true
	if scalarValue(yamlnode.Lookup(schema, "deprecated")) == "true" {
		p.Deprecated = true
	}
	if p.Type == "" {
		switch t := yamlnode.Lookup(schema, "type"); {
		case t != nil && t.Kind == yaml.ScalarNode && t.Value != "null":
			p.Type = t.Value
		case t != nil && t.Kind == yaml.SequenceNode:
			for _, v := range seqValues(t) {
				if v != "null" && p.Type == "" {
					p.Type = v
				}
			}
		case yamlnode.Lookup(schema, "properties") != nil:
			p.Type = "object"
		}
	}
	for _, v := range seqValues(yamlnode.Lookup(schema, "enum")) {
		if !slices.Contains(p.Enum, v) {
			p.Enum = append(p.Enum, v)
		}
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		for _, b := range contentOf(yamlnode.Lookup(schema, k)) {
			bb := d.follow(b)
			if scalarValue(yamlnode.Lookup(bb, "type")) == "string" && yamlnode.Lookup(bb, "enum") == nil && yamlnode.Lookup(bb, "format") == nil {
				p.Open = true
			}
			d.describeValue(p, b, seen)
		}
	}
	if scalarValue(yamlnode.Lookup(schema, "format")) == "binary" {
		p.Binary = true
	}
	if items := yamlnode.Lookup(schema, "items"); items != nil && scalarValue(yamlnode.Lookup(d.follow(items), "format")) == "binary" {
		p.Binary = true
	}
}

func (d *describer) follow(n *yaml.Node) *yaml.Node {
	for range 16 {
		ref := yamlnode.Lookup(n, "$ref")
		if ref == nil {
			return n
		}
		rest, ok := strings.CutPrefix(ref.Value, "#/components/")
		if !ok {
			return n
		}
		kind, name, _ := strings.Cut(rest, "/")
		t := yamlnode.Lookup(yamlnode.Lookup(yamlnode.Lookup(d.root, "components"), kind), name)
		if t == nil {
			return n
		}
		n = t
	}
	return n
}

func refName(n *yaml.Node) string {
	if ref := yamlnode.Lookup(n, "$ref"); ref != nil {
		if name, ok := strings.CutPrefix(ref.Value, "#/components/schemas/"); ok {
			return name
		}
	}
	return ""
}

func contentOf(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func scalarValue(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func seqValues(n *yaml.Node) []string {
	var out []string
	for _, c := range contentOf(n) {
		if c.Kind == yaml.ScalarNode && c.Tag != "!!null" {
			out = append(out, c.Value)
		}
	}
	return out
}
