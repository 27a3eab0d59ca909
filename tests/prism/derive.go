package prism

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Derive returns the variant of the vendored OpenAPI 3.1 document that Prism
// 5.16 is fed, and one line per change it made. The vendored openapi.yaml is
// never edited: the variant is derived from it at test time.
//
// Two changes are made, and no others:
//
//  1. nullable. The document is OpenAPI 3.1 but keeps the 3.0 keyword
//     `nullable: true` on many schemas. Prism compiles each request body schema
//     with Ajv (as draft-07, even for 3.1), and Ajv treats `nullable` as its
//     own keyword that must sit beside `type`: on a schema without `type`
//     (model and size, which are anyOf) compiling the whole body schema throws
//     `"nullable" cannot be used without "type"`. Prism catches that and
//     validates nothing, silently: the body of generations, multipart edits
//     and variations is accepted whatever it holds. Every `nullable: true` is
//     therefore rewritten the 3.1 way: `type: X` becomes `type: [X, "null"]`;
//     a schema without `type` gets a `{type: "null"}` branch added to its
//     anyOf (or oneOf). `nullable: false` is dropped. An enum is not widened
//     with null (the wrapper never sends null), and `nullable` under example,
//     examples, default, enum, const or an x- extension is data, not a
//     keyword, and is left alone. A nullable schema of any other shape is an
//     error, so that a new shape in the spec is noticed rather than skipped.
//
//  2. `name[]` parts. For several images the wrapper sends repeated
//     `image[]` parts, as the official SDKs do. Prism keeps only the
//     multipart parts whose names are properties of the schema (a repeated
//     name collapses to its last part), so it drops `image[]` and then
//     reports the required `image` missing (422). For each property of a multipart/form-data request body schema
//     that may be an array, a `name[]` property with the same schema is added,
//     and if `name` is required, the requirement becomes "`name` or
//     `name[]`" (an anyOf of two `required` lists). The schema is changed in
//     place under components; in this document it is used only by the
//     multipart edit body.
func Derive(spec []byte) ([]byte, []string, error) { return derive(spec, true) }

// derive is Derive; with aliases false it makes change 1 only, which the
// tests use to show that change 2 is needed.
func derive(spec []byte, aliases bool) ([]byte, []string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		return nil, nil, fmt.Errorf("parse spec: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, errors.New("spec is not a YAML mapping")
	}
	root := doc.Content[0]
	if v := scalar(get(root, "openapi")); !strings.HasPrefix(v, "3.1") {
		return nil, nil, fmt.Errorf("spec is OpenAPI %q, not 3.1", v)
	}
	d := &deriver{root: root}
	if err := d.nullable(root, "", false); err != nil {
		return nil, nil, err
	}
	if aliases {
		if err := d.arrayParts(); err != nil {
			return nil, nil, err
		}
	}
	doc.HeadComment = "Derived at test time by tests/prism (Derive) from the vendored openapi.yaml,\n" +
		"for Prism 5.16 only: not a source file, do not edit or commit."
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, nil, fmt.Errorf("encode derived spec: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), d.changes, nil
}

type deriver struct {
	root    *yaml.Node
	changes []string
}

func (d *deriver) logf(format string, args ...any) {
	d.changes = append(d.changes, fmt.Sprintf(format, args...))
}

// dataKeys hold instance data (or extensions), never schema keywords.
var dataKeys = []string{"example", "examples", "default", "enum", "const"}

// nameMaps are the keywords whose values map names (of properties, of
// schemas) to schemas: their keys are names, not keywords, so that a property
// called "default" or "x-y" is walked like any other.
var nameMaps = []string{"properties", "patternProperties", "dependentSchemas", "$defs", "definitions", "schemas"}

// nullable rewrites `nullable` below n; path is n's JSON pointer. names is
// true when n's keys are names (see nameMaps).
func (d *deriver) nullable(n *yaml.Node, path string, names bool) error {
	switch n.Kind {
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if err := d.nullable(c, fmt.Sprintf("%s/%d", path, i), false); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		if names {
			for i := 0; i < len(n.Content); i += 2 {
				if err := d.nullable(n.Content[i+1], path+"/"+escape(n.Content[i].Value), false); err != nil {
					return err
				}
			}
			return nil
		}
		// Rewrite this schema first, then walk its (possibly new) children.
		if i := keyIndex(n, "nullable"); i >= 0 && n.Content[i+1].Kind == yaml.ScalarNode && n.Content[i+1].ShortTag() == "!!bool" {
			on := n.Content[i+1].Value == "true"
			n.Content = slices.Delete(n.Content, i, i+2)
			if on {
				if err := d.addNull(n, path); err != nil {
					return err
				}
			} else {
				d.logf("%s: dropped nullable: false", path)
			}
		}
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if slices.Contains(dataKeys, k) || strings.HasPrefix(k, "x-") {
				continue
			}
			if err := d.nullable(n.Content[i+1], path+"/"+escape(k), slices.Contains(nameMaps, k)); err != nil {
				return err
			}
		}
	}
	return nil
}

// addNull makes schema n (whose `nullable: true` was removed) accept null.
func (d *deriver) addNull(n *yaml.Node, path string) error {
	if t := get(n, "type"); t != nil {
		switch t.Kind {
		case yaml.ScalarNode:
			if t.Value == "null" {
				d.logf("%s: dropped nullable (type is already null)", path)
				return nil
			}
			*t = *seq(t.Value, "null")
			d.logf("%s: nullable type %s -> type [%s, null]", path, t.Content[0].Value, t.Content[0].Value)
			return nil
		case yaml.SequenceNode:
			for _, c := range t.Content {
				if c.Value == "null" {
					d.logf("%s: dropped nullable (type already has null)", path)
					return nil
				}
			}
			t.Content = append(t.Content, str("null"))
			t.Style = yaml.FlowStyle
			d.logf("%s: nullable type list -> null added", path)
			return nil
		}
		return fmt.Errorf("%s: nullable schema with a type that is neither a string nor a list", path)
	}
	for _, kw := range []string{"anyOf", "oneOf"} {
		branches := get(n, kw)
		if branches == nil {
			continue
		}
		if branches.Kind != yaml.SequenceNode {
			return fmt.Errorf("%s: %s is not a list", path, kw)
		}
		for _, b := range branches.Content {
			if t := get(b, "type"); t != nil && len(b.Content) == 2 && t.Value == "null" {
				d.logf("%s: dropped nullable (%s already has a null branch)", path, kw)
				return nil
			}
		}
		branches.Content = append(branches.Content, mapping("type", str("null")))
		d.logf("%s: nullable without type -> {type: null} added to %s", path, kw)
		return nil
	}
	return fmt.Errorf("%s: nullable schema without type, anyOf or oneOf: teach Derive this shape", path)
}

// arrayParts adds the `name[]` aliases to multipart request body schemas.
func (d *deriver) arrayParts() error {
	paths := get(d.root, "paths")
	if paths == nil {
		return nil
	}
	done := map[*yaml.Node]bool{}
	for i := 0; i < len(paths.Content); i += 2 {
		item := paths.Content[i+1]
		for j := 0; j < len(item.Content); j += 2 {
			op := item.Content[j+1]
			schema := get(get(get(get(op, "requestBody"), "content"), "multipart/form-data"), "schema")
			if schema == nil {
				continue
			}
			where := paths.Content[i].Value + " " + item.Content[j].Value
			if ref := scalar(get(schema, "$ref")); ref != "" {
				name, ok := strings.CutPrefix(ref, "#/components/schemas/")
				if !ok {
					return fmt.Errorf("%s: multipart schema $ref %q is not a local component schema", where, ref)
				}
				where = "/components/schemas/" + name
				schema = get(get(get(d.root, "components"), "schemas"), name)
				if schema == nil {
					return fmt.Errorf("%s: $ref %q does not resolve", where, ref)
				}
			}
			if done[schema] {
				continue
			}
			done[schema] = true
			if err := d.aliasArrays(schema, where); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *deriver) aliasArrays(schema *yaml.Node, where string) error {
	props := get(schema, "properties")
	if props == nil {
		return nil
	}
	n := len(props.Content)
	for i := 0; i < n; i += 2 {
		name, prop := props.Content[i].Value, props.Content[i+1]
		if strings.HasSuffix(name, "[]") || !mayBeArray(prop) || get(props, name+"[]") != nil {
			continue
		}
		props.Content = append(props.Content, str(name+"[]"), clone(prop))
		d.logf("%s: property %q added, same schema as %q (repeated %s parts)", where, name+"[]", name, name+"[]")
		req := get(schema, "required")
		if req == nil {
			continue
		}
		k := slices.IndexFunc(req.Content, func(c *yaml.Node) bool { return c.Value == name })
		if k < 0 {
			continue
		}
		if get(schema, "anyOf") != nil {
			return fmt.Errorf("%s: already has anyOf; cannot make %q or %q required", where, name, name+"[]")
		}
		req.Content = slices.Delete(req.Content, k, k+1)
		schema.Content = append(schema.Content, str("anyOf"), &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{
			mapping("required", seq(name)),
			mapping("required", seq(name+"[]")),
		}})
		d.logf("%s: required %q -> anyOf required %q or %q", where, name, name, name+"[]")
	}
	return nil
}

// mayBeArray reports whether schema s is, or has a branch that is, an array.
func mayBeArray(s *yaml.Node) bool {
	if t := get(s, "type"); t != nil {
		if t.Value == "array" {
			return true
		}
		for _, c := range t.Content {
			if c.Value == "array" {
				return true
			}
		}
	}
	for _, kw := range []string{"anyOf", "oneOf"} {
		if b := get(s, kw); b != nil {
			for _, c := range b.Content {
				if mayBeArray(c) {
					return true
				}
			}
		}
	}
	return false
}

func keyIndex(m *yaml.Node, key string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// get returns the value of key in mapping m, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	if i := keyIndex(m, key); i >= 0 {
		return m.Content[i+1]
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func seq(vs ...string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, v := range vs {
		n.Content = append(n.Content, str(v))
	}
	return n
}

func mapping(key string, v *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Content: []*yaml.Node{str(key), v}}
}

func clone(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = clone(x)
	}
	return &c
}

// escape escapes a JSON pointer token.
func escape(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
