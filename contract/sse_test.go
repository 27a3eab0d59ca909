package contract

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// parseAll feeds stream to a parser in chunks of size n and returns the
// dispatched events as "name|data".
func parseAll(t *testing.T, stream string, n int) ([]string, bool) {
	t.Helper()
	var got []string
	p := sseParser{onEvent: func(ev sseEvent) error {
		got = append(got, ev.name+"|"+string(ev.data))
		return nil
	}}
	for i := 0; i < len(stream); i += n {
		if err := p.feed([]byte(stream[i:min(i+n, len(stream))])); err != nil {
			t.Fatal(err)
		}
	}
	return got, p.unterminated()
}

func TestSSEParser(t *testing.T) {
	cases := []struct {
		name, stream string
		want         []string
		unterminated bool
	}{
		{"LF", "event: a\ndata: 1\n\ndata: 2\n\n", []string{"a|1", "|2"}, false},
		{"CRLF", "event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n", []string{"a|1", "|2"}, false},
		{"CR", "event: a\rdata: 1\r\rdata: 2\r\r", []string{"a|1", "|2"}, false},
		{"BOM", "\xEF\xBB\xBFdata: 1\n\n", []string{"|1"}, false},
		{"comments", ": ping\n\n: x\ndata: 1\n: y\n\n", []string{"|1"}, false},
		{"multi-line data", "data: a\ndata:b\ndata\n\n", []string{"|a\nb\n"}, false},
		{"no space after colon", "data:{\"x\":1}\n\n", []string{`|{"x":1}`}, false},
		{"only the first space is removed", "data:  x\n\n", []string{"| x"}, false},
		{"unknown fields, id and retry", "id: 1\nretry: 10\nfoo: bar\ndata: x\n\n", []string{"|x"}, false},
		{"no data, no event", "event: a\n\nid: 2\n\n", nil, false},
		{"event name resets", "event: a\ndata: 1\n\ndata: 2\n\n", []string{"a|1", "|2"}, false},
		{"cut off after data", "data: 1\n\ndata: 2\n", []string{"|1"}, true},
		{"cut off inside data", "data: 1\n\ndata: {\"a", []string{"|1"}, true},
		{"trailing comment", "data: 1\n\n: bye", []string{"|1"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, n := range []int{1, 2, 3, 7, len(c.stream)} {
				got, unterminated := parseAll(t, c.stream, n)
				if !reflect.DeepEqual(got, c.want) || unterminated != c.unterminated {
					t.Fatalf("chunks of %d: got %q (unterminated %v), want %q (%v)", n, got, unterminated, c.want, c.unterminated)
				}
			}
		})
	}
}

func TestValidateResponseStream(t *testing.T) {
	v := newValidator(t)
	gen := jsonRequest(t, genURL, `{"prompt":"x","stream":true}`)
	edit := jsonRequest(t, editURL, `{"prompt":"x","images":[{"file_id":"f"}],"stream":true}`)

	good := map[string]struct {
		req    string
		stream string
	}{
		"generation":           {genURL, sse(genPartial, genPartial, genCompleted)},
		"edit":                 {editURL, sse(editPartial, editCompleted)},
		"crlf, comments":       {genURL, ": keep-alive\r\n\r\n" + strings.ReplaceAll(sse(genPartial, genCompleted), "\n", "\r\n")},
		"no event names":       {genURL, "data: " + genPartial + "\n\ndata: " + genCompleted + "\n\n"},
		"error event":          {genURL, sse(genPartial) + "event: error\ndata: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}\n\n"},
		"error data":           {genURL, sse(genPartial) + "data: {\"type\":\"error\",\"error\":{\"message\":\"boom\"}}\n\n"},
		"done marker":          {genURL, sse(genCompleted) + "data: [DONE]\n\n"},
		"empty stream":         {genURL, ""},
		"multi-line data JSON": {genURL, "data: {\"type\":\"image_generation.partial_image\",\ndata: \"b64_json\":\"A\",\"created_at\":1,\"size\":\"auto\",\"quality\":\"low\",\"background\":\"auto\",\"output_format\":\"png\",\"partial_image_index\":1}\n\n"},
	}
	for name, c := range good {
		t.Run(name, func(t *testing.T) {
			req := gen
			if c.req == editURL {
				req = edit
			}
			resp := response(200, "text/event-stream", c.stream)
			noError(t, v.ValidateResponse(req, resp))
			got, _ := io.ReadAll(resp.Body)
			if string(got) != c.stream {
				t.Fatal("stream not restored")
			}
		})
	}

	bad := []struct {
		name   string
		req    string
		stream string
		event  int
		field  string
	}{
		{"missing partial_image_index", genURL, sse(genPartial, genPartialNoIndex, genCompleted), 2, "partial_image_index"},
		{"unknown type", genURL, sse(genPartial, `{"type":"image_generation.bogus"}`), 2, "type"},
		{"no type", genURL, "data: {\"b64_json\":\"A\"}\n\n", 1, "type"},
		{"edit event in a generation stream", genURL, sse(editPartial), 1, "type"},
		{"generation event in an edit stream", editURL, sse(genCompleted), 1, "type"},
		{"quality not in enum", genURL, sse(strings.Replace(genCompleted, `"quality":"high"`, `"quality":"not-a-quality"`, 1)), 1, "quality"},
		{"usage incomplete", editURL, sse(strings.Replace(editCompleted, `,"input_tokens_details":{"text_tokens":10,"image_tokens":40}`, "", 1)), 1, "usage.input_tokens_details"},
		{"created_at a string", genURL, sse(strings.Replace(genPartial, `"created_at":1700000000`, `"created_at":"now"`, 1)), 1, "created_at"},
		{"not JSON", genURL, "data: {oops\n\n", 1, ""},
		{"cut off", genURL, sse(genPartial) + "data: " + genCompleted + "\n", 2, ""},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			req := gen
			if c.req == editURL {
				req = edit
			}
			e := wantViolation(t, v.ValidateResponse(req, response(200, "text/event-stream", c.stream)), InEvent, c.field)
			if e.Event != c.event || e.Op != "response" {
				t.Fatalf("got event %d op %q (%v), want event %d", e.Event, e.Op, e, c.event)
			}
		})
	}
}

func TestEventErrorMessage(t *testing.T) {
	v := newValidator(t)
	err := v.ValidateResponse(jsonRequest(t, genURL, ""), response(200, "text/event-stream", sse(genPartialNoIndex)))
	const want = `response createImage: event 1 field "partial_image_index": property "partial_image_index" is missing`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

// TestSSEBodyHoldsBack checks the RoundTripper's body: a violating event is
// reported before the caller gets any of its bytes, and the events before it
// are delivered whole.
func TestSSEBodyHoldsBack(t *testing.T) {
	v := newValidator(t)
	good := sse(genPartial) + ": keep-alive\n\n"
	stream := good + sse(genPartialNoIndex, genCompleted)
	for _, n := range []int{1, 5, 64, len(stream)} {
		body := newSSEBody(io.NopCloser(&chunked{s: stream, n: n}), v.newStreamValidator("createImage", eventSchemaOf(t, v, "/images/generations")))
		got, err := io.ReadAll(body)
		var e *Error
		if !errors.As(err, &e) || e.Event != 2 || e.Field != "partial_image_index" {
			t.Fatalf("chunks of %d: err = %v", n, err)
		}
		if string(got) != good {
			t.Fatalf("chunks of %d: delivered %q, want %q", n, got, good)
		}
	}
	// A good stream is delivered whole, then io.EOF.
	stream = sse(genPartial, genCompleted) + ": bye"
	body := newSSEBody(io.NopCloser(&chunked{s: stream, n: 3}), v.newStreamValidator("createImage", eventSchemaOf(t, v, "/images/generations")))
	got, err := io.ReadAll(body)
	if err != nil || string(got) != stream {
		t.Fatalf("got %q, %v", got, err)
	}
}

func eventSchemaOf(t *testing.T, v *Validator, path string) *openapi3.Schema {
	t.Helper()
	return eventSchema(v.doc.Paths.Value(path).Post.Responses.Status(200).Value.Content.Get("text/event-stream"))
}

// chunked reads s n bytes at a time.
type chunked struct {
	s string
	n int
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	n := copy(p, c.s[:min(c.n, len(c.s))])
	c.s = c.s[n:]
	return n, nil
}
