// Package contract checks HTTP requests and responses against the OpenAPI
// document the client was generated from (the module's embedded openapi.yaml,
// an OpenAPI 3.1 subset of the official OpenAI spec), for contract tests on
// either side of the wire.
//
// A Validator is created once and is safe for concurrent use:
//
//	v, err := contract.New()
//	if err != nil { ... }
//
//	// Server side (an emulator, a fake in a test): reject requests that
//	// violate the spec, check the responses next writes.
//	srv := httptest.NewServer(v.Middleware(handler))
//	defer func() {
//		for _, err := range v.Violations() {
//			t.Error(err)
//		}
//	}()
//
//	// Client side: check what a client sends and gets.
//	httpClient := &http.Client{Transport: v.RoundTripper(nil)}
//
//	// Or one exchange at a time.
//	err = v.ValidateRequest(req)
//	err = v.ValidateResponse(req, resp)
//
// Every violation is an *Error naming the operation and the field at fault:
//
//	request createImage: body field "n": value must be an integer
//
// # Routing
//
// Requests are matched on method and path only, so they may be sent to any
// host. By default any leading path segments are ignored (/images/edits,
// /v1/images/edits and /x/v1/images/edits all route to createImageEdit);
// WithBasePath requires and strips one prefix instead.
//
// # What is checked
//
// kin-openapi's router finds the operation, and its openapi3filter checks
// the security requirements (the presence of "Authorization: Bearer ...",
// unless WithoutSecurity), any parameters and declared response headers.
// Bodies are decoded here and checked against their JSON Schema 2020-12
// schemas (see Speed below), with three differences from openapi3filter:
//
//   - Multipart bodies are read part by part. Binary parts (image, mask) are
//     counted and dropped, so a 16 x 20 MiB edit is never held in memory as
//     values; text parts are converted to the types their schemas want.
//     Parts named "image[]", which the official SDKs send for several edit
//     images, are checked as the spec's "image" property (an array); any
//     "x[]" part is mapped onto a declared property x the same way.
//   - Unions with a discriminator (the stream events) are checked against the
//     branch the discriminator names, so errors name the missing field.
//   - text/event-stream responses are checked event by event: each event's
//     data must be JSON valid against the media type's schema
//     (ImageGenStreamEvent, ImageEditStreamEvent). Error events (named
//     "error", or with data {"error": ...} or {"type": "error"}), which the
//     spec does not model, and a "[DONE]" marker are let through. A stream
//     that ends inside an event is a violation.
//
// Strings with format: uri must be absolute URIs (data: URLs included), a
// check kin-openapi leaves out by default. Responses with a status the
// operation does not declare (the API's error responses) are not checked.
//
// # Speed
//
// A Validator compiles each schema once, on first use, and keeps it: the
// document is handed whole to santhosh-tekuri/jsonschema (the JSON Schema
// 2020-12 validator kin-openapi itself uses for 3.1), each schema is
// compiled at its place in it, so references resolve as the document says
// and components shared by several operations are compiled once. Checking a
// small createImage request (routing, credentials, body) costs about seven
// times json.Unmarshal of the same body; kin-openapi's Schema.VisitJSON
// compiles the schema again at every call, about 600 times (see
// docs/BENCHMARKS.md). A schema that does not compile (a pattern Go's regexp
// rejects) is checked by kin-openapi as before. With WithNullable, or for an
// OpenAPI 3.0 document, bodies are checked by kin-openapi's OpenAPI 3.0
// validator, which compiles nothing either.
//
// # Memory
//
// A request body is read once for validation and kept so it can still be
// served or sent: in memory up to 8 MiB (WithBodyMemoryLimit), in a temporary
// file beyond that, removed when the body is closed. Validation itself holds
// a multipart body's text fields only, a JSON body's decoded value, and one
// event of a stream.
//
// # OpenAPI 3.1 and nullable
//
// The OpenAI document is OpenAPI 3.1 but still writes `nullable: true` beside
// `type`, a 3.0 keyword that 3.1 (and kin-openapi with it) ignores: so
// {"n": null} is rejected for createImage, though accepted for the JSON
// edit, whose schema says anyOf [integer, null]. WithNullable honours the
// keyword. Clients generated from the spec omit unset fields rather than send
// null, so they pass either way. readOnly and writeOnly are annotations, as
// in JSON Schema 2020-12; only WithNullable's 3.0 validator acts on them.
package contract
