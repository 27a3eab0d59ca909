// Package wire compares, part by part, the requests that the official Node
// SDK (npm openai, the version package-lock.json pins) and this module's
// wrapper send for the same calls: the parameters newer than the vendored
// spec (quality xhigh, complexity, GIF output with frame_count and
// frame_duration_ms, SVG output with its author model and reasoning effort,
// markup, safety_identifier), in JSON generations and multipart edits.
//
// Both clients send to one recording server, which answers every request
// with a small valid image response. JSON bodies are compared key by key;
// multipart bodies part by part: text parts by name and value, file parts
// by name, file name, content type and bytes, and the order of repeated
// parts (the images of an edit), which the API reads as the images' order.
// The order of parts of different names is reported, not enforced: the
// SDK's follows the keys of the object a caller writes.
//
// The test needs Node and `npm ci` (make test-sdk runs both); without them
// it is skipped, unless SDK_REQUIRED=1 or CI=true, when it fails.
package wire
