package imagejson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// testPaths are the paths the tests scan for: those the wrapper uses, and
// a top-level array to exercise arrays at the top.
var testPaths = []Path{
	{"b64_json"},
	{"data", "[]", "b64_json"},
	{"response", "output", "[]", "result"},
	{"[]"},
}

// pieces splits b at the given cut points (taken modulo len(b)+1, sorted).
func pieces(b []byte, cuts ...int) [][]byte {
	if len(b) == 0 {
		return [][]byte{b}
	}
	var at []int
	for _, c := range cuts {
		if c < 0 {
			c = -c
		}
		at = append(at, c%(len(b)+1))
	}
	for i := range at {
		for j := i + 1; j < len(at); j++ {
			if at[j] < at[i] {
				at[i], at[j] = at[j], at[i]
			}
		}
	}
	var out [][]byte
	last := 0
	for _, a := range at {
		out = append(out, b[last:a])
		last = a
	}
	return append(out, b[last:])
}

// scanned is a document run through a scanner.
type scanned struct {
	sc    *Scanner
	sinks []Sink
}

func scan(t testing.TB, doc []byte, sink func() Sink, cuts ...int) scanned {
	t.Helper()
	sc := NewScanner(testPaths, "type")
	var out scanned
	out.sc = sc
	sc.Reset(func(int, []int) Sink {
		s := sink()
		out.sinks = append(out.sinks, s)
		return s
	})
	for _, p := range pieces(doc, cuts...) {
		if _, err := sc.Write(p); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if err := sc.Finish(); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	return out
}

// resolve replaces, in a value unmarshalled from a skeleton, every
// placeholder by its Text's value.
func resolve(sc *Scanner, v any) any {
	switch v := v.(type) {
	case string:
		if s, ok := sc.Sink(v); ok {
			return s.(*Text).String()
		}
		return v
	case []any:
		for i := range v {
			v[i] = resolve(sc, v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = resolve(sc, v[k])
		}
	}
	return v
}

// sameError reports whether two errors are the same: both nil, or of the
// same type with the same message (and offset, for json's errors).
func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if reflect.TypeOf(a) != reflect.TypeOf(b) || a.Error() != b.Error() {
		return false
	}
	var sa, sb *json.SyntaxError
	if errors.As(a, &sa) && errors.As(b, &sb) {
		return sa.Offset == sb.Offset
	}
	var ta, tb *json.UnmarshalTypeError
	if errors.As(a, &ta) && errors.As(b, &tb) {
		return ta.Offset == tb.Offset && ta.Field == tb.Field && ta.Value == tb.Value
	}
	return true
}

// typedDoc is a struct shaped like the wrapper's targets, with types that
// make json report type errors on some inputs.
type typedDoc struct {
	Type    string  `json:"type"`
	B64JSON *string `json:"b64_json"`
	Index   int     `json:"partial_image_index"`
	Data    []struct {
		B64JSON       *string `json:"b64_json"`
		RevisedPrompt string  `json:"revised_prompt"`
	} `json:"data"`
	Response struct {
		Output []struct {
			Type   string  `json:"type"`
			Result *string `json:"result"`
		} `json:"output"`
	} `json:"response"`
}

func (d *typedDoc) resolve(sc *Scanner) {
	r := func(p *string) {
		if p != nil {
			if s, ok := sc.Sink(*p); ok {
				*p = s.(*Text).String()
			}
		}
	}
	r(d.B64JSON)
	for i := range d.Data {
		r(d.Data[i].B64JSON)
	}
	for i := range d.Response.Output {
		r(d.Response.Output[i].Result)
	}
}

// checkDocument checks that scanning doc (split at cuts) and unmarshalling
// the skeleton gives what unmarshalling doc gives, into any and into a
// typed struct, and that Decoded sinks decode what base64 decodes.
func checkDocument(t *testing.T, doc []byte, cuts ...int) {
	t.Helper()
	text := scan(t, doc, func() Sink { return NewText() }, cuts...)

	var want, got any
	wantErr := json.Unmarshal(doc, &want)
	gotErr := text.sc.Unmarshal(&got)
	if !sameError(wantErr, gotErr) {
		t.Fatalf("document %q\nskeleton %q\njson error %v (%T)\nscanner error %v (%T)", doc, text.sc.Skeleton(), wantErr, wantErr, gotErr, gotErr)
	}
	if wantErr == nil {
		got = resolve(text.sc, got)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("document %q\nskeleton %q\njson:    %#v\nscanner: %#v", doc, text.sc.Skeleton(), want, got)
		}
		if orig := text.sc.Original(); !bytes.Equal(orig, doc) {
			t.Fatalf("document %q\nOriginal %q", doc, orig)
		}
		// Pieces of the skeleton are restored too.
		if sk := text.sc.Skeleton(); len(sk) > 2 {
			var pieces []json.RawMessage
			var obj map[string]json.RawMessage
			if json.Unmarshal(sk, &obj) == nil {
				for _, v := range obj {
					pieces = append(pieces, v)
				}
			}
			for _, p := range pieces {
				var a, b any
				json.Unmarshal(text.sc.Restore(p), &a)
				json.Unmarshal(p, &b)
				if !reflect.DeepEqual(a, resolve(text.sc, b)) {
					t.Fatalf("document %q: Restore(%q) = %q", doc, p, text.sc.Restore(p))
				}
			}
		}
	}

	for _, first := range []bool{false, true} {
		var wantT, gotT typedDoc
		if first {
			// The first value, as json.Decoder reads it.
			wantErr = json.NewDecoder(bytes.NewReader(doc)).Decode(&wantT)
			gotErr = text.sc.Decode(&gotT)
		} else {
			wantErr = json.Unmarshal(doc, &wantT)
			gotErr = text.sc.Unmarshal(&gotT)
		}
		if !sameError(wantErr, gotErr) {
			t.Fatalf("typed (Decode %v): document %q\nskeleton %q\njson error %v\nscanner error %v", first, doc, text.sc.Skeleton(), wantErr, gotErr)
		}
		gotT.resolve(text.sc)
		if !reflect.DeepEqual(wantT, gotT) {
			t.Fatalf("typed (Decode %v): document %q\njson:    %+v\nscanner: %+v", first, doc, wantT, gotT)
		}
	}

	// The same document through Decoded sinks: each string that ends
	// complete decodes as base64 decodes its value.
	var bufs []*bytes.Buffer
	dec := scan(t, doc, func() Sink {
		b := new(bytes.Buffer)
		bufs = append(bufs, b)
		return NewDecoded(b)
	}, cuts...)
	if len(dec.sinks) != len(text.sinks) {
		t.Fatalf("%d Decoded sinks, %d Text sinks", len(dec.sinks), len(text.sinks))
	}
	for k, s := range text.sinks {
		ts, ds := s.(*Text), dec.sinks[k].(*Decoded)
		if ts.complete != ds.complete {
			t.Fatalf("image %d: complete %v as Text, %v as Decoded", k, ts.complete, ds.complete)
		}
		if !ts.complete {
			continue
		}
		wantB, wantErr := base64.StdEncoding.DecodeString(ts.String())
		if !sameError(wantErr, ds.Err()) {
			t.Fatalf("image %d %q: base64 error %v, Decoded %v", k, ts.String(), wantErr, ds.Err())
		}
		if wantErr == nil && !bytes.Equal(wantB, bufs[k].Bytes()) {
			t.Fatalf("image %d %q: decoded %q, want %q", k, ts.String(), bufs[k].Bytes(), wantB)
		}
		if wantErr == nil && (ds.Written() != int64(len(wantB)) || !bytes.HasPrefix(wantB, ds.Head())) {
			t.Fatalf("image %d: Written %d, Head %q", k, ds.Written(), ds.Head())
		}
	}
}

// documents are the seeds: real shapes and their faults.
var documents = []string{
	`{"type":"image_generation.completed","b64_json":"iVBORw0KGgo=","created_at":1,"usage":{"input_tokens":1}}`,
	`{"created":1,"data":[{"b64_json":"QUJD"},{"b64_json":"REVG","revised_prompt":"x"}],"usage":{"total_tokens":3}}`,
	`{"type":"response.completed","response":{"id":"r","output":[{"type":"message"},{"type":"image_generation_call","result":"QUJD"}]}}`,
	`["QUJD", "REVG", {"b64_json": "x"}]`,
	// Escapes, line breaks and bytes beyond ASCII in the image.
	`{"b64_json":"QU\/J\u0044RE\nVG\r\n"}`,
	`{"b64_json":"QUJD\u00e9"}`,
	"{\"b64_json\":\"QUJD\xff\"}",
	`{"b64_json":"\ud83d\ude00"}`,
	`{"b64_json":"QQ=="}`, `{"b64_json":"QQ="}`, `{"b64_json":"QQ==QQ"}`, `{"b64_json":"QQ=\n="}`, `{"b64_json":"Q"}`,
	// Repeated and out of order members; other cases of the key.
	`{"b64_json":"QUJD","type":"x","b64_json":"REVG"}`,
	`{"data":[{"b64_json":"QUJD"}],"data":[{"revised_prompt":"p"}]}`,
	`{"B64_JSON":"QUJD","b64_json":"REVG"}`,
	`{"b64_json":"QUJD","B64_JSON":"REVG"}`,
	`{"b64\u005fjson":"QUJD"}`,
	// Not strings where strings go, and the wrong types elsewhere.
	`{"b64_json":123}`, `{"b64_json":null}`, `{"data":{"b64_json":"QUJD"}}`, `{"data":[{"b64_json":["QUJD"]}]}`,
	`{"partial_image_index":"QUJD","b64_json":"QUJD"}`, `{"b64_json":"QUJD","partial_image_index":1.5}`,
	// Faults inside and outside the image.
	"{\"b64_json\":\"QU\x01JD\"}", `{"b64_json":"QU\qJD"}`, `{"b64_json":"QU\u12x4"}`, `{"b64_json":"QUJD`,
	`{"b64_json":"QUJD\`, `{"b64_json":"QUJD\u00`, `{"b64_json" "QUJD"}`, `{"a":1 "b64_json":"QUJD"}`,
	`{"b64_json":"QUJD"} x`, `{"b64_json":"QUJD",}`, `{"b64_json":"QUJD"`, `{"x":"\q","b64_json":"QUJD"}`,
	`{"b64_json":"QUJD","x":"` + "\x01" + `"}`, `[[[[`, `]`, ``, ` `, `"QUJD"`, `{"b64_json":"\"QUJD\""}`,
}

func TestScannerMatchesJSON(t *testing.T) {
	for _, doc := range documents {
		for _, cuts := range [][]int{nil, {1}, {5, 13}, {14, 15, 16, 17, 18, 19, 20}} {
			checkDocument(t, []byte(doc), cuts...)
		}
		// Every single cut point.
		for c := range len(doc) + 1 {
			checkDocument(t, []byte(doc), c)
		}
	}
}

func FuzzScanner(f *testing.F) {
	for _, doc := range documents {
		f.Add([]byte(doc), 7, 23)
	}
	f.Fuzz(func(t *testing.T, doc []byte, cut1, cut2 int) {
		checkDocument(t, doc, cut1, cut2)
	})
}

// TestLargeImage scans a document with a large image, in reads of an odd
// size, and checks the bytes and the placeholder.
func TestLargeImage(t *testing.T) {
	img := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), 100_000)
	b64 := base64.StdEncoding.EncodeToString(img)
	doc := []byte(`{"created":1,"data":[{"revised_prompt":"a \"cat\"","b64_json":"` + b64 + `"}],"usage":{"total_tokens":2}}`)
	var cuts []int
	for c := 0; c < len(doc); c += 65_537 {
		cuts = append(cuts, c)
	}
	checkDocument(t, doc, cuts...)

	var out bytes.Buffer
	sc := NewScanner(testPaths)
	sc.Reset(func(path int, index []int) Sink {
		if path != 1 || !reflect.DeepEqual(index, []int{0}) {
			t.Errorf("open(%d, %v), want open(1, [0])", path, index)
		}
		return NewDecoded(&out)
	})
	for _, p := range pieces(doc, cuts...) {
		sc.Write(p)
	}
	if err := sc.Finish(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), img) {
		t.Fatal("decoded bytes differ")
	}
	if len(sc.Skeleton()) > 200 {
		t.Errorf("skeleton of %d bytes: %q", len(sc.Skeleton()), sc.Skeleton())
	}
}

func TestWatched(t *testing.T) {
	var seen []string
	sc := NewScanner([]Path{{"b64_json"}}, "type")
	sc.Reset(func(int, []int) Sink {
		v, ok := sc.Watched("type")
		seen = append(seen, fmt.Sprintf("%s %v", v, ok))
		return Discard{}
	})
	sc.Write([]byte(`{"b64_json":"A","type":"image_generation.completed","x":{"type":"inner"},"b64_json":"B"}`))
	sc.Finish()
	if want := []string{" false", "image_generation.completed true"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("type seen by open: %q, want %q", seen, want)
	}
	sc.Reset(nil)
	sc.Write([]byte(`{"type":"` + strings.Repeat("x", 300) + `"}`))
	if _, ok := sc.Watched("type"); ok {
		t.Error("a value over 256 bytes was kept")
	}
}

// A sink's error stops the scan and comes back from Write and Finish.
func TestSinkError(t *testing.T) {
	boom := errors.New("disk full")
	sc := NewScanner([]Path{{"b64_json"}})
	sc.Reset(func(int, []int) Sink { return NewDecoded(failWriter{boom}) })
	_, err := sc.Write([]byte(`{"b64_json":"` + strings.Repeat("QUJD", 50_000) + `"}`))
	if !errors.Is(err, boom) {
		t.Fatalf("Write: %v", err)
	}
	if err := sc.Finish(); !errors.Is(err, boom) {
		t.Fatalf("Finish: %v", err)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// Deep nesting is left to json, which refuses it, without the scanner
// growing a frame per level.
func TestDeepNesting(t *testing.T) {
	doc := []byte(strings.Repeat("[", 100_000) + `"QUJD"` + strings.Repeat("]", 100_000))
	checkDocument(t, doc)
	sc := NewScanner(testPaths)
	sc.Reset(nil)
	sc.Write(doc)
	if len(sc.stack) > maxDepth {
		t.Errorf("%d frames", len(sc.stack))
	}
}

func TestSpecial(t *testing.T) {
	for i := range 256 {
		c := byte(i)
		want := c == '"' || c == '\\' || c < 0x20 || c >= 0x80
		for pos := range 20 {
			b := bytes.Repeat([]byte("A"), 20)
			b[pos] = c
			got := special(b)
			if want && got != pos || !want && got != len(b) {
				t.Fatalf("special with %#x at %d = %d", c, pos, got)
			}
		}
	}
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A Text's value costs about its size in allocation, small or large (with
// the chunk pool warm): no copy of the content on the way. The best of three
// runs counts: a GC during a run empties the pool.
func TestTextAllocation(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	for _, n := range []int{10, maxSmall, maxSmall + 1, 3*chunkSize + 5} {
		content := bytes.Repeat([]byte("QUJD"), n/4+1)[:n]
		best := uint64(math.MaxUint64)
		for range 4 { // the first run fills the chunk pool
			best = min(best, allocated(func() {
				tx := NewText()
				for p := content; len(p) > 0; p = p[min(len(p), 65536):] {
					tx.Content(p[:min(len(p), 65536)], true)
				}
				tx.End(true)
				if len(tx.String()) != n {
					t.Fatal("value differs")
				}
			}))
		}
		if limit := uint64(n) + 2*maxSmall + 4096; best > limit {
			t.Errorf("%d bytes: %d allocated, want at most %d", n, best, limit)
		}
	}
}

// TestDecodedBufferSwitch decodes images around the sizes of the
// output buffers, where Decoded moves to the next size, in pieces of several
// sizes.
func TestDecodedBufferSwitch(t *testing.T) {
	for _, size := range []int{outSizes[0] - 4, outSizes[0] - 3, outSizes[0] - 1, outSizes[0], outSizes[0] + 1, outSizes[0] + 3, outSizes[0] + outSizes[1] + 1, outSizes[0] + outSizes[1] + outSizes[2] + 2, 3*outSizes[2] + 5} {
		img := make([]byte, size)
		for i := range img {
			img[i] = byte(i * 7)
		}
		b64 := base64.StdEncoding.EncodeToString(img)
		for _, piece := range []int{1, 3, 4, 1000, 4096, len(b64)} {
			var out bytes.Buffer
			d := NewDecoded(&out)
			for p := b64; len(p) > 0; {
				n := min(piece, len(p))
				if err := d.Content([]byte(p[:n]), true); err != nil {
					t.Fatal(err)
				}
				p = p[n:]
			}
			if err := d.End(true); err != nil || d.Err() != nil {
				t.Fatalf("size %d, pieces of %d: %v, %v", size, piece, err, d.Err())
			}
			if !bytes.Equal(out.Bytes(), img) || d.Written() != int64(size) {
				t.Fatalf("size %d, pieces of %d: %d bytes written, not the image", size, piece, d.Written())
			}
		}
	}
}
