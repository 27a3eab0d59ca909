package contract

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/messages.golden")

// reEnumList matches the allowed values listed in a message (an enum, or
// the event types of a discriminated union). The golden file leaves them
// out: the spec gains values as the API does, and that is no change to the
// validator. For the same reason the corpus uses values no spec will allow
// ("not-a-quality") and no bound an update may move.
var reEnumList = regexp.MustCompile(`one of (?:'[^']*'(?:, '[^']*')*|"[^"]*"(?:, "[^"]*")*)`)

// messageCase is one exchange whose verdict is pinned in
// testdata/messages.golden: "ok", or the violation's Error().
type messageCase struct {
	name string
	// check returns the validator's verdict.
	check func(t *testing.T, v *Validator) error
}

func jsonCase(name, url, body string) messageCase {
	return messageCase{name, func(t *testing.T, v *Validator) error {
		return v.ValidateRequest(jsonRequest(t, url, body))
	}}
}

func formCase(name, url string, parts ...part) messageCase {
	return messageCase{name, func(t *testing.T, v *Validator) error {
		return v.ValidateRequest(multipartRequest(t, url, parts...))
	}}
}

func responseCase(name, url, contentType, body string) messageCase {
	return messageCase{name, func(t *testing.T, v *Validator) error {
		return v.ValidateResponse(jsonRequest(t, url, ""), response(200, contentType, body))
	}}
}

func messageCases() []messageCase {
	img := file("image", "a.png", 16)
	gen := func(extra string) string { return `{"prompt":"a cat"` + extra + `}` }
	editJSON := func(extra string) string { return `{"prompt":"x","images":[{"file_id":"f"}]` + extra + `}` }
	return []messageCase{
		// createImage, JSON
		jsonCase("generate/valid", genURL, gen(`,"model":"gpt-image-1.5","n":2,"size":"1536x1024","quality":"high","background":"transparent","output_format":"webp","output_compression":80,"moderation":"low","stream":true,"partial_images":2,"user":"u"`)),
		jsonCase("generate/future model and size", genURL, gen(`,"model":"gpt-image-99","size":"1536x864"`)),
		jsonCase("generate/extra field", genURL, gen(`,"future_field":{"a":[1]}`)),
		jsonCase("generate/no prompt", genURL, `{"n":1}`),
		jsonCase("generate/prompt a number", genURL, `{"prompt":5}`),
		jsonCase("generate/n a string", genURL, gen(`,"n":"two"`)),
		jsonCase("generate/n too small", genURL, gen(`,"n":0`)),
		jsonCase("generate/n fractional", genURL, gen(`,"n":1.5`)),
		jsonCase("generate/n null", genURL, gen(`,"n":null`)),
		jsonCase("generate/quality null", genURL, gen(`,"quality":null`)),
		jsonCase("generate/quality not in enum", genURL, gen(`,"quality":"not-a-quality"`)),
		jsonCase("generate/response_format not in enum", genURL, gen(`,"response_format":"not-a-format"`)),
		jsonCase("generate/stream a string", genURL, gen(`,"stream":"yes"`)),
		jsonCase("generate/partial_images negative", genURL, gen(`,"partial_images":-1`)),
		jsonCase("generate/partial_images a string", genURL, gen(`,"partial_images":"2"`)),
		jsonCase("generate/partial_images null", genURL, gen(`,"partial_images":null`)),
		jsonCase("generate/model a number", genURL, gen(`,"model":5`)),
		jsonCase("generate/size a number", genURL, gen(`,"size":1024`)),
		jsonCase("generate/output_compression a string", genURL, gen(`,"output_compression":"80"`)),
		jsonCase("generate/misspelt field", genURL, gen(`,"promt":"y"`)),
		jsonCase("generate/array body", genURL, `[1]`),
		jsonCase("generate/string body", genURL, `"x"`),

		// createImageEdit, JSON
		jsonCase("edit-json/valid", editURL, `{"prompt":"x","images":[{"image_url":"data:image/png;base64,iVBORw0KGgo="},{"file_id":"f"}],"mask":{"file_id":"m"},"quality":"high","input_fidelity":"high"}`),
		jsonCase("edit-json/nulls", editURL, editJSON(`,"n":null,"quality":null,"size":null,"model":null`)),
		jsonCase("edit-json/both refs", editURL, `{"prompt":"x","images":[{"image_url":"https://example.com/a.png","file_id":"f"}]}`),
		jsonCase("edit-json/empty ref", editURL, `{"prompt":"x","images":[{}]}`),
		jsonCase("edit-json/unknown ref field", editURL, `{"prompt":"x","images":[{"file_id":"f","url":"u"}]}`),
		jsonCase("edit-json/image_url not a URI", editURL, `{"prompt":"x","images":[{"image_url":"not a url"}]}`),
		jsonCase("edit-json/image_url a number", editURL, `{"prompt":"x","images":[{"image_url":5}]}`),
		jsonCase("edit-json/no images", editURL, `{"prompt":"x","images":[]}`),
		jsonCase("edit-json/images missing", editURL, `{"prompt":"x"}`),
		jsonCase("edit-json/images an object", editURL, `{"prompt":"x","images":{"file_id":"f"}}`),
		jsonCase("edit-json/prompt missing", editURL, `{"images":[{"file_id":"f"}]}`),
		jsonCase("edit-json/quality not in enum", editURL, editJSON(`,"quality":"not-a-quality"`)),
		jsonCase("edit-json/n a string", editURL, editJSON(`,"n":"two"`)),
		jsonCase("edit-json/mask both refs", editURL, editJSON(`,"mask":{"image_url":"https://a/m.png","file_id":"f"}`)),
		jsonCase("edit-json/input_fidelity not in enum", editURL, editJSON(`,"input_fidelity":"not-a-fidelity"`)),
		jsonCase("edit-json/partial_images negative", editURL, editJSON(`,"partial_images":-1`)),
		jsonCase("edit-json/extra field", editURL, editJSON(`,"future_field":1`)),

		// createImageEdit and createImageVariation, multipart
		formCase("edit-form/valid", editURL, field("prompt", "x"), file("image[]", "a.png", 16), file("image[]", "b.png", 16), file("mask", "m.png", 16),
			field("n", "2"), field("quality", "high"), field("stream", "true"), field("partial_images", "2"), field("output_compression", "80")),
		formCase("edit-form/no image", editURL, field("prompt", "x")),
		formCase("edit-form/no prompt", editURL, img),
		formCase("edit-form/n a word", editURL, field("prompt", "x"), img, field("n", "two")),
		formCase("edit-form/quality not in enum", editURL, field("prompt", "x"), img, field("quality", "not-a-quality")),
		formCase("edit-form/stream yes", editURL, field("prompt", "x"), img, field("stream", "yes")),
		formCase("edit-form/partial_images negative", editURL, field("prompt", "x"), img, field("partial_images", "-1")),
		formCase("edit-form/two prompts", editURL, field("prompt", "x"), field("prompt", "y"), img),
		formCase("edit-form/image and image[]", editURL, field("prompt", "x"), img, file("image[]", "b.png", 16)),
		formCase("variation/valid", variationURL, img, field("n", "3"), field("size", "512x512")),
		formCase("variation/size not in enum", variationURL, img, field("size", "not-a-size")),
		formCase("variation/n zero", variationURL, img, field("n", "0")),
		formCase("variation/no image", variationURL, field("n", "1")),

		// Batches and files
		jsonCase("batch/valid", "http://h/v1/batches", `{"input_file_id":"f","endpoint":"/v1/images/generations","completion_window":"24h","metadata":{"k":"v"}}`),
		jsonCase("batch/metadata null", "http://h/v1/batches", `{"input_file_id":"f","endpoint":"/v1/images/generations","completion_window":"24h","metadata":null}`),
		jsonCase("batch/metadata value a number", "http://h/v1/batches", `{"input_file_id":"f","endpoint":"/v1/images/generations","completion_window":"24h","metadata":{"k":1}}`),
		jsonCase("batch/window not in enum", "http://h/v1/batches", `{"input_file_id":"f","endpoint":"/v1/images/generations","completion_window":"not-a-window"}`),
		jsonCase("batch/no endpoint", "http://h/v1/batches", `{"input_file_id":"f","completion_window":"24h"}`),
		formCase("file/valid", "http://h/v1/files", field("purpose", "batch"), file("file", "in.jsonl", 16)),
		formCase("file/purpose not in enum", "http://h/v1/files", field("purpose", "not-a-purpose"), file("file", "in.jsonl", 16)),
		formCase("file/unknown field", "http://h/v1/files", field("purpose", "batch"), file("file", "in.jsonl", 16), field("x", "y")),
		{"batch/retrieve", func(t *testing.T, v *Validator) error {
			r, _ := http.NewRequest(http.MethodGet, "http://h/v1/batches/batch_1", nil)
			r.Header.Set("Authorization", "Bearer k")
			return v.ValidateRequest(r)
		}},

		// Responses
		responseCase("images-response/valid", genURL, "application/json", imagesJSON),
		responseCase("images-response/created a string", genURL, "application/json", `{"created":"1700000000"}`),
		responseCase("images-response/no created", genURL, "application/json", `{"data":[]}`),
		responseCase("images-response/url a number", genURL, "application/json", `{"created":1,"data":[{"url":5}]}`),
		responseCase("images-response/quality not in enum", genURL, "application/json", `{"created":1,"quality":"not-a-quality"}`),
		responseCase("images-response/usage incomplete", genURL, "application/json", `{"created":1,"usage":{"input_tokens":1,"total_tokens":1,"output_tokens":0}}`),
		responseCase("images-response/data not an array", genURL, "application/json", `{"created":1,"data":{}}`),
		responseCase("batch-response/valid", "http://h/v1/batches", "application/json", `{"id":"b","object":"batch","endpoint":"/v1/images/generations","input_file_id":"f","completion_window":"24h","status":"validating","created_at":1}`),
		responseCase("batch-response/status unknown", "http://h/v1/batches", "application/json", `{"id":"b","object":"batch","endpoint":"/v1/images/generations","input_file_id":"f","completion_window":"24h","status":"not-a-status","created_at":1}`),
		responseCase("file-response/valid", "http://h/v1/files", "application/json", `{"id":"f","object":"file","bytes":1,"created_at":1,"filename":"a.jsonl","purpose":"batch","status":"processed"}`),
		responseCase("file-response/bytes a string", "http://h/v1/files", "application/json", `{"id":"f","object":"file","bytes":"1","created_at":1,"filename":"a.jsonl","purpose":"batch","status":"processed"}`),

		// Stream events
		responseCase("gen-stream/valid", genURL, "text/event-stream", sse(genPartial, genCompleted)),
		responseCase("gen-stream/missing partial_image_index", genURL, "text/event-stream", sse(genPartialNoIndex)),
		responseCase("gen-stream/unknown type", genURL, "text/event-stream", sse(`{"type":"image_generation.bogus"}`)),
		responseCase("gen-stream/no type", genURL, "text/event-stream", "data: {\"b64_json\":\"A\"}\n\n"),
		responseCase("gen-stream/type a number", genURL, "text/event-stream", "data: {\"type\":5}\n\n"),
		responseCase("gen-stream/edit event", genURL, "text/event-stream", sse(editPartial)),
		responseCase("gen-stream/quality not in enum", genURL, "text/event-stream", sse(strings.Replace(genCompleted, `"quality":"high"`, `"quality":"not-a-quality"`, 1))),
		responseCase("gen-stream/created_at a string", genURL, "text/event-stream", sse(strings.Replace(genPartial, `"created_at":1700000000`, `"created_at":"now"`, 1))),
		responseCase("gen-stream/partial_image_index a string", genURL, "text/event-stream", sse(strings.Replace(genPartial, `"partial_image_index":0`, `"partial_image_index":"0"`, 1))),
		responseCase("edit-stream/usage incomplete", editURL, "text/event-stream", sse(strings.Replace(editCompleted, `,"input_tokens_details":{"text_tokens":10,"image_tokens":40}`, "", 1))),
		responseCase("edit-stream/event not an object", editURL, "text/event-stream", "data: [1,2]\n\n"),
	}
}

// TestMessagesGolden pins the verdict and message of the validator for a
// corpus of valid and invalid exchanges, in each configuration, so that any
// change to what is accepted or how a violation is worded shows up as a diff
// of testdata/messages.golden (rewrite it with go test -run
// TestMessagesGolden -update ./contract/ and review the diff).
func TestMessagesGolden(t *testing.T) {
	modes := []struct {
		name string
		opts []Option
	}{
		{"default", nil},
		{"nullable", []Option{WithNullable()}},
		{"strict", []Option{WithDisallowUnknownFields()}},
	}
	var out strings.Builder
	for _, m := range modes {
		v := newValidator(t, m.opts...)
		for _, c := range messageCases() {
			verdict := "ok"
			if err := c.check(t, v); err != nil {
				verdict = err.Error()
				if _, ok := err.(*Error); !ok {
					t.Errorf("%s/%s: %T is not a *contract.Error", m.name, c.name, err)
				}
			}
			verdict = reEnumList.ReplaceAllString(verdict, "one of <the values the spec lists>")
			fmt.Fprintf(&out, "%s/%s: %s\n", m.name, c.name, verdict)
		}
	}
	const golden = "testdata/messages.golden"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := out.String(); got != string(want) {
		gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gotLines), len(wantLines)) {
			var g, w string
			if i < len(gotLines) {
				g = gotLines[i]
			}
			if i < len(wantLines) {
				w = wantLines[i]
			}
			if g != w {
				t.Errorf("line %d:\n got: %s\nwant: %s", i+1, g, w)
			}
		}
	}
}
