package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

const (
	p0 = `{"type":"image_generation.partial_image","b64_json":"iVBORw0KGgo=","created_at":1700000000,"size":"1024x1024","quality":"low","background":"opaque","output_format":"png","partial_image_index":0}`
	p1 = `{"type":"image_generation.partial_image","b64_json":"iVBORw0KGgpQ","created_at":1700000000,"size":"1024x1024","quality":"low","background":"opaque","output_format":"png","partial_image_index":1}`
	c0 = `{"type":"image_generation.completed","b64_json":"iVBORw0KGgpQTkc=","created_at":1700000001,"size":"1024x1024","quality":"low","background":"opaque","output_format":"png","usage":{"total_tokens":100,"input_tokens":50,"output_tokens":50,"input_tokens_details":{"text_tokens":10,"image_tokens":40}}}`

	partialType   = "image_generation.partial_image"
	completedType = "image_generation.completed"
)

func ev(typ, data, id string) string { return eventLine(Event{Type: typ, Data: []byte(data), ID: id}) }

// fixtureTests lists the expected result of decoding each testdata/*.sse
// file. Every fixture must be listed.
var fixtureTests = map[string]record{
	"partial_images.sse": {
		Log: []string{ev(partialType, p0, ""), ev(partialType, p1, ""), ev(completedType, c0, "")},
		End: "EOF",
	},
	"cr_line_endings.sse": {
		Log: []string{ev(partialType, p0, ""), ev(completedType, c0, "")},
		End: "EOF",
	},
	"crlf_line_endings.sse": {
		Log: []string{ev(partialType, p0, ""), ev(completedType, c0, "")},
		End: "EOF",
	},
	"mixed_line_endings.sse": {
		Log: []string{ev("a", "lf", ""), ev("b", "cr", ""), ev("c", "crlf", ""), ev("", "mixed", ""), ev("", "end", "")},
		End: "EOF",
	},
	"bom.sse": {
		// The second BOM makes "\uFEFFdata" an unknown field, so that block
		// has no data and dispatches nothing.
		Log: []string{ev(completedType, c0, ""), ev("", "x", "")},
		End: "EOF",
	},
	"comments.sse": {
		Log: []string{
			commentLine(" this is a comment"), commentLine(""), commentLine(" keep-alive"),
			commentLine(" comment inside an event"), ev(partialType, p0, ""), commentLine("ping"),
		},
		End: "EOF", // a partial comment line at the end does not make the stream truncated
	},
	"unknown_fields.sse": {
		Log: []string{
			ev("image_generation.something_new", `{"type":"image_generation.something_new"}`, ""),
			ev("", `{"type":"image_generation.completed"}`, ""),
		},
		End: "EOF",
	},
	"multiline_data.sse": {
		Log: []string{
			ev("", "first line\nsecond line\n\n\n two spaces\nno space", ""),
			ev("", "{\"a\":\n1}", ""),
		},
		End: "EOF",
	},
	"no_colon.sse": {
		Log: []string{ev("", "", ""), ev("", "x", ""), ev("", "after empty id", "")},
		End: "EOF",
	},
	"id_retry.sse": {
		Log: []string{
			ev("", "one", "1"),
			ev("", "two keeps id 1", "1"),
			ev("", "NUL id ignored", "1"),
			ev("", "id set by an event without data", "4"),
			ev("", "retry 1500", "4"),
			ev("", "invalid retries ignored", "4"),
			ev("", "id cleared", ""),
		},
		LastID: "5", Retry: 2500 * time.Millisecond, HasRetry: true,
		End: "EOF",
	},
	"error_data.sse": {
		Log: []string{ev(partialType, p0, ""), ev("", `{"error":{"message":"x","code":"y"}}`, "")},
		End: "EOF",
	},
	"error_event.sse": {
		Log: []string{ev(partialType, p0, ""), ev("error", `{"type":"error","code":"y","message":"x","param":null}`, "")},
		End: "EOF",
	},
	"truncated.sse": {
		Log: []string{ev(partialType, p0, ""), ev(partialType, p1, "")},
		End: "unterminated",
	},
	"truncated_after_line.sse": {
		Log: []string{ev("", "delivered", "")},
		End: "unterminated",
	},
	"empty_data.sse": {
		Log:    []string{ev("", "type was reset", "7")},
		LastID: "7",
		End:    "EOF",
	},
	"no_events.sse": {
		Log: []string{commentLine("only comments and blank lines")},
		End: "EOF",
	},
}

func readFixtures(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.sse"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no fixtures in testdata")
	}
	m := make(map[string][]byte, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m[filepath.Base(p)] = b
	}
	return m
}

func mustDecode(t *testing.T, r io.Reader, opts ...Option) record {
	t.Helper()
	rec, err := decodeAll(r, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func mustDecodeTo(t *testing.T, r io.Reader, opts ...Option) record {
	t.Helper()
	rec, err := decodeAllTo(r, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func checkRecord(t *testing.T, what string, got, want record) {
	t.Helper()
	if got.String() != want.String() {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", what, got, want)
	}
}

func TestFixtures(t *testing.T) {
	files := readFixtures(t)
	for name := range files {
		if _, ok := fixtureTests[name]; !ok {
			t.Errorf("testdata/%s has no entry in fixtureTests", name)
		}
	}
	for name, want := range fixtureTests {
		t.Run(name, func(t *testing.T) {
			input, ok := files[name]
			if !ok {
				t.Fatalf("testdata/%s is missing", name)
			}
			checkRecord(t, "decoder", mustDecode(t, bytes.NewReader(input)), want)
			checkRecord(t, "NextTo", mustDecodeTo(t, bytes.NewReader(input)), want)
			checkRecord(t, "reference", reference(input), want)
		})
	}
}

// readers returns the ways the input is fed to the decoder in
// TestReadBoundaries, all of which must give the same result.
func readers(input []byte) map[string]io.Reader {
	return map[string]io.Reader{
		"OneByteReader": iotest.OneByteReader(bytes.NewReader(input)),
		"HalfReader":    iotest.HalfReader(bytes.NewReader(input)),
		"DataErrReader": iotest.DataErrReader(bytes.NewReader(input)),
		"TimeoutReader": iotest.TimeoutReader(bytes.NewReader(input)), // second read fails
		"EmptyReads":    &emptyReadsReader{r: iotest.OneByteReader(bytes.NewReader(input))},
	}
}

// emptyReadsReader returns (0, nil) before every real read.
type emptyReadsReader struct {
	r    io.Reader
	flip bool
}

func (e *emptyReadsReader) Read(p []byte) (int, error) {
	e.flip = !e.flip
	if e.flip {
		return 0, nil
	}
	return e.r.Read(p)
}

func TestReadBoundaries(t *testing.T) {
	for name, input := range readFixtures(t) {
		t.Run(name, func(t *testing.T) {
			want := mustDecode(t, bytes.NewReader(input))
			for rname, r := range readers(input) {
				got := mustDecode(t, r)
				if rname == "TimeoutReader" {
					// Only checks that a read error is passed on; what was
					// decoded before it is covered by the other readers.
					if got.End != iotest.ErrTimeout.Error() && got.End != want.End {
						t.Errorf("TimeoutReader: end %q", got.End)
					}
					continue
				}
				checkRecord(t, rname, got, want)
			}
			for i := 0; i <= len(input); i++ {
				r := io.MultiReader(bytes.NewReader(input[:i]), bytes.NewReader(input[i:]))
				checkRecord(t, fmt.Sprintf("split at %d", i), mustDecode(t, r), want)
			}
			checkRecord(t, "tiny buffer", mustDecode(t, bytes.NewReader(input), withTiny()), want)
			checkRecord(t, "tiny buffer, reuse", mustDecode(t, iotest.HalfReader(bytes.NewReader(input)), withTiny(), WithDataReuse()), want)
		})
	}
}

// scriptReader returns one chunk per Read and counts the calls. It consumes
// its chunks slice.
type scriptReader struct {
	chunks []string
	calls  int
	err    error // returned after the chunks; io.EOF if nil
}

func (s *scriptReader) Read(p []byte) (int, error) {
	s.calls++
	if len(s.chunks) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		return 0, io.EOF
	}
	n := copy(p, s.chunks[0])
	if s.chunks[0] = s.chunks[0][n:]; s.chunks[0] == "" {
		s.chunks = s.chunks[1:]
	}
	return n, nil
}

func TestCRLFSplitAcrossReads(t *testing.T) {
	r := &scriptReader{chunks: []string{"data: a\r", "\ndata: b\r", "\n\r", "\ndata: c\r\n\r", "\n"}}
	d := NewDecoder(r)
	e, err := d.Next()
	if err != nil || string(e.Data) != "a\nb" {
		t.Fatalf("first event: %q, %v", e.Data, err)
	}
	e, err = d.Next()
	if err != nil || string(e.Data) != "c" {
		t.Fatalf("second event: %q, %v", e.Data, err)
	}
	if _, err = d.Next(); err != io.EOF {
		t.Fatalf("end: %v, want io.EOF", err)
	}
}

// An event must be returned as soon as its empty line is read, without
// waiting for more input: on a live stream the next read may block.
func TestNoReadAheadAfterEvent(t *testing.T) {
	for _, input := range []string{"data: x\n\n", "data: x\r\r", "data: x\r\n\r\n", "data: x\r\n\r"} {
		r := &scriptReader{chunks: []string{input}}
		d := NewDecoder(r)
		e, err := d.Next()
		if err != nil || string(e.Data) != "x" {
			t.Fatalf("%q: got %q, %v", input, e.Data, err)
		}
		if r.calls != 1 {
			t.Errorf("%q: %d reads before the event was returned, want 1", input, r.calls)
		}
	}
}

func TestBOMSplitAcrossReads(t *testing.T) {
	for _, chunks := range [][]string{
		{"\xEF", "\xBB", "\xBF", "data: x\n\n"},
		{"\xEF\xBB", "\xBFdata: x\n\n"},
		{"\xEF\xBB\xBFdata: x\n", "\n"},
	} {
		rec := mustDecode(t, &scriptReader{chunks: chunks})
		checkRecord(t, fmt.Sprintf("%q", chunks), rec, record{Log: []string{ev("", "x", "")}, End: "EOF"})
	}
	// A BOM prefix that turns out not to be a BOM is content.
	for _, chunks := range [][]string{{"\xEF", "data: x\n\n"}, {"\xEF\xBB", "\n\ndata: x\n\n"}, {"\xEF"}} {
		want := reference([]byte(strings.Join(chunks, "")))
		checkRecord(t, fmt.Sprintf("%q", chunks), mustDecode(t, &scriptReader{chunks: chunks}), want)
	}
}

func TestReaderError(t *testing.T) {
	boom := errors.New("boom")
	r := &scriptReader{chunks: []string{"data: one\n\ndata: tw"}, err: boom}
	d := NewDecoder(r)
	if e, err := d.Next(); err != nil || string(e.Data) != "one" {
		t.Fatalf("got %q, %v", e.Data, err)
	}
	for range 2 {
		if _, err := d.Next(); !errors.Is(err, boom) {
			t.Fatalf("got %v, want %v", err, boom)
		}
	}
	// An error together with data: the data is decoded first.
	d = NewDecoder(iotest.DataErrReader(strings.NewReader("data: x\n\n")))
	if e, err := d.Next(); err != nil || string(e.Data) != "x" {
		t.Fatalf("DataErrReader: got %q, %v", e.Data, err)
	}
	if _, err := d.Next(); err != io.EOF {
		t.Fatalf("DataErrReader: got %v, want io.EOF", err)
	}
}

func TestUnterminatedEvent(t *testing.T) {
	for input, want := range map[string]error{
		"":                        io.EOF,
		"\n":                      io.EOF,
		"data: x\n\n":             io.EOF,
		"data: x\n\n: comment":    io.EOF,
		"data: x\n\n:":            io.EOF,
		"data: x\n\n: comment\n":  io.EOF,
		"data: x\r\n\r":           io.EOF,
		"data: x":                 ErrUnterminatedEvent,
		"data: x\n":               ErrUnterminatedEvent,
		"data: x\r\n":             ErrUnterminatedEvent,
		"data: x\n: comment\n":    ErrUnterminatedEvent,
		"data: x\n\nd":            ErrUnterminatedEvent,
		"data: x\n\nid: 1\n":      ErrUnterminatedEvent,
		"data: x\n\nretry: 1\n":   ErrUnterminatedEvent,
		"data: x\n\nunknown\n":    ErrUnterminatedEvent,
		"data: x\n\nevent: y\r\n": ErrUnterminatedEvent,
	} {
		d := NewDecoder(strings.NewReader(input))
		var err error
		for err == nil {
			_, err = d.Next()
		}
		if !errors.Is(err, want) {
			t.Errorf("%q: got %v, want %v", input, err, want)
		}
		if want == ErrUnterminatedEvent && errors.Is(err, io.EOF) {
			t.Errorf("%q: %v must not match io.EOF", input, err)
		}
	}
}

func TestMaxEventSize(t *testing.T) {
	const limit = 1000
	big := strings.Repeat("x", limit)
	for _, tc := range []struct {
		name  string
		input string
		ok    bool
	}{
		{"data at limit", "data: " + big + "\n\n", true},
		{"data over limit", "data: " + big + "x\n\n", false},
		{"data lines at limit", "data: " + big[:500] + "\ndata: " + big[:499] + "\n\n", true},
		{"data lines over limit", "data: " + big[:500] + "\ndata: " + big[:500] + "\n\n", false},
		{"type and data at limit", "event: " + big[:10] + "\ndata: " + big[:990] + "\n\n", true},
		{"type and data over limit", "event: " + big[:10] + "\ndata: " + big[:991] + "\n\n", false},
		{"event line over limit", "event: " + big + "x\n\n", false},
		{"id line over limit", "id: " + big + "x\n\n", false},
		{"unknown field not counted", "foo: " + big + big + "\ndata: x\n\n", true},
		{"retry not counted", "retry: " + big + big + "\ndata: x\n\n", true},
		{"long field name not counted", big + big + ": x\ndata: x\n\n", true},
		{"comment not counted", ": " + big + big + "\ndata: x\n\n", true},
		{"limit is per event", "data: " + big + "\n\ndata: " + big + "\n\n", true},
		{"unterminated line over limit", "data: " + big + "x", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []struct {
				name string
				r    io.Reader
				opt  Option
			}{
				{"whole", strings.NewReader(tc.input), WithDataReuse()},
				{"onebyte", iotest.OneByteReader(strings.NewReader(tc.input)), nil},
				{"tiny", iotest.HalfReader(strings.NewReader(tc.input)), withTiny()},
			} {
				rname := c.name
				d := NewDecoder(c.r, WithMaxEventSize(limit), c.opt)
				var err error
				for err == nil {
					_, err = d.Next()
				}
				var tl *EventTooLargeError
				if tc.ok {
					if err != io.EOF && !errors.Is(err, ErrUnterminatedEvent) {
						t.Errorf("%s: got %v", rname, err)
					}
					continue
				}
				if !errors.As(err, &tl) || tl.Limit != limit {
					t.Errorf("%s: got %v, want *EventTooLargeError{%d}", rname, err, limit)
				}
				if _, err2 := d.Next(); err2 != err {
					t.Errorf("%s: error not sticky: %v", rname, err2)
				}
			}
		})
	}
	// With a comment callback, comments count.
	d := NewDecoder(strings.NewReader(": "+big+"\n\n"), WithMaxEventSize(limit), WithCommentFunc(func(string) {}))
	var tl *EventTooLargeError
	if _, err := d.Next(); !errors.As(err, &tl) {
		t.Errorf("comment with callback: got %v, want *EventTooLargeError", err)
	}
}

// bigEvent returns a stream holding one event whose data is n bytes.
func bigEvent(n int) []byte {
	b := make([]byte, 0, n+8)
	b = append(b, "data: "...)
	for i := range n {
		b = append(b, 'A'+byte(i%26))
	}
	return append(b, "\n\n"...)
}

func TestLargeEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB event in -short mode")
	}
	const n = 64 << 20
	input := bigEvent(n)
	d := NewDecoder(bytes.NewReader(input))
	e, err := d.Next()
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Data) != n || !bytes.Equal(e.Data, input[len("data: "):len(input)-2]) {
		t.Fatalf("64 MiB event corrupted: got %d bytes", len(e.Data))
	}
	e = Event{}
	if _, err := d.Next(); err != io.EOF {
		t.Fatalf("got %v, want io.EOF", err)
	}
	// Over a configured limit, via direct reads into the data buffer.
	d = NewDecoder(bytes.NewReader(input), WithMaxEventSize(n-1))
	var tl *EventTooLargeError
	if _, err := d.Next(); !errors.As(err, &tl) || tl.Limit != n-1 {
		t.Fatalf("got %v, want *EventTooLargeError{%d}", err, n-1)
	}
}

// Large events mixed with small ones and all line ends, through readers that
// split the input in different places, exercise the direct-read path.
func TestLargeEventsMixed(t *testing.T) {
	var input []byte
	for i, n := range []int{1, 5000, 70000, 300000, 16 << 10, 64 << 10, 64<<10 - 6, 1 << 20} {
		eol := []string{"\n", "\r", "\r\n"}[i%3]
		input = fmt.Appendf(input, "event: e%d%sid: %d%s", i, eol, i, eol)
		input = append(input, bigEvent(n)[:n+6]...)
		input = append(input, eol+"data: tail"+eol+": c"+eol+eol...)
	}
	want := reference(input)
	checkRecord(t, "whole", mustDecode(t, bytes.NewReader(input)), want)
	checkRecord(t, "half", mustDecode(t, iotest.HalfReader(bytes.NewReader(input))), want)
	checkRecord(t, "7 bytes", mustDecode(t, &chunkReader{r: bytes.NewReader(input), n: 7}), want)
	checkRecord(t, "100003 bytes", mustDecode(t, &chunkReader{r: bytes.NewReader(input), n: 100003}), want)
	checkRecord(t, "tiny", mustDecode(t, &chunkReader{r: bytes.NewReader(input), n: 100003}, withTiny()), want)
}

// chunkReader reads at most n bytes at a time.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

func TestEventDataIsNotReused(t *testing.T) {
	d := NewDecoder(strings.NewReader("data: first\n\ndata: second\n\n"))
	a, _ := d.Next()
	b, _ := d.Next()
	if string(a.Data) != "first" || string(b.Data) != "second" {
		t.Fatalf("got %q and %q", a.Data, b.Data)
	}
	if cap(a.Data) != len(a.Data) {
		t.Errorf("cap(Data) = %d, want len %d", cap(a.Data), len(a.Data))
	}
}

func TestDataReuse(t *testing.T) {
	input := "data: first\n\ndata: 2nd\n\n" + string(bigEvent(100000))
	d := NewDecoder(strings.NewReader(input), WithDataReuse())
	a, _ := d.Next()
	if string(a.Data) != "first" {
		t.Fatalf("got %q", a.Data)
	}
	b, _ := d.Next()
	if string(b.Data) != "2nd" || string(a.Data) != "2ndst" {
		t.Fatalf("buffer not reused: %q, %q", a.Data, b.Data)
	}
	c, _ := d.Next()
	if len(c.Data) != 100000 {
		t.Fatalf("got %d bytes", len(c.Data))
	}
	// The buffer survives Reset.
	d.Reset(strings.NewReader("data: again\n\n"))
	e, err := d.Next()
	if err != nil || string(e.Data) != "again" || &e.Data[0] != &c.Data[0] {
		t.Fatalf("after Reset: %q, %v, same buffer %v", e.Data, err, &e.Data[0] == &c.Data[0])
	}
	for name, input := range readFixtures(t) {
		checkRecord(t, name, mustDecode(t, iotest.HalfReader(strings.NewReader(string(input))), WithDataReuse()), mustDecode(t, bytes.NewReader(input)))
	}
}

func TestLastEventIDAndRetry(t *testing.T) {
	d := NewDecoder(strings.NewReader("retry: 3000\nid: a\ndata: 1\n\nid: b\n"))
	if _, ok := d.Retry(); ok {
		t.Error("retry set before any input was read")
	}
	e, err := d.Next()
	if err != nil || e.ID != "a" || d.LastEventID() != "a" {
		t.Fatalf("got %+v, %v, last ID %q", e, err, d.LastEventID())
	}
	if r, ok := d.Retry(); !ok || r != 3*time.Second {
		t.Errorf("Retry() = %v, %v", r, ok)
	}
	if _, err := d.Next(); !errors.Is(err, ErrUnterminatedEvent) {
		t.Fatalf("got %v", err)
	}
	// "id: b" was never followed by an empty line.
	if d.LastEventID() != "a" {
		t.Errorf("LastEventID() = %q after truncated event, want %q", d.LastEventID(), "a")
	}
	d = NewDecoder(strings.NewReader("retry: 99999999999999999999999999\n"))
	d.Next()
	if r, ok := d.Retry(); !ok || r != time.Duration(maxRetryMillis)*time.Millisecond {
		t.Errorf("huge retry: %v, %v", r, ok)
	}
}

func TestReset(t *testing.T) {
	d := NewDecoder(strings.NewReader("id: 1\nretry: 5\ndata: x"), WithMaxEventSize(10))
	if _, err := d.Next(); !errors.Is(err, ErrUnterminatedEvent) {
		t.Fatal(err)
	}
	d.Reset(strings.NewReader("data: y\n\ndata: 12345678901\n\n"))
	e, err := d.Next()
	if err != nil || string(e.Data) != "y" || e.ID != "" {
		t.Fatalf("after Reset: %+v, %v", e, err)
	}
	if _, ok := d.Retry(); ok {
		t.Error("retry survived Reset")
	}
	var tl *EventTooLargeError
	if _, err := d.Next(); !errors.As(err, &tl) {
		t.Errorf("option lost by Reset: %v", err)
	}
}

// badReader returns impossible counts.
type badReader struct{ n int }

func (b badReader) Read(p []byte) (int, error) { return b.n, nil }

func TestMisbehavingReaders(t *testing.T) {
	for _, r := range []io.Reader{badReader{-1}, badReader{1 << 30}} {
		if _, err := NewDecoder(r).Next(); err == nil || err == io.EOF {
			t.Errorf("%v: got %v", r, err)
		}
	}
	if _, err := NewDecoder(badReader{0}).Next(); err != io.ErrNoProgress {
		t.Errorf("empty reads: got %v, want io.ErrNoProgress", err)
	}
}

func TestOptions(t *testing.T) {
	d := NewDecoder(strings.NewReader(""), nil, WithMaxEventSize(0), WithMaxEventSize(-5))
	if d.max != DefaultMaxEventSize {
		t.Errorf("max = %d, want default", d.max)
	}
	var tl error = &EventTooLargeError{Limit: 7}
	if !strings.Contains(tl.Error(), "7") {
		t.Errorf("error text %q", tl)
	}
}

// NextTo streams a large event's data without holding it, counts it
// towards the size limit, and ends the stream with the writer's error.
func TestNextTo(t *testing.T) {
	const n = 5 << 20
	input := bigEvent(n)
	var w countingWriter
	allocs := allocated(func() {
		d := NewDecoder(bytes.NewReader(input))
		ev, err := d.NextTo(&w)
		if err != nil || ev.Data != nil || w.n != n {
			t.Errorf("NextTo = %+v, %v after %d bytes; want an event of %d bytes", ev, err, w.n, n)
		}
	})
	if allocs > 1<<20 {
		t.Errorf("NextTo allocated %d bytes for a %d-byte event", allocs, n)
	}

	_, err := NewDecoder(bytes.NewReader(input), WithMaxEventSize(n-1)).NextTo(io.Discard)
	var tooLarge *EventTooLargeError
	if !errors.As(err, &tooLarge) {
		t.Errorf("over the limit: %v", err)
	}

	boom := errors.New("boom")
	d := NewDecoder(bytes.NewReader(input))
	if _, err := d.NextTo(failingWriter{boom}); err != boom {
		t.Errorf("writer error: %v", err)
	}
	if _, err := d.Next(); err != boom {
		t.Errorf("not sticky: %v", err)
	}
}

type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }
