package contract

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	openaiimages "github.com/imagegen-go/openai-images"
)

// Validator checks HTTP requests and responses against an OpenAPI document,
// by default the module's embedded openapi.yaml. Create it with New; it is
// safe for concurrent use.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	cfg    config
	// as30, if set, is the document as openapi3filter sees it (see New),
	// and routes30 the routes naming it, by route.
	as30     *openapi3.T
	routes30 sync.Map // *routers.Route -> *routers.Route
	// firstSegments holds the first segment of every path of the spec (nil
	// if one starts with a template): findRoute skips the candidate paths
	// that cannot match.
	firstSegments map[string]bool
	// schemas checks bodies against the document's schemas, compiled once
	// each; nil for an OpenAPI 3.0 document or WithNullable, whose bodies
	// kin-openapi's OpenAPI 3.0 validator checks (it compiles nothing).
	schemas *schemaSet

	mu         sync.Mutex
	violations []error
}

// defaultMemoryLimit is how much of a body is kept in memory before the rest
// is spooled to a temporary file (see WithBodyMemoryLimit).
const defaultMemoryLimit = 8 << 20

type config struct {
	spec            []byte
	basePath        string
	hasBasePath     bool
	skipSecurity    bool
	nullable        bool
	strictFields    bool
	memoryLimit     int64
	onResponseError func(error)
}

// Option configures a Validator.
type Option func(*config) error

// WithSpec validates against doc, an OpenAPI 3 document in YAML or JSON,
// instead of the embedded effective document (openaiimages.EffectiveSpec:
// openapi.yaml with the facts newer than the upstream spec applied).
// References must be internal.
func WithSpec(doc []byte) Option {
	return func(c *config) error {
		if len(doc) == 0 {
			return errors.New("contract: WithSpec: empty document")
		}
		c.spec = doc
		return nil
	}
}

// WithBasePath makes the Validator route only requests whose path starts with
// prefix (such as "/v1"), which it removes before matching the spec's paths.
//
// Without this option any leading path segments are accepted: the Validator
// matches the spec's paths against the request path, then against it without
// its first segment, and so on. So /images/edits, /v1/images/edits and
// /proxy/v1/images/edits all route to createImageEdit, whatever the host, and
// whatever the spec's servers say (https://api.openai.com/v1).
func WithBasePath(prefix string) Option {
	return func(c *config) error {
		if !strings.HasPrefix(prefix, "/") {
			return fmt.Errorf("contract: WithBasePath(%q): the prefix must start with /", prefix)
		}
		c.basePath = strings.TrimSuffix(path.Clean(prefix), "/")
		c.hasBasePath = true
		return nil
	}
}

// WithoutSecurity skips the check of the spec's security requirements. By
// default a request must carry what they ask for: for the OpenAI spec, an
// "Authorization: Bearer <key>" header (the key itself is not checked).
func WithoutSecurity() Option {
	return func(c *config) error {
		c.skipSecurity = true
		return nil
	}
}

// WithNullable makes the Validator accept null where a schema says
// `nullable: true`.
//
// nullable is an OpenAPI 3.0 keyword. The OpenAI document is OpenAPI 3.1,
// where it is unknown, and kin-openapi ignores it there: by default
// {"prompt": "x", "n": null} is rejected for createImage ("value must be an
// integer") although the spec's authors marked n nullable. With this option
// bodies are checked with kin-openapi's OpenAPI 3.0 validator, which honours
// nullable as well as 3.1's "null" type; the JSON Schema 2020-12 keywords the
// OpenAI images schemas use (anyOf, not, enum, ...) are checked the same way.
func WithNullable() Option {
	return func(c *config) error {
		c.nullable = true
		return nil
	}
}

// WithDisallowUnknownFields rejects body fields that the schema does not
// declare, in objects whose schema lists properties and says nothing about
// additionalProperties (the OpenAI request schemas, which per the spec allow
// any extra field).
//
// The spec allows them, so this is stricter than the spec; it catches
// misspelt or misnamed fields in client tests, which the real API rejects
// ("Unrecognized request argument supplied").
func WithDisallowUnknownFields() Option {
	return func(c *config) error {
		c.strictFields = true
		return nil
	}
}

// WithBodyMemoryLimit sets how many bytes of a body the Validator keeps in
// memory while validating it (default 8 MiB). The rest of a larger body is
// spooled to a temporary file, which is removed when the restored body is
// closed, as net/http's ParseMultipartForm does with large files.
func WithBodyMemoryLimit(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("contract: WithBodyMemoryLimit(%d): the limit must be positive", n)
		}
		c.memoryLimit = n
		return nil
	}
}

// WithResponseErrorHandler registers f to be called with every response
// violation that Middleware finds (f may be called from several goroutines
// at once). Middleware records them for Violations either way.
func WithResponseErrorHandler(f func(error)) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("contract: WithResponseErrorHandler: nil function")
		}
		c.onResponseError = f
		return nil
	}
}

// New loads and validates the OpenAPI document once and returns a Validator
// for it.
func New(opts ...Option) (*Validator, error) {
	cfg := config{memoryLimit: defaultMemoryLimit}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	doc, err := loadDocument(cfg.spec)
	if err != nil {
		return nil, err
	}
	// Route on paths only: the spec's servers name the real API's host and
	// base path, while tests send requests to httptest servers. Routes built
	// from this shallow copy share every operation of doc.
	routed := *doc
	routed.Servers = nil
	router, err := legacy.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("contract: building the router: %w", err)
	}
	v := &Validator{doc: doc, router: router, cfg: cfg, firstSegments: firstSegmentsOf(doc)}
	if doc.IsOpenAPI31OrLater() && !anyParameterUses31Keywords(doc) {
		// openapi3filter checks parameters and response headers with
		// kin-openapi's JSON Schema 2020-12 path when the route's document
		// is 3.1, which compiles the schema at every call. Schemas without
		// the keywords only 3.1 has get the same verdict from its OpenAPI
		// 3.0 validator, which compiles nothing (nullable, the one other
		// difference, cannot matter: a parameter is never null). So the
		// routes handed to openapi3filter name a copy of the document that
		// says 3.0; bodies are checked here, as 3.1.
		as30 := routed
		as30.OpenAPI = "3.0.3"
		v.as30 = &as30
	}
	if doc.IsOpenAPI31OrLater() && !cfg.nullable {
		if v.schemas, err = newSchemaSet(doc); err != nil {
			return nil, fmt.Errorf("contract: %w", err)
		}
	}
	return v, nil
}

// anyParameterUses31Keywords reports whether a parameter or header schema
// of doc uses a JSON Schema keyword that kin-openapi's OpenAPI 3.0
// validator does not check (const, if/then/else, prefixItems, ...).
func anyParameterUses31Keywords(doc *openapi3.T) bool {
	var params []*openapi3.Parameter
	addParams := func(ps openapi3.Parameters) {
		for _, p := range ps {
			if p != nil && p.Value != nil {
				params = append(params, p.Value)
			}
		}
	}
	addHeaders := func(hs openapi3.Headers) {
		for _, h := range hs {
			if h != nil && h.Value != nil {
				params = append(params, &h.Value.Parameter)
			}
		}
	}
	addResponse := func(r *openapi3.ResponseRef) {
		if r != nil && r.Value != nil {
			addHeaders(r.Value.Headers)
		}
	}
	if c := doc.Components; c != nil {
		for _, p := range c.Parameters {
			addParams(openapi3.Parameters{p})
		}
		addHeaders(c.Headers)
		for _, r := range c.Responses {
			addResponse(r)
		}
	}
	if doc.Paths != nil {
		for _, item := range doc.Paths.Map() {
			addParams(item.Parameters)
			for _, op := range item.Operations() {
				addParams(op.Parameters)
				if op.Responses != nil {
					for _, r := range op.Responses.Map() {
						addResponse(r)
					}
				}
			}
		}
	}
	seen := map[*openapi3.Schema]bool{}
	for _, p := range params {
		if uses31Keywords(p.Schema, seen) {
			return true
		}
		for _, mt := range p.Content {
			if mt != nil && uses31Keywords(mt.Schema, seen) {
				return true
			}
		}
	}
	return false
}

// uses31Keywords reports whether a schema or a subschema of it uses a
// keyword that kin-openapi's OpenAPI 3.0 validator leaves unchecked.
func uses31Keywords(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) bool {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return false
	}
	s := ref.Value
	seen[s] = true
	if s.Const != nil || len(s.PrefixItems) > 0 || s.Contains != nil || len(s.PatternProperties) > 0 ||
		len(s.DependentSchemas) > 0 || s.PropertyNames != nil || s.UnevaluatedItems.Has != nil ||
		s.UnevaluatedItems.Schema != nil || s.UnevaluatedProperties.Has != nil || s.UnevaluatedProperties.Schema != nil ||
		s.If != nil || s.Then != nil || s.Else != nil || len(s.DependentRequired) > 0 || len(s.Defs) > 0 ||
		s.ContentSchema != nil || s.MinContains != nil || s.MaxContains != nil {
		return true
	}
	subs := []*openapi3.SchemaRef{s.Items, s.Not, s.AdditionalProperties.Schema}
	subs = append(subs, s.AllOf...)
	subs = append(subs, s.AnyOf...)
	subs = append(subs, s.OneOf...)
	for _, p := range s.Properties {
		subs = append(subs, p)
	}
	for _, sub := range subs {
		if uses31Keywords(sub, seen) {
			return true
		}
	}
	return false
}

// loadDocument loads and validates the OpenAPI document: spec (WithSpec), or
// by default the embedded effective document (openaiimages.EffectiveSpec).
// It is the one place the document comes from.
func loadDocument(spec []byte) (*openapi3.T, error) {
	if spec == nil {
		spec = openaiimages.EffectiveSpec()
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("contract: loading the OpenAPI document: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("contract: invalid OpenAPI document: %w", err)
	}
	return doc, nil
}

// Violations returns the response violations Middleware has found so far,
// oldest first. (Invalid requests are not recorded: Middleware answers them
// with an error response.)
func (v *Validator) Violations() []error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]error(nil), v.violations...)
}

// recordViolation records a response violation and reports it to the
// handler of WithResponseErrorHandler.
func (v *Validator) recordViolation(err error) {
	v.mu.Lock()
	v.violations = append(v.violations, err)
	v.mu.Unlock()
	if f := v.cfg.onResponseError; f != nil {
		f(err)
	}
}

// filterRoute returns the route to hand to openapi3filter: route itself, or
// a copy naming the document as 3.0 (see New).
func (v *Validator) filterRoute(route *routers.Route) *routers.Route {
	if v.as30 == nil {
		return route
	}
	if r, ok := v.routes30.Load(route); ok {
		return r.(*routers.Route)
	}
	r := *route
	r.Spec = v.as30
	got, _ := v.routes30.LoadOrStore(route, &r)
	return got.(*routers.Route)
}

// mayMatch reports whether a path of the spec could match p: whether one
// starts with p's first segment, or with a template that matches any.
func (v *Validator) mayMatch(p string) bool {
	if v.firstSegments == nil {
		return true
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	return v.firstSegments[first]
}

// firstSegmentsOf returns the first segments of doc's paths, or nil when one
// of them starts with a template ("/{id}/..."), which any segment matches.
func firstSegmentsOf(doc *openapi3.T) map[string]bool {
	segs := map[string]bool{}
	if doc.Paths == nil {
		return segs
	}
	for p := range doc.Paths.Map() {
		first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
		if strings.Contains(first, "{") {
			return nil
		}
		segs[first] = true
	}
	return segs
}

// findRoute maps a request to an operation of the spec, removing the base
// path (WithBasePath) or trying the path without each of its leading
// segments in turn.
func (v *Validator) findRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	p := r.URL.Path
	if p == "" {
		p = "/"
	}
	var candidates []string
	if v.cfg.hasBasePath {
		rest, ok := strings.CutPrefix(p, v.cfg.basePath)
		if ok && (rest == "" || rest[0] == '/') {
			candidates = append(candidates, rest)
		}
	} else {
		for rest := p; ; {
			candidates = append(candidates, rest)
			i := strings.IndexByte(rest[1:], '/')
			if i < 0 {
				break
			}
			rest = rest[1+i:]
		}
	}
	methodMismatch := false
	u := *r.URL
	probe := &http.Request{Method: r.Method, URL: &u, Header: r.Header, Host: r.Host}
	for _, c := range candidates {
		if !v.mayMatch(c) {
			continue // no path of the spec starts with c's first segment
		}
		u.Path, u.RawPath = c, ""
		route, params, err := v.router.FindRoute(probe)
		if err == nil {
			return v.filterRoute(route), params, nil
		}
		var re *routers.RouteError
		if errors.As(err, &re) && re.Reason == routers.ErrMethodNotAllowed.Error() {
			methodMismatch = true
		}
	}
	e := &Error{Op: "request", Err: ErrNoOperation,
		Message: fmt.Sprintf("no operation for %s %s", r.Method, p)}
	if methodMismatch {
		e.Message = fmt.Sprintf("method %s is not allowed for %s", r.Method, p)
	}
	return nil, nil, e
}

// schemaOptions are the options of every Schema.VisitJSON call.
func (v *Validator) schemaOptions(asRequest bool) []openapi3.SchemaValidationOption {
	opts := []openapi3.SchemaValidationOption{
		openapi3.WithStringFormatValidator("uri", openapi3.NewCallbackValidator(validateURI)),
	}
	if asRequest {
		opts = append(opts, openapi3.VisitAsRequest())
	} else {
		opts = append(opts, openapi3.VisitAsResponse())
	}
	if v.doc.IsOpenAPI31OrLater() && !v.cfg.nullable {
		opts = append(opts, openapi3.EnableJSONSchema2020())
	}
	return opts
}

// validateURI checks format: uri (an absolute URI; data: URLs included),
// which kin-openapi leaves unchecked by default.
func validateURI(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a valid URI")
	}
	if u.Scheme == "" {
		return errors.New("not an absolute URI (no scheme)")
	}
	return nil
}

// ValidateRequest checks r against the operation it routes to: method and
// path, security requirements, parameters, Content-Type and body.
//
// r.Body is read and replaced by an equivalent body (see WithBodyMemoryLimit
// for where it is kept), so r can still be served or sent; close it as usual.
// Multipart file parts are counted, not kept, while validating. A violation
// is returned as an *Error.
func (v *Validator) ValidateRequest(r *http.Request) error {
	_, err := v.validateRequest(r)
	return err
}

func (v *Validator) validateRequest(r *http.Request) (*routers.Route, error) {
	route, params, err := v.findRoute(r)
	if err != nil {
		return nil, err // the body is left unread
	}
	op := route.Operation.OperationID
	// openapi3filter checks security and parameters on a copy without the
	// body: its security check reads the whole body into memory (in case an
	// AuthenticationFunc wants it) and replaces it.
	envelope := *r
	envelope.Body, envelope.GetBody, envelope.ContentLength = http.NoBody, nil, 0
	input := &openapi3filter.RequestValidationInput{
		Request:    &envelope,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			ExcludeRequestBody:  true, // validated below, streaming
			SkipSettingDefaults: true, // never rewrite what is validated
			AuthenticationFunc:  v.authenticate,
		},
	}
	if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil {
		return route, v.requestFilterError(op, err) // the body is left unread
	}
	if err := v.validateRequestBody(r, route); err != nil {
		return route, err
	}
	return route, nil
}

// authError is what authenticate returns for a missing credential.
type authError struct {
	in, name, msg string
}

func (e *authError) Error() string { return e.msg }

// authenticate checks the presence (not the value) of the credentials the
// security scheme asks for.
func (v *Validator) authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if v.cfg.skipSecurity {
		return nil
	}
	s := in.SecurityScheme
	r := in.RequestValidationInput.Request
	switch s.Type {
	case "http":
		scheme := s.Scheme
		auth := r.Header.Get("Authorization")
		prefix, cred, _ := strings.Cut(auth, " ")
		if !strings.EqualFold(prefix, scheme) || strings.TrimSpace(cred) == "" {
			return &authError{InHeader, "Authorization", fmt.Sprintf(
				"missing %q credentials required by security scheme %q", strings.ToLower(scheme), in.SecuritySchemeName)}
		}
	case "apiKey":
		var present bool
		switch s.In {
		case "header":
			present = r.Header.Get(s.Name) != ""
		case "query":
			present = r.URL.Query().Get(s.Name) != ""
		case "cookie":
			_, err := r.Cookie(s.Name)
			present = err == nil
		}
		if !present {
			return &authError{s.In, s.Name, fmt.Sprintf(
				"missing API key required by security scheme %q", in.SecuritySchemeName)}
		}
	}
	return nil
}

// requestFilterError converts an error of openapi3filter.ValidateRequest.
func (v *Validator) requestFilterError(op string, err error) *Error {
	var ae *authError
	if errors.As(err, &ae) {
		return &Error{Op: "request", Operation: op, In: ae.in, Field: ae.name, Message: ae.msg,
			Err: fmt.Errorf("%w: %w", ErrUnauthorized, err)}
	}
	var sre *openapi3filter.SecurityRequirementsError
	if errors.As(err, &sre) {
		return &Error{Op: "request", Operation: op, Message: "security requirements not met",
			Err: fmt.Errorf("%w: %w", ErrUnauthorized, err)}
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Parameter != nil {
		e := &Error{Op: "request", Operation: op, In: re.Parameter.In, Field: re.Parameter.Name, Err: err}
		if re.Err != nil && firstLeaf(re.Err) != nil {
			var schema *openapi3.Schema
			if re.Parameter.Schema != nil {
				schema = re.Parameter.Schema.Value
			}
			is := v.describeSchemaError(re.Err, schema, nil, v.schemaOptions(true))
			e.Message = is.msg
		} else if re.Reason != "" {
			e.Message = re.Reason
		} else {
			e.Message = re.Err.Error()
		}
		return e
	}
	return &Error{Op: "request", Operation: op, Message: err.Error(), Err: err}
}

// ValidateResponse checks resp, the response to r, against the operation r
// routes to: for a status the operation declares, the headers, the
// Content-Type and the body (JSON, or each event of a text/event-stream).
// Statuses the spec does not declare, such as the API's 4xx errors, are not
// checked.
//
// resp.Body is read to its end and replaced by an equivalent body. For a
// stream that means waiting for its end: to check events as they arrive, use
// RoundTripper or Middleware. A violation is returned as an *Error.
func (v *Validator) ValidateResponse(r *http.Request, resp *http.Response) error {
	route, _, err := v.findRoute(r)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Op = "response"
		}
		return err
	}
	return v.validateResponse(route, r, resp)
}

// responseMedia finds the media type the spec declares for a response, or
// nil when the response's status is not declared or has no content.
func (v *Validator) responseMedia(route *routers.Route, r *http.Request, status int, header http.Header) (*openapi3.MediaType, string, error) {
	op := route.Operation.OperationID
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, Route: route},
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{ExcludeResponseBody: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		e := &Error{Op: "response", Operation: op, Message: err.Error(), Err: err}
		var re *openapi3filter.ResponseError
		if errors.As(err, &re) && re.Reason != "" {
			e.Message = re.Reason
		}
		return nil, "", e
	}
	if r.Method == http.MethodHead {
		return nil, "", nil
	}
	responses := route.Operation.Responses
	if responses == nil {
		return nil, "", nil
	}
	ref := responses.Status(status)
	if ref == nil {
		ref = responses.Default()
	}
	if ref == nil || ref.Value == nil || len(ref.Value.Content) == 0 {
		return nil, "", nil
	}
	content := ref.Value.Content
	ct := header.Get("Content-Type")
	if ct == "" {
		return nil, "", &Error{Op: "response", Operation: op, In: InHeader, Field: "Content-Type",
			Message: fmt.Sprintf("missing; status %d declares %s", status, contentTypes(content))}
	}
	mt := content.Get(ct)
	mediaType := mediaTypeOf(ct)
	if mt == nil {
		return nil, "", &Error{Op: "response", Operation: op, In: InHeader, Field: "Content-Type",
			Message: fmt.Sprintf("%q is not declared for status %d, which declares %s", mediaType, status, contentTypes(content))}
	}
	return mt, mediaType, nil
}

// isSSE reports whether a media type is text/event-stream.
func isSSE(mediaType string) bool { return mediaType == "text/event-stream" }

// eventSchema returns the schema of one event of a stream: the media type's
// itemSchema (OpenAPI 3.2) or, as the OpenAI spec has it, its schema.
func eventSchema(mt *openapi3.MediaType) *openapi3.Schema {
	if mt.ItemSchema != nil && mt.ItemSchema.Value != nil {
		return mt.ItemSchema.Value
	}
	if mt.Schema != nil {
		return mt.Schema.Value
	}
	return nil
}

func (v *Validator) validateResponse(route *routers.Route, r *http.Request, resp *http.Response) error {
	mt, mediaType, err := v.responseMedia(route, r, resp.StatusCode, resp.Header)
	if err != nil || mt == nil {
		return err
	}
	op := route.Operation.OperationID
	body := resp.Body
	if body == nil {
		body = http.NoBody
	}
	sp := newSpool(v.cfg.memoryLimit, resp.ContentLength)
	tee := newTee(body, sp)
	var verr error
	if isSSE(mediaType) {
		sv := v.newStreamValidator(op, eventSchema(mt))
		verr = sv.readAll(tee)
	} else {
		verr = v.validateBody(tee, "response", op, mediaType, resp.Header.Get("Content-Type"), mt, true)
	}
	resp.Body = tee.finish(body)
	if tee.err != nil && !isSSE(mediaType) {
		return &Error{Op: "response", Operation: op, In: InBody, Message: "reading the body: " + tee.err.Error(), Err: tee.err}
	}
	return verr
}
