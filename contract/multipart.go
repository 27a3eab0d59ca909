package contract

import (
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// decodeMultipart reads a multipart/form-data body part by part and builds
// the object that is validated against the schema:
//
//   - A part for a binary property (format: binary, contentMediaType) or a
//     file part (with a filename) for an undeclared field is read to its end
//     and counted, never kept: its value is a short placeholder string,
//     which is all a binary schema checks.
//   - Other parts are text; the text is converted to what the property's
//     schema expects (integer, number, boolean, JSON object or array) when it
//     parses as such, and left a string otherwise, so that "n=two" fails as
//     "value must be an integer".
//   - Parts named "x[]", the official SDKs' way of sending an array (the
//     edit endpoint's several images: image[]), are mapped onto property x
//     when the schema declares x but no "x[]". Their values always form an
//     array, even of one. Sending both "x" and "x[]" parts is an error.
//   - A field sent in several parts becomes an array of their values.
func (v *Validator) decodeMultipart(rd io.Reader, boundary string, schema *openapi3.Schema) (map[string]any, *Error) {
	mr := multipart.NewReader(rd, boundary)
	values := map[string][]any{}
	asArray := map[string]bool{}
	sentAs := map[string]string{}
	var order []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &Error{In: InBody, Message: "malformed multipart body: " + err.Error(), Err: err}
		}
		raw := part.FormName()
		if raw == "" {
			part.Close()
			return nil, &Error{In: InBody, Message: "multipart part without a form-data name"}
		}
		name, bracket := raw, false
		if base, ok := strings.CutSuffix(raw, "[]"); ok && base != "" && schema.Properties[raw] == nil && schema.Properties[base] != nil {
			name, bracket = base, true
		}
		if prev, ok := sentAs[name]; ok && prev != raw {
			part.Close()
			return nil, &Error{In: InBody, Field: name,
				Message: fmt.Sprintf("sent both as %q and as %q parts", prev, raw)}
		}
		sentAs[name] = raw

		var propSchema *openapi3.Schema
		if p := schema.Properties[name]; p != nil {
			propSchema = p.Value
		}
		var value any
		if isBinary(propSchema) || (propSchema == nil && part.FileName() != "") {
			n, err := io.Copy(io.Discard, part)
			if err != nil {
				return nil, &Error{In: InBody, Field: name, Message: "malformed multipart body: " + err.Error(), Err: err}
			}
			value = fmt.Sprintf("<binary data: %d bytes>", n)
		} else {
			text, err := io.ReadAll(part)
			if err != nil {
				return nil, &Error{In: InBody, Field: name, Message: "malformed multipart body: " + err.Error(), Err: err}
			}
			value = coerce(propSchema, string(text))
		}
		part.Close()
		if _, seen := values[name]; !seen {
			order = append(order, name)
		}
		values[name] = append(values[name], value)
		asArray[name] = asArray[name] || bracket
	}
	form := make(map[string]any, len(values))
	for _, name := range order {
		vs := values[name]
		if len(vs) == 1 && !asArray[name] {
			form[name] = vs[0]
		} else {
			form[name] = vs
		}
	}
	return form, nil
}

// isBinary reports whether a property holds binary data: a string with
// format binary (OpenAPI 3.0 style) or a contentMediaType (3.1 style), an
// array of such, or a combination with such a branch.
func isBinary(s *openapi3.Schema) bool {
	return isBinaryDepth(s, 0)
}

func isBinaryDepth(s *openapi3.Schema, depth int) bool {
	if s == nil || depth > 8 {
		return false
	}
	if s.Format == "binary" || s.ContentMediaType != "" {
		return true
	}
	if s.Items != nil && isBinaryDepth(s.Items.Value, depth+1) {
		return true
	}
	for _, refs := range []openapi3.SchemaRefs{s.AnyOf, s.OneOf, s.AllOf} {
		for _, r := range refs {
			if isBinaryDepth(r.Value, depth+1) {
				return true
			}
		}
	}
	return false
}

// coerce converts the text of a form field to the JSON type its schema
// expects, when it parses as such.
func coerce(s *openapi3.Schema, text string) any {
	types := schemaTypes(s, nil, 0)
	if len(types) == 0 || slices.Contains(types, "string") {
		return text
	}
	for _, t := range types {
		switch t {
		case "integer":
			if i, err := strconv.ParseInt(text, 10, 64); err == nil {
				return float64(i)
			}
		case "number":
			if f, err := strconv.ParseFloat(text, 64); err == nil {
				return f
			}
		case "boolean":
			if b, err := strconv.ParseBool(text); err == nil && (text == "true" || text == "false") {
				return b
			}
		case "object", "array":
			var v any
			if err := json.Unmarshal([]byte(text), &v); err == nil {
				return v
			}
		}
	}
	return text
}

// schemaTypes collects the types a schema or its anyOf/oneOf/allOf branches
// allow.
func schemaTypes(s *openapi3.Schema, acc []string, depth int) []string {
	if s == nil || depth > 8 {
		return acc
	}
	if s.Type != nil {
		for _, t := range s.Type.Slice() {
			if !slices.Contains(acc, t) {
				acc = append(acc, t)
			}
		}
	}
	for _, refs := range []openapi3.SchemaRefs{s.AnyOf, s.OneOf, s.AllOf} {
		for _, r := range refs {
			acc = schemaTypes(r.Value, acc, depth+1)
		}
	}
	return acc
}
