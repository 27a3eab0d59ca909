package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxErrorBody caps how much of an error response is read.
const maxErrorBody = 64 << 10

// APIError is an error response from the API (any status of 400 or more).
// Find it with errors.As:
//
//	var apiErr *wrapper.APIError
//	if errors.As(err, &apiErr) && apiErr.StatusCode == 429 { ... }
type APIError struct {
	// Operation is the OpenAPI operation id, such as "createImage".
	Operation  string
	StatusCode int
	// Type, Code, Param and Message come from the body's "error" object.
	// When the body is not the API's JSON error shape (an HTML page from a
	// proxy, say), Message holds the start of the body.
	Type    string
	Code    string
	Param   string
	Message string
	// RequestID is the x-request-id response header, for OpenAI support
	// (Azure's apim-request-id when there is no x-request-id, as in the
	// answers of Azure's gateway).
	RequestID string
	// Body holds the start of the raw body (at most 64 KiB are read).
	Body []byte
	// Header holds the response headers (Retry-After and rate-limit
	// headers, among others). Like the other fields filled from the
	// response, they have the API key cut out should a server echo it.
	Header http.Header
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("openai-images: ")
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Type != "" || e.Code != "" {
		b.WriteString(" (")
		b.WriteString(strings.Join(nonEmpty(e.Type, e.Code), ", "))
		b.WriteString(")")
	}
	if e.Param != "" {
		fmt.Fprintf(&b, " param %q", e.Param)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	return b.String()
}

func nonEmpty(vs ...string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// newAPIError reads at most maxErrorBody bytes of resp's body and builds the
// error. It does not close the body.
func newAPIError(op string, resp *http.Response) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &APIError{
		Operation:  op,
		StatusCode: resp.StatusCode,
		RequestID:  errorRequestID(resp.Header),
		Body:       body,
		Header:     resp.Header.Clone(),
	}
	e.Type, e.Code, e.Param, e.Message = parseErrorBody(body)
	if e.Message == "" && e.Type == "" && e.Code == "" {
		e.Message = snippet(body, 200)
	}
	return e
}

// errorRequestID is the request id of an error response: x-request-id, or
// the apim-request-id Azure's gateway sends alone (with its 401 and 404
// answers, as quoted in SciSharp/BotSharp#386).
func errorRequestID(h http.Header) string {
	if id := h.Get("x-request-id"); id != "" {
		return id
	}
	return h.Get("apim-request-id")
}

// parseErrorBody understands {"error": {...}}, {"error": "text"} and a bare
// {"message": ..., "type": ...} object.
func parseErrorBody(body []byte) (typ, code, param, msg string) {
	var env struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil {
		return
	}
	obj := env.Error
	if len(obj) == 0 || string(obj) == "null" {
		obj = body
	}
	var text string
	if json.Unmarshal(obj, &text) == nil {
		return "", "", "", text
	}
	var fields struct {
		Type    any `json:"type"`
		Code    any `json:"code"`
		Param   any `json:"param"`
		Message any `json:"message"`
	}
	if json.Unmarshal(obj, &fields) != nil {
		return
	}
	return scalarString(fields.Type), scalarString(fields.Code), scalarString(fields.Param), scalarString(fields.Message)
}

// scalarString renders a JSON scalar (servers send codes as strings or
// numbers); objects and null become "".
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return fmt.Sprint(v)
	case bool:
		return fmt.Sprint(v)
	}
	return ""
}

// snippet returns up to n runes of b as one trimmed line of valid UTF-8.
func snippet(b []byte, n int) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// IsContentPolicyViolation reports whether err is the API (or a stream)
// refusing a prompt or image under OpenAI's content policy, or Azure
// OpenAI's content filter (code contentFilter, azure-ai-docs
// how-to/dall-e.md "API call rejection"; content_filter for other calls).
func IsContentPolicyViolation(err error) bool {
	var code, typ string
	var apiErr *APIError
	var streamErr *StreamError
	switch {
	case errors.As(err, &apiErr):
		code, typ = apiErr.Code, apiErr.Type
	case errors.As(err, &streamErr):
		code, typ = streamErr.Code, streamErr.Type
	default:
		return false
	}
	switch code {
	case "content_policy_violation", "moderation_blocked", "image_generation_user_error", "contentFilter", "content_filter":
		return true
	}
	return typ == "image_generation_user_error"
}

// OperationError wraps a transport or context error with the operation it
// happened in. The underlying error is reachable with errors.Is and errors.As
// (context.DeadlineExceeded, *net.OpError, ...).
type OperationError struct {
	Operation string
	Err       error
}

func (e *OperationError) Error() string {
	return "openai-images: " + e.Operation + ": " + e.Err.Error()
}

func (e *OperationError) Unwrap() error { return e.Err }

// opError wraps err for op. A *url.Error (what http.Client.Do returns) is
// copied with the query string and user info cut from its URL, so nothing a
// caller put there is echoed in the message.
func opError(op string, err error) error {
	return &OperationError{Operation: op, Err: redactURLError(err)}
}

// redactURLError returns a copy of a *url.Error with the query string and
// user info cut from its URL; other errors are returned as they are.
func redactURLError(err error) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	clean := *ue
	if u, perr := url.Parse(ue.URL); perr == nil {
		clean.URL = redactURL(u)
	} else {
		clean.URL = "(invalid URL)"
	}
	return &clean
}

// redactURL drops user info and the query string.
func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.ForceQuery = false
	c.Fragment = ""
	return c.String()
}

// StreamError is an error event received in a stream: the server failed the
// generation after the response had started. Events delivered before it stay
// delivered.
type StreamError struct {
	Type    string
	Code    string
	Param   string
	Message string
	// Raw is the event's data.
	Raw []byte
}

func (e *StreamError) Error() string {
	var b strings.Builder
	b.WriteString("openai-images: stream error")
	if parts := nonEmpty(e.Type, e.Code); len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	}
	if e.Param != "" {
		fmt.Fprintf(&b, " param %q", e.Param)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}
