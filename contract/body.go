package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// mediaTypeOf returns the lower-case media type of a Content-Type header,
// without parameters.
func mediaTypeOf(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt
}

func isJSON(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// validateRequestBody checks the Content-Type and body of r against the
// operation's requestBody, reading r.Body once and replacing it by its copy.
func (v *Validator) validateRequestBody(r *http.Request, route *routers.Route) error {
	op := route.Operation.OperationID
	rb := route.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	body := r.Body
	if body == nil || body == http.NoBody {
		if rb.Value.Required {
			return &Error{Op: "request", Operation: op, In: InBody, Message: "required, but the request has none"}
		}
		return nil
	}
	content := rb.Value.Content
	if len(content) == 0 {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return &Error{Op: "request", Operation: op, In: InHeader, Field: "Content-Type",
			Message: "missing; the operation accepts " + contentTypes(content)}
	}
	mt := content.Get(ct)
	if mt == nil {
		return &Error{Op: "request", Operation: op, In: InHeader, Field: "Content-Type",
			Message: fmt.Sprintf("%q is not accepted; the operation accepts %s", mediaTypeOf(ct), contentTypes(content))}
	}
	sp := newSpool(v.cfg.memoryLimit, r.ContentLength)
	t := newTee(body, sp)
	verr := v.validateBody(t, "request", op, mediaTypeOf(ct), ct, mt, rb.Value.Required)
	r.Body = t.finish(body)
	if t.err != nil { // the cause of whatever validation found
		verr = &Error{Op: "request", Operation: op, In: InBody, Message: "reading the body: " + t.err.Error(), Err: t.err}
	}
	return verr
}

// validateBody decodes a request or response body and checks it against the
// media type's schema. Media types it cannot decode are not checked.
func (v *Validator) validateBody(rd io.Reader, dir, op, mediaType, contentType string, mt *openapi3.MediaType, required bool) error {
	if mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	schema := mt.Schema.Value
	fail := func(field, msg string, err error) error {
		return &Error{Op: dir, Operation: op, In: InBody, Field: field, Message: msg, Err: err}
	}
	var value any
	switch {
	case isJSON(mediaType):
		var err error
		switch r := rd.(type) {
		case *bytes.Buffer: // Middleware's copy of a response
			value, err = decodeJSONBytes(r.Bytes())
		case *tee:
			if body, rest := r.readAll(); rest == nil {
				value, err = decodeJSONBytes(body)
			} else {
				value, err = decodeJSON(rest)
			}
		default:
			value, err = decodeJSON(rd)
		}
		if errors.Is(err, io.EOF) {
			if required {
				return fail("", "required, but the "+dir+" has none", nil)
			}
			return nil
		}
		if err != nil {
			return fail("", "not valid JSON: "+err.Error(), err)
		}
	case mediaType == "multipart/form-data":
		_, params, err := mime.ParseMediaType(contentType)
		if err != nil || params["boundary"] == "" {
			return &Error{Op: dir, Operation: op, In: InHeader, Field: "Content-Type",
				Message: "multipart/form-data without a boundary parameter"}
		}
		form, ferr := v.decodeMultipart(rd, params["boundary"], schema)
		if ferr != nil {
			ferr.Op, ferr.Operation = dir, op
			return ferr
		}
		if len(form) == 0 && required {
			return fail("", "required, but the "+dir+" has none", nil)
		}
		value = form
	default:
		return nil
	}
	if e := v.checkValue(dir == "request", schema, value); e != nil {
		e.Op, e.Operation = dir, op
		return e
	}
	return nil
}

// decodeJSONBytes decodes one JSON value and makes sure nothing but white
// space follows it, with the same errors as decodeJSON.
func decodeJSONBytes(data []byte) (any, error) {
	if len(bytes.TrimLeft(data, " \t\r\n")) == 0 {
		return nil, io.EOF
	}
	var value any
	if err := json.Unmarshal(data, &value); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) && strings.HasSuffix(se.Error(), "after top-level value") {
			return nil, errUnexpectedData
		}
		return nil, err
	}
	return value, nil
}

var errUnexpectedData = errors.New("unexpected data after the JSON value")

// decodeJSON decodes one JSON value and makes sure nothing but white space
// follows it. An empty input gives io.EOF.
func decodeJSON(rd io.Reader) (any, error) {
	dec := json.NewDecoder(rd)
	var value any
	if err := dec.Decode(&value); err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		if err == io.ErrUnexpectedEOF {
			return nil, errors.New("unexpected end of JSON input")
		}
		return nil, err
	}
	rest := io.MultiReader(dec.Buffered(), rd)
	buf := make([]byte, 4096)
	for {
		n, err := rest.Read(buf)
		if len(bytes.TrimLeft(buf[:n], " \t\r\n")) > 0 {
			return nil, errUnexpectedData
		}
		if err == io.EOF {
			return value, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// checkValue validates a decoded body (or event) against schema. The returned
// *Error has In, Field, Message and Err set.
func (v *Validator) checkValue(asRequest bool, schema *openapi3.Schema, value any) *Error {
	s, is := discriminate(schema, value)
	if is != nil {
		return &Error{In: InBody, Field: fieldPath(is.path), Message: is.msg}
	}
	if cs := v.compiled(s); cs != nil {
		if err := cs.Validate(value); err != nil {
			is := v.schemas.describe(err, value)
			return &Error{In: InBody, Field: fieldPath(is.path), Message: is.msg, Err: err}
		}
	} else {
		opts := v.schemaOptions(asRequest)
		if err := s.VisitJSON(value, opts...); err != nil {
			is := v.describeSchemaError(err, s, value, opts)
			return &Error{In: InBody, Field: fieldPath(is.path), Message: is.msg, Err: err}
		}
	}
	if v.cfg.strictFields {
		if is := unknownField(s, value, nil); is != nil {
			return &Error{In: InBody, Field: fieldPath(is.path), Message: is.msg}
		}
	}
	return nil
}

// discriminate picks, for a schema that is a discriminated union (anyOf or
// oneOf with a discriminator, like the spec's stream events), the branch the
// value's discriminator property names, so that errors are about that branch
// ("property x is missing") instead of "matches none of the schemas".
//
// A branch is named by the discriminator mapping, else by the enum or const
// of its discriminator property, else by its component name.
func discriminate(s *openapi3.Schema, value any) (*openapi3.Schema, *issue) {
	if s == nil || s.Discriminator == nil {
		return s, nil
	}
	branches := append(slices.Clone(s.AnyOf), s.OneOf...)
	obj, ok := value.(map[string]any)
	if len(branches) == 0 || !ok {
		return s, nil
	}
	prop := s.Discriminator.PropertyName
	raw, ok := obj[prop]
	if !ok {
		return nil, &issue{path: []string{prop}, msg: fmt.Sprintf("property %q is missing", prop)}
	}
	name, ok := raw.(string)
	if !ok {
		return nil, &issue{path: []string{prop}, msg: "value must be a string"}
	}
	if m, ok := s.Discriminator.Mapping[name]; ok {
		ref := m.Ref
		if !strings.Contains(ref, "/") {
			ref = "#/components/schemas/" + ref
		}
		for _, b := range branches {
			if b.Ref == ref && b.Value != nil {
				return b.Value, nil
			}
		}
	}
	var known []string
	for _, b := range branches {
		if b.Value == nil {
			continue
		}
		names := discriminatorValues(b, prop)
		if slices.Contains(names, name) {
			return b.Value, nil
		}
		known = append(known, names...)
	}
	return nil, &issue{path: []string{prop}, msg: fmt.Sprintf("value is not one of %s", quoteList(known))}
}

func discriminatorValues(b *openapi3.SchemaRef, prop string) []string {
	var names []string
	if p := b.Value.Properties[prop]; p != nil && p.Value != nil {
		for _, e := range p.Value.Enum {
			if s, ok := e.(string); ok {
				names = append(names, s)
			}
		}
		if s, ok := p.Value.Const.(string); ok {
			names = append(names, s)
		}
	}
	if len(names) == 0 && b.Ref != "" {
		names = append(names, b.Ref[strings.LastIndexByte(b.Ref, '/')+1:])
	}
	return names
}

// unknownField finds a field that s does not declare, in objects whose
// schema lists properties and leaves additionalProperties unspecified
// (WithDisallowUnknownFields). It follows properties, items and allOf.
func unknownField(s *openapi3.Schema, value any, path []string) *issue {
	if s == nil {
		return nil
	}
	switch x := value.(type) {
	case map[string]any:
		props := map[string]*openapi3.SchemaRef{}
		for name, p := range s.Properties {
			props[name] = p
		}
		for _, a := range s.AllOf {
			if a.Value != nil {
				for name, p := range a.Value.Properties {
					props[name] = p
				}
			}
		}
		open := s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p, declared := props[k]
			if !declared {
				if len(props) > 0 && !open {
					return &issue{path: append(slices.Clone(path), k),
						msg: "unknown field: the schema does not declare it"}
				}
				continue
			}
			if p.Value != nil {
				if is := unknownField(p.Value, x[k], append(slices.Clone(path), k)); is != nil {
					return is
				}
			}
		}
	case []any:
		if s.Items != nil && s.Items.Value != nil {
			for i, e := range x {
				if is := unknownField(s.Items.Value, e, append(slices.Clone(path), fmt.Sprint(i))); is != nil {
					return is
				}
			}
		}
	}
	return nil
}

// contentTypes lists the media types of a content map, sorted.
func contentTypes(c openapi3.Content) string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}
