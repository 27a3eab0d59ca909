// Package specsubset extracts a self-contained subset of a large OpenAPI
// document: a chosen set of operations, every component they reference
// (transitively), the security schemes the document requires, and the
// document's info with a note of where the subset came from.
//
// The extraction works on the YAML node tree, so every schema it copies is
// equal in content to the upstream one; only operation-level extensions named
// in the configuration (such as x-oaiMeta code samples) are dropped. The output
// is deterministic: the same input and configuration give the same bytes.
package specsubset

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/imagegen-go/openai-images/internal/yamlnode"
)

// Config says what to extract. It is read from a small YAML file kept in the
// repository (specsubset.yaml), so that widening the subset is a change of
// configuration, not of code.
type Config struct {
	// Operations lists the operationIds to keep, with every request and
	// response content type they declare.
	Operations []string `yaml:"operations"`
	// Schemas lists extra component schemas to keep even when no kept
	// operation references them (for example the Responses API's
	// image_generation tool types). Their references are followed too.
	Schemas []string `yaml:"schemas"`
	// DropOperationExtensions lists extension keys (x-...) removed from kept
	// operations, such as x-oaiMeta, which holds only code samples.
	DropOperationExtensions []string `yaml:"drop_operation_extensions"`
	// Pins give a stable Go name to each generated schema the handwritten
	// code uses; see [Pin].
	Pins []Pin `yaml:"pins"`

	// Previous is the current subset (openapi.yaml), when there is one. It
	// is used only to suggest what a schema missing upstream was renamed to,
	// by comparing shapes.
	Previous []byte `yaml:"-"`
}

// LoadConfig reads and checks a configuration file.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	return ParseConfig(data)
}

// ParseConfig parses and checks a configuration document.
func ParseConfig(data []byte) (Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("specsubset: config: %w", err)
	}
	if len(cfg.Operations) == 0 {
		return Config{}, errors.New("specsubset: config: no operations listed")
	}
	for _, ext := range cfg.DropOperationExtensions {
		if !strings.HasPrefix(ext, "x-") {
			return Config{}, fmt.Errorf("specsubset: config: drop_operation_extensions: %q is not an extension (x-...)", ext)
		}
	}
	return cfg, nil
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// Extract returns the subset of the upstream OpenAPI document described by
// cfg. The output depends only on the upstream bytes and cfg: the provenance
// note records the upstream's version and digest, not its file name.
func Extract(upstream []byte, cfg Config) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(upstream, &doc); err != nil {
		return nil, fmt.Errorf("specsubset: parse upstream: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("specsubset: upstream is not a YAML mapping")
	}
	root := doc.Content[0]
	if err := checkVersion(root); err != nil {
		return nil, err
	}

	paths := yamlnode.Lookup(root, "paths")
	if paths == nil || paths.Kind != yaml.MappingNode {
		return nil, errors.New("specsubset: upstream has no paths")
	}

	// Find each wanted operation; keep path items in upstream order.
	want := map[string]bool{}
	for _, id := range cfg.Operations {
		want[id] = true
	}
	found := map[string]bool{}
	outPaths := yamlnode.Mapping()
	usedTags := map[string]bool{}
	var refRoots []*yaml.Node
	for i := 0; i+1 < len(paths.Content); i += 2 {
		key, item := paths.Content[i], paths.Content[i+1]
		if item.Kind != yaml.MappingNode {
			continue
		}
		var outItem *yaml.Node
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, op := item.Content[j], item.Content[j+1]
			if !slices.Contains(httpMethods, k.Value) || op.Kind != yaml.MappingNode {
				continue
			}
			id := yamlnode.Lookup(op, "operationId")
			if id == nil || !want[id.Value] {
				continue
			}
			if found[id.Value] {
				return nil, fmt.Errorf("specsubset: operationId %q appears twice", id.Value)
			}
			found[id.Value] = true
			if outItem == nil {
				outItem = yamlnode.Mapping()
				// Path-level fields other than operations (parameters,
				// summary, ...) belong to every operation: keep them.
				for m := 0; m+1 < len(item.Content); m += 2 {
					if !slices.Contains(httpMethods, item.Content[m].Value) {
						outItem.Content = append(outItem.Content, item.Content[m], item.Content[m+1])
						refRoots = append(refRoots, item.Content[m+1])
					}
				}
			}
			kept := withoutKeys(op, cfg.DropOperationExtensions)
			if tags := yamlnode.Lookup(kept, "tags"); tags != nil {
				for _, t := range tags.Content {
					usedTags[t.Value] = true
				}
			}
			outItem.Content = append(outItem.Content, k, kept)
			refRoots = append(refRoots, kept)
		}
		if outItem != nil {
			outPaths.Content = append(outPaths.Content, key, outItem)
		}
	}
	var missing []string
	for _, id := range cfg.Operations {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("specsubset: operations not found upstream: %s", strings.Join(missing, ", "))
	}

	components := yamlnode.Lookup(root, "components")
	// Collect every component reachable from the kept operations and the
	// extra schemas: kind ("schemas", "responses", ...) -> name -> true.
	reached := map[string]map[string]bool{}
	var queue []*yaml.Node
	queue = append(queue, refRoots...)
	var missingSchemas []string
	for _, name := range cfg.Schemas {
		n := componentNode(components, "schemas", name)
		if n == nil {
			missingSchemas = append(missingSchemas, name)
			continue
		}
		if reached["schemas"] == nil {
			reached["schemas"] = map[string]bool{}
		}
		reached["schemas"][name] = true
		queue = append(queue, n)
	}
	if len(missingSchemas) > 0 {
		return nil, &MissingSchemasError{Names: missingSchemas, Hints: similarSchemas(components, missingSchemas, cfg.Previous)}
	}
	var dangling []string
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, ref := range collectRefs(n) {
			kind, name, err := parseRef(ref)
			if err != nil {
				return nil, err
			}
			if reached[kind][name] {
				continue
			}
			if reached[kind] == nil {
				reached[kind] = map[string]bool{}
			}
			reached[kind][name] = true
			target := componentNode(components, kind, name)
			if target == nil {
				dangling = append(dangling, ref)
				continue
			}
			queue = append(queue, target)
		}
	}
	if len(dangling) > 0 {
		return nil, fmt.Errorf("specsubset: dangling references: %s", strings.Join(quoteAll(dangling), ", "))
	}

	// Security schemes named by the document-level security requirement
	// and by kept operations.
	schemes := map[string]bool{}
	addSecurity := func(sec *yaml.Node) {
		if sec == nil {
			return
		}
		for _, req := range sec.Content {
			for i := 0; i+1 < len(req.Content); i += 2 {
				schemes[req.Content[i].Value] = true
			}
		}
	}
	addSecurity(yamlnode.Lookup(root, "security"))
	for i := 1; i < len(outPaths.Content); i += 2 {
		item := outPaths.Content[i]
		for j := 1; j < len(item.Content); j += 2 {
			addSecurity(yamlnode.Lookup(item.Content[j], "security"))
		}
	}
	if len(schemes) > 0 {
		reached["securitySchemes"] = schemes
	}

	// Assemble the output, keeping upstream order everywhere.
	out := yamlnode.Mapping()
	for _, key := range []string{"openapi", "info", "servers", "security"} {
		v := yamlnode.Lookup(root, key)
		if v == nil {
			continue
		}
		if key == "info" {
			v = withNote(v, upstream, cfg)
		}
		out.Content = append(out.Content, yamlnode.Scalar(key), v)
	}
	if tags := yamlnode.Lookup(root, "tags"); tags != nil {
		outTags := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, t := range tags.Content {
			if name := yamlnode.Lookup(t, "name"); name != nil && usedTags[name.Value] {
				outTags.Content = append(outTags.Content, t)
			}
		}
		if len(outTags.Content) > 0 {
			out.Content = append(out.Content, yamlnode.Scalar("tags"), outTags)
		}
	}
	out.Content = append(out.Content, yamlnode.Scalar("paths"), outPaths)
	if components != nil {
		outComponents := yamlnode.Mapping()
		for i := 0; i+1 < len(components.Content); i += 2 {
			kind, group := components.Content[i].Value, components.Content[i+1]
			if len(reached[kind]) == 0 {
				continue
			}
			outGroup := yamlnode.Mapping()
			for j := 0; j+1 < len(group.Content); j += 2 {
				if reached[kind][group.Content[j].Value] {
					outGroup.Content = append(outGroup.Content, group.Content[j], group.Content[j+1])
				}
			}
			outComponents.Content = append(outComponents.Content, components.Content[i], outGroup)
		}
		if len(outComponents.Content) > 0 {
			out.Content = append(out.Content, yamlnode.Scalar("components"), outComponents)
		}
	}

	literalizeIndentedFolds(out)
	var buf bytes.Buffer
	buf.WriteString("# Code generated by internal/specsubset from the upstream OpenAI spec. DO NOT EDIT.\n")
	buf.WriteString("# Regenerate with `make spec` (from upstream/openai-openapi.yaml; `make spec UPSTREAM=file` vendors a new one).\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{out}}); err != nil {
		return nil, fmt.Errorf("specsubset: encode: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("specsubset: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// withNote returns a copy of info with an x-subset-of extension recording the
// upstream document's version and digest, and what was extracted.
func withNote(info *yaml.Node, upstream []byte, cfg Config) *yaml.Node {
	out := yamlnode.Mapping()
	for i := 0; i+1 < len(info.Content); i += 2 {
		// A subset extracted again gets one note, not two.
		if info.Content[i].Value != "x-subset-of" {
			out.Content = append(out.Content, info.Content[i], info.Content[i+1])
		}
	}
	sum := sha256.Sum256(upstream)
	note := yamlnode.Mapping()
	version := ""
	if v := yamlnode.Lookup(info, "version"); v != nil {
		version = v.Value
	}
	note.Content = append(note.Content,
		yamlnode.Scalar("description"), yamlnode.Scalar("Subset of the official OpenAI OpenAPI document, extracted by this repository's internal/specsubset tool; component schemas are copied unchanged."),
		yamlnode.Scalar("source-version"), yamlnode.Scalar(version),
		yamlnode.Scalar("source-sha256"), yamlnode.Scalar(hex.EncodeToString(sum[:])),
		yamlnode.Scalar("operations"), seq(cfg.Operations),
	)
	if len(cfg.Schemas) > 0 {
		note.Content = append(note.Content, yamlnode.Scalar("extra-schemas"), seq(cfg.Schemas))
	}
	out.Content = append(out.Content, yamlnode.Scalar("x-subset-of"), note)
	return out
}

// checkVersion refuses documents older than OpenAPI 3.1: the generator
// configuration, the overlays and the contract harness read 3.1's forms
// (type: "null" unions, examples), which 3.0 spells differently.
func checkVersion(root *yaml.Node) error {
	v := yamlnode.Lookup(root, "openapi")
	if v == nil {
		if yamlnode.Lookup(root, "swagger") != nil {
			return errors.New("specsubset: upstream is a Swagger 2.0 document, not OpenAPI 3.1; nothing was written")
		}
		return errors.New("specsubset: upstream is not an OpenAPI 3.x document (no openapi field); nothing was written")
	}
	major, minor, ok := parseVersion(v.Value)
	if !ok || major != 3 {
		return fmt.Errorf("specsubset: upstream is not an OpenAPI 3.x document (openapi: %q); nothing was written", v.Value)
	}
	if minor < 1 {
		return fmt.Errorf("specsubset: upstream is OpenAPI %s, older than the 3.1 this project reads (nullable and examples are spelled differently in 3.0); nothing was written", v.Value)
	}
	return nil
}

func parseVersion(s string) (major, minor int, ok bool) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return 0, 0, false
	}
	var err1, err2 error
	major, err1 = strconv.Atoi(parts[0])
	minor, err2 = strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}

// MissingSchemasError lists every configured extra schema the upstream lacks,
// with, for each, the upstream schemas that look like it (same properties, or
// a similar name): an upstream rename is the usual cause.
type MissingSchemasError struct {
	Names []string
	// Hints maps a missing name to similar upstream schema names, best first.
	Hints map[string][]string
}

func (e *MissingSchemasError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "specsubset: %d schema(s) listed in specsubset.yaml not found upstream:", len(e.Names))
	for _, n := range e.Names {
		fmt.Fprintf(&b, "\n  %s", n)
		if h := e.Hints[n]; len(h) > 0 {
			fmt.Fprintf(&b, " (renamed? similar upstream: %s)", strings.Join(h, ", "))
		}
	}
	b.WriteString("\nnothing was written; rename the schema in specsubset.yaml (and its pin), or remove it")
	return b.String()
}

func quoteAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.Quote(v)
	}
	return out
}

// collectRefs returns every $ref value under n, in document order.
func collectRefs(n *yaml.Node) []string {
	var refs []string
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "$ref" && n.Content[i+1].Kind == yaml.ScalarNode {
					refs = append(refs, n.Content[i+1].Value)
					continue
				}
				walk(n.Content[i+1])
			}
		case yaml.SequenceNode, yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c)
			}
		case yaml.AliasNode:
			if n.Alias != nil {
				walk(n.Alias)
			}
		}
	}
	walk(n)
	return refs
}

func parseRef(ref string) (kind, name string, err error) {
	rest, ok := strings.CutPrefix(ref, "#/components/")
	if !ok {
		return "", "", fmt.Errorf("specsubset: unsupported reference %q (only local #/components/... references are followed)", ref)
	}
	kind, name, ok = strings.Cut(rest, "/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("specsubset: unsupported reference %q", ref)
	}
	// JSON pointer escapes.
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	return kind, name, nil
}

func componentNode(components *yaml.Node, kind, name string) *yaml.Node {
	if components == nil {
		return nil
	}
	return yamlnode.Lookup(yamlnode.Lookup(components, kind), name)
}

func withoutKeys(m *yaml.Node, drop []string) *yaml.Node {
	out := *m
	out.Content = nil
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !slices.Contains(drop, m.Content[i].Value) {
			out.Content = append(out.Content, m.Content[i], m.Content[i+1])
		}
	}
	return &out
}

func seq(vs []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, v := range vs {
		n.Content = append(n.Content, yamlnode.Scalar(v))
	}
	return n
}

// literalizeIndentedFolds re-styles folded (>) scalars that hold
// more-indented lines as literal (|) ones. yaml.v3's emitter writes such a
// folded scalar with an extra line break before each more-indented line,
// which changes its value when read back (upstream's createFile summary has
// a Markdown list); a literal block has no folding, so the value is kept
// exactly. Other scalars keep their upstream style.
func literalizeIndentedFolds(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Style&yaml.FoldedStyle != 0 && strings.Contains(n.Value, "\n ") {
		n.Style = n.Style&^yaml.FoldedStyle | yaml.LiteralStyle
	}
	for _, c := range n.Content {
		literalizeIndentedFolds(c)
	}
}
