package contract

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/getkin/kin-openapi/openapi3"
)

// sseEvent is one dispatched server-sent event.
type sseEvent struct {
	name string // the event field; "" when absent
	data []byte // the data fields joined by "\n"; valid only during dispatch
}

// sseParser is an incremental text/event-stream parser following the WHATWG
// rules (https://html.spec.whatwg.org/multipage/server-sent-events.html),
// minimally: a leading BOM, CR, LF and CRLF line ends, comments, fields
// without a colon, one optional space after the colon, multi-line data,
// unknown fields ignored, and an event dispatched on a blank line only if it
// has data. It keeps only the current event, never the stream.
type sseParser struct {
	onEvent func(sseEvent) error
	// onIdle, if set, is told the stream offsets at which no event is in
	// progress: every byte before them belongs to finished events.
	onIdle func(offset int64)

	line    []byte
	skipLF  bool // the last line ended with CR: a following LF is part of it
	started bool // the first line was seen (BOM handling)
	offset  int64
	data    []byte
	hasData bool
	name    string
	inEvent bool // fields were seen since the last blank line
}

var bom = []byte("\xEF\xBB\xBF")

// feed parses the next bytes of the stream. It stops at the first error of
// onEvent and returns it.
func (p *sseParser) feed(chunk []byte) error {
	for len(chunk) > 0 {
		if p.skipLF {
			p.skipLF = false
			if chunk[0] == '\n' {
				chunk = chunk[1:]
				p.offset++
				p.idleAt()
				continue
			}
		}
		i := bytes.IndexAny(chunk, "\r\n")
		if i < 0 {
			p.line = append(p.line, chunk...)
			p.offset += int64(len(chunk))
			return nil
		}
		p.line = append(p.line, chunk[:i]...)
		p.skipLF = chunk[i] == '\r'
		p.offset += int64(i + 1)
		chunk = chunk[i+1:]
		err := p.processLine()
		p.line = p.line[:0]
		if err != nil {
			return err
		}
		p.idleAt()
	}
	return nil
}

func (p *sseParser) idleAt() {
	if p.onIdle != nil && !p.inEvent && len(p.line) == 0 {
		p.onIdle(p.offset)
	}
}

func (p *sseParser) processLine() error {
	line := p.line
	if !p.started {
		p.started = true
		line = bytes.TrimPrefix(line, bom)
	}
	if len(line) == 0 {
		return p.dispatch()
	}
	if line[0] == ':' {
		return nil // comment
	}
	p.inEvent = true
	field, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		value = bytes.TrimPrefix(value, []byte(" "))
	}
	switch string(field) {
	case "data":
		p.data = append(p.data, value...)
		p.data = append(p.data, '\n')
		p.hasData = true
	case "event":
		p.name = string(value)
	}
	// id, retry and unknown fields do not matter to validation.
	return nil
}

func (p *sseParser) dispatch() error {
	defer func() {
		p.inEvent, p.hasData, p.name = false, false, ""
		if cap(p.data) > 1<<20 {
			p.data = nil // do not keep a large event's buffer for the whole stream
		} else {
			p.data = p.data[:0]
		}
	}()
	if !p.hasData {
		return nil
	}
	data := bytes.TrimSuffix(p.data, []byte("\n"))
	return p.onEvent(sseEvent{name: p.name, data: data})
}

// unterminated reports, at the end of the stream, whether an event with data
// was cut off before its blank line: clients discard such an event.
func (p *sseParser) unterminated() bool {
	return p.hasData || bytes.HasPrefix(bytes.TrimPrefix(p.line, bom), []byte("data"))
}

// streamValidator checks the events of one text/event-stream response.
type streamValidator struct {
	v      *Validator
	op     string
	schema *openapi3.Schema
	n      int
	parser sseParser
}

func (v *Validator) newStreamValidator(op string, schema *openapi3.Schema) *streamValidator {
	s := &streamValidator{v: v, op: op, schema: schema}
	s.parser.onEvent = func(ev sseEvent) error {
		if e := s.checkEvent(ev); e != nil {
			return e
		}
		return nil
	}
	return s
}

// checkEvent validates the data of one event against the event schema.
//
// Error events are let through unchecked: servers send them (an event named
// "error", or data {"error": {...}} or {"type": "error", ...}) to report a
// failure mid-stream, and the spec does not model them. So is the data
// "[DONE]", the end-of-stream marker of other OpenAI streams.
func (s *streamValidator) checkEvent(ev sseEvent) *Error {
	s.n++
	fail := func(e *Error) *Error {
		e.Op, e.Operation, e.In, e.Event = "response", s.op, InEvent, s.n
		return e
	}
	if ev.name == "error" || string(bytes.TrimSpace(ev.data)) == "[DONE]" {
		return nil
	}
	var value any
	if err := json.Unmarshal(ev.data, &value); err != nil {
		return fail(&Error{Message: "data is not valid JSON: " + err.Error(), Err: err})
	}
	if obj, ok := value.(map[string]any); ok {
		if _, ok := obj["error"]; ok {
			return nil
		}
		if obj["type"] == "error" {
			return nil
		}
	}
	if s.schema == nil {
		return nil
	}
	if e := s.v.checkValue(false, s.schema, value); e != nil {
		return fail(e)
	}
	return nil
}

// end checks the end of the stream.
func (s *streamValidator) end() *Error {
	if s.parser.unterminated() {
		return &Error{Op: "response", Operation: s.op, In: InEvent, Event: s.n + 1,
			Message: "the stream ended inside an event (no blank line after its data): clients discard it"}
	}
	return nil
}

// readAll validates a whole stream, stopping at the first violation.
func (s *streamValidator) readAll(r io.Reader) error {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if perr := s.parser.feed(buf[:n]); perr != nil {
				return perr
			}
		}
		if err == io.EOF {
			if e := s.end(); e != nil {
				return e
			}
			return nil
		}
		if err != nil {
			return &Error{Op: "response", Operation: s.op, Message: "reading the stream: " + err.Error(), Err: err}
		}
	}
}

// sseBody wraps a streamed response body for RoundTripper: it validates each
// event as it is read, and releases an event's bytes to the reader only once
// the event has been validated, so a violating event surfaces as a read error
// before the caller can see it. It holds back at most the event being read.
type sseBody struct {
	rc    io.ReadCloser
	sv    *streamValidator
	buf   []byte // bytes read from rc and not yet returned
	start int64  // stream offset of buf[0]
	ready int    // how many bytes at the front of buf are released
	err   error  // sticky: a violation, the read error, or io.EOF
	chunk []byte
}

func newSSEBody(rc io.ReadCloser, sv *streamValidator) *sseBody {
	b := &sseBody{rc: rc, sv: sv, chunk: make([]byte, 32<<10)}
	sv.parser.onIdle = func(offset int64) {
		b.ready = int(offset - b.start)
	}
	return b
}

func (b *sseBody) Read(p []byte) (int, error) {
	for b.ready == 0 {
		if b.err != nil {
			return 0, b.err
		}
		n, err := b.rc.Read(b.chunk)
		if n > 0 {
			b.buf = append(b.buf, b.chunk[:n]...)
			if perr := b.sv.parser.feed(b.chunk[:n]); perr != nil {
				b.err = perr
				continue
			}
		}
		switch {
		case err == io.EOF:
			if e := b.sv.end(); e != nil {
				b.err = e
				continue
			}
			b.ready = len(b.buf) // a trailing comment or partial field: harmless
			b.err = io.EOF
		case err != nil:
			b.err = err
		}
	}
	n := copy(p, b.buf[:b.ready])
	b.buf = b.buf[n:]
	b.start += int64(n)
	b.ready -= n
	return n, nil
}

func (b *sseBody) Close() error { return b.rc.Close() }
