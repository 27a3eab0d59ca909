package contract

import (
	"errors"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// Leaf gives the keyword-level error a violation's message is worded from,
// from either schema engine.
func TestLeaf(t *testing.T) {
	compiled := newValidator(t)
	err := compiled.ValidateRequest(jsonRequest(t, genURL, `{"prompt":"x","quality":"not-a-quality"}`))
	verr, ok := Leaf(err).(*jsonschema.ValidationError)
	if !ok {
		t.Fatalf("Leaf = %T, want a *jsonschema.ValidationError", Leaf(err))
	}
	if _, isEnum := verr.ErrorKind.(*kind.Enum); !isEnum {
		t.Errorf("leaf kind = %T, want *kind.Enum", verr.ErrorKind)
	}
	// WithNullable validates with kin-openapi's own validator.
	err = newValidator(t, WithNullable()).ValidateRequest(jsonRequest(t, genURL, `{"prompt":"x","quality":"not-a-quality"}`))
	if se, ok := Leaf(err).(*openapi3.SchemaError); !ok || se.SchemaField != "enum" {
		t.Errorf("Leaf = %#v, want an enum *openapi3.SchemaError", Leaf(err))
	}
	if Leaf(errors.New("not a violation")) != nil || Leaf(nil) != nil {
		t.Error("Leaf of other errors is not nil")
	}
}
