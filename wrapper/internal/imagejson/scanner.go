package imagejson

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
)

// Path says where image strings sit in a document: the object keys from the
// top, with "[]" for any element of an array. {"data", "[]", "b64_json"}
// is the b64_json member of every element of the top-level data array.
type Path []string

// maxDepth is the deepest nesting the scanner tracks, that of
// encoding/json, which refuses anything deeper (no path goes that deep).
const maxDepth = 10000

// maxKey is the longest object key kept for matching paths: longer keys
// match none.
const maxKey = 32

// maxWatched is the longest watched value kept (see NewScanner).
const maxWatched = 256

// frame is one open object or array.
type frame struct {
	obj       bool
	expectKey bool // in an object: the next string is a key
	keyLen    int  // -1: longer than maxKey
	key       [maxKey]byte
	index     int // in an array: the current element's index
}

// Roles of the string being read.
const (
	roleValue = iota // copied
	roleKey          // copied, and kept as the object's current key
	roleWatch        // copied, and kept as a watched value
	roleImage        // sent to a sink, a placeholder in its place
)

// elision records one image string the skeleton replaced by a placeholder.
type elision struct {
	orig      int64 // offset of its content in the document
	origLen   int64 // length of the content replaced
	skel      int   // offset of the placeholder in the skeleton
	tokenLen  int   // length of the placeholder
	sink      Sink
	completed bool
}

// A Scanner reads one JSON document at a time, written to it in pieces of
// any size, and splits it as it goes into its image strings and the rest.
// The content of each string value found at one of its paths goes to a
// [Sink] (the base64 text kept, decoded to a file, ...); everything else is
// copied into a skeleton: the document with each such string replaced by a
// short placeholder string. Unmarshalling the skeleton into the generated
// types then parses every other member exactly as before, and [Scanner.Sink]
// tells which image ended up in which field.
//
// The scanner does not judge the JSON: encoding/json does, on the skeleton,
// and finds the same first error as in the document (see
// [Scanner.Unmarshal], which maps the error's offset back). To keep that
// true the scanner checks the one thing it removes, the content of image
// strings, with json's own rules: a control character, a bad escape or a
// document that ends in the string is left in the skeleton for json to
// report, the string's sink ends incomplete and the rest of the document is
// ignored.
//
// The skeleton, like the document, is held in memory: only image strings
// are streamed.
type Scanner struct {
	paths []Path
	watch []string
	open  func(path int, index []int) Sink
	nonce string

	skel     []byte
	stack    []frame
	depth    int // may exceed len(stack) past maxDepth
	pos      int64
	inStr    bool
	role     int
	esc      int // 0; 1 after a backslash; 2 to 5 in the hex digits of \u
	pending  []byte
	watchKey int
	watchBuf []byte
	watched  []*string
	index    []int
	sink     Sink
	cur      elision
	elided   []elision
	poisoned bool
	err      error
}

// NewScanner returns a scanner for documents whose image strings are at
// paths. The string values of the top-level members named watch are kept as
// they are read (as they stand in the document, escapes not decoded; up to
// 256 bytes), so that an open function can look at a document's "type"
// before its image arrives. Call Reset before each document.
func NewScanner(paths []Path, watch ...string) *Scanner {
	return &Scanner{
		paths:   paths,
		watch:   watch,
		nonce:   strconv.FormatUint(rand.Uint64(), 36),
		watched: make([]*string, len(watch)),
	}
}

// Reset prepares the scanner for a new document. open is called at the
// start of every string value at one of the paths (path is its index in
// the list, index the array indices along it) and returns the string's sink,
// or nil to leave the string in the skeleton like any other.
func (s *Scanner) Reset(open func(path int, index []int) Sink) {
	clear(s.elided) // drop the sinks
	*s = Scanner{
		paths: s.paths, watch: s.watch, open: open, nonce: s.nonce,
		skel: s.skel[:0], stack: s.stack[:0], pending: s.pending[:0],
		watchBuf: s.watchBuf[:0], watched: s.watched, index: s.index[:0],
		elided: s.elided[:0],
	}
	clear(s.watched)
}

// Write scans the next piece of the document. It fails only with a sink's
// error, which ends the scan.
func (s *Scanner) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && s.err == nil && !s.poisoned {
		if s.inStr {
			p = s.str(p)
		} else {
			p = s.outside(p)
		}
	}
	if s.err != nil {
		return 0, s.err
	}
	s.pos += int64(len(p)) // ignored once poisoned
	return n, nil
}

// Read buffers of 4, 16 and 64 KiB: each read that fills one moves to the
// next, so that a small document takes only a small one.
var readPools [3]sync.Pool

func init() {
	for i, size := range [...]int{4 << 10, 16 << 10, 64 << 10} {
		readPools[i].New = func() any { b := make([]byte, size); return &b }
	}
}

// ReadFrom scans everything r holds (it does not call Finish). It reads
// into a pooled 4 KiB buffer, and each time a read fills the buffer, into a
// larger one, up to 64 KiB.
func (s *Scanner) ReadFrom(r io.Reader) (int64, error) {
	level := 0
	bp := readPools[level].Get().(*[]byte)
	defer func() { readPools[level].Put(bp) }()
	var total int64
	for {
		n, err := r.Read(*bp)
		if n > 0 {
			total += int64(n)
			if _, werr := s.Write((*bp)[:n]); werr != nil {
				return total, werr
			}
			if n == len(*bp) && level < len(readPools)-1 {
				readPools[level].Put(bp)
				level++
				bp = readPools[level].Get().(*[]byte)
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// Finish ends the document. A document that ends inside an image string
// ends that string's sink incomplete, and leaves the skeleton unterminated
// there, for json to report. It returns a sink's error, if any.
func (s *Scanner) Finish() error {
	if s.err == nil && s.inStr && s.role == roleImage && !s.poisoned {
		s.abandon(nil)
	}
	return s.err
}

func (s *Scanner) top() *frame {
	if s.depth == 0 || s.depth > len(s.stack) {
		return nil
	}
	return &s.stack[s.depth-1]
}

// outside scans p outside strings, up to and including the opening quote
// of the next string.
func (s *Scanner) outside(p []byte) []byte {
	for i, c := range p {
		switch c {
		case '"':
			s.skel = append(s.skel, p[:i+1]...)
			s.pos += int64(i + 1)
			s.beginString()
			return p[i+1:]
		case '{', '[':
			s.depth++
			if s.depth <= maxDepth {
				s.stack = append(s.stack[:s.depth-1], frame{obj: c == '{', expectKey: c == '{'})
			}
		case '}', ']':
			if s.depth > 0 {
				s.depth--
			}
		case ':':
			if f := s.top(); f != nil && f.obj {
				f.expectKey = false
			}
		case ',':
			if f := s.top(); f != nil {
				if f.obj {
					f.expectKey, f.keyLen = true, 0
				} else {
					f.index++
				}
			}
		}
	}
	s.skel = append(s.skel, p...)
	s.pos += int64(len(p))
	return nil
}

// beginString decides the role of the string just opened.
func (s *Scanner) beginString() {
	s.inStr, s.esc, s.role = true, 0, roleValue
	f := s.top()
	if f != nil && f.obj && f.expectKey {
		s.role = roleKey
		f.keyLen = 0
		return
	}
	if k := s.match(); k >= 0 && s.open != nil {
		if sink := s.open(k, s.index); sink != nil {
			s.role, s.sink = roleImage, sink
			s.cur = elision{orig: s.pos, skel: len(s.skel) - 1, sink: sink}
			s.pending = s.pending[:0]
			return
		}
	}
	if s.depth == 1 && f != nil && f.obj && f.keyLen > 0 {
		for i, w := range s.watch {
			if string(f.key[:f.keyLen]) == w {
				s.role, s.watchKey, s.watchBuf = roleWatch, i, s.watchBuf[:0]
			}
		}
	}
}

// match returns the index of the path the current value sits at, or -1,
// and sets s.index.
func (s *Scanner) match() int {
	if s.depth > len(s.stack) {
		return -1
	}
next:
	for k, path := range s.paths {
		if len(path) != s.depth {
			continue
		}
		s.index = s.index[:0]
		for l, want := range path {
			f := &s.stack[l]
			switch {
			case f.obj && (f.expectKey || f.keyLen < 0 || string(f.key[:f.keyLen]) != want):
				continue next
			case !f.obj && want != "[]":
				continue next
			case !f.obj:
				s.index = append(s.index, f.index)
			}
		}
		return k
	}
	return -1
}

// str scans p inside a string, up to and including its closing quote.
func (s *Scanner) str(p []byte) []byte {
	i := 0   // bytes of p scanned
	run := 0 // start of the content not yet passed on
	plain := true
	for i < len(p) {
		if s.esc > 0 {
			if s.role != roleImage {
				s.esc = 0 // the escaped byte, whatever it is (json judges)
				i++
				continue
			}
			if !s.escapeByte(p[i]) {
				s.abandon(p[i : i+1])
				return nil
			}
			i++
			if s.esc == 0 {
				run = i // escapeByte passed the escape on
			}
			continue
		}
		j := i + special(p[i:])
		if j == len(p) {
			i = j
			break
		}
		switch c := p[j]; {
		case c == '"':
			s.flush(p[run:j], plain)
			s.pos++
			s.inStr = false
			if s.role == roleImage {
				s.endImage()
			} else {
				s.skel = append(s.skel, '"')
				s.endString()
			}
			return p[j+1:]
		case c == '\\':
			s.esc = 1
			if s.role == roleImage {
				// The escape is checked and passed on by escapeByte.
				s.flush(p[run:j], plain)
				plain, run = true, j+1
				s.pending = append(s.pending[:0], '\\')
			} else {
				plain = false
			}
		case c < 0x20 && s.role == roleImage:
			s.flush(p[run:j], plain)
			s.abandon(p[j : j+1])
			return nil
		case c >= 0x80:
			plain = false
		}
		i = j + 1
	}
	if s.esc > 0 && s.role == roleImage {
		run = i // the escape so far is pending
	}
	s.flush(p[run:i], plain)
	return p[i:]
}

// escapeByte checks the next byte of an escape in an image string, with
// json's rules, and reports whether it is valid.
func (s *Scanner) escapeByte(c byte) bool {
	if s.esc == 1 {
		switch c {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			s.esc = 0
		case 'u':
			s.esc = 2
		default:
			return false
		}
	} else {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
		if s.esc++; s.esc == 6 {
			s.esc = 0
		}
	}
	s.pending = append(s.pending, c)
	if s.esc == 0 {
		// A complete escape: it goes on to the sink as content.
		s.content(s.pending, false)
		s.pos += int64(len(s.pending))
		s.pending = s.pending[:0]
	}
	return true
}

// flush passes on a run of string content.
func (s *Scanner) flush(b []byte, plain bool) {
	s.content(b, plain)
	s.pos += int64(len(b))
}

// content hands a piece of string content to its destination.
func (s *Scanner) content(b []byte, plain bool) {
	if len(b) == 0 || s.err != nil {
		return
	}
	switch s.role {
	case roleImage:
		s.err = s.sink.Content(b, plain)
		return
	case roleKey:
		if f := s.top(); f != nil && f.keyLen >= 0 {
			if f.keyLen+len(b) > maxKey {
				f.keyLen = -1
			} else {
				f.keyLen += copy(f.key[f.keyLen:], b)
			}
		}
	case roleWatch:
		if len(s.watchBuf)+len(b) <= maxWatched {
			s.watchBuf = append(s.watchBuf, b...)
		} else {
			s.watchBuf = append(s.watchBuf[:0], 0) // too long: no value
		}
	}
	s.skel = append(s.skel, b...)
}

// endString completes a copied string.
func (s *Scanner) endString() {
	if s.role == roleWatch && (len(s.watchBuf) == 0 || s.watchBuf[0] != 0) {
		v := string(s.watchBuf)
		s.watched[s.watchKey] = &v
	}
}

// placeholder appends the placeholder of image string k to the skeleton.
func (s *Scanner) placeholder(k int) int {
	n := len(s.skel)
	s.skel = append(s.skel, `\u0000img`...)
	s.skel = append(s.skel, s.nonce...)
	s.skel = append(s.skel, ':')
	s.skel = strconv.AppendInt(s.skel, int64(k), 10)
	return len(s.skel) - n
}

// endImage completes an image string: its sink ends, and its placeholder
// goes into the skeleton.
func (s *Scanner) endImage() {
	s.cur.origLen = s.pos - 1 - s.cur.orig
	s.cur.skel = len(s.skel)
	s.cur.tokenLen = s.placeholder(len(s.elided))
	s.skel = append(s.skel, '"')
	s.cur.completed = true
	if err := s.sink.End(true); err != nil && s.err == nil {
		s.err = err
	}
	s.elided = append(s.elided, s.cur)
	s.sink = nil
}

// abandon ends an image string that is invalid at bad (or, with bad nil,
// cut off by the end of the document): the sink ends incomplete, and the
// skeleton gets the placeholder, then the escape in progress and bad, for
// json to find the error where it is. Nothing after bad is scanned.
func (s *Scanner) abandon(bad []byte) {
	s.cur.origLen = s.pos - s.cur.orig
	s.cur.skel = len(s.skel)
	s.cur.tokenLen = s.placeholder(len(s.elided))
	s.skel = append(s.skel, s.pending...)
	s.skel = append(s.skel, bad...)
	if err := s.sink.End(false); err != nil && s.err == nil {
		s.err = err
	}
	s.elided = append(s.elided, s.cur)
	s.sink = nil
	s.poisoned = bad != nil
	s.inStr = bad == nil && s.inStr
}

// Cap is the capacity of the skeleton buffer the scanner keeps for the next
// document.
func (s *Scanner) Cap() int { return cap(s.skel) }

// Skeleton returns the document with its image strings replaced by
// placeholders. It is valid until the next Reset.
func (s *Scanner) Skeleton() []byte { return s.skel }

// Images returns the number of image strings the skeleton replaced.
func (s *Scanner) Images() int { return len(s.elided) }

// Sink returns the sink of the image string whose placeholder is v: the
// value json gave the field the string ended up in. It reports false for
// any other value (a string that was not replaced).
func (s *Scanner) Sink(v string) (Sink, bool) {
	rest, ok := strings.CutPrefix(v, "\x00img")
	if !ok {
		return nil, false
	}
	rest, ok = strings.CutPrefix(rest, s.nonce+":")
	if !ok {
		return nil, false
	}
	k, err := strconv.Atoi(rest)
	if err != nil || k < 0 || k >= len(s.elided) || !s.elided[k].completed {
		return nil, false
	}
	return s.elided[k].sink, true
}

// Watched returns the value of the watched top-level member key seen so
// far, as it stands in the document (escapes not decoded).
func (s *Scanner) Watched(key string) (string, bool) {
	for i, w := range s.watch {
		if w == key && s.watched[i] != nil {
			return *s.watched[i], true
		}
	}
	return "", false
}

// Unmarshal unmarshals the skeleton into v with encoding/json. The offset
// of a *json.SyntaxError or *json.UnmarshalTypeError is mapped back to the
// document, so that the error is the one json.Unmarshal of the document
// would have returned.
func (s *Scanner) Unmarshal(v any) error {
	return s.mapError(json.Unmarshal(s.skel, v))
}

// Decode is Unmarshal with the semantics of json.NewDecoder(r).Decode on
// the document: the first JSON value only (what follows is not looked at),
// io.ErrUnexpectedEOF for a document cut short.
func (s *Scanner) Decode(v any) error {
	return s.mapError(json.NewDecoder(bytes.NewReader(s.skel)).Decode(v))
}

func (s *Scanner) mapError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		syntax.Offset = s.origOffset(syntax.Offset)
	case errors.As(err, &typ):
		typ.Offset = s.origOffset(typ.Offset)
	}
	return err
}

// origOffset maps an offset in the skeleton to the document.
func (s *Scanner) origOffset(off int64) int64 {
	shift := int64(0)
	for _, e := range s.elided {
		end := int64(e.skel + e.tokenLen)
		switch {
		case off >= end:
			shift += e.origLen - int64(e.tokenLen)
		case off > int64(e.skel):
			return e.orig // inside a placeholder: cannot be an error's place
		default:
			return off + shift
		}
	}
	return off + shift
}

// Original returns the document: the skeleton with each placeholder
// replaced by its string's content, for sinks that keep it (a [Text]); the
// content of any other image string is left out (the string is "").
func (s *Scanner) Original() []byte {
	if len(s.elided) == 0 {
		return bytes.Clone(s.skel)
	}
	return s.Restore(s.skel)
}

// Restore returns b, a piece of the skeleton (a json.RawMessage unmarshalled
// from it, say), with the placeholders in it replaced as Original does.
func (s *Scanner) Restore(b []byte) []byte {
	prefix := []byte(`\u0000img` + s.nonce + ":")
	out := make([]byte, 0, len(b))
	for {
		i := bytes.Index(b, prefix)
		if i < 0 {
			return append(out, b...)
		}
		out = append(out, b[:i]...)
		b = b[i+len(prefix):]
		n := 0
		for n < len(b) && b[n] >= '0' && b[n] <= '9' {
			n++
		}
		k, err := strconv.Atoi(string(b[:n]))
		if err != nil || k >= len(s.elided) {
			out = append(out, prefix...) // not a placeholder after all
			continue
		}
		b = b[n:]
		if e := s.elided[k]; e.completed {
			if t, ok := e.sink.(interface{ AppendRaw([]byte) []byte }); ok {
				out = t.AppendRaw(out)
			}
		}
	}
}

// String describes the scanner's state, for debugging.
func (s *Scanner) String() string {
	return fmt.Sprintf("imagejson.Scanner{pos %d, depth %d, in string %v, %d images, skeleton %d bytes}", s.pos, s.depth, s.inStr, len(s.elided), len(s.skel))
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special returns the index of the first byte of p that is a quote, a
// backslash, a control character or above 0x7F, or len(p). It tests eight
// bytes at a time: the lowest flagged byte of each test is exact (a false
// positive can only follow a true one).
func special(p []byte) int {
	i := 0
	for ; i+8 <= len(p); i += 8 {
		x := binary.LittleEndian.Uint64(p[i:])
		q := x ^ ('"' * lsb)
		b := x ^ ('\\' * lsb)
		m := ((q-lsb)&^q | (b-lsb)&^b | (x-0x20*lsb)&^x | x) & msb
		if m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(p); i++ {
		if c := p[i]; c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
			return i
		}
	}
	return len(p)
}
