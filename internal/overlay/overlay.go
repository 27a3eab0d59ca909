// Package overlay applies OpenAPI Overlay 1.0 documents to YAML node trees,
// and tells which of their actions a document already satisfies.
//
// It implements the part of the Overlay specification this repository uses:
// actions with a target, an update or remove, a description and extensions
// (x-...). Targets are JSONPath expressions made of plain segments only:
// $.name, $['name'], [index] and the wildcards .* and [*]. Filters and
// recursive descent are refused, so that every target reads as the one place
// it changes.
//
// Update merges an object into each target object: scalars and sequences of
// the target are replaced by the update's, nested objects merge recursively,
// except that a sequence update into a sequence target appends the values the
// target does not hold yet (so that adding an enum value twice is adding it
// once). An update whose target is a sequence appends likewise.
//
// [Apply] reports every action that matches nothing, in one error, rather
// than the first; [Redundant] reports the actions whose effect a document
// already has, which is how facts newer than an upstream spec are noticed
// once upstream catches up with them.
package overlay

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/imagegen-go/openai-images/internal/yamlnode"
)

// Document is an overlay document.
type Document struct {
	Overlay string `yaml:"overlay"`
	Info    struct {
		Title   string `yaml:"title"`
		Version string `yaml:"version"`
	} `yaml:"info"`
	Actions []Action `yaml:"actions"`
}

// Action is one overlay action.
type Action struct {
	Target      string    `yaml:"target"`
	Description string    `yaml:"description"`
	Update      yaml.Node `yaml:"update"`
	Remove      bool      `yaml:"remove"`
	// Source cites where the fact comes from (the x-source extension).
	Source []string `yaml:"x-source"`
}

// Parse reads and checks an overlay document: version 1.x, every action
// with a supported target and exactly one of update and remove.
func Parse(data []byte) (*Document, error) {
	var d Document
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("overlay: %w", err)
	}
	if !strings.HasPrefix(d.Overlay, "1.") {
		return nil, fmt.Errorf("overlay: version %q is not 1.x", d.Overlay)
	}
	var errs []error
	for i, a := range d.Actions {
		if _, err := parsePath(a.Target); err != nil {
			errs = append(errs, fmt.Errorf("action %d (%s): %w", i+1, a.Description, err))
		}
		hasUpdate := a.Update.Kind != 0
		if hasUpdate == a.Remove {
			errs = append(errs, fmt.Errorf("action %d (%s): needs exactly one of update and remove", i+1, a.Description))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("overlay: %w", err)
	}
	return &d, nil
}

// UnmatchedError lists the actions whose targets match nothing.
type UnmatchedError struct {
	Actions []Action
}

func (e *UnmatchedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d overlay action(s) match nothing in the document:", len(e.Actions))
	for _, a := range e.Actions {
		fmt.Fprintf(&b, "\n  %s (%s)", a.Target, a.Description)
	}
	return b.String()
}

// Apply applies the overlay's actions in order to root (a mapping node, the
// document), changing it in place. Actions whose targets match nothing are
// skipped and listed in an *UnmatchedError, returned after every other
// action has been applied.
func (d *Document) Apply(root *yaml.Node) error {
	var unmatched []Action
	for _, a := range d.Actions {
		path, _ := parsePath(a.Target)
		nodes := path.find(root)
		if len(nodes) == 0 {
			unmatched = append(unmatched, a)
			continue
		}
		if a.Remove {
			path.remove(root)
			continue
		}
		for _, n := range nodes {
			merge(n, &a.Update)
		}
	}
	if len(unmatched) > 0 {
		return &UnmatchedError{Actions: unmatched}
	}
	return nil
}

// Redundant returns the actions that would not change root: their update is
// already there in full, or what they remove is already gone. root is not
// changed.
func (d *Document) Redundant(root *yaml.Node) []Action {
	var out []Action
	for _, a := range d.Actions {
		path, _ := parsePath(a.Target)
		nodes := path.find(root)
		if a.Remove {
			if len(nodes) == 0 {
				out = append(out, a)
			}
			continue
		}
		if len(nodes) == 0 {
			continue
		}
		all := true
		for _, n := range nodes {
			all = all && contains(n, &a.Update)
		}
		if all {
			out = append(out, a)
		}
	}
	return out
}

// merge merges src into dst as an overlay update does.
func merge(dst, src *yaml.Node) {
	switch {
	case dst.Kind == yaml.MappingNode && src.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(src.Content); i += 2 {
			key, val := src.Content[i], src.Content[i+1]
			if cur := yamlnode.Lookup(dst, key.Value); cur != nil {
				if cur.Kind == yaml.MappingNode && val.Kind == yaml.MappingNode ||
					cur.Kind == yaml.SequenceNode && val.Kind == yaml.SequenceNode {
					merge(cur, val)
				} else {
					*cur = *clone(val)
				}
				continue
			}
			dst.Content = append(dst.Content, clone(key), clone(val))
		}
	case dst.Kind == yaml.SequenceNode && src.Kind == yaml.SequenceNode:
		for _, v := range src.Content {
			if !holds(dst, v) {
				dst.Content = append(dst.Content, clone(v))
			}
		}
	case dst.Kind == yaml.SequenceNode:
		if !holds(dst, src) {
			dst.Content = append(dst.Content, clone(src))
		}
	default:
		*dst = *clone(src)
	}
}

// contains reports whether merging src into dst would change nothing.
func contains(dst, src *yaml.Node) bool {
	switch {
	case dst.Kind == yaml.MappingNode && src.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(src.Content); i += 2 {
			cur := yamlnode.Lookup(dst, src.Content[i].Value)
			if cur == nil {
				return false
			}
			val := src.Content[i+1]
			if cur.Kind == yaml.MappingNode && val.Kind == yaml.MappingNode ||
				cur.Kind == yaml.SequenceNode && val.Kind == yaml.SequenceNode {
				if !contains(cur, val) {
					return false
				}
			} else if !Equal(cur, val) {
				return false
			}
		}
		return true
	case dst.Kind == yaml.SequenceNode && src.Kind == yaml.SequenceNode:
		for _, v := range src.Content {
			if !holds(dst, v) {
				return false
			}
		}
		return true
	case dst.Kind == yaml.SequenceNode:
		return holds(dst, src)
	default:
		return Equal(dst, src)
	}
}

func holds(seq, v *yaml.Node) bool {
	for _, c := range seq.Content {
		if Equal(c, v) {
			return true
		}
	}
	return false
}

// Equal reports whether two nodes hold the same data (styles, comments and
// positions aside; mapping keys in any order).
func Equal(a, b *yaml.Node) bool {
	a, b = resolve(a), resolve(b)
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case yaml.ScalarNode:
		return a.Value == b.Value && a.ShortTag() == b.ShortTag()
	case yaml.SequenceNode:
		if len(a.Content) != len(b.Content) {
			return false
		}
		for i := range a.Content {
			if !Equal(a.Content[i], b.Content[i]) {
				return false
			}
		}
		return true
	case yaml.MappingNode:
		if len(a.Content) != len(b.Content) {
			return false
		}
		for i := 0; i+1 < len(a.Content); i += 2 {
			o := yamlnode.Lookup(b, a.Content[i].Value)
			if o == nil || !Equal(a.Content[i+1], o) {
				return false
			}
		}
		return true
	case yaml.DocumentNode:
		return len(a.Content) == len(b.Content) && (len(a.Content) == 0 || Equal(a.Content[0], b.Content[0]))
	}
	return false
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func clone(n *yaml.Node) *yaml.Node {
	n = resolve(n)
	c := *n
	c.Content = nil
	for _, ch := range n.Content {
		c.Content = append(c.Content, clone(ch))
	}
	// Positions and comments belong to the overlay file, not the document.
	c.Line, c.Column = 0, 0
	c.HeadComment, c.LineComment, c.FootComment = "", "", ""
	return &c
}

// segment is one step of a path: a member name, an index, or a wildcard.
type segment struct {
	name     string
	index    int
	isIndex  bool
	wildcard bool
}

type path []segment

// parsePath parses the supported JSONPath subset.
func parsePath(s string) (path, error) {
	rest, ok := strings.CutPrefix(s, "$")
	if !ok {
		return nil, fmt.Errorf("target %q does not start with $", s)
	}
	var p path
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, ".."):
			return nil, fmt.Errorf("target %q: recursive descent (..) is not supported", s)
		case strings.HasPrefix(rest, ".*"):
			p, rest = append(p, segment{wildcard: true}), rest[2:]
		case rest[0] == '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			name := rest[1 : 1+end]
			if name == "" {
				return nil, fmt.Errorf("target %q: empty member name", s)
			}
			p, rest = append(p, segment{name: name}), rest[1+end:]
		case strings.HasPrefix(rest, "[*]"):
			p, rest = append(p, segment{wildcard: true}), rest[3:]
		case strings.HasPrefix(rest, "['") || strings.HasPrefix(rest, `["`):
			quote := rest[1:2]
			end := strings.Index(rest[2:], quote+"]")
			if end < 0 {
				return nil, fmt.Errorf("target %q: unterminated [%s...%s]", s, quote, quote)
			}
			p, rest = append(p, segment{name: rest[2 : 2+end]}), rest[2+end+2:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("target %q: unterminated [", s)
			}
			i, err := strconv.Atoi(rest[1:end])
			if err != nil || i < 0 {
				return nil, fmt.Errorf("target %q: %q is not a supported selector (names, indexes and * only)", s, rest[:end+1])
			}
			p, rest = append(p, segment{index: i, isIndex: true}), rest[end+1:]
		default:
			return nil, fmt.Errorf("target %q: unexpected %q", s, rest)
		}
	}
	return p, nil
}

// find returns the nodes the path selects under root.
func (p path) find(root *yaml.Node) []*yaml.Node {
	cur := []*yaml.Node{resolve(root)}
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		cur = []*yaml.Node{root.Content[0]}
	}
	for _, seg := range p {
		var next []*yaml.Node
		for _, n := range cur {
			next = append(next, seg.children(n)...)
		}
		cur = next
	}
	return cur
}

// remove deletes what the path selects from its parents.
func (p path) remove(root *yaml.Node) {
	if len(p) == 0 {
		return
	}
	parents := p[:len(p)-1].find(root)
	last := p[len(p)-1]
	for _, n := range parents {
		switch n.Kind {
		case yaml.MappingNode:
			var kept []*yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if last.wildcard || !last.isIndex && n.Content[i].Value == last.name {
					continue
				}
				kept = append(kept, n.Content[i], n.Content[i+1])
			}
			n.Content = kept
		case yaml.SequenceNode:
			switch {
			case last.wildcard:
				n.Content = nil
			case last.isIndex && last.index < len(n.Content):
				n.Content = append(n.Content[:last.index:last.index], n.Content[last.index+1:]...)
			}
		}
	}
}

func (s segment) children(n *yaml.Node) []*yaml.Node {
	n = resolve(n)
	switch {
	case s.wildcard && n.Kind == yaml.MappingNode:
		var out []*yaml.Node
		for i := 1; i < len(n.Content); i += 2 {
			out = append(out, n.Content[i])
		}
		return out
	case s.wildcard && n.Kind == yaml.SequenceNode:
		return append([]*yaml.Node(nil), n.Content...)
	case s.isIndex && n.Kind == yaml.SequenceNode:
		if s.index < len(n.Content) {
			return []*yaml.Node{n.Content[s.index]}
		}
	case !s.isIndex && n.Kind == yaml.MappingNode:
		if v := yamlnode.Lookup(n, s.name); v != nil {
			return []*yaml.Node{v}
		}
	}
	return nil
}
