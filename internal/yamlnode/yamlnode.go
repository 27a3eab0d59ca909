// Package yamlnode holds the few helpers the spec tools share for reading and
// building gopkg.in/yaml.v3 node trees.
package yamlnode

import "gopkg.in/yaml.v3"

// Lookup returns the value of key in mapping m, or nil when m is not a
// mapping or has no such key.
func Lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Mapping returns an empty mapping node.
func Mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

// Scalar returns a string scalar node.
func Scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
