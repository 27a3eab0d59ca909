// Package openaiimages holds the vendored OpenAPI document of the OpenAI Images
// API and the go:generate directive that turns it into the typed client in gen/.
//
// openapi.yaml is the subset of the official OpenAI spec that this module
// implements. It is written only by the subset tool (make spec) and embedded
// here, so that the contract harness, the emulator and users' own tests all
// validate against exactly the document the client was generated from.
//
// Most users want the ergonomic client in the wrapper package instead.
package openaiimages

import (
	"bytes"
	_ "embed"
)

//go:generate go tool oapi-codegen -config oapi-codegen.yaml openapi.yaml

//go:embed openapi.yaml
var spec []byte

// OpenAPISpec returns the vendored OpenAPI document (YAML) the client was
// generated from. Each call returns a fresh copy.
func OpenAPISpec() []byte { return bytes.Clone(spec) }
