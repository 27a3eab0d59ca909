package wrapper

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/imagegen-go/openai-images/gen"
	"github.com/imagegen-go/openai-images/wrapper/internal/imagejson"
)

// The decoders of image responses read them through internal/imagejson as
// they arrive. These fuzz targets hold them to the decoders they replaced
// (legacy_decode_test.go): for any event data or body, split into reads
// anywhere, the same typed result or the same error (type, message, json
// offsets, and the fields of the wrapper's error types), and the same image
// bytes or the same base64 error, whether the images are kept as text or
// written to files.

// feedDoc runs data through a new document of paths, written in pieces cut
// at cuts, as a stream or a body reader would.
func feedDoc(t *testing.T, paths []imagejson.Path, files *imageFiles, data []byte, cuts ...int) *imageDoc {
	t.Helper()
	doc := newImageDoc(paths)
	doc.reset(files)
	last := 0
	for _, c := range cuts {
		if c < 0 {
			c = -c
		}
		c = last + c%(len(data)-last+1)
		if _, err := doc.Write(data[last:c]); err != nil {
			t.Fatalf("Write: %v", err)
		}
		last = c
	}
	if _, err := doc.Write(data[last:]); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := doc.finish(); err != nil {
		t.Fatalf("finish: %v", err)
	}
	return doc
}

// sameErr reports whether two errors are the same to a caller: both nil,
// or of the same type with the same message, the same offsets in json's
// errors, and the same fields in the wrapper's.
func sameErr(a, b error, compareRaw bool) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if reflect.TypeOf(a) != reflect.TypeOf(b) || a.Error() != b.Error() {
		return false
	}
	switch a := a.(type) {
	case *json.SyntaxError:
		return a.Offset == b.(*json.SyntaxError).Offset
	case *json.UnmarshalTypeError:
		b := b.(*json.UnmarshalTypeError)
		return a.Offset == b.Offset && a.Field == b.Field && a.Value == b.Value && a.Struct == b.Struct
	case *EventDecodeError:
		b := b.(*EventDecodeError)
		return a.EventType == b.EventType && sameErr(a.Err, b.Err, compareRaw)
	case *StreamError:
		b := b.(*StreamError)
		return a.Type == b.Type && a.Code == b.Code && a.Param == b.Param && a.Message == b.Message &&
			(!compareRaw || bytes.Equal(a.Raw, b.Raw))
	case *APIError:
		b := b.(*APIError)
		return a.StatusCode == b.StatusCode && a.Message == b.Message && a.RequestID == b.RequestID
	case *OperationError:
		return a.Operation == b.(*OperationError).Operation && sameErr(a.Err, b.(*OperationError).Err, compareRaw)
	case base64.CorruptInputError:
		return true
	}
	if ua, ub := errors.Unwrap(a), errors.Unwrap(b); ua != nil || ub != nil {
		return sameErr(ua, ub, compareRaw)
	}
	return true
}

// eventImage returns an event's image fields.
func eventImage(ev StreamEvent) (b64, path string, ok bool) {
	switch ev := ev.(type) {
	case *PartialImageEvent:
		return ev.B64JSON, ev.Path, true
	case *CompletedEvent:
		return ev.B64JSON, ev.Path, true
	}
	return "", "", false
}

// withoutImage returns a copy of an image event with its image fields
// cleared, to compare the rest.
func withoutImage(ev StreamEvent) StreamEvent {
	switch ev := ev.(type) {
	case *PartialImageEvent:
		c := *ev
		c.B64JSON, c.Path = "", ""
		return &c
	case *CompletedEvent:
		c := *ev
		c.B64JSON, c.Path = "", ""
		return &c
	case *TurnCompletedEvent:
		c, turn := *ev, *ev.Turn
		turn.Images = append([]TurnImage(nil), turn.Images...)
		for i := range turn.Images {
			turn.Images[i].B64JSON, turn.Images[i].Path = "", ""
		}
		c.Turn = &turn
		return &c
	}
	return ev
}

// checkDir checks that dir holds exactly the files named (and no
// temporary file), and removes them.
func checkDir(t *testing.T, dir string, want []string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, filepath.Join(dir, e.Name()))
	}
	if len(names) != len(want) {
		t.Fatalf("files in the directory: %q, want %q", names, want)
	}
	for _, n := range names {
		os.Remove(n)
	}
}

// legacyContent is what Content gave for base64 data before: the image
// decoded by base64.DecodeString, then checked against its declared format.
func legacyContent(b64 string, format OutputFormat) ([]byte, error) {
	b, err := legacyDecodeB64(b64)
	return checkedImage(b, err, format)
}

// eventFormat is the output format an image event declares.
func eventFormat(ev StreamEvent) OutputFormat {
	switch ev := ev.(type) {
	case *PartialImageEvent:
		return ev.OutputFormat
	case *CompletedEvent:
		return ev.OutputFormat
	}
	return ""
}

// checkImage checks a saved image file against the legacy decoding of b64.
func checkImage(t *testing.T, path, b64 string) {
	t.Helper()
	want, err := legacyDecodeB64(b64)
	if err != nil {
		t.Fatalf("saved %s, but the base64 is invalid: %v", path, err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("file %s holds %q, %v; want %q", path, got, err, want)
	}
}

// checkEventParity compares a new event decoder with its legacy one on one
// event, as text and into files.
func checkEventParity(t *testing.T, paths []imagejson.Path, legacy func(string, []byte) (StreamEvent, error),
	newDecode func(string, *imageDoc) (StreamEvent, error), sseType string, data []byte, cut int) {
	t.Helper()
	want, wantErr := legacy(sseType, append([]byte(nil), data...))

	// Text: exactly the same result.
	doc := feedDoc(t, paths, nil, data, cut)
	if doc.blank() {
		b := bytes.TrimSpace(data)
		if len(b) != 0 && string(b) != "[DONE]" {
			t.Fatalf("%q taken for a blank event", data)
		}
		return
	}
	got, gotErr := newDecode(sseType, doc)
	if !sameErr(wantErr, gotErr, true) {
		t.Fatalf("event %q %q:\nlegacy error %v (%T)\nnew error    %v (%T)", sseType, data, wantErr, wantErr, gotErr, gotErr)
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("event %q %q:\nlegacy %#v\nnew    %#v", sseType, data, want, got)
	}
	if b64, _, ok := eventImage(got); ok {
		wantB, wantErr := legacyContent(b64, eventFormat(got))
		gotB, gotErr := got.(interface{ Bytes() ([]byte, error) }).Bytes()
		if !sameErr(wantErr, gotErr, true) || !bytes.Equal(wantB, gotB) {
			t.Fatalf("Bytes of %q: legacy %q, %v; new %q, %v", b64, wantB, wantErr, gotB, gotErr)
		}
	}

	// Files: the same result with the image in a file, or the error its
	// Content gives.
	dir := t.TempDir()
	files := &imageFiles{dir: dir, name: func(f ImageFile) string {
		return fmt.Sprintf("img-%d-%v-%d%s", f.Index, f.Partial, f.PartialIndex, f.Ext)
	}}
	doc = feedDoc(t, paths, files, data, cut)
	got, gotErr = newDecode(sseType, doc)
	doc.abort()
	var saved []string
	switch {
	case wantErr != nil:
		if !sameErr(wantErr, gotErr, doc.sc.Images() == 0) {
			t.Fatalf("event %q %q into files:\nlegacy error %v\nnew error    %v", sseType, data, wantErr, gotErr)
		}
	case gotErr != nil:
		// Only an image that Content would refuse fails the event: the
		// first such image's error.
		var bytesErr error
		if b64, _, ok := eventImage(want); ok {
			_, bytesErr = legacyContent(b64, eventFormat(want))
		}
		for _, ti := range turnImages(want) {
			if _, err := legacyContent(ti.B64JSON, ""); err != nil && bytesErr == nil && ti.B64JSON != "" {
				bytesErr = err
			}
		}
		if !sameErr(bytesErr, gotErr, true) {
			t.Fatalf("event %q %q into files: %v, but Bytes gives %v", sseType, data, gotErr, bytesErr)
		}
	default:
		if reflect.TypeOf(got) != reflect.TypeOf(want) {
			t.Fatalf("event %q %q into files: %T, want %T", sseType, data, got, want)
		}
		if u, ok := got.(*UnknownEvent); ok {
			if u.Type != want.(*UnknownEvent).Type || doc.sc.Images() == 0 && !bytes.Equal(u.Raw, want.(*UnknownEvent).Raw) {
				t.Fatalf("unknown event into files: %+v, want %+v", u, want)
			}
			break
		}
		if !reflect.DeepEqual(withoutImage(want), withoutImage(got)) {
			t.Fatalf("event %q %q into files:\nlegacy %#v\nnew    %#v", sseType, data, want, got)
		}
		if b64, path, ok := eventImage(got); ok {
			wantB64, _, _ := eventImage(want)
			if b64 != "" || (path == "") != (wantB64 == "") {
				t.Fatalf("event into files: B64JSON %q, Path %q (legacy b64 %q)", b64, path, wantB64)
			}
			if path != "" {
				checkImage(t, path, wantB64)
				saved = append(saved, path)
			}
		}
		wantTurn, gotTurn := turnImages(want), turnImages(got)
		for i := range gotTurn {
			if wantTurn[i].B64JSON != "" {
				checkImage(t, gotTurn[i].Path, wantTurn[i].B64JSON)
				saved = append(saved, gotTurn[i].Path)
			}
		}
	}
	checkDir(t, dir, saved)
}

func turnImages(ev StreamEvent) []TurnImage {
	if tc, ok := ev.(*TurnCompletedEvent); ok {
		return tc.Turn.Images
	}
	return nil
}

// eventSeeds are image stream events: real ones and their faults.
var eventSeeds = []struct{ typ, data string }{
	{"image_generation.partial_image", `{"type":"image_generation.partial_image","b64_json":"iVBORw0KGgo=","created_at":1700000000,"size":"1024x1024","quality":"low","background":"opaque","output_format":"png","partial_image_index":0}`},
	{"", `{"type":"image_edit.completed","b64_json":"iVBORw0KGgo=","created_at":1,"size":"auto","quality":"auto","background":"auto","output_format":"png","usage":{"input_tokens":1,"input_tokens_details":{"image_tokens":0,"text_tokens":1},"output_tokens":2,"total_tokens":3}}`},
	{"image_generation.completed", `{"b64_json":"iVBORw0KGgo=","created_at":1,"type":"image_generation.completed"}`},
	{"image_generation.completed", `{"type":"image_generation.completed","b64_json":"iVBO\/w0KGgo=\n"}`},
	{"image_generation.completed", `{"type":"image_generation.completed","b64_json":"iVBORw0KGgo"}`},
	{"image_generation.completed", `{"type":"image_generation.completed","b64_json":"iVBORw0K!Ggo="}`},
	{"image_generation.completed", `{"type":"image_generation.completed","b64_json":"aGk=","b64_json":"iVBORw0KGgo="}`},
	{"image_generation.completed", `{"type":"image_generation.completed","B64_JSON":"aGk=","b64_json":"iVBORw0KGgo="}`},
	{"image_generation.completed", "{\"type\":\"image_generation.completed\",\"b64_json\":\"aG\x01k=\"}"},
	{"image_generation.completed", `{"type":"image_generation.completed","b64_json":"aGk=\u00e9"}`},
	{"", `{"error":{"message":"refused","type":"image_generation_user_error","code":"moderation_blocked"}}`},
	{"", `{"error":{"message":"refused"},"b64_json":"aGk="}`},
	{"error", `{"type":"error","code":"server_error","message":"boom","param":null}`},
	{"error", `not json`},
	{"", `{"type":"error"}`},
	{"image_generation.completed", `{"type": "image_generation.completed", "b64_json": `},
	{"image_generation.completed", `{"type": "image_generation.completed", "b64_json": "aGk`},
	{"image_generation.partial_image", `{"type":"image_generation.partial_image","b64_json":42}`},
	{"image_generation.partial_image", `{"type":"image_generation.partial_image","b64_json":"aGk=","partial_image_index":"x"}`},
	{"image_generation.sparkles", `{"type":"image_generation.sparkles","n":3,"b64_json":"aGk="}`},
	{"", `{}`}, {"", `null`}, {"", `[]`}, {"", ` [DONE] `}, {"", ""},
	{"x", `{"type":"image_generation.completed","usage":null,"created_at":-1e300}`},
	{"", `{"error":null,"type":"image_edit.partial_image","partial_image_index":1e10,"b64_json":""}`},
	{"", "{\"type\":\"\xff\"}"},
}

func FuzzImageEventParity(f *testing.F) {
	for _, tc := range eventSeeds {
		f.Add(tc.typ, []byte(tc.data), 17)
	}
	f.Fuzz(func(t *testing.T, sseType string, data []byte, cut int) {
		checkEventParity(t, imageEventPaths, legacyDecodeStreamEvent, decodeStreamEvent, sseType, data, cut)
	})
}

// sessionSeeds are Responses API stream events.
var sessionSeeds = []struct{ typ, data string }{
	{"", `{"type":"response.image_generation_call.partial_image","item_id":"ig_1","output_index":0,"sequence_number":3,"partial_image_index":0,"partial_image_b64":"iVBORw0KGgo=","size":"1024x1024","quality":"low","background":"opaque","output_format":"png"}`},
	{"", `{"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[{"type":"message"},{"type":"image_generation_call","id":"ig_1","status":"completed","result":"iVBORw0KGgo=","revised_prompt":"a cat"}]}}`},
	{"", `{"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[{"type":"image_generation_call","id":"ig_1","status":"completed","result":"iVBORw0KGgo="},{"type":"image_generation_call","id":"ig_2","status":"completed","result":"aGk="}]}}`},
	{"", `{"type":"response.completed","response":{"id":"resp_1","output":[{"type":"image_generation_call","id":"ig_1","status":"failed","result":"aGk="}]}}`},
	{"", `{"type":"response.completed","response":{"id":"resp_1","output":[{"type":"image_generation_call","id":7,"status":"completed","result":"aGk="}]}}`},
	{"", `{"type":"response.completed","response":{"id":"","output":[]}}`},
	{"", `{"type":"response.failed","response":{"id":"resp_1","status":"failed","error":{"code":"server_error","message":"x"}}}`},
	{"", `{"type":"response.incomplete","response":{"id":"resp_1","output":[{"type":"image_generation_call","result":"aGk="}]}}`},
	{"", `{"type":"response.output_item.done","item":{"type":"image_generation_call","result":"aGk="}}`},
	{"", `{"type":"error","code":"x","message":"y"}`},
	{"", `{"type":"response.in_progress","error":{"message":"odd"}}`},
	{"", `{"type":"response.completed","response":"x"}`},
	{"", `{"type":"response.completed","response":{"id":"r","output":[{"type":"image_generation_call","result":"aG!k="}]}}`},
	{"", `{"type":"response.image_generation_call.partial_image","partial_image_b64":"aGk","partial_image_index":1}`},
	{"", `not json`},
}

func FuzzSessionEventParity(f *testing.F) {
	for _, tc := range sessionSeeds {
		f.Add(tc.typ, []byte(tc.data), 23)
	}
	f.Fuzz(func(t *testing.T, sseType string, data []byte, cut int) {
		s := &EditSession{}
		checkEventParity(t, responseEventPaths, legacyDecodeSessionEvent, s.decodeEvent, sseType, data, cut)
	})
}

// response is an HTTP response with a body read in reads of at most n
// bytes.
func response(status int, contentType string, b []byte, n int) *http.Response {
	if n <= 0 {
		n = 1
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {contentType}, "X-Request-Id": {"req_1"}},
		Body: io.NopCloser(&smallReads{r: bytes.NewReader(b), n: n})}
}

type smallReads struct {
	r *bytes.Reader
	n int
}

func (s *smallReads) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }

var imagesSeeds = []string{
	`{"created":1,"data":[{"b64_json":"iVBORw0KGgo="},{"b64_json":"iVBORw0KGgo="}],"output_format":"png"}`,
	`{"created":1,"data":[{"b64_json":"iVBORw0KGgo="}],"output_format":"jpeg"}`,
	`{"created":1713833628,"data":[{"b64_json":"iVBORw0KGgo="}],"usage":{"input_tokens":50,"input_tokens_details":{"image_tokens":40,"text_tokens":10},"output_tokens":50,"total_tokens":100}}`,
	`{"created":1,"data":[{"b64_json":"iVBORw0KGgo=","revised_prompt":"p"},{"url":"https://example.com/x.png"},{"b64_json":"aGk="}],"background":"opaque","output_format":"png","quality":"high","size":"1024x1024"}`,
	`{"created":1,"data":[{"b64_json":"aGk"}]}`, `{"created":1,"data":[{"b64_json":"a\/k="}]}`, `{"created":1,"data":[{"b64_json":""}]}`,
	`{"created":1,"data":[{"b64_json":"aGk="}],"data":[{"revised_prompt":"x"}]}`,
	`{"created":"x","data":[{"b64_json":"aGk="}]}`, `{"created":1,"data":[{"b64_json":"aGk=`, `{"data":null}`, `null`, `x`,
	`{"created":1,"data":[{"b64_json":"aGk="}]} trailing`,
}

func FuzzImagesResponseParity(f *testing.F) {
	for _, s := range imagesSeeds {
		f.Add([]byte(s), 7)
	}
	c := &Client{cfg: &config{maxResponseSize: DefaultMaxResponseSize}}
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		n = 1 + abs(n)%4096
		for _, strict := range []bool{true, false} {
			var want *ImagesResponse
			var wantErr error
			if strict {
				want, wantErr = c.legacyParseImages("createImage", response(200, "application/json", b, n), nil)
			} else {
				// The JSON answer to a stream request was read with a
				// json.Decoder.
				want, wantErr = legacyImagesAsDecoder(c, b)
			}
			got, gotErr := c.parseImages("createImage", response(200, "application/json", b, n), nil, strict, "")
			if wantErr == nil && !holdsImage(want) {
				// The one change: entries none of which holds an image
				// are no images, as an empty data array was.
				want, wantErr = nil, &NoImagesError{Operation: "createImage", RequestID: want.RequestID}
			}
			if !sameErr(wantErr, gotErr, true) || !reflect.DeepEqual(want, got) {
				t.Fatalf("strict %v, body %q:\nlegacy %+v, %v\nnew    %+v, %v", strict, b, want, wantErr, got, gotErr)
			}
			if want == nil {
				continue
			}
			for _, img := range got.Data {
				if img.B64JSON == "" {
					continue
				}
				wantB, wantErr := legacyContent(img.B64JSON, img.format)
				gotB, gotErr := img.Bytes(context.Background())
				if !sameErr(wantErr, gotErr, true) || !bytes.Equal(wantB, gotB) {
					t.Fatalf("Bytes of %q: legacy %q, %v; new %q, %v", img.B64JSON, wantB, wantErr, gotB, gotErr)
				}
			}

			// Into files.
			dir := t.TempDir()
			files := &imageFiles{dir: dir, name: func(f ImageFile) string { return fmt.Sprintf("%d-of-%d%s", f.Index, f.Count, f.Ext) }}
			got, gotErr = c.parseImages("createImage", response(200, "application/json", b, n), files, strict, "")
			var firstBad error
			for _, img := range want.Data {
				if _, err := legacyContent(img.B64JSON, img.format); err != nil && img.B64JSON != "" && firstBad == nil {
					firstBad = err
				}
			}
			if firstBad != nil {
				if !sameErr(firstBad, gotErr, true) {
					t.Fatalf("body %q into files: %v, want Content's error %v", b, gotErr, firstBad)
				}
				checkDir(t, dir, nil)
				continue
			}
			if gotErr != nil {
				t.Fatalf("body %q into files: %v", b, gotErr)
			}
			var saved []string
			for i, img := range got.Data {
				w := want.Data[i]
				if w.B64JSON == "" {
					if img.Path != "" || img.B64JSON != "" {
						t.Fatalf("image %d without base64 saved: %+v", i, img)
					}
				} else {
					checkImage(t, img.Path, w.B64JSON)
					saved = append(saved, img.Path)
				}
				img.B64JSON, img.Path, w.B64JSON = "", "", ""
				if !reflect.DeepEqual(img, w) {
					t.Fatalf("image %d into files: %+v, want %+v", i, img, w)
				}
			}
			checkDir(t, dir, saved)
		}
	})
}

// legacyImagesAsDecoder is how imagesAsEvents read a JSON answer to a
// stream request: parseImages with json.NewDecoder(r.Body).Decode.
func legacyImagesAsDecoder(c *Client, b []byte) (*ImagesResponse, error) {
	return c.legacyParseImages("createImage", response(200, "application/json", b, len(b)+1), func(r *http.Response) (*gen.ImagesResponse, error) {
		var out gen.ImagesResponse
		if err := json.NewDecoder(r.Body).Decode(&out); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

var turnSeeds = []string{
	`{"id":"resp_1","output":[{"type":"image_generation_call","id":"ig_1","status":"completed","result":"iVBORw0KGgo="},{"type":"image_generation_call","id":"ig_2","result":"R0lGODlhAQABAAAAACw="}]}`,
	`{"id":"resp_1","status":"completed","output":[{"type":"message"},{"type":"image_generation_call","id":"ig_1","status":"completed","result":"iVBORw0KGgo=","revised_prompt":"a cat"}]}`,
	`{"id":"resp_1","output":[{"type":"image_generation_call","id":"ig_1","status":"failed","result":"aGk="}]}`,
	`{"id":"resp_1","output":[{"type":"image_generation_call","id":1,"result":"aGk="}]}`,
	`{"id":"resp_1","output":[{"type":"image_generation_call","result":"aG!k="}]} trailing`,
	`{"id":"","output":[]}`, `{"status":"failed","error":{"message":"x"}}`, `{"id":"r","output":[{"type":"image_generation_call","result":"aGk`,
}

func FuzzReadTurnParity(f *testing.F) {
	for _, s := range turnSeeds {
		f.Add([]byte(s), 5)
	}
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		n = 1 + abs(n)%4096
		want, wantErr := legacyReadTurn(response(200, "application/json", b, n), DefaultMaxResponseSize)
		got, gotErr := readTurn(response(200, "application/json", b, n), DefaultMaxResponseSize, nil)
		if !sameErr(wantErr, gotErr, true) || !reflect.DeepEqual(want, got) {
			t.Fatalf("body %q:\nlegacy %+v, %v\nnew    %+v, %v", b, want, wantErr, got, gotErr)
		}
		if want == nil {
			return
		}
		dir := t.TempDir()
		got, gotErr = readTurn(response(200, "application/json", b, n), DefaultMaxResponseSize, &imageFiles{dir: dir, name: func(f ImageFile) string { return fmt.Sprint(f.Index, f.Ext) }})
		var firstBad error
		for _, img := range want.Images {
			if _, err := legacyContent(img.B64JSON, ""); err != nil && img.B64JSON != "" && firstBad == nil {
				firstBad = err
			}
		}
		if firstBad != nil {
			if !sameErr(firstBad, gotErr, true) {
				t.Fatalf("body %q into files: %v, want Content's error %v", b, gotErr, firstBad)
			}
			checkDir(t, dir, nil)
			return
		}
		if gotErr != nil {
			t.Fatalf("body %q into files: %v", b, gotErr)
		}
		var saved []string
		for i, img := range want.Images {
			if img.B64JSON != "" {
				checkImage(t, got.Images[i].Path, img.B64JSON)
				saved = append(saved, got.Images[i].Path)
			}
		}
		checkDir(t, dir, saved)
	})
}

// TestParitySeeds runs the seeds of the parity fuzz targets with every cut.
func TestParitySeeds(t *testing.T) {
	for _, tc := range eventSeeds {
		for cut := range len(tc.data) + 1 {
			checkEventParity(t, imageEventPaths, legacyDecodeStreamEvent, decodeStreamEvent, tc.typ, []byte(tc.data), cut)
		}
	}
	for _, tc := range sessionSeeds {
		for cut := range len(tc.data) + 1 {
			checkEventParity(t, responseEventPaths, legacyDecodeSessionEvent, (&EditSession{}).decodeEvent, tc.typ, []byte(tc.data), cut)
		}
	}
}

// holdsImage reports whether a (legacy-parsed) response has an entry with
// an image.
func holdsImage(r *ImagesResponse) bool {
	for _, d := range r.Data {
		if d.B64JSON != "" || d.URL != "" {
			return true
		}
	}
	return false
}
