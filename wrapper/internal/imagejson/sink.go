package imagejson

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
)

// A Sink receives the content of one image string as the [Scanner] reads
// it.
type Sink interface {
	// Content receives the next bytes of the string as they stand between
	// its quotes, escapes not decoded. plain reports that p holds neither
	// a backslash nor a byte above 0x7F, so that it is its own value. p
	// is only valid during the call. An error stops the scan.
	Content(p []byte, plain bool) error
	// End is called once: complete after the closing quote, or not when
	// the document ended, or turned out invalid, inside the string.
	End(complete bool) error
}

// chunkSize is the size of the pooled chunks a Text holds its content in.
const chunkSize = 256 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, chunkSize); return &b }}

// Text is a [Sink] that keeps a string's value, for typed results that hold
// the base64 text. It collects the content (beyond its first 16 KiB) in
// pooled 256 KiB chunks and copies it once, at the end, into a string of
// exactly its size: an image of n bytes of base64 costs n bytes of
// allocation, plus chunks the pool recycles.
type Text struct {
	small    []byte // the content while it is short: no chunk taken
	chunks   []*[]byte
	n        int
	plain    bool
	complete bool
	value    string
	raw      []byte // the content as it was, when it is not the value
}

// maxSmall is the most content a Text holds before it takes chunks.
const maxSmall = 16 << 10

// NewText returns an empty Text.
func NewText() *Text { return &Text{plain: true} }

func (t *Text) Content(p []byte, plain bool) error {
	t.plain = t.plain && plain
	if t.chunks == nil && t.n+len(p) <= maxSmall {
		t.small = append(t.small, p...)
		t.n += len(p)
		return nil
	}
	if t.chunks == nil {
		// Too long to stay small: on to chunks, the start first.
		small := t.small
		t.small, t.n, t.chunks = nil, 0, []*[]byte{}
		t.appendChunks(small)
	}
	t.appendChunks(p)
	return nil
}

func (t *Text) appendChunks(p []byte) {
	t.n += len(p)
	for len(p) > 0 {
		if len(t.chunks) == 0 || len(*t.chunks[len(t.chunks)-1]) == chunkSize {
			t.chunks = append(t.chunks, chunkPool.Get().(*[]byte))
		}
		c := t.chunks[len(t.chunks)-1]
		k := min(len(p), chunkSize-len(*c))
		*c = append(*c, p[:k]...)
		p = p[k:]
	}
}

func (t *Text) End(complete bool) error {
	t.complete = complete
	defer t.release()
	if !complete {
		return nil
	}
	if t.plain && t.chunks == nil {
		t.value = string(t.small)
		return nil
	}
	if t.plain {
		var b strings.Builder
		b.Grow(t.n)
		for _, c := range t.chunks {
			b.Write(*c)
		}
		t.value = b.String()
		return nil
	}
	// Escapes or bytes beyond ASCII: encoding/json says what the value is
	// (escapes decoded, invalid UTF-8 replaced), so that it is exactly
	// what json.Unmarshal would have given.
	t.raw = make([]byte, 0, t.n+2)
	t.raw = append(t.raw, '"')
	t.raw = append(t.raw, t.small...)
	for _, c := range t.chunks {
		t.raw = append(t.raw, *c...)
	}
	t.raw = append(t.raw, '"')
	if err := json.Unmarshal(t.raw, &t.value); err != nil {
		// The scanner checked the string; this cannot happen.
		return err
	}
	t.raw = t.raw[1 : len(t.raw)-1]
	return nil
}

func (t *Text) release() {
	for _, c := range t.chunks {
		*c = (*c)[:0]
		chunkPool.Put(c)
	}
	t.chunks = nil
}

// String returns the string's value, once End was called with complete.
func (t *Text) String() string { return t.value }

// AppendRaw appends the string's content as it stood in the document.
func (t *Text) AppendRaw(dst []byte) []byte {
	if t.raw != nil {
		return append(dst, t.raw...)
	}
	return append(dst, t.value...)
}

// Decoded is a [Sink] that decodes a base64 string (standard encoding) as it
// arrives and writes the bytes to a writer, holding only a 48 KiB buffer.
// It decodes exactly as base64.StdEncoding.DecodeString would decode the
// string's value (json.Unmarshal's, escapes decoded): the same bytes, or the
// same error at the same offset. A decoding error does not stop the scan (a
// later member may replace the string, or the document turn out invalid,
// which takes precedence); it is kept for [Decoded.Err]. An error writing
// to w stops the scan.
type Decoded struct {
	dec      b64Decoder
	buf      *[]byte
	level    int // buf is from outPools[level]
	w        io.Writer
	n        int64
	head     [headSize]byte
	nhead    int
	esc      int  // 0; 1 after a backslash; 2 to 5 in the hex digits of \u
	code     rune // of \u
	complete bool
	err      error
}

// headSize is how many of the first bytes Decoded keeps (see Head).
const headSize = 32

// Output buffers of 3, 12 and 48 KiB: each time one fills up Decoded moves
// to the next, so that a small image takes only a small one.
var outSizes = [...]int{3 << 10, 12 << 10, 48 << 10}

var outPools [len(outSizes)]sync.Pool

func init() {
	for i, size := range outSizes {
		outPools[i].New = func() any { b := make([]byte, 0, size); return &b }
	}
}

// NewDecoded returns a sink that writes the decoded bytes to w.
func NewDecoded(w io.Writer) *Decoded {
	d := &Decoded{w: w, buf: outPools[0].Get().(*[]byte)}
	d.dec.reset(*d.buf, d.flush)
	return d
}

func (d *Decoded) flush(b []byte) error {
	if d.nhead < headSize {
		d.nhead += copy(d.head[d.nhead:], b)
	}
	n, err := d.w.Write(b)
	d.n += int64(n)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err == nil && d.buf != nil && d.level < len(outPools)-1 && len(b) > cap(b)-4 {
		// The buffer filled up (the last flush of an image, which
		// seldom does, may move on needlessly): the next size from now
		// on. The decoder empties out after flush, whichever buffer.
		outPools[d.level].Put(d.buf)
		d.level++
		d.buf = outPools[d.level].Get().(*[]byte)
		d.dec.out = (*d.buf)[:0]
	}
	return err
}

func (d *Decoded) Content(p []byte, plain bool) error {
	if d.dec.err != nil {
		return nil // decoding failed: the rest does not matter
	}
	if plain && d.esc == 0 {
		return d.dec.write(p)
	}
	// Decode the escapes. Only their values up to 0x7F matter: any other
	// character is not base64, and the decoder fails at its first byte,
	// whatever its encoding, so one byte above 0x7F stands for all of them.
	start := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case d.esc == 0 && c != '\\':
			continue
		case d.esc == 0:
			if err := d.dec.write(p[start:i]); err != nil {
				return err
			}
			d.esc = 1
		case d.esc == 1:
			d.esc = 0
			switch c {
			case 'u':
				d.esc, d.code = 2, 0
			case 'b':
				d.dec.byte('\b')
			case 'f':
				d.dec.byte('\f')
			case 'n':
				d.dec.byte('\n')
			case 'r':
				d.dec.byte('\r')
			case 't':
				d.dec.byte('\t')
			default: // '"', '\\', '/'
				d.dec.byte(c)
			}
		default: // a hex digit of \u (the scanner checked them)
			d.code = d.code<<4 | rune(hexValue(c))
			if d.esc++; d.esc == 6 {
				d.esc = 0
				if d.code < 0x80 {
					d.dec.byte(byte(d.code))
				} else {
					d.dec.byte(0x80)
				}
			}
		}
		start = i + 1
	}
	if d.esc == 0 && start < len(p) {
		return d.dec.write(p[start:])
	}
	return d.dec.werr
}

func hexValue(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func (d *Decoded) End(complete bool) error {
	d.complete = complete
	defer d.release()
	if !complete {
		return nil
	}
	err := d.dec.close()
	var corrupt base64.CorruptInputError
	if errors.As(err, &corrupt) {
		d.err = err
		return nil
	}
	return err
}

func (d *Decoded) release() {
	if d.buf != nil {
		outPools[d.level].Put(d.buf)
		d.buf, d.dec.out = nil, nil
	}
}

// Err returns the decoding error (a base64.CorruptInputError), if any.
func (d *Decoded) Err() error { return d.err }

// Written is the number of bytes written.
func (d *Decoded) Written() int64 { return d.n }

// Head returns the first bytes written (at most 32), for sniffing the
// image's format.
func (d *Decoded) Head() []byte { return d.head[:d.nhead] }

// Discard is a [Sink] that drops the content.
type Discard struct{}

func (Discard) Content([]byte, bool) error { return nil }
func (Discard) End(bool) error             { return nil }

// DecodeString decodes s as base64.StdEncoding.DecodeString does (the same
// bytes, or the same error) into one buffer of exactly the decoded size,
// without the copy of s that DecodeString makes.
func DecodeString(s string) ([]byte, error) {
	var d b64Decoder
	d.reset(make([]byte, 0, base64.StdEncoding.DecodedLen(len(s))), nil)
	var buf [4 << 10]byte
	for len(s) > 0 && d.err == nil {
		n := copy(buf[:], s)
		d.write(buf[:n])
		s = s[n:]
	}
	if err := d.close(); err != nil {
		return nil, err
	}
	return d.out, nil
}

// DecodeStringTo decodes s as DecodeString does and writes the bytes to w
// through a 48 KiB buffer. It returns the number of bytes written and the
// first 32 of them. A decoding error may come after some bytes were
// written.
func DecodeStringTo(w io.Writer, s string) (int64, []byte, error) {
	d := NewDecoded(w)
	var buf [4 << 10]byte
	for len(s) > 0 && d.dec.err == nil && d.dec.werr == nil {
		n := copy(buf[:], s)
		d.dec.write(buf[:n])
		s = s[n:]
	}
	if err := d.End(true); err != nil {
		return d.n, d.Head(), err
	}
	return d.n, d.Head(), d.err
}
