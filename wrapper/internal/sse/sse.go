package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// DefaultEventType is the type of an event whose stream set no "event"
// field (or an empty one); [Event.Type] is "" for such events.
const DefaultEventType = "message"

// DefaultMaxEventSize is the event size limit used when [WithMaxEventSize]
// is not given: 256 MiB.
const DefaultMaxEventSize = 256 << 20

const (
	// readSize is the size of the decoder's read buffer and the largest
	// read it issues.
	readSize = 64 << 10
	// directMin is the least free capacity in a contiguous data buffer
	// (one smaller than chunkSize, before any chunk exists) for which a
	// long data line is read directly into it instead of via the read
	// buffer. Once the data is chunked every read of the line goes
	// straight into the current chunk, however little room it has left.
	directMin = 16 << 10
	// chunkSize is the size of the chunks that hold the data of a large
	// event (see Decoder.chunks). Up to chunkSize bytes the data buffer
	// is one contiguous buffer that grows by copying; beyond it the data
	// goes into a list of chunks that are never copied until the event
	// is dispatched, when they are joined into one exactly sized slice.
	// This bounds the allocation for an event of n bytes by about
	// 2n + chunkSize + smallGrow + largeGrow, whatever n is. It is kept
	// well below 1 MiB for that reason; larger chunks would only save a
	// few allocations per MiB.
	chunkSize = 256 << 10
	// smallGrow and largeGrow shape the growth of the contiguous data
	// buffer of a data line that spans reads: it starts at smallGrow
	// bytes, then jumps to at least largeGrow and doubles from there, up
	// to chunkSize.
	smallGrow = 4 << 10
	largeGrow = 2 * readSize
	// maxEmptyReads is how many consecutive (0, nil) reads are tolerated
	// before giving up with io.ErrNoProgress.
	maxEmptyReads = 100
	// maxRetainedLine is the largest line buffer kept for reuse.
	maxRetainedLine = 64 << 10
	// maxRetryMillis is the largest retry value representable as a
	// time.Duration; larger values are clamped to it.
	maxRetryMillis = math.MaxInt64 / int64(time.Millisecond)
)

// ErrUnterminatedEvent is returned (possibly wrapped; test with errors.Is)
// by [Decoder.Next] when the stream ends while an event is still open, that
// is when at least one field line has been read since the last empty line.
// The open event is discarded, as the standard requires. It is not returned
// for a stream that ends with a partial comment line.
var ErrUnterminatedEvent = errors.New("sse: stream ended in the middle of an event")

// errBadCount reports a reader that returned an impossible byte count.
var errBadCount = errors.New("sse: reader returned an invalid byte count")

// EventTooLargeError is returned by [Decoder.Next] when an event exceeds the
// size limit. See [WithMaxEventSize] for how the size is counted.
type EventTooLargeError struct {
	// Limit is the configured maximum event size in bytes.
	Limit int
}

func (e *EventTooLargeError) Error() string {
	return fmt.Sprintf("sse: event exceeds the maximum size of %d bytes", e.Limit)
}

// Event is one dispatched server-sent event.
type Event struct {
	// Type is the value of the event's last "event" field, or "" if it had
	// none (or an empty one); such events are of type DefaultEventType
	// ("message") in the terms of the standard.
	Type string
	// Data is the event data: the values of its "data" lines joined with
	// "\n". It may be empty (an event with a lone "data" line) but is never
	// reused or modified by the decoder, so it may be retained, unless the
	// decoder was created with WithDataReuse.
	Data []byte
	// ID is the last event ID as of this event: the value of the most
	// recent valid "id" field in the stream so far, in this event or an
	// earlier one ("" if none, or after an explicit empty "id").
	ID string
}

// Option configures a [Decoder].
type Option func(*Decoder)

// WithMaxEventSize sets the maximum size of an event in bytes; n <= 0
// selects [DefaultMaxEventSize]. The size counted is what the decoder has
// to hold for the event: its data (including the "\n" between data lines)
// plus its event type, plus the line being read if it is an "event" or
// "id" line, or a comment line while a comment callback is installed.
// Values of unknown fields and of "retry", comments without a callback and
// field names are never buffered and do not count. An event over the limit
// makes [Decoder.Next] return an [*EventTooLargeError].
func WithMaxEventSize(n int) Option {
	return func(d *Decoder) {
		if n <= 0 {
			n = DefaultMaxEventSize
		}
		d.max = n
	}
}

// WithDataReuse makes the decoder keep a single data buffer and reuse it
// for every event, and across [Decoder.Reset]. [Event.Data] is then only
// valid until the next call to Next or Reset, which may overwrite it. This
// saves allocating (and, for large events, page-faulting in) fresh memory
// for every event, at the price of retaining a buffer as large as the
// largest event seen (exactly that large), plus one 256 KiB chunk for
// events larger than 256 KiB. Use it when each event is consumed, for
// example unmarshalled, before the next one is requested.
func WithDataReuse() Option {
	return func(d *Decoder) { d.reuse = true }
}

// WithCommentFunc installs fn to be called with the text of every complete
// comment line: the bytes after the leading ':' verbatim (a space after the
// colon is kept). fn is called synchronously from [Decoder.Next] and must
// not call the decoder. Comment lines count towards the event size limit
// while a callback is installed. A comment line cut off by the end of the
// stream is not reported.
func WithCommentFunc(fn func(comment string)) Option {
	return func(d *Decoder) { d.onComment = fn }
}

// Line parser states.
const (
	stStart   uint8 = iota // at the start of a line
	stName                 // in a field name
	stColon                // just after the colon (an optional space may follow)
	stValue                // in a field value
	stComment              // in a comment line
)

// Field kinds, chosen when the field name is complete.
const (
	kIgnore uint8 = iota
	kData
	kEvent
	kID
	kRetry
)

// A Decoder reads server-sent events from an input stream. It is not safe
// for concurrent use.
type Decoder struct {
	rd        io.Reader
	max       int
	onComment func(string)
	reuse     bool
	directMin int // directMin, except in tests
	chunkSize int // chunkSize, except in tests

	// Read buffer: buf[r:w] is unprocessed input. cr and lf cache the
	// index of the next CR and LF at or after r (w if there is none in
	// buf[r:w]); a value below r means "not known yet".
	buf        []byte
	r, w       int
	cr, lf     int
	rerr       error // error from the last read, acted on once buf[r:w] is consumed
	emptyReads int
	bomDone    bool
	skipLF     bool // the previous line ended with a CR at the end of a read

	// Line state.
	st      uint8
	kind    uint8
	name    [5]byte // first bytes of the field name
	nameLen int     // length of the field name, saturating above len(name)
	line    []byte  // value of an event or id line, or a comment
	retryOK bool
	retryN  bool  // a digit was seen in a retry value
	retryV  int64 // value of a retry field, clamped to maxRetryMillis

	// Event state. The event's data is the concatenation of chunks and
	// data. Up to chunkSize bytes (or the capacity of keep) it is all in
	// data, a contiguous buffer that is handed out as Event.Data as it
	// is. Beyond that, full buffers are moved to chunks and data is the
	// last, partly filled chunk; dispatch joins them into a new slice.
	open      bool // a field line was seen since the last empty line
	hasData   bool // a data line was seen since the last dispatch
	data      []byte
	chunks    [][]byte // full buffers holding the start of the data
	chunked   int      // total length of chunks
	spare     []byte   // an empty chunk, taken before the next one is allocated
	keep      []byte   // with WithDataReuse: the buffer every event starts in
	eventType string
	lastType  string // the most recent event type string, reused to save allocations
	idBuf     string // last event ID buffer
	lastID    string // last event ID string, updated at each empty line
	retry     time.Duration
	hasRetry  bool

	// With NextTo: where the data goes instead of the data buffer, and
	// how much of the open event's data went there.
	sink     io.Writer
	streamed int

	err error // sticky error
}

// NewDecoder returns a decoder that reads an event stream from r. The
// decoder does its own buffering: it may read more from r than it needs.
func NewDecoder(r io.Reader, opts ...Option) *Decoder {
	d := &Decoder{max: DefaultMaxEventSize, directMin: directMin, chunkSize: chunkSize}
	for _, o := range opts {
		if o != nil {
			o(d)
		}
	}
	d.Reset(r)
	return d
}

// Reset discards all state, including the last event ID, the reconnection
// time and any sticky error, and makes d read a new stream from r. It keeps
// the options and the read buffer, and with [WithDataReuse] the data buffer.
func (d *Decoder) Reset(r io.Reader) {
	var keep, spare []byte
	if d.reuse {
		keep, spare = d.keep, d.spare
	}
	clear(d.chunks)
	*d = Decoder{
		rd:        r,
		max:       d.max,
		onComment: d.onComment,
		reuse:     d.reuse,
		directMin: d.directMin,
		chunkSize: d.chunkSize,
		buf:       d.buf,
		data:      keep[:0],
		chunks:    d.chunks[:0],
		spare:     spare,
		keep:      keep,
		lastType:  d.lastType,
		cr:        -1,
		lf:        -1,
	}
	if d.buf == nil {
		d.buf = make([]byte, readSize)
	}
}

// LastEventID returns the stream's last event ID string: the ID in effect
// at the most recent empty line, whether or not an event was dispatched
// there. This is the value to send as Last-Event-ID when reconnecting.
func (d *Decoder) LastEventID() string { return d.lastID }

// Retry returns the reconnection time most recently set by a valid "retry"
// field, and whether there has been one. As the standard specifies, a
// retry field takes effect as soon as its line is read, independently of
// event dispatch. Values too large for a time.Duration are clamped.
func (d *Decoder) Retry() (time.Duration, bool) { return d.retry, d.hasRetry }

// Next reads until the next event is dispatched and returns it. At the end
// of the stream it returns io.EOF, or ErrUnterminatedEvent if the stream
// ended inside an event; see the package documentation for all results.
func (d *Decoder) Next() (Event, error) {
	return d.next()
}

// NextTo is Next with the event's data written to w as it is read, instead
// of collected: the returned Event's Data is nil. w gets the data exactly
// as Event.Data would hold it (data lines joined with "\n"), in pieces of
// any size, and nothing of an event without data. Bytes go to w before the
// event is complete: when NextTo returns an error, what w got belongs to an
// event that was not dispatched (cut off by the end of the stream, say) and
// must be discarded. An error from w ends the stream with that error. The
// event size limit counts the bytes written to w. Use NextTo to process
// events larger than you want to hold, such as a large image.
func (d *Decoder) NextTo(w io.Writer) (Event, error) {
	d.sink = w
	defer func() { d.sink = nil }()
	return d.next()
}

func (d *Decoder) next() (Event, error) {
	for d.err == nil {
		for d.r < d.w {
			if d.skipLF {
				d.skipLF = false
				if d.buf[d.r] == '\n' {
					d.r++
					continue
				}
			}
			e := d.eol()
			if e == d.w {
				// The line continues beyond the buffered input.
				if err := d.feed(d.buf[d.r:e], false); err != nil {
					return Event{}, d.fail(err)
				}
				d.r = e
				break
			}
			if err := d.feed(d.buf[d.r:e], true); err != nil {
				return Event{}, d.fail(err)
			}
			if d.buf[e] == '\r' {
				if e+1 == d.w {
					d.skipLF = true
				} else if d.buf[e+1] == '\n' {
					e++
				}
			}
			d.r = e + 1
			ev, ok, err := d.endLine()
			if err != nil {
				return Event{}, d.fail(err)
			}
			if ok {
				return ev, nil
			}
		}
		if d.rerr != nil {
			if d.rerr != io.EOF {
				d.err = d.rerr
			} else if d.open {
				d.err = ErrUnterminatedEvent
			} else {
				d.err = io.EOF
			}
			break
		}
		if err := d.fill(); err != nil {
			return Event{}, d.fail(err)
		}
	}
	return Event{}, d.err
}

// fail makes err sticky and returns it.
func (d *Decoder) fail(err error) error {
	d.err = err
	return err
}

// eol returns the index of the first CR or LF in buf[r:w], or w.
func (d *Decoder) eol() int {
	if d.lf < d.r {
		d.lf = d.w
		if i := bytes.IndexByte(d.buf[d.r:d.w], '\n'); i >= 0 {
			d.lf = d.r + i
		}
	}
	if d.cr < d.r {
		d.cr = d.w
		if i := bytes.IndexByte(d.buf[d.r:d.w], '\r'); i >= 0 {
			d.cr = d.r + i
		}
	}
	return min(d.cr, d.lf)
}

// read calls the underlying reader, validating its result.
func (d *Decoder) read(p []byte) (int, error) {
	n, err := d.rd.Read(p)
	if n < 0 || n > len(p) {
		return 0, errBadCount
	}
	if n == 0 && err == nil {
		d.emptyReads++
		if d.emptyReads >= maxEmptyReads {
			return 0, io.ErrNoProgress
		}
	} else {
		d.emptyReads = 0
	}
	return n, err
}

// fill is called when buf[r:w] is empty; it reads more input, either into
// buf or, in the middle of a long data line, straight into the data buffer.
// A read error is recorded in d.rerr; the returned error is fatal.
func (d *Decoder) fill() error {
	d.r, d.w, d.cr, d.lf = 0, 0, -1, -1
	if d.st == stValue && d.kind == kData && d.sink == nil {
		room := cap(d.data) - len(d.data)
		if room >= d.directMin || d.chunking() && (room > 0 || d.size() < d.max) {
			return d.fillDirect()
		}
	}
	for {
		n, err := d.read(d.buf[d.w:])
		d.w += n
		d.rerr = err
		if n == 0 && err == nil {
			continue
		}
		if d.bomDone {
			return nil
		}
		// At the start of the stream: skip a BOM, reading on while the
		// input so far is a proper prefix of one.
		const bom = "\xEF\xBB\xBF"
		b := d.buf[:d.w]
		if len(b) >= len(bom) {
			if string(b[:len(bom)]) == bom {
				d.r = len(bom)
			}
			d.bomDone = true
			return nil
		}
		if err != nil || string(b) != bom[:len(b)] {
			d.bomDone = true
			return nil
		}
	}
}

// chunking reports whether the data has outgrown the contiguous phase:
// from then on, reads of a data line go straight into the current chunk
// whatever its room, and a full chunk is followed by a new one.
func (d *Decoder) chunking() bool {
	return len(d.chunks) > 0 || cap(d.data) >= d.chunkSize
}

// fillDirect reads into the free capacity of the data buffer while a data
// line is being read, or into the spare chunk if the data buffer is full.
// Bytes up to the end of the line stay there; the rest is moved to buf to
// be parsed as usual. The spare chunk is only used (and the full buffer
// moved to chunks) if the line goes on, so a line that ends exactly at the
// end of the buffer does not make the event chunked.
func (d *Decoder) fillDirect() error {
	dst := d.data
	toSpare := len(dst) == cap(dst)
	if toSpare {
		if d.spare == nil {
			d.spare = d.newChunk()
		}
		dst = d.spare[:0]
	}
	n0 := len(dst)
	room := dst[n0:cap(dst)]
	if len(room) > len(d.buf) {
		room = room[:len(d.buf)] // what follows the line must fit into buf
	}
	n, err := d.read(room)
	d.rerr = err
	if n == 0 {
		return nil
	}
	d.bomDone = true
	got := room[:n]
	e := bytes.IndexByte(got, '\n')
	if e < 0 {
		e = n
	}
	if i := bytes.IndexByte(got[:e], '\r'); i >= 0 {
		e = i
	}
	if e > d.max-d.size() {
		return &EventTooLargeError{Limit: d.max}
	}
	switch {
	case !toSpare:
		d.data = dst[:n0+e]
	case e > 0:
		// The line goes on in the spare chunk.
		d.pushChunk()
		d.data, d.spare = dst[:e], nil
	}
	d.w = copy(d.buf, got[e:])
	return nil
}

// feed parses seg, a piece of the current line that contains no CR or LF.
// terminated tells whether the line ends right after seg.
func (d *Decoder) feed(seg []byte, terminated bool) error {
	for len(seg) > 0 {
		switch d.st {
		case stStart:
			if seg[0] == ':' {
				d.st = stComment
				seg = seg[1:]
				continue
			}
			d.st = stName
			d.open = true
			d.nameLen = 0
		case stName:
			part := seg
			i := bytes.IndexByte(seg, ':')
			if i >= 0 {
				part = seg[:i]
			}
			if d.nameLen <= len(d.name) {
				copy(d.name[d.nameLen:], part)
				d.nameLen = min(d.nameLen+len(part), len(d.name)+1)
			}
			if i < 0 {
				return nil
			}
			seg = seg[i+1:]
			d.st = stColon
			if err := d.beginField(); err != nil {
				return err
			}
		case stColon:
			if seg[0] == ' ' {
				seg = seg[1:]
			}
			d.st = stValue
		case stValue:
			return d.value(seg, terminated)
		case stComment:
			if d.onComment != nil {
				return d.bufferLine(seg)
			}
			return nil
		}
	}
	return nil
}

// beginField selects the kind of the field whose name has just been read.
func (d *Decoder) beginField() error {
	d.kind = kIgnore
	if d.nameLen > len(d.name) {
		return nil
	}
	switch string(d.name[:d.nameLen]) {
	case "data":
		d.kind = kData
		if d.hasData {
			return d.appendData([]byte{'\n'}, true)
		}
		d.hasData = true
	case "event":
		d.kind = kEvent
	case "id":
		d.kind = kID
	case "retry":
		d.kind = kRetry
		d.retryOK, d.retryN, d.retryV = true, false, 0
	}
	return nil
}

// value handles a piece of a field value.
func (d *Decoder) value(seg []byte, terminated bool) error {
	switch d.kind {
	case kData:
		return d.appendData(seg, terminated)
	case kEvent, kID:
		return d.bufferLine(seg)
	case kRetry:
		if !d.retryOK {
			return nil
		}
		for _, c := range seg {
			if c < '0' || c > '9' {
				d.retryOK = false
				return nil
			}
			d.retryV = min(d.retryV*10+int64(c-'0'), maxRetryMillis)
			d.retryN = true
		}
	}
	return nil
}

// endLine processes the end of the current line. It reports an event if
// the line was empty and an event is dispatched.
func (d *Decoder) endLine() (Event, bool, error) {
	st := d.st
	d.st = stStart
	switch st {
	case stStart:
		ev, ok := d.dispatch()
		return ev, ok, nil
	case stName:
		if err := d.beginField(); err != nil {
			return Event{}, false, err
		}
		d.endField()
	case stColon, stValue:
		d.endField()
	case stComment:
		if d.onComment != nil {
			s := string(d.line)
			d.resetLine()
			d.onComment(s)
		}
	}
	return Event{}, false, nil
}

// endField applies a complete field.
func (d *Decoder) endField() {
	switch d.kind {
	case kEvent:
		d.eventType = d.intern(d.line)
	case kID:
		if bytes.IndexByte(d.line, 0) < 0 {
			d.idBuf = d.intern(d.line)
		}
	case kRetry:
		if d.retryOK && d.retryN {
			d.retry = time.Duration(d.retryV) * time.Millisecond
			d.hasRetry = true
		}
	}
	d.resetLine()
}

// intern returns b as a string, reusing an earlier string when possible:
// streams tend to repeat the same event type over and over.
func (d *Decoder) intern(b []byte) string {
	switch string(b) {
	case "":
		return ""
	case d.lastType:
		return d.lastType
	case d.idBuf:
		return d.idBuf
	}
	s := string(b)
	if d.kind == kEvent {
		d.lastType = s
	}
	return s
}

func (d *Decoder) resetLine() {
	if cap(d.line) > maxRetainedLine {
		d.line = nil
	} else {
		d.line = d.line[:0]
	}
}

// dispatch handles an empty line.
func (d *Decoder) dispatch() (Event, bool) {
	d.lastID = d.idBuf
	d.open = false
	if !d.hasData {
		d.eventType = ""
		return Event{}, false
	}
	ev := Event{Type: d.eventType, ID: d.lastID}
	d.hasData, d.eventType = false, ""
	if d.sink != nil {
		d.streamed = 0
		return ev, true
	}
	if len(d.chunks) == 0 {
		ev.Data = d.data[:len(d.data):len(d.data)]
		if d.reuse {
			// d.data started as keep[:0] and was only ever replaced by a
			// larger buffer.
			d.data = d.data[:0]
			d.keep = d.data
		} else {
			// Ownership of the buffer passes to the caller; no data
			// buffer is retained between events.
			d.data, d.spare = nil, nil
		}
		return ev, true
	}
	// A chunked event: join the chunks into one new, exactly sized slice
	// (bytes.Join does not zero it first).
	d.pushChunk()
	ev.Data = bytes.Join(d.chunks, nil)
	if d.reuse {
		// The joined slice becomes the buffer the next events start in,
		// so a later event of the same size needs no chunks at all. One
		// chunk is kept as the spare: it absorbs the end of a line that
		// fills the buffer exactly. The other chunks, and the previous
		// start buffer, are dropped, which bounds what is retained to the
		// largest event plus one chunk.
		if d.spare == nil {
			for _, c := range d.chunks {
				if cap(c) <= d.chunkSize && cap(c) > cap(d.spare) {
					d.spare = c
				}
			}
		}
		d.keep = ev.Data
		d.data = ev.Data[:0]
	} else {
		d.spare = nil
	}
	clear(d.chunks)
	d.chunks, d.chunked = d.chunks[:0], 0
	return ev, true
}

// size is the number of bytes currently held for the open event.
func (d *Decoder) size() int {
	return d.chunked + len(d.data) + d.streamed + len(d.eventType) + len(d.line)
}

// bufferLine appends to the line buffer, enforcing the size limit.
func (d *Decoder) bufferLine(b []byte) error {
	if len(b) > d.max-d.size() {
		return &EventTooLargeError{Limit: d.max}
	}
	d.line = append(d.line, b...)
	return nil
}

// appendData appends to the data, enforcing the size limit. terminated
// tells whether b ends a data line.
func (d *Decoder) appendData(b []byte, terminated bool) error {
	if len(b) > d.max-d.size() {
		return &EventTooLargeError{Limit: d.max}
	}
	if d.sink != nil {
		d.streamed += len(b)
		_, err := d.sink.Write(b)
		return err
	}
	need := len(d.data) + len(b)
	if need <= cap(d.data) {
		d.data = append(d.data, b...)
		return nil
	}
	if len(d.chunks) == 0 && need <= d.chunkSize {
		d.grow(need, terminated)
		d.data = append(d.data, b...)
		return nil
	}
	// Fill the current buffer, then continue in new chunks.
	for {
		n := copy(d.data[len(d.data):cap(d.data)], b)
		d.data = d.data[:len(d.data)+n]
		b = b[n:]
		if len(b) == 0 {
			return nil
		}
		next := d.spare
		if next == nil {
			next = d.newChunk()
		}
		d.spare = nil
		if len(d.data) > 0 {
			d.pushChunk()
		}
		d.data = next[:0]
	}
}

// pushChunk moves the data buffer, which is full, to the list of chunks.
func (d *Decoder) pushChunk() {
	d.chunks = append(d.chunks, d.data)
	d.chunked += len(d.data)
	d.data = nil
}

// newChunk allocates an empty chunk: chunkSize bytes, or less if the
// event size limit leaves less room.
func (d *Decoder) newChunk() []byte {
	return make([]byte, 0, max(min(d.chunkSize, d.max-d.size()), 1))
}

// grow reallocates the contiguous data buffer, before any chunk exists, to
// hold at least need bytes; need does not exceed d.max or d.chunkSize.
func (d *Decoder) grow(need int, terminated bool) {
	c := cap(d.data)
	var nc int
	switch {
	case terminated && c == 0:
		// The common case of an event with a single data line that was
		// read in one piece: allocate exactly.
		nc = need
	case terminated:
		nc = max(2*c, need)
	default:
		// A data line that spans reads and may be long.
		nc = max(2*c, smallGrow)
		for nc < need && nc <= math.MaxInt/4 {
			nc *= 2
		}
		if nc > smallGrow && nc < largeGrow {
			nc = largeGrow
		}
	}
	if nc > d.chunkSize/2 && nc != need {
		// Go to the full chunk size at once rather than in two steps, so
		// that the buffers discarded on the way sum to less than
		// chunkSize.
		nc = d.chunkSize
	}
	nc = max(min(nc, d.max, d.chunkSize), need)
	nd := make([]byte, len(d.data), nc)
	copy(nd, d.data)
	d.data = nd
	if d.reuse {
		d.keep = nd
	}
}
