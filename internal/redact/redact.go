package redact

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// MinLen is the length of the shortest secret scrubbed. Real credentials
// are long and random (OpenAI keys run past 50 characters, Azure keys are
// 32 hex digits, tokens longer still); shorter "secrets" are placeholders
// ("emulator", "sk-1234") that also occur in ordinary text, such as the
// URLs a local server returns, and cutting them out would corrupt it.
const MinLen = 12

// markers are the replacement texts, in order of preference. The first
// whose brackets appear in no secret, and which contains no secret, is
// used: an occurrence of a secret that overlapped a marker would have to
// contain one of its brackets.
var markers = []string{"[redacted]", "<redacted>", "{redacted}", "(redacted)", "|redacted|", "#redacted#", "*redacted*"}

// maxBackslashes bounds the run of backslashes before an escape (JSON
// quoted in JSON doubles it at each level), so one encoded character is at
// most 21 bytes and the reader holds back at most 21 bytes per character
// of the longest secret.
const maxBackslashes = 16

// Scrubber replaces a fixed list of secrets. It is immutable and safe for
// concurrent use. The nil *Scrubber has no secrets: its methods return
// their input.
type Scrubber struct {
	secrets []string // longest first, each at least MinLen bytes
	marker  string
	pats    []pattern // where an occurrence can start (see candidates)
	back    int       // the largest anchor offset
}

// New returns a scrubber for secrets; those shorter than [MinLen] and
// duplicates are ignored. It returns nil when no secret is left.
func New(secrets ...string) *Scrubber {
	var list []string
	for _, s := range secrets {
		if len(s) >= MinLen && !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	if len(list) == 0 {
		return nil
	}
	// Longest first, so that of two secrets where one starts the other,
	// the whole longer one is cut.
	slices.SortStableFunc(list, func(a, b string) int { return len(b) - len(a) })
	m := &Scrubber{secrets: list, marker: pickMarker(list)}
	m.pats = []pattern{{b: '\\', escape: true}, {b: '%', escape: true}, {b: '&', escape: true}}
	for _, s := range list {
		a := anchorOf(s)
		if !slices.Contains(m.pats, a) {
			m.pats = append(m.pats, a)
		}
		m.back = max(m.back, a.off)
	}
	return m
}

func pickMarker(secrets []string) string {
	for _, mk := range markers {
		ok := true
		for _, s := range secrets {
			if strings.ContainsAny(s, mk[:1]+mk[len(mk)-1:]) || strings.Contains(mk, s) {
				ok = false
				break
			}
		}
		if ok {
			return mk
		}
	}
	// Every bracket pair is taken: use a run of the first printable byte
	// that is no syntax byte and in no secret (three bytes are shorter
	// than any secret).
	for c := byte('!'); c <= '~'; c++ {
		if c == '\\' || c == '%' || c == '&' || c == '#' || c == ';' || isHex(c) || c == 'u' || c == 'x' || c == 'X' {
			continue
		}
		used := false
		for _, s := range secrets {
			if strings.IndexByte(s, c) >= 0 {
				used = true
				break
			}
		}
		if !used {
			return strings.Repeat(string(c), 3)
		}
	}
	return markers[0]
}

// With returns a scrubber for s's secrets and extra ones.
func (s *Scrubber) With(extra ...string) *Scrubber {
	if s == nil {
		return New(extra...)
	}
	if len(extra) == 0 {
		return s
	}
	return New(append(slices.Clone(s.secrets), extra...)...)
}

// Marker is the text that replaces each occurrence.
func (s *Scrubber) Marker() string {
	if s == nil {
		return markers[0]
	}
	return s.marker
}

// Found reports whether text holds a secret, in any form.
func (s *Scrubber) Found(text string) bool {
	if s == nil {
		return false
	}
	_, _, res := s.next([]byte(text), 0, true)
	return res == full
}

// String returns text with every secret replaced.
func (s *Scrubber) String(text string) string {
	if s == nil {
		return text
	}
	if !s.Found(text) {
		return text
	}
	return string(s.Bytes([]byte(text)))
}

// Bytes returns b with every secret replaced: b itself when it holds none,
// else a new slice.
func (s *Scrubber) Bytes(b []byte) []byte {
	if s == nil || len(b) == 0 {
		return b
	}
	start, end, res := s.next(b, 0, true)
	if res != full {
		return b
	}
	out := make([]byte, 0, len(b))
	from := 0
	for res == full {
		out = append(out, b[from:start]...)
		out = append(out, s.marker...)
		from = end
		start, end, res = s.next(b, from, true)
	}
	return append(out, b[from:]...)
}

// Header returns h with every secret cut from its names and values: h
// itself when it holds none, else a new header.
func (s *Scrubber) Header(h http.Header) http.Header {
	if s == nil || h == nil {
		return h
	}
	dirty := false
	for k, vs := range h {
		if s.Found(k) {
			dirty = true
			break
		}
		for _, v := range vs {
			if s.Found(v) {
				dirty = true
				break
			}
		}
	}
	if !dirty {
		return h
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		k = s.String(k)
		for _, v := range vs {
			out[k] = append(out[k], s.String(v))
		}
	}
	return out
}

// Error returns err, or, when its message holds a secret, an error with
// the scrubbed message. The replacement does not unwrap to err (its chain
// would print the secret) but still matches, with errors.Is, whichever of
// context.Canceled, context.DeadlineExceeded, io.EOF, io.ErrUnexpectedEOF
// and keep err matched, and reports net.Error's Timeout as err did.
func (s *Scrubber) Error(err error, keep ...error) error {
	if s == nil || err == nil {
		return err
	}
	msg := err.Error()
	if !s.Found(msg) {
		return err
	}
	e := &scrubbedError{msg: s.String(msg)}
	for _, target := range append([]error{context.Canceled, context.DeadlineExceeded, io.EOF, io.ErrUnexpectedEOF}, keep...) {
		if errors.Is(err, target) {
			e.is = append(e.is, target)
		}
	}
	var ne net.Error
	e.timeout = errors.As(err, &ne) && ne.Timeout()
	return e
}

type scrubbedError struct {
	msg     string
	is      []error
	timeout bool
}

func (e *scrubbedError) Error() string        { return e.msg }
func (e *scrubbedError) Is(target error) bool { return slices.Contains(e.is, target) }
func (e *scrubbedError) Timeout() bool        { return e.timeout }
func (e *scrubbedError) Temporary() bool      { return false }

// result of matching at one position.
type result uint8

const (
	none    result = iota
	full           // a whole occurrence
	partial        // the input ended inside what could be an occurrence
)

// next finds the first occurrence of a secret at or after from: its start
// and end with full, or with partial the start of a possible occurrence
// cut off by the end of b (never reported when atEOF). When several
// secrets match at one position the longest occurrence wins.
func (s *Scrubber) next(b []byte, from int, atEOF bool) (start, end int, res result) {
	var room [8]int
	c := candidates{s: s, pos: room[:0]}
	if len(s.pats) > len(room) {
		c.pos = make([]int, 0, len(s.pats))
	}
	c.pos = c.pos[:len(s.pats)]
	for i := range c.pos {
		c.pos[i] = -2
	}
	for p := c.next(b, from); p >= 0; p = c.next(b, p+1) {
		best, held := -1, false
		for _, sec := range s.secrets {
			e, r := matchAt(b, p, sec, atEOF)
			switch r {
			case full:
				best = max(best, e)
			case partial:
				held = true
			}
		}
		if held {
			return p, 0, partial
		}
		if best >= 0 {
			return p, best, full
		}
	}
	return 0, 0, none
}

// pattern is a byte that marks where an occurrence may start: an escape
// character (the occurrence starts at most back bytes before it), or the
// anchor byte of a secret, off bytes into it.
type pattern struct {
	b      byte
	off    int
	escape bool
	next   byte // for an anchor: the byte after it in the secret
}

// anchorOf picks the byte of the secret's first eight to search for: the
// one least likely in the text around it. Base64 (images) and JSON are
// most of what is scanned, so a byte outside both (like the "-" of
// "sk-...") is best, then an upper-case letter, a digit, a lower-case one.
// When all of an occurrence's bytes up to the anchor are raw it is found
// by the anchor; otherwise one of them is an escape, and found by that.
func anchorOf(secret string) pattern {
	rank := func(c byte) int {
		switch {
		case c == '"' || c == ':' || c == ',' || c == ' ' || c == '{' || c == '}' || c == '+' || c == '/' || c == '=':
			return 5
		case c >= 'a' && c <= 'z':
			return 3
		case c >= '0' && c <= '9':
			return 2
		case c >= 'A' && c <= 'Z':
			return 1
		}
		return 0
	}
	best := 0
	for i := 1; i < min(len(secret), 8); i++ {
		if rank(secret[i]) < rank(secret[best]) {
			best = i
		}
	}
	return pattern{b: secret[best], off: best, next: secret[best+1]}
}

// candidates finds the positions where an occurrence may start, with one
// bytes.IndexByte pass per pattern over the input: the anchor of each
// secret (off bytes on), every escape character (and the back bytes before
// it), and the last back bytes of the input, where an occurrence may be
// cut off before its anchor.
type candidates struct {
	s   *Scrubber
	pos []int // next known match of each pattern, -1 for none left, -2 unknown
}

func (c *candidates) next(b []byte, from int) int {
	if from >= len(b) {
		return -1
	}
	best := -1
	consider := func(p int) {
		if p >= from && (best < 0 || p < best) {
			best = p
		}
	}
	for i, pat := range c.s.pats {
		p := c.pos[i]
		if p == -1 {
			continue
		}
		// The first position of the byte that can give a start >= from.
		min := from
		if !pat.escape {
			min += pat.off
		}
		if p < min {
			p = c.find(b, min, pat)
			c.pos[i] = p
			if p < 0 {
				continue
			}
		}
		if pat.escape {
			consider(max(from, p-c.s.back-1))
		} else {
			consider(p - pat.off)
		}
	}
	consider(max(from, len(b)-c.s.back-1))
	return best
}

// find returns the first position at or after from of the pattern's
// byte, skipping anchors whose next byte is neither the secret's next byte
// nor an escape (most of them, in base64), or -1.
func (c *candidates) find(b []byte, from int, pat pattern) int {
	for from < len(b) {
		k := bytes.IndexByte(b[from:], pat.b)
		if k < 0 {
			return -1
		}
		p := from + k
		if pat.escape || p+1 == len(b) {
			return p
		}
		if n := b[p+1]; n == pat.next || n == '\\' || n == '%' || n == '&' {
			return p
		}
		from = p + 1
	}
	return -1
}

// matchAt matches an encoded form of sec at b[i:], one character of sec
// at a time: an escape that decodes to it, else the raw byte.
func matchAt(b []byte, i int, sec string, atEOF bool) (int, result) {
	// The raw form first: a secret holding an escape character (say
	// "%25") could otherwise be read as an escape and missed.
	if rest := b[i:]; len(rest) >= len(sec) {
		if string(rest[:len(sec)]) == sec {
			return i + len(sec), full
		}
	} else if !atEOF && string(rest) == sec[:len(rest)] {
		return 0, partial
	}
	j := i
	for k := 0; k < len(sec); k++ {
		c := sec[k]
		if j >= len(b) {
			if atEOF {
				return 0, none
			}
			return 0, partial
		}
		if ch := b[j]; ch == '\\' || ch == '%' || ch == '&' {
			v, n, u := unit(b[j:], atEOF)
			switch {
			case u == unitOK && v == c:
				j += n
				continue
			case u == unitShort:
				return 0, partial
			}
		}
		if b[j] != c {
			return 0, none
		}
		j++
	}
	return j, full
}

type unitResult uint8

const (
	unitNo unitResult = iota
	unitOK
	unitShort // could be an escape once more input arrives
)

// unit decodes one escaped ASCII character at the start of b (which starts
// with \, % or &): its value and length.
func unit(b []byte, atEOF bool) (byte, int, unitResult) {
	short := func() (byte, int, unitResult) {
		if atEOF {
			return 0, 0, unitNo
		}
		return 0, 0, unitShort
	}
	switch b[0] {
	case '\\':
		k := 0
		for k < len(b) && b[k] == '\\' {
			k++
			if k > maxBackslashes {
				return 0, 0, unitNo
			}
		}
		if k == len(b) {
			return short()
		}
		switch b[k] {
		case '/':
			return '/', k + 1, unitOK
		case 'u':
			return hexUnit(b, k+1, 4, short)
		case 'x':
			return hexUnit(b, k+1, 2, short)
		}
		return 0, 0, unitNo
	case '%':
		return hexUnit(b, 1, 2, short)
	case '&':
		// &#NNN; or &#xHH; with up to 10 digits (leading zeros allowed).
		if len(b) < 2 {
			return short()
		}
		if b[1] != '#' {
			return 0, 0, unitNo
		}
		j, base := 2, 10
		if j < len(b) && (b[j] == 'x' || b[j] == 'X') {
			j, base = 3, 16
		}
		v, digits := 0, 0
		for ; j < len(b); j++ {
			d, ok := digit(b[j], base)
			if !ok {
				break
			}
			if digits++; digits > 10 {
				return 0, 0, unitNo
			}
			if v = v*base + d; v > 0x10FFFF {
				return 0, 0, unitNo
			}
		}
		if j == len(b) {
			return short()
		}
		if digits == 0 || b[j] != ';' || v >= 0x80 {
			return 0, 0, unitNo
		}
		return byte(v), j + 1, unitOK
	}
	return 0, 0, unitNo
}

// hexUnit reads n hex digits at b[at:] as an ASCII character.
func hexUnit(b []byte, at, n int, short func() (byte, int, unitResult)) (byte, int, unitResult) {
	v := 0
	for j := at; j < at+n; j++ {
		if j >= len(b) {
			return short()
		}
		d, ok := digit(b[j], 16)
		if !ok {
			return 0, 0, unitNo
		}
		v = v*16 + d
	}
	if v >= 0x80 {
		return 0, 0, unitNo
	}
	return byte(v), at + n, unitOK
}

func digit(c byte, base int) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case base == 16 && c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	case base == 16 && c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}

func isHex(c byte) bool { _, ok := digit(c, 16); return ok }

// Reader returns a reader of r's bytes with every secret replaced. It
// returns r itself when s has no secrets.
func (s *Scrubber) Reader(r io.Reader) io.Reader {
	if s == nil {
		return r
	}
	return &reader{s: s, src: r}
}

// reader scrubs as it reads. Bytes are read straight into the caller's
// buffer and returned as they are when they hold nothing to replace or
// hold back (the common case: no copy); otherwise they move to buf, where
// buf[off:ready] is scrubbed output and buf[ready:] raw input held back
// because it could start an occurrence.
type reader struct {
	s          *Scrubber
	src        io.Reader
	buf        []byte
	off, ready int
	err        error
}

func (r *reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if r.off < r.ready {
			n := copy(p, r.buf[r.off:r.ready])
			r.off += n
			return n, nil
		}
		held := len(r.buf) - r.ready
		if r.err != nil {
			if held > 0 {
				// The input ended: what was held back is no occurrence.
				r.process(nil, true)
				continue
			}
			return 0, r.err
		}
		if held == 0 {
			// Fast path: read into p and hand it back untouched when
			// nothing in it needs replacing or holding back.
			n, err := r.src.Read(p)
			if n > 0 {
				if _, _, res := r.s.next(p[:n], 0, err != nil); res == none {
					return n, err
				}
			}
			r.err = err
			r.buf, r.off, r.ready = r.buf[:0], 0, 0
			r.process(p[:n], err != nil)
			continue
		}
		// Some input is held back: read more behind it.
		var tmp [4096]byte
		n, err := r.src.Read(tmp[:])
		r.err = err
		r.process(tmp[:n], err != nil)
	}
}

// process scrubs the held-back input followed by in: buf then holds the
// scrubbed output in [0:ready] and the new held-back input after it.
func (r *reader) process(in []byte, atEOF bool) {
	raw := make([]byte, 0, len(r.buf)-r.ready+len(in))
	raw = append(append(raw, r.buf[r.ready:]...), in...)
	out := make([]byte, 0, len(raw)+len(r.s.marker))
	from := 0
	for {
		start, end, res := r.s.next(raw, from, atEOF)
		switch res {
		case full:
			out = append(append(out, raw[from:start]...), r.s.marker...)
			from = end
			continue
		case partial:
			out = append(out, raw[from:start]...)
			ready := len(out)
			r.buf, r.off, r.ready = append(out, raw[start:]...), 0, ready
			return
		}
		out = append(out, raw[from:]...)
		r.buf, r.off, r.ready = out, 0, len(out)
		return
	}
}

// maxAdded bounds how many secrets [Set.Add] keeps besides those the set
// was made with: a rotating token adds one secret per rotation, and only
// the recent ones can still be echoed.
const maxAdded = 32

// Set is the secrets of one client: fixed ones (a key, credential headers)
// and ones added while it runs (tokens fetched when needed). It is safe for
// concurrent use; the nil *Set has no secrets.
type Set struct {
	mu    sync.Mutex
	fixed []string
	added []string // oldest first, at most maxAdded
	cur   atomic.Pointer[Scrubber]
}

// NewSet returns a set holding secrets.
func NewSet(secrets ...string) *Set {
	s := &Set{fixed: slices.Clone(secrets)}
	s.cur.Store(New(s.fixed...))
	return s
}

// Add adds secrets to the set. Of the secrets added (not those the set was
// made with), the 32 most recent are kept.
func (s *Set) Add(secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for _, sec := range secrets {
		if len(sec) < MinLen || slices.Contains(s.fixed, sec) || slices.Contains(s.added, sec) {
			continue
		}
		s.added = append(s.added, sec)
		changed = true
	}
	if !changed {
		return
	}
	if n := len(s.added) - maxAdded; n > 0 {
		s.added = slices.Delete(s.added, 0, n)
	}
	s.cur.Store(New(append(slices.Clone(s.fixed), s.added...)...))
}

// Scrubber returns a scrubber for the set's secrets as of now.
func (s *Set) Scrubber() *Scrubber {
	if s == nil {
		return nil
	}
	return s.cur.Load()
}
