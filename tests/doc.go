// Package tests holds the module's black-box contract tests: requests made
// with the generated client (gen) against fake servers wrapped in
// contract.Validator's Middleware, or sent through its RoundTripper, and
// checks that the vendored openapi.yaml is what the subset tool makes of the
// upstream OpenAI spec.
//
// It has no code of its own; run it with go test ./tests/.
package tests
