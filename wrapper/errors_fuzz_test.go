package wrapper

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// jsonString is what s becomes after a trip through JSON (invalid UTF-8
// turns into U+FFFD).
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	var out string
	json.Unmarshal(b, &out)
	return out
}

// FuzzParseErrorBody feeds parseErrorBody arbitrary bodies, and bodies
// built in each error shape servers send from arbitrary fields: it never
// panics, is deterministic, returns valid UTF-8 no longer than the body
// allows, and gets the fields of every well-formed shape back exactly.
func FuzzParseErrorBody(f *testing.F) {
	for _, body := range []string{
		`{"error":{"message":"Invalid size","type":"invalid_request_error","param":"size","code":"invalid_value"}}`,
		`{"error":"text of the error"}`,
		`{"message":"bare","code":42,"type":true}`,
		`{"error":null,"message":"m"}`,
		`{"error":{"code":1e999}}`,
		`{"error":[1,2]}`,
		`<html><body>502</body></html>`,
		`{{{`,
		``,
		`"just a string"`,
		`{"error":{"message":{"nested":"object"},"code":null,"param":["a"]}}`,
		"{\"error\":\"\xff\xfe\"}",
		`{"error":{"message":"\ud800"}}`,
	} {
		f.Add([]byte(body), "invalid_request_error", "invalid_value", "size", "Invalid size", uint8(0))
	}
	f.Add([]byte{}, "", "", "", "", uint8(1))
	f.Add([]byte{}, "t\x00", "c\"", "p\\", "m\xff\n", uint8(2))

	f.Fuzz(func(t *testing.T, body []byte, typ, code, param, msg string, shape uint8) {
		check := func(body []byte) (string, string, string, string) {
			a, b, c, d := parseErrorBody(body)
			a2, b2, c2, d2 := parseErrorBody(body)
			if a != a2 || b != b2 || c != c2 || d != d2 {
				t.Fatalf("parseErrorBody(%q) is not deterministic", body)
			}
			for _, s := range []string{a, b, c, d} {
				if !utf8.ValidString(s) {
					t.Errorf("parseErrorBody(%q) returned invalid UTF-8 %q", body, s)
				}
				// JSON unescaping at most triples a byte (an invalid byte
				// becomes U+FFFD); numbers may be re-rendered longer
				// ("1E5" is "100000").
				if len(s) > 3*len(body)+24 {
					t.Errorf("parseErrorBody(%d bytes) returned %d bytes", len(body), len(s))
				}
			}
			return a, b, c, d
		}
		check(body)

		var built []byte
		var want [4]string
		switch shape % 3 {
		case 0:
			built, _ = json.Marshal(map[string]any{"error": map[string]string{"type": typ, "code": code, "param": param, "message": msg}})
			want = [4]string{jsonString(typ), jsonString(code), jsonString(param), jsonString(msg)}
		case 1:
			built, _ = json.Marshal(map[string]any{"error": msg})
			want = [4]string{"", "", "", jsonString(msg)}
		case 2:
			built, _ = json.Marshal(map[string]string{"type": typ, "code": code, "param": param, "message": msg})
			want = [4]string{jsonString(typ), jsonString(code), jsonString(param), jsonString(msg)}
		}
		a, b, c, d := check(built)
		if got := [4]string{a, b, c, d}; got != want {
			t.Errorf("parseErrorBody(%s) = %q, want %q", built, got, want)
		}
	})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// plantedSecret stands for a credential in a response header; headers are
// never printed by Error().
const plantedSecret = "sk-planted-7d41e0c2b9-HEADER-SECRET"

// FuzzAPIError builds an error from an arbitrary status, body (optionally
// grown past the cap) and headers: it never panics, reads at most
// maxErrorBody bytes and keeps exactly those, keeps the status and request
// id, makes Message valid UTF-8 (a short single line when it is a snippet
// of a non-JSON body), and never prints a header other than x-request-id:
// a secret planted in Authorization, Set-Cookie, X-Api-Key and a fuzzed
// header does not appear in Error().
func FuzzAPIError(f *testing.F) {
	f.Add(400, []byte(`{"error":{"message":"Invalid size","type":"invalid_request_error","param":"size","code":"invalid_value"}}`), "X-Echo", "v", "req_1", uint32(0))
	f.Add(502, []byte("<html>\n<body>\t502 Bad Gateway</body>\r\n</html>"), "Server", "nginx", "", uint32(300_000))
	f.Add(429, []byte(`{"error":"slow down"}`), "Retry-After", "2", "req_\xff", uint32(0))
	f.Add(0, []byte{}, "", "", "", uint32(0))
	f.Add(-1, []byte("\xff\xfe\xfd"), "x-request-id", plantedSecret, "r", uint32(70_000))
	f.Add(999, []byte(`{"message":"`+strings.Repeat("é", 300)), "Authorization", "Bearer x", "r", uint32(1))
	f.Add(500, []byte(strings.Repeat("  \u00a0\u2028word", 100)), "K", "V", "id", uint32(65_536))

	f.Fuzz(func(t *testing.T, status int, body []byte, headerName, headerValue, requestID string, pad uint32) {
		full := append(append([]byte(nil), body...), bytes.Repeat([]byte("x"), int(pad%(200<<10)))...)
		h := http.Header{}
		h.Add(headerName, headerValue)
		h.Add(headerName, plantedSecret)
		h.Set("Authorization", "Bearer "+plantedSecret)
		h.Set("Set-Cookie", "session="+plantedSecret)
		h.Set("X-Api-Key", plantedSecret)
		h.Set("x-request-id", requestID)
		cr := &countingReader{r: bytes.NewReader(full)}
		resp := &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(cr)}

		e := newAPIError("createImage", resp)
		msg := e.Error()

		if cr.n > maxErrorBody {
			t.Errorf("read %d bytes of the body, cap %d", cr.n, maxErrorBody)
		}
		if want := full[:min(len(full), maxErrorBody)]; !bytes.Equal(e.Body, want) {
			t.Errorf("Body holds %d bytes, want the first %d", len(e.Body), len(want))
		}
		if e.StatusCode != status || e.RequestID != requestID || e.Operation != "createImage" {
			t.Errorf("status %d, request id %q, operation %q", e.StatusCode, e.RequestID, e.Operation)
		}
		if !strings.Contains(msg, strconv.Itoa(status)) {
			t.Errorf("Error() = %q lacks the status", msg)
		}
		if !utf8.ValidString(e.Message) {
			t.Errorf("Message is not valid UTF-8: %q", e.Message)
		}
		typ, code, _, parsed := parseErrorBody(e.Body)
		if parsed == "" && typ == "" && code == "" {
			// The message is a snippet of the body.
			if n := utf8.RuneCountInString(e.Message); n > 201 {
				t.Errorf("snippet of %d characters", n)
			}
			if strings.ContainsAny(e.Message, "\r\n\t\v\f") || strings.Contains(e.Message, "  ") || strings.TrimSpace(e.Message) != e.Message {
				t.Errorf("snippet is not one trimmed line: %q", e.Message)
			}
		} else if e.Message != parsed {
			t.Errorf("Message = %q, body says %q", e.Message, parsed)
		}
		if len(e.Message) > 3*len(e.Body)+24 {
			t.Errorf("Message of %d bytes from a %d-byte body", len(e.Message), len(e.Body))
		}
		fromBody := e.Type + "\x00" + e.Code + "\x00" + e.Param + "\x00" + e.Message + "\x00" + e.RequestID
		if !strings.Contains(fromBody, plantedSecret) && strings.Contains(msg, plantedSecret) {
			t.Errorf("Error() prints a header: %q", msg)
		}
		// Header is a copy: later changes to the response do not reach it.
		resp.Header.Set("X-Api-Key", "changed")
		if e.Header.Get("X-Api-Key") != plantedSecret {
			t.Errorf("Header shares the response's map")
		}
	})
}

// FuzzDecodeStreamEvent feeds decodeStreamEvent arbitrary event types and
// data: it never panics, returns exactly one of an event or an error, and
// the error is a *StreamError or an *EventDecodeError; an "error" event is
// never an image; events are well formed and deterministic; and nothing
// returned aliases the data buffer, which the stream reuses for the next
// event.
func FuzzDecodeStreamEvent(f *testing.F) {
	for _, tc := range []struct{ typ, data string }{
		{"image_generation.partial_image", `{"type":"image_generation.partial_image","b64_json":"aGk=","created_at":1700000000,"size":"1024x1024","quality":"low","background":"opaque","output_format":"png","partial_image_index":0}`},
		{"", `{"type":"image_edit.completed","b64_json":"aGk=","created_at":1,"size":"auto","quality":"auto","background":"auto","output_format":"png","usage":{"input_tokens":1,"input_tokens_details":{"image_tokens":0,"text_tokens":1},"output_tokens":2,"total_tokens":3}}`},
		{"", `{"error":{"message":"refused","type":"image_generation_user_error","code":"moderation_blocked"}}`},
		{"error", `{"type":"error","code":"server_error","message":"boom","param":null}`},
		{"error", `not json`},
		{"", `{"type":"error"}`},
		{"image_generation.completed", `{"type": "image_generation.completed", "b64_json": `},
		{"image_generation.partial_image", `{"type":"image_generation.partial_image","b64_json":42}`},
		{"image_generation.sparkles", `{"type":"image_generation.sparkles","n":3}`},
		{"", `{}`},
		{"", `null`},
		{"", `[]`},
		{"x", `{"type":"image_generation.completed","usage":null,"created_at":-1e300}`},
		{"", `{"error":null,"type":"image_edit.partial_image","partial_image_index":1e10}`},
		{"", "{\"type\":\"\xff\"}"},
	} {
		f.Add(tc.typ, []byte(tc.data))
	}

	f.Fuzz(func(t *testing.T, sseType string, data []byte) {
		orig := append([]byte(nil), data...)
		decode := func(data []byte) (StreamEvent, error) {
			doc := feedDoc(t, imageEventPaths, nil, data)
			return decodeStreamEvent(sseType, doc)
		}
		ev, err := decode(data)
		ev2, err2 := decode(append([]byte(nil), data...))
		if (ev == nil) == (err == nil) {
			t.Fatalf("decodeStreamEvent(%q, %q) = %v, %v: want exactly one of event and error", sseType, data, ev, err)
		}
		if !reflect.DeepEqual(ev, ev2) || !reflect.DeepEqual(err, err2) {
			t.Fatalf("decodeStreamEvent(%q, %q) is not deterministic", sseType, data)
		}
		// The stream reuses its data buffer: nothing returned may see
		// what is written there next.
		for i := range data {
			data[i] = 'Z'
		}
		switch err := err.(type) {
		case nil:
		case *StreamError:
			_ = err.Error()
			if !bytes.Equal(err.Raw, orig) {
				t.Errorf("StreamError.Raw = %q, want the event's data %q (aliased?)", err.Raw, orig)
			}
			for _, s := range []string{err.Type, err.Code, err.Param, err.Message} {
				if !utf8.ValidString(s) {
					t.Errorf("StreamError field %q is not valid UTF-8", s)
				}
			}
		case *EventDecodeError:
			_ = err.Error()
			if err.Err == nil || err.EventType == "" {
				t.Errorf("EventDecodeError = %#v", err)
			}
			// An "error" event whose data is an object with a string (or
			// no) type is a StreamError, not a decode error.
			var head struct {
				Type json.RawMessage `json:"type"`
			}
			if sseType == "error" && json.Unmarshal(orig, &head) == nil && bytes.HasPrefix(bytes.TrimSpace(orig), []byte("{")) &&
				(len(head.Type) == 0 || string(head.Type) == "null" || head.Type[0] == '"') {
				t.Errorf("error event %q is a decode error: %v", orig, err)
			}
		default:
			t.Fatalf("error of type %T: %v", err, err)
		}
		if sseType == "error" && err == nil {
			t.Fatalf("an \"error\" event decoded as %T", ev)
		}
		switch ev := ev.(type) {
		case nil:
		case *PartialImageEvent:
			if ev.Type != "image_generation.partial_image" && ev.Type != "image_edit.partial_image" || ev.EventType() != ev.Type {
				t.Errorf("partial image event of type %q", ev.Type)
			}
		case *CompletedEvent:
			if ev.Type != "image_generation.completed" && ev.Type != "image_edit.completed" || ev.EventType() != ev.Type || ev.Usage == nil {
				t.Errorf("completed event of type %q, usage %v", ev.Type, ev.Usage)
			}
		case *UnknownEvent:
			if !bytes.Equal(ev.Raw, orig) {
				t.Errorf("UnknownEvent.Raw = %q, want the event's data %q (aliased?)", ev.Raw, orig)
			}
			switch ev.Type {
			case "error", "image_generation.partial_image", "image_edit.partial_image", "image_generation.completed", "image_edit.completed":
				t.Errorf("a known type %q decoded as UnknownEvent", ev.Type)
			}
		default:
			t.Fatalf("event of type %T", ev)
		}
	})
}
