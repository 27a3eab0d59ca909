package imagestest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/imagegen-go/openai-images/contract"
	"github.com/imagegen-go/openai-images/wrapper"
)

// The emulator answers a parameter the API would refuse with the API's
// error shape and wording: type invalid_request_error, param the field, a
// code (never null), and a message naming the value and what is allowed.
// The rules are the wrapper's ([wrapper.CheckGenerate], [wrapper.CheckEdit],
// [wrapper.CheckVariation] and the effective spec the contract validator
// reads); only the wording is the emulator's. The API's formats, as
// recorded in client issue threads:
//
//   - "Invalid value: 'standard'. Supported values are: 'low', 'medium',
//     'high', and 'auto'." (param quality, code invalid_value; gpt-image-1,
//     griptape-ai/griptape-nodes-engine#1031)
//   - "Unknown parameter: 'response_format'." (code unknown_parameter;
//     gpt-image-1, vercel/ai#6102)
//   - "Invalid 'n': integer above maximum value. Expected a value <= 128, but
//     got 130 instead." (code integer_above_max_value;
//     thisisartium/continuous-alignment-testing#25)
//   - "Unsupported value: 'messages[0].role' does not support 'system' with
//     this model." (code unsupported_value; danny-avila/LibreChat#5026)
//   - "Unsupported parameter: 'max_tokens' is not supported with this
//     model." (code unsupported_parameter)
//   - "Missing required parameter: 'input'." (code
//     missing_required_parameter), "Invalid type for 'n': expected an
//     integer, but got a string instead." (code invalid_type), "Invalid
//     'prompt': string too long. Expected a string with maximum length 1000,
//     but got a string with length 1500 instead." (code
//     string_above_max_length): the API's other validation messages.

// apiAnswer is an error answer: param, code and message.
type apiAnswer struct{ param, code, msg string }

// request is what the wording of an answer needs to know of the request.
type request struct {
	op      wrapper.Operation
	info    *wrapper.ModelInfo // nil when the model is unknown or not given
	models  func() []string    // the models the emulator serves for op
	format  string             // output_format, "png" when not given
	prompt  string
	jsonRef bool // a JSON edit (image references)
}

// quote renders values as the API's messages do: 'a', 'b', and 'c'.
func quote[T ~string](vs []T) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "'" + clipValue(string(v)) + "'"
	}
	return oxfordList(q)
}

// autoLast moves "auto" to the end of a list of values, where the API's
// messages put it.
func autoLast[T ~string](vs []T) []T {
	out := slices.Clone(vs)
	if i := slices.Index(out, "auto"); i >= 0 {
		out = append(append(out[:i:i], out[i+1:]...), "auto")
	}
	return out
}

// modelValues are the values the model takes for an enumerated parameter,
// and whether field is one.
func modelValues(info *wrapper.ModelInfo, field string) ([]string, bool) {
	strs := func(vs any) []string {
		switch v := vs.(type) {
		case []wrapper.Quality:
			return toStrings(v)
		case []wrapper.Complexity:
			return toStrings(v)
		case []wrapper.Style:
			return toStrings(v)
		case []wrapper.Background:
			return toStrings(v)
		case []wrapper.OutputFormat:
			return toStrings(v)
		case []wrapper.Moderation:
			return toStrings(v)
		case []wrapper.ResponseFormat:
			return toStrings(v)
		case []wrapper.InputFidelity:
			return toStrings(v)
		}
		return nil
	}
	switch field {
	case "quality":
		return strs(info.Qualities), true
	case "complexity":
		return strs(info.Complexities), true
	case "style":
		return strs(info.Styles), true
	case "background":
		return strs(info.Backgrounds), true
	case "output_format":
		return strs(info.OutputFormats), true
	case "moderation":
		return strs(info.Moderations), true
	case "response_format":
		return strs(info.ResponseFormats), true
	case "input_fidelity":
		return strs(info.InputFidelities), true
	}
	return nil, false
}

func toStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// legacyParams are the parameters only the retired DALL-E models take; the
// API answers them as unknown for the GPT image models (vercel/ai#6102).
var legacyParams = []string{"response_format", "style"}

// problemAnswer words the first problem of a failed check as the API
// would. Problems are worded from what the request says (the model's
// table entry, the output format), never by parsing the wrapper's message;
// a problem no rule below covers is worded from the wrapper's rule.
func problemAnswer(p wrapper.Problem, q request) apiAnswer {
	field, value := p.Field, p.Value
	unsupportedWith := func(what string) apiAnswer {
		return apiAnswer{field, "unsupported_value", fmt.Sprintf("Unsupported value: '%s' does not support %s with %s.", field, renderAPIValue(value), what)}
	}
	paramWith := func(what string) apiAnswer {
		return apiAnswer{field, "unsupported_parameter", fmt.Sprintf("Unsupported parameter: '%s' is not supported with %s.", field, what)}
	}
	withFormat := "output_format '" + q.format + "'"
	info := q.info
	switch field {
	case "model":
		if info != nil && !info.Supports(q.op) {
			// The model does not serve this call (dall-e-3 edits,
			// dall-e-2 JSON edits).
			return apiAnswer{field, "invalid_value", fmt.Sprintf("Invalid value: '%s'. Supported values are: %s.", clipValue(value), quote(q.models()))}
		}
	case "prompt":
		if strings.TrimSpace(q.prompt) == "" {
			if q.prompt == "" {
				return apiAnswer{field, "empty_string", "Invalid 'prompt': empty string. Expected a string with minimum length 1, but got an empty string instead."}
			}
			return apiAnswer{field, "invalid_value", "Invalid 'prompt': the prompt is blank. Expected a description of the image."}
		}
		if info != nil && len([]rune(q.prompt)) > info.MaxPromptLength {
			return apiAnswer{field, "string_above_max_length", fmt.Sprintf("Invalid 'prompt': string too long. Expected a string with maximum length %d, but got a string with length %d instead.", info.MaxPromptLength, len([]rune(q.prompt)))}
		}
	case "n":
		n, err := strconv.Atoi(value)
		if err != nil {
			break
		}
		limit := 10
		switch {
		case q.format == "svg" && n > 1:
			return apiAnswer{field, "integer_above_max_value", fmt.Sprintf("Invalid 'n': integer above maximum value. Expected a value <= 1 with %s, but got %d instead.", withFormat, n)}
		case info != nil:
			limit = info.MaxN
		}
		if n > limit {
			return apiAnswer{field, "integer_above_max_value", fmt.Sprintf("Invalid 'n': integer above maximum value. Expected a value <= %d, but got %d instead.", limit, n)}
		}
		if n < 1 {
			return apiAnswer{field, "integer_below_min_value", fmt.Sprintf("Invalid 'n': integer below minimum value. Expected a value >= 1, but got %d instead.", n)}
		}
	case "size":
		if info != nil && !info.AllowsSize(wrapper.Size(value)) {
			msg := fmt.Sprintf("Invalid value: '%s'. Supported values are: %s", clipValue(value), quote(autoLast(info.Sizes)))
			if info.SupportsCustomSize() && !q.jsonRef {
				msg += ", or a custom WIDTHxHEIGHT: " + info.CustomSize.String()
			}
			return apiAnswer{field, "invalid_value", msg + "."}
		}
	case "stream":
		if q.format == "gif" || q.format == "svg" {
			return unsupportedWith(withFormat)
		}
		return unsupportedWith("this model")
	case "partial_images":
		if q.format == "gif" || q.format == "svg" {
			return unsupportedWith(withFormat)
		}
	case "background":
		if value == "transparent" && q.format != "png" && q.format != "webp" && (info == nil || slices.Contains(info.Backgrounds, wrapper.BackgroundTransparent)) {
			return apiAnswer{field, "unsupported_value", fmt.Sprintf("Unsupported value: 'background' does not support 'transparent' with %s. Supported values are: 'png' and 'webp'.", withFormat)}
		}
	case "output_compression":
		if info != nil && !info.OutputCompression {
			return paramWith("this model")
		}
		if v, err := strconv.Atoi(value); err == nil && v >= 0 && v <= 100 {
			return unsupportedWith(withFormat)
		}
	case "frame_count", "frame_duration_ms":
		if q.format != "gif" {
			return paramWith(withFormat)
		}
		if field == "frame_duration_ms" {
			return apiAnswer{field, "integer_below_min_value", fmt.Sprintf("Invalid 'frame_duration_ms': integer below minimum value. Expected a value >= 1, but got %s instead.", renderAPIValue(value))}
		}
	case "svg":
		if q.format != "svg" {
			return paramWith(withFormat)
		}
	case "svg.model":
		return apiAnswer{field, "missing_required_parameter", "Missing required parameter: 'svg.model'."}
	case "mask":
		if q.format == "gif" {
			return paramWith(withFormat)
		}
	case "markup":
		switch {
		case strings.Contains(p.Rule, "combined with a mask"):
			return paramWith("'mask'")
		case info != nil && info.Markup.MaxCount == 0:
			return paramWith("this model")
		}
	}
	if slices.Contains(legacyParams, field) && info != nil {
		if vs, _ := modelValues(info, field); len(vs) == 0 {
			return apiAnswer{field, "unknown_parameter", fmt.Sprintf("Unknown parameter: '%s'.", field)}
		}
	}
	if info != nil {
		if vs, ok := modelValues(info, field); ok {
			if len(vs) == 0 {
				return paramWith("this model")
			}
			if !slices.Contains(vs, value) {
				return apiAnswer{field, "invalid_value", fmt.Sprintf("Invalid value: '%s'. Supported values are: %s.", clipValue(value), quote(autoLast(vs)))}
			}
		}
	}
	if base, _, _ := strings.Cut(field, "["); base == "image" || base == "images" || field == "mask" || field == "markup" {
		return apiAnswer{field, "invalid_image", fmt.Sprintf("Invalid image '%s': %s.", field, p.Rule)}
	}
	if value != "" {
		return apiAnswer{field, "invalid_value", fmt.Sprintf("Invalid value: '%s'. %s.", clipValue(value), upperFirst(p.Rule))}
	}
	return apiAnswer{field, "invalid_value", fmt.Sprintf("Invalid '%s': %s.", field, p.Rule)}
}

// renderAPIValue quotes a value as the API's messages do: strings in
// single quotes, numbers and booleans bare.
func renderAPIValue(v string) string {
	if _, err := strconv.ParseFloat(v, 64); err == nil || v == "true" || v == "false" {
		return v
	}
	return "'" + clipValue(v) + "'"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// checkParams answers a failed check like the API: 400 with the first
// problem (in the request's field order), worded as the API words it. It
// reports whether the request may go on.
func checkParams(w http.ResponseWriter, err error, q request) bool {
	if err == nil {
		return true
	}
	var ve *wrapper.ValidationError
	if errors.As(err, &ve) && len(ve.Problems) > 0 {
		a := problemAnswer(ve.Problems[0], q)
		apiError(w, 400, "invalid_request_error", a.param, a.code, a.msg)
		return false
	}
	apiError(w, 400, "invalid_request_error", "", "invalid_value", err.Error())
	return false
}

// The contract validator refuses a request that breaks the effective spec
// (a value outside an enumeration, a number out of range, a missing
// field) before the emulator sees it, in its own wording and with code
// null. specChecked rewords such answers as the API words them, from the
// validator's structured error.

// maxSpecCopy bounds the copy of a request body kept for rewording a spec
// violation; a larger body's violation is reworded from the validator's
// message alone.
const maxSpecCopy = 1 << 20

type reachedKey struct{}

// specChecked puts the contract validator in front of h, rewording its
// answers to requests it refuses.
func (e *Emulator) specChecked(h http.HandlerFunc) http.Handler {
	mw := e.validator.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if reached, ok := r.Context().Value(reachedKey{}).(*bool); ok {
			*reached = true
		}
		h(w, r)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached := new(bool)
		copied := &copyingBody{ReadCloser: r.Body}
		r2 := r.WithContext(context.WithValue(r.Context(), reachedKey{}, reached))
		r2.Body = copied
		sw := &specErrorWriter{ResponseWriter: w, reached: reached}
		mw.ServeHTTP(sw, r2)
		if sw.held {
			e.rewordSpecError(w, r, sw, copied)
		}
	})
}

// copyingBody keeps a copy of the first maxSpecCopy bytes read.
type copyingBody struct {
	io.ReadCloser
	buf      bytes.Buffer
	overflow bool
}

func (c *copyingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if room := maxSpecCopy - c.buf.Len(); n > room {
		c.buf.Write(p[:max(room, 0)])
		c.overflow = true
	} else {
		c.buf.Write(p[:n])
	}
	return n, err
}

// specErrorWriter holds back an error answer written before the handler
// was reached: the validator's refusal.
type specErrorWriter struct {
	http.ResponseWriter
	reached *bool
	held    bool
	status  int
	body    bytes.Buffer
}

func (s *specErrorWriter) WriteHeader(code int) {
	if !*s.reached && code >= 400 {
		s.held, s.status = true, code
		return
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *specErrorWriter) Write(p []byte) (int, error) {
	if s.held {
		return s.body.Write(p)
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *specErrorWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// rewordSpecError answers the request the validator refused, in the API's
// wording.
func (e *Emulator) rewordSpecError(w http.ResponseWriter, r *http.Request, held *specErrorWriter, copied *copyingBody) {
	var body struct {
		Error struct {
			Message string `json:"message"`
			Param   string `json:"param"`
		} `json:"error"`
	}
	if held.status != http.StatusBadRequest || json.Unmarshal(held.body.Bytes(), &body) != nil {
		w.Header().Set("x-request-id", newID("req"))
		w.WriteHeader(held.status)
		w.Write(held.body.Bytes())
		return
	}
	a := apiAnswer{param: body.Error.Param, code: "invalid_value", msg: body.Error.Message}
	if _, detail, ok := strings.Cut(a.msg, ": "); ok && a.param != "" {
		// "request createImage: body field "n": number must be at most 10"
		if i := strings.LastIndex(detail, ": "); i >= 0 {
			detail = detail[i+2:]
		}
		a.msg = fmt.Sprintf("Invalid '%s': %s.", a.param, detail)
	}
	if !copied.overflow {
		again := r.Clone(r.Context())
		again.Body = io.NopCloser(bytes.NewReader(copied.buf.Bytes()))
		var ce *contract.Error
		if err := e.validator.ValidateRequest(again); errors.As(err, &ce) {
			if s, ok := specAnswer(ce, requestModel(r, copied.buf.Bytes())); ok {
				a = s
			}
		}
	}
	apiError(w, http.StatusBadRequest, "invalid_request_error", a.param, a.code, a.msg)
}

// requestModel is the model a JSON body names ("" for other bodies).
func requestModel(r *http.Request, body []byte) string {
	var m struct {
		Model string `json:"model"`
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		json.Unmarshal(body, &m)
	}
	return m.Model
}

// violation is the rule a value broke, as the validator's two schema
// engines report it: kind.* of santhosh-tekuri/jsonschema (compiled
// schemas) or an *openapi3.SchemaError (the others); see contract.Error.
type violation struct {
	keyword string   // enum, maximum, minimum, type, required, maxLength, ...
	got     any      // the value, or for lengths its length
	want    []string // enum: the values; type: the type names
	limit   string   // maximum, minimum, lengths: the bound
}

// violationOf reads the rule broken from a contract error's cause.
func violationOf(err error) (violation, bool) {
	switch leaf := contract.Leaf(err).(type) {
	case *jsonschema.ValidationError:
		return jsonschemaViolation(leaf)
	case *openapi3.SchemaError:
		v := violation{keyword: leaf.SchemaField, got: leaf.Value}
		s := leaf.Schema
		switch {
		case s == nil:
		case v.keyword == "enum":
			for _, e := range s.Enum {
				v.want = append(v.want, fmt.Sprint(e))
			}
		case (v.keyword == "maximum" || v.keyword == "exclusiveMaximum") && s.Max != nil:
			v.limit = number(*s.Max)
		case (v.keyword == "minimum" || v.keyword == "exclusiveMinimum") && s.Min != nil:
			v.limit = number(*s.Min)
		case v.keyword == "type" && s.Type != nil:
			v.want, v.got = []string(*s.Type), jsonType(leaf.Value)
		case v.keyword == "maxLength" && s.MaxLength != nil:
			str, _ := leaf.Value.(string)
			v.limit, v.got = strconv.FormatUint(*s.MaxLength, 10), len([]rune(str))
		case v.keyword == "minLength":
			str, _ := leaf.Value.(string)
			v.limit, v.got = strconv.FormatUint(s.MinLength, 10), len([]rune(str))
		case v.keyword == "maxItems" && s.MaxItems != nil:
			arr, _ := leaf.Value.([]any)
			v.limit, v.got = strconv.FormatUint(*s.MaxItems, 10), len(arr)
		case v.keyword == "minItems":
			arr, _ := leaf.Value.([]any)
			v.limit, v.got = strconv.FormatUint(s.MinItems, 10), len(arr)
		}
		return v, true
	}
	return violation{}, false
}

// jsonschemaViolation reads the rule of a compiled schema's error.
func jsonschemaViolation(e *jsonschema.ValidationError) (violation, bool) {
	rat := func(r *big.Rat) string {
		if r == nil {
			return ""
		}
		return r.RatString()
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Enum:
		v := violation{keyword: "enum", got: k.Got}
		for _, w := range k.Want {
			v.want = append(v.want, fmt.Sprint(w))
		}
		return v, true
	case *kind.Maximum:
		return violation{keyword: "maximum", got: rat(k.Got), limit: rat(k.Want)}, true
	case *kind.ExclusiveMaximum:
		return violation{keyword: "maximum", got: rat(k.Got), limit: rat(k.Want)}, true
	case *kind.Minimum:
		return violation{keyword: "minimum", got: rat(k.Got), limit: rat(k.Want)}, true
	case *kind.ExclusiveMinimum:
		return violation{keyword: "minimum", got: rat(k.Got), limit: rat(k.Want)}, true
	case *kind.Type:
		return violation{keyword: "type", got: k.Got, want: k.Want}, true
	case *kind.Required:
		return violation{keyword: "required"}, true
	case *kind.AdditionalProperties, *kind.FalseSchema:
		return violation{keyword: "additionalProperties"}, true
	case *kind.MaxLength:
		return violation{keyword: "maxLength", got: k.Got, limit: strconv.Itoa(k.Want)}, true
	case *kind.MinLength:
		return violation{keyword: "minLength", got: k.Got, limit: strconv.Itoa(k.Want)}, true
	case *kind.MaxItems:
		return violation{keyword: "maxItems", got: k.Got, limit: strconv.Itoa(k.Want)}, true
	case *kind.MinItems:
		return violation{keyword: "minItems", got: k.Got, limit: strconv.Itoa(k.Want)}, true
	}
	return violation{}, false
}

// specAnswer words a spec violation as the API does; ok is false when it
// cannot tell which rule was broken. model is the model the request names,
// whose own values an enumeration's message lists when the table knows
// them.
func specAnswer(ce *contract.Error, model string) (apiAnswer, bool) {
	field := ce.Field
	if ce.In != contract.InBody || field == "" {
		return apiAnswer{}, false
	}
	v, ok := violationOf(ce.Err)
	if !ok {
		switch {
		case strings.Contains(ce.Message, "is missing"):
			v = violation{keyword: "required"}
		case strings.Contains(ce.Message, "unknown field"):
			v = violation{keyword: "additionalProperties"}
		default:
			return apiAnswer{}, false
		}
	}
	switch v.keyword {
	case "enum":
		allowed := v.want
		if info, ok := wrapper.LookupModel(wrapper.Model(model)); ok {
			if vs, _ := modelValues(&info, field); len(vs) > 0 {
				allowed = vs
			}
		}
		return apiAnswer{field, "invalid_value", fmt.Sprintf("Invalid value: %s. Supported values are: %s.", renderAPIValue(fmt.Sprint(v.got)), quote(autoLast(allowed)))}, true
	case "maximum", "exclusiveMaximum":
		return apiAnswer{field, "integer_above_max_value", fmt.Sprintf("Invalid '%s': integer above maximum value. Expected a value <= %s, but got %v instead.", field, v.limit, v.got)}, true
	case "minimum", "exclusiveMinimum":
		return apiAnswer{field, "integer_below_min_value", fmt.Sprintf("Invalid '%s': integer below minimum value. Expected a value >= %s, but got %v instead.", field, v.limit, v.got)}, true
	case "type":
		if len(v.want) > 0 {
			return apiAnswer{field, "invalid_type", fmt.Sprintf("Invalid type for '%s': expected %s, but got %s instead.", field, article(v.want[0]), article(fmt.Sprint(v.got)))}, true
		}
	case "required":
		return apiAnswer{field, "missing_required_parameter", fmt.Sprintf("Missing required parameter: '%s'.", field)}, true
	case "maxLength":
		return apiAnswer{field, "string_above_max_length", fmt.Sprintf("Invalid '%s': string too long. Expected a string with maximum length %s, but got a string with length %v instead.", field, v.limit, v.got)}, true
	case "minLength":
		if v.got == 0 {
			return apiAnswer{field, "empty_string", fmt.Sprintf("Invalid '%s': empty string. Expected a string with minimum length %s, but got an empty string instead.", field, v.limit)}, true
		}
	case "maxItems":
		return apiAnswer{field, "array_above_max_length", fmt.Sprintf("Invalid '%s': array too long. Expected an array with maximum length %s, but got an array with length %v instead.", field, v.limit, v.got)}, true
	case "minItems":
		if v.got == 0 {
			return apiAnswer{field, "empty_array", fmt.Sprintf("Invalid '%s': empty array. Expected an array with minimum length %s, but got an empty array instead.", field, v.limit)}, true
		}
	case "additionalProperties", "properties":
		return apiAnswer{field, "unknown_parameter", fmt.Sprintf("Unknown parameter: '%s'.", field)}, true
	}
	return apiAnswer{}, false
}

func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number, float64, int, int64:
		return "number"
	}
	return "value"
}

// article puts "a" or "an" before a type name, as the API's messages do.
func article(t string) string {
	switch t {
	case "integer", "array", "object":
		return "an " + t
	case "null":
		return t
	}
	return "a " + t
}
