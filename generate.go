// Package openaiimages holds the vendored OpenAPI document of the OpenAI Images
// API and the go:generate directives that turn it into the typed client in gen/.
//
// openapi.yaml is the subset of the official OpenAI spec that this module
// implements, extracted unchanged from the vendored upstream document
// (upstream/openai-openapi.yaml) by the subset tool (make spec). The
// effective document, gen/openapi.effective.yaml, is openapi.yaml with the
// schemas the handwritten code uses under stable names (the pins of
// specsubset.yaml) and the facts known to be newer than the upstream spec
// applied (newer.yaml, an OpenAPI Overlay citing a source for each fact).
// The generator, the contract harness and the emulator all read the
// effective document, so what is newer than the spec is known in one place.
//
// Most users want the ergonomic client in the wrapper package instead.
package openaiimages

import (
	"bytes"
	_ "embed"
)

//go:generate go run ./cmd/specsubset effective -o gen/openapi.effective.yaml openapi.yaml
//go:generate go tool oapi-codegen -config oapi-codegen.yaml gen/openapi.effective.yaml

//go:embed openapi.yaml
var spec []byte

//go:embed gen/openapi.effective.yaml
var effective []byte

// OpenAPISpec returns openapi.yaml: the exact subset of the official OpenAI
// spec that this module implements (YAML). Each call returns a fresh copy.
func OpenAPISpec() []byte { return bytes.Clone(spec) }

// EffectiveSpec returns the document the client was generated from and the
// contract harness validates against (YAML): [OpenAPISpec] with the facts
// newer than the upstream spec applied (newer.yaml) and the schemas the
// handwritten code uses under their pinned names. Each call returns a fresh
// copy.
func EffectiveSpec() []byte { return bytes.Clone(effective) }
