package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Sentinel causes carried by [Error.Err]; test them with errors.Is.
var (
	// ErrNoOperation reports a request whose method and path match no
	// operation of the spec. Middleware answers such requests with 404.
	ErrNoOperation = errors.New("no operation in the spec matches the request")

	// ErrUnauthorized reports a request without the credentials the spec's
	// security requirements ask for. Middleware answers such requests with 401.
	ErrUnauthorized = errors.New("missing credentials")
)

// Where an [Error] was found, for [Error.In].
const (
	InBody   = "body"   // a field of the request or response body
	InHeader = "header" // an HTTP header, such as Content-Type or Authorization
	InQuery  = "query"  // a query parameter
	InPath   = "path"   // a path parameter
	InEvent  = "event"  // a field of the data of a server-sent event
)

// Error is a contract violation: a request or response that does not conform
// to the OpenAPI document. Every error the Validator returns, and every error
// it records or reports, is an *Error; use errors.As to get at it.
//
// Error() names the place of the problem, for example
//
//	request createImage: body field "n": value must be an integer
//	response createImage: event 2 field "partial_image_index": property "partial_image_index" is missing
//
// Messages never quote the failing value: request bodies carry prompts and
// images, and headers carry API keys.
type Error struct {
	// Op is "request" or "response".
	Op string
	// Operation is the operationId of the matched operation, such as
	// "createImageEdit"; empty when no operation matched.
	Operation string
	// In says where the problem is: InBody, InHeader, InQuery, InPath or
	// InEvent; empty when the problem is not about one place (an unknown
	// path, a body that cannot be read).
	In string
	// Field names the problem's place within In: a body field as a path
	// ("n", "images[0].file_id"), a header or parameter name. It may be empty,
	// for example for a body that is not JSON at all.
	Field string
	// Event is the 1-based index of the server-sent event in its stream
	// when In is InEvent.
	Event int
	// Message says what is wrong.
	Message string
	// Err is the underlying cause, if any: ErrNoOperation, ErrUnauthorized,
	// a *jsonschema.ValidationError (santhosh-tekuri/jsonschema/v6) or an
	// *openapi3.SchemaError for a body, an I/O error, ...
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.Operation != "" {
		b.WriteString(" ")
		b.WriteString(e.Operation)
	}
	switch {
	case e.In == InEvent:
		fmt.Fprintf(&b, ": event %d", e.Event)
		if e.Field != "" {
			fmt.Fprintf(&b, " field %q", e.Field)
		}
	case e.Field != "" && e.In == InBody:
		fmt.Fprintf(&b, ": body field %q", e.Field)
	case e.Field != "" && (e.In == InQuery || e.In == InPath):
		fmt.Fprintf(&b, ": %s parameter %q", e.In, e.Field)
	case e.Field != "" && e.In != "":
		fmt.Fprintf(&b, ": %s %q", e.In, e.Field)
	case e.Field != "":
		fmt.Fprintf(&b, ": %q", e.Field)
	case e.In != "":
		fmt.Fprintf(&b, ": %s", e.In)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// param is the value of "param" in an OpenAI-style error body: the body field
// or parameter at fault, if any.
func (e *Error) param() any {
	switch e.In {
	case InBody, InQuery, InPath:
		if e.Field != "" {
			return e.Field
		}
	}
	return nil
}

// issue is a schema problem, reduced to a place (JSON pointer tokens) and a
// message.
type issue struct {
	path []string
	msg  string
}

// fieldPath formats JSON pointer tokens as a field path: images[0].file_id.
func fieldPath(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		if _, err := strconv.Atoi(t); err == nil {
			fmt.Fprintf(&b, "[%s]", t)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	return b.String()
}

// describeSchemaError reduces an error of Schema.VisitJSON to one issue.
//
// kin-openapi has two validators, and a 3.1 document uses both: a schema with
// no component references goes to the JSON Schema 2020-12 validator
// (santhosh-tekuri/jsonschema), any other to kin-openapi's own. Their errors
// differ in shape (nesting, the path of "required", wording); this function
// gives both the same shape. root and value are the schema and the value that
// were validated; they are used to explain "anyOf" and "not" failures.
func (v *Validator) describeSchemaError(err error, root *openapi3.Schema, value any, opts []openapi3.SchemaValidationOption) issue {
	leaf := firstLeaf(err)
	if leaf == nil {
		return issue{msg: err.Error()}
	}
	path := leaf.JSONPointer()
	msg := cleanReason(leaf.Reason)

	switch leaf.SchemaField {
	case "required":
		// kin-openapi's validator puts the missing property in the path;
		// the 2020-12 validator leaves the path at the object.
		if m := reMissing.FindStringSubmatch(msg); m != nil {
			name := firstQuoted(m[1])
			path = append(path, name)
			msg = fmt.Sprintf("property %q is missing", name)
		}
	case "additionalProperties":
		if m := reAdditional.FindStringSubmatch(msg); m != nil {
			path = append(path, firstQuoted(m[1]))
		}
		msg = "unknown field: the schema does not allow it"
	case "properties":
		// kin-openapi's validator on additionalProperties: false.
		if m := reUnsupported.FindStringSubmatch(msg); m != nil {
			path = append(path, m[1])
			msg = "unknown field: the schema does not allow it"
		}
	case "enum":
		if leaf.Schema != nil && len(leaf.Schema.Enum) > 0 {
			msg = enumMessage(leaf.Schema.Enum)
		}
	case "nullable":
		msg = "value must not be null"
		if leaf.Schema != nil && leaf.Schema.Nullable {
			msg = nullableMessage
		}
	case "not":
		s := leaf.Schema
		if s == nil {
			s = schemaAt(root, path)
		}
		msg = explainNot(s)
	case "anyOf", "oneOf":
		s := leaf.Schema
		if s == nil {
			s = schemaAt(root, path)
		}
		if s != nil && leaf.Origin == nil && !strings.Contains(msg, "more than one") {
			if sub, ok := valueAt(value, path); ok {
				msg = v.explainAlternatives(s, sub, opts)
			}
		}
	}
	if msg == "" {
		msg = fmt.Sprintf("value does not match the schema's %q", leaf.SchemaField)
	}
	return issue{path: path, msg: msg}
}

// Leaf returns the error, inside a schema violation reported by the
// Validator (an [Error]'s Err), that is about one keyword of one value: a
// *jsonschema.ValidationError (github.com/santhosh-tekuri/jsonschema/v6; its
// ErrorKind names the keyword) for schemas the Validator compiled, else an
// *openapi3.SchemaError. It is the error the Validator's own messages are
// worded from; nil when err holds neither.
func Leaf(err error) error {
	var verr *jsonschema.ValidationError
	if errors.As(err, &verr) {
		return firstCause(verr)
	}
	if leaf := firstLeaf(err); leaf != nil {
		return leaf
	}
	return nil
}

// firstLeaf returns the innermost, first SchemaError of err: the one about a
// single value and keyword.
func firstLeaf(err error) *openapi3.SchemaError {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		for _, e := range me {
			if leaf := firstLeaf(e); leaf != nil {
				return leaf
			}
		}
		return nil
	}
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		return nil
	}
	if se.Origin != nil {
		if leaf := firstLeaf(se.Origin); leaf != nil {
			return leaf
		}
	}
	return se
}

var (
	// Prefixes of the reasons of errors converted from the 2020-12 validator:
	// `error at "/n": at '/n': got string, want integer` and
	// "jsonschema validation failed with '...'\n- at '/n': ...".
	reErrorAt     = regexp.MustCompile(`^error at "[^"]*": `)
	reAt          = regexp.MustCompile(`^at '[^']*': `)
	reFailed      = regexp.MustCompile(`(?s)^jsonschema validation failed with '[^']*'\n- `)
	reGotWant     = regexp.MustCompile(`^got (\S+), want (.+)$`)
	reMissing     = regexp.MustCompile(`^missing propert(?:y|ies) (.+)$`)
	reAdditional  = regexp.MustCompile(`^additional propert(?:y|ies) (.+) not allowed$`)
	reUnsupported = regexp.MustCompile(`^property "(.+)" is unsupported$`)
	reBound       = regexp.MustCompile(`^(\w+): got .+, want (.+)$`)
	reQuoted      = regexp.MustCompile(`'([^']*)'`)
	reFormat      = regexp.MustCompile(`(?s)^.* is not valid ([\w-]+)(?:: (.*))?$`)
	rePattern     = regexp.MustCompile(`(?s)^.* does not match pattern (.*)$`)
)

// cleanReason strips the location prefixes of 2020-12 validator messages and
// words its type errors like kin-openapi's ("value must be an integer").
func cleanReason(reason string) string {
	r := reFailed.ReplaceAllString(reason, "")
	if i := strings.IndexByte(r, '\n'); i >= 0 {
		r = r[:i]
	}
	r = reErrorAt.ReplaceAllString(r, "")
	r = reAt.ReplaceAllString(r, "")
	if m := reGotWant.FindStringSubmatch(r); m != nil {
		return "value must be " + withArticle(m[2])
	}
	if m := reBound.FindStringSubmatch(r); m != nil {
		// The 2020-12 validator quotes the value ("maximum: got 11, want
		// 10"); say what is allowed instead.
		if w, ok := boundWords[m[1]]; ok {
			return fmt.Sprintf(w, m[2])
		}
		return fmt.Sprintf("%s must be %s", m[1], m[2])
	}
	// Keep the value out of format and pattern errors too.
	if m := reFormat.FindStringSubmatch(r); m != nil {
		msg := fmt.Sprintf("string doesn't match the format %q", m[1])
		if m[2] != "" {
			msg += " (" + m[2] + ")"
		}
		return msg
	}
	if m := rePattern.FindStringSubmatch(r); m != nil {
		return "string doesn't match the pattern " + m[1]
	}
	if r == "value must be a null" { // kin-openapi's OpenAPI 3.0 validator
		return "value must be null"
	}
	if r == "'not' failed" {
		return ""
	}
	return r
}

var boundWords = map[string]string{
	"minimum":          "number must be at least %s",
	"maximum":          "number must be at most %s",
	"exclusiveMinimum": "number must be more than %s",
	"exclusiveMaximum": "number must be less than %s",
	"minLength":        "minimum string length is %s",
	"maxLength":        "maximum string length is %s",
	"minItems":         "minimum number of items is %s",
	"maxItems":         "maximum number of items is %s",
	"minProperties":    "there must be at least %s properties",
	"maxProperties":    "there must be at most %s properties",
	"multipleOf":       "number must be a multiple of %s",
}

func withArticle(typ string) string {
	switch {
	case typ == "null":
		return typ
	case strings.Contains(typ, " "):
		return typ
	case strings.HasPrefix(typ, "a"), strings.HasPrefix(typ, "i"), strings.HasPrefix(typ, "o"):
		return "an " + typ
	default:
		return "a " + typ
	}
}

func firstQuoted(s string) string {
	if m := reQuoted.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return s
}

// explainNot words a failed "not": the spec's ImageRefParam uses
// not: {required: [image_url, file_id]} to make two properties exclusive.
func explainNot(s *openapi3.Schema) string {
	if s != nil && s.Not != nil && s.Not.Value != nil {
		if req := s.Not.Value.Required; len(req) > 1 {
			return fmt.Sprintf("properties %s must not all be set together", quoteList(req))
		}
	}
	return `value matches the schema under "not", which it must not`
}

// explainAlternatives says why value matches none of the anyOf/oneOf branches
// of s: one reason per branch.
func (v *Validator) explainAlternatives(s *openapi3.Schema, value any, opts []openapi3.SchemaValidationOption) string {
	branches := s.AnyOf
	if len(branches) == 0 {
		branches = s.OneOf
	}
	var reasons []string
	seen := map[string]bool{}
	for _, b := range branches {
		if b.Value == nil {
			continue
		}
		err := b.Value.VisitJSON(value, opts...)
		if err == nil {
			continue
		}
		is := v.describeSchemaError(err, b.Value, value, opts)
		r := is.msg
		if n := len(is.path); n > 0 && !strings.Contains(r, strconv.Quote(is.path[n-1])) {
			r = fmt.Sprintf("%s: %s", fieldPath(is.path), r)
		}
		if !seen[r] {
			seen[r] = true
			reasons = append(reasons, r)
		}
	}
	if len(reasons) == 0 {
		return "value matches none of the allowed schemas"
	}
	return "value matches none of the allowed schemas: " + strings.Join(reasons, "; or ")
}

// enumMessage says which values an enum allows: value must be one of 'a',
// 'b' (strings in single quotes, as the OpenAI API quotes them).
func enumMessage(values []any) string {
	q := make([]string, len(values))
	for i, v := range values {
		if s, ok := v.(string); ok {
			q[i] = "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
			continue
		}
		b, _ := json.Marshal(v)
		q[i] = string(b)
	}
	if len(q) == 1 {
		return "value must be " + q[0]
	}
	return "value must be one of " + strings.Join(q, ", ")
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// schemaAt follows properties and items from root along a JSON pointer. It
// returns nil when the path goes through a combinator (anyOf, ...).
func schemaAt(root *openapi3.Schema, path []string) *openapi3.Schema {
	s := root
	for _, tok := range path {
		if s == nil {
			return nil
		}
		if p := s.Properties[tok]; p != nil {
			s = p.Value
			continue
		}
		if _, err := strconv.Atoi(tok); err == nil && s.Items != nil {
			s = s.Items.Value
			continue
		}
		return nil
	}
	return s
}

// valueAt follows a JSON pointer in a decoded JSON value.
func valueAt(v any, path []string) (any, bool) {
	for _, tok := range path {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[tok]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// printer words the compiled validator's messages (in English, as
// santhosh-tekuri/jsonschema does by default).
var printer = message.NewPrinter(language.English)

// describe reduces an error of a compiled schema (see schemaSet) to one
// issue, worded like describeSchemaError's. root is the validated value.
func (s *schemaSet) describe(err error, root any) issue {
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return issue{msg: err.Error()}
	}
	return s.describeValidation(verr, root)
}

func (s *schemaSet) describeValidation(verr *jsonschema.ValidationError, root any) issue {
	leaf := firstCause(verr)
	path := slices.Clone(leaf.InstanceLocation)
	var msg string
	switch k := leaf.ErrorKind.(type) {
	case *kind.Required:
		path = append(path, k.Missing[0])
		msg = fmt.Sprintf("property %q is missing", k.Missing[0])
	case *kind.AdditionalProperties:
		path = append(path, slices.Min(k.Properties))
		msg = "unknown field: the schema does not allow it"
	case *kind.Enum:
		msg = enumMessage(k.Want)
	case *kind.FalseSchema:
		msg = "unknown field: the schema does not allow it"
	case *kind.Not:
		msg = explainNot(s.schemaAtURL(leaf.SchemaURL))
	case *kind.AnyOf:
		msg = s.explainCauses(leaf, root)
	case *kind.OneOf:
		if len(k.Subschemas) > 0 {
			msg = `value matches more than one of the schemas under "oneOf"`
		} else {
			msg = s.explainCauses(leaf, root)
		}
	default:
		msg = cleanReason(leaf.ErrorKind.LocalizedString(printer))
	}
	if v, ok := valueAt(root, leaf.InstanceLocation); ok && v == nil {
		if sch := s.schemaAtURL(leaf.SchemaURL); sch != nil && sch.Nullable {
			msg = nullableMessage
		}
	}
	if msg == "" {
		msg = fmt.Sprintf("value does not match the schema's %q", strings.Join(leaf.ErrorKind.KeywordPath(), "/"))
	}
	return issue{path: path, msg: msg}
}

// nullableMessage is the message for null where a schema says
// `nullable: true`, which OpenAPI 3.1 ignores.
const nullableMessage = `value must not be null (the schema's "nullable: true" is an OpenAPI 3.0 keyword, which 3.1 ignores; see WithNullable)`

// explainCauses says why a value matches none of the branches of an anyOf
// or oneOf: one reason per branch, as explainAlternatives does.
func (s *schemaSet) explainCauses(e *jsonschema.ValidationError, root any) string {
	var reasons []string
	seen := map[string]bool{}
	for _, c := range e.Causes {
		is := s.describeValidation(c, root)
		rel := is.path
		if len(rel) >= len(e.InstanceLocation) {
			rel = rel[len(e.InstanceLocation):]
		}
		r := is.msg
		if n := len(rel); n > 0 && !strings.Contains(r, strconv.Quote(rel[n-1])) {
			r = fmt.Sprintf("%s: %s", fieldPath(rel), r)
		}
		if !seen[r] {
			seen[r] = true
			reasons = append(reasons, r)
		}
	}
	if len(reasons) == 0 {
		return "value matches none of the allowed schemas"
	}
	return "value matches none of the allowed schemas: " + strings.Join(reasons, "; or ")
}

// firstCause follows the errors that only group others (the schema, a
// $ref, allOf, several keywords failing at once) down to the first error
// about one keyword. Of several causes it takes the one at the first
// location in the value (an object before its properties, properties by
// name), the first in the schema's order among those, so that the choice
// does not depend on the order the validator visited an object's properties
// in.
func firstCause(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	for len(e.Causes) > 0 {
		switch e.ErrorKind.(type) {
		case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		default:
			return e
		}
		best := e.Causes[0]
		for _, c := range e.Causes[1:] {
			if slices.Compare(c.InstanceLocation, best.InstanceLocation) < 0 {
				best = c
			}
		}
		e = best
	}
	return e
}
