package redact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

const key = "sk-proj-Ab3_x9-SECRET-key"

func TestStringFindsEveryForm(t *testing.T) {
	s := New(key)
	jsonEsc := func(str string) string {
		var b strings.Builder
		for i := range len(str) {
			fmt.Fprintf(&b, `\u%04x`, str[i])
		}
		return b.String()
	}
	mixed := "sk-" + `\u0070` + "r%6Fj" + "&#45;" + "Ab3_x9" + "&#x2D;" + `\\u0053` + "ECRET-key"
	for name, in := range map[string]string{
		"raw":                "Bearer " + key,
		"json escapes":       `{"message":"` + jsonEsc(key) + `"}`,
		"upper hex":          strings.ReplaceAll(strings.ToUpper(jsonEsc(key)), `\U`, `\u`),
		"percent":            "q=" + percentAll(key),
		"html numeric":       htmlAll(key),
		"mixed":              mixed,
		"json in json":       `{"body":"{\"error\":\"` + strings.ReplaceAll(jsonEsc(key), `\`, `\\`) + `\"}"}`,
		"x escapes":          `'\x73\x6b` + key[2:] + `'`,
		"inside a word":      "xx" + key + "yy",
		"twice and adjacent": key + key + " " + key,
	} {
		t.Run(name, func(t *testing.T) {
			if !s.Found(in) {
				t.Fatalf("Found(%q) = false", in)
			}
			out := s.String(in)
			if strings.Contains(out, key) || s.Found(out) || strings.Contains(decodeAll(out), key) {
				t.Errorf("String(%q) = %q still holds the key", in, out)
			}
			if !strings.Contains(out, "[redacted]") {
				t.Errorf("String(%q) = %q has no marker", in, out)
			}
		})
	}
}

func percentAll(s string) string {
	var b strings.Builder
	for i := range len(s) {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func htmlAll(s string) string {
	var b strings.Builder
	for i := range len(s) {
		if i%2 == 0 {
			fmt.Fprintf(&b, "&#%d;", s[i])
		} else {
			fmt.Fprintf(&b, "&#x%x;", s[i])
		}
	}
	return b.String()
}

func TestStringLeavesOtherTextAlone(t *testing.T) {
	s := New(key)
	for _, in := range []string{
		"", "no secret here", "sk-proj-", key[:len(key)-1], `\u0073k-proj`, "%%%%", "&#;&#x;&#999999999999;",
		strings.Repeat(`\`, 40) + "u0073", "a \\q b % c & d",
	} {
		if s.Found(in) || s.String(in) != in {
			t.Errorf("String(%q) = %q", in, s.String(in))
		}
	}
	if got := New("emulator").String("GET /v1/emulator/images/1"); got != "GET /v1/emulator/images/1" {
		t.Errorf("a secret under MinLen was scrubbed: %q", got)
	}
	var none *Scrubber
	if none.String(key) != key || none.Found(key) || none.Reader(strings.NewReader("x")) == nil {
		t.Error("the nil scrubber changed something")
	}
}

func TestLongestSecretWins(t *testing.T) {
	s := New("abcdefghijkl", "abcdefghijklmnop")
	if got := s.String("xabcdefghijklmnopx"); got != "x[redacted]x" {
		t.Errorf("got %q", got)
	}
}

func TestMarkerAvoidsSecretCharacters(t *testing.T) {
	for _, secrets := range [][]string{
		{"]]]]]]]]]]]]"},
		{"[abc]defghij", "x<y>zzzzzzzz", "{q}qqqqqqqqq", "(a)aaaaaaaaa", "|b|bbbbbbbbb", "#c#ccccccccc", "*d*ddddddddd"},
		{"[redacted]xy"},
	} {
		s := New(secrets...)
		for _, sec := range secrets {
			in := strings.Repeat(sec, 3) + sec[:len(sec)-1] + sec + sec[1:]
			out := s.String(in)
			if strings.Contains(out, sec) {
				t.Errorf("marker %q: String(%q) = %q still holds %q", s.Marker(), in, out, sec)
			}
		}
	}
}

func TestHeader(t *testing.T) {
	s := New(key)
	h := http.Header{"X-Request-Id": {"req_" + key}, "Content-Type": {"application/json"}, "X-" + key: {"1"}}
	out := s.Header(h)
	for k, vs := range out {
		if strings.Contains(k, key) || strings.Contains(strings.Join(vs, ","), key) {
			t.Errorf("header %s: %v", k, vs)
		}
	}
	if out.Get("Content-Type") != "application/json" || out.Get("X-Request-Id") != "req_[redacted]" {
		t.Errorf("headers = %v", out)
	}
	clean := http.Header{"A": {"b"}}
	if got := s.Header(clean); fmt.Sprintf("%p", got) != fmt.Sprintf("%p", clean) {
		t.Error("a clean header was copied")
	}
}

type timeoutErr struct{ msg string }

func (e timeoutErr) Error() string   { return e.msg }
func (e timeoutErr) Timeout() bool   { return true }
func (e timeoutErr) Temporary() bool { return true }

func TestError(t *testing.T) {
	s := New(key)
	plain := errors.New("connection refused")
	if s.Error(plain) != plain {
		t.Error("an error without the key was replaced")
	}
	sentinel := errors.New("sentinel")
	err := fmt.Errorf("malformed HTTP response %q: %w: %w: %w", key, context.DeadlineExceeded, timeoutErr{"slow"}, sentinel)
	got := s.Error(err, sentinel)
	if strings.Contains(fmt.Sprintf("%v %+v %#v %s", got, got, got, got), key) {
		t.Errorf("the key shows: %v", got)
	}
	if !errors.Is(got, context.DeadlineExceeded) || !errors.Is(got, sentinel) || errors.Is(got, context.Canceled) {
		t.Error("errors.Is does not follow the original")
	}
	var ne net.Error
	if !errors.As(got, &ne) || !ne.Timeout() {
		t.Error("Timeout is lost")
	}
	if errors.Unwrap(got) != nil {
		t.Error("the scrubbed error unwraps to the original")
	}
}

func TestReaderMatchesBytes(t *testing.T) {
	s := New(key, "0123456789abcdef")
	in := strings.Repeat("data: "+key+" %73k-proj"+`\u002D`+"Ab3_x9-SECRET-key s s\\ %% &# 0123456789abcde\n\n", 50) + "tail sk-proj-Ab3"
	want := s.Bytes([]byte(in))
	for _, chunk := range []int{1, 2, 3, 7, 64, 4096, 1 << 20} {
		for _, wrap := range []func(io.Reader) io.Reader{
			func(r io.Reader) io.Reader { return r },
			iotest.OneByteReader, iotest.HalfReader, iotest.DataErrReader,
		} {
			got, err := io.ReadAll(wrap(s.Reader(chunked(in, chunk))))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("chunk %d: reader output differs from Bytes\n got %q\nwant %q", chunk, got, want)
			}
		}
	}
	if err := iotest.TestReader(s.Reader(strings.NewReader(in)), want); err != nil {
		t.Error(err)
	}
}

// chunked yields s in reads of at most n bytes.
func chunked(s string, n int) io.Reader {
	return &chunkReader{s: s, n: n}
}

type chunkReader struct {
	s string
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[k:]
	return k, nil
}

// A line that ends in a line break reaches the reader at once, even when
// it ends with what could be the start of a secret: only the bytes that
// could begin an occurrence are held, and a secret holds no line break.
func TestReaderDoesNotDelayLines(t *testing.T) {
	s := New(key)
	pr, pw := io.Pipe()
	r := s.Reader(pr)
	go pw.Write([]byte("event: x\ndata: sk-pr\n\n"))
	got := make([]byte, 0, 64)
	deadline := time.After(5 * time.Second)
	for !bytes.HasSuffix(got, []byte("\n\n")) {
		done := make(chan int)
		buf := make([]byte, 64)
		go func() { n, _ := r.Read(buf); done <- n }()
		select {
		case n := <-done:
			got = append(got, buf[:n]...)
		case <-deadline:
			t.Fatalf("the line was held back: got %q", got)
		}
	}
	if string(got) != "event: x\ndata: sk-pr\n\n" {
		t.Errorf("got %q", got)
	}
	// A read that ends inside a possible occurrence holds it back until
	// the rest decides.
	go pw.Write([]byte("data: sk-proj-Ab3"))
	n, _ := r.Read(make([]byte, 64))
	if n != len("data: ") {
		t.Errorf("read %d bytes, want only the part before the possible key", n)
	}
	go func() { pw.Write([]byte("_x9-SECRET-key\n")); pw.Close() }()
	rest, _ := io.ReadAll(r)
	if string(rest) != "[redacted]\n" {
		t.Errorf("rest = %q", rest)
	}
}

func TestSet(t *testing.T) {
	var nilSet *Set
	if nilSet.Scrubber() != nil {
		t.Error("nil set has a scrubber")
	}
	s := NewSet(key, "")
	if !s.Scrubber().Found(key) {
		t.Fatal("fixed secret not found")
	}
	for i := range 40 {
		s.Add("token-" + strconv.Itoa(i) + "-abcdefgh")
	}
	sc := s.Scrubber()
	if !sc.Found(key) || !sc.Found("token-39-abcdefgh") || sc.Found("token-0-abcdefgh") || !sc.Found("token-8-abcdefgh") {
		t.Error("Add keeps the fixed secrets and the 32 most recent added ones")
	}
	if got := sc.With("another-secret", "short").String("another-secret short " + key); got != "[redacted] short [redacted]" {
		t.Errorf("With: %q", got)
	}
}

var escape = regexp.MustCompile(`(\\{1,16})(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(/))|%([0-9a-fA-F]{2})|&#(?:[xX]([0-9a-fA-F]{1,10})|([0-9]{1,10}));`)

// decodeAll is a reference decoder, independent of the scrubber's: every
// escape the package recognises, decoded left to right.
func decodeAll(s string) string {
	return escape.ReplaceAllStringFunc(s, func(m string) string {
		sub := escape.FindStringSubmatch(m)
		var v uint64
		switch {
		case sub[2] != "":
			v, _ = strconv.ParseUint(sub[2], 16, 32)
		case sub[3] != "":
			v, _ = strconv.ParseUint(sub[3], 16, 32)
		case sub[4] != "":
			return "/"
		case sub[5] != "":
			v, _ = strconv.ParseUint(sub[5], 16, 32)
		case sub[6] != "":
			v, _ = strconv.ParseUint(sub[6], 16, 64)
		case sub[7] != "":
			v, _ = strconv.ParseUint(sub[7], 10, 64)
		}
		if v >= 0x80 {
			return m
		}
		return string(rune(v))
	})
}

// BenchmarkReader scrubs a 64 MiB body of base64 (a large image in a JSON
// response or stream event) for an OpenAI-style key, against reading the
// same body unscrubbed.
func BenchmarkReader(b *testing.B) {
	const size = 64 << 20
	chunk := []byte("iVBORw0KGgoAAAANSUhEUgAAAQAAAAEACAYAAABccqhmAAAgAElEQVR4nO3d+ZNc1ZnG8dP/s")
	body := bytes.Repeat(chunk, size/len(chunk))
	key := "sk-proj-" + strings.Repeat("Ab3_x9-Kq", 18)
	buf := make([]byte, 64<<10)
	for _, c := range []struct {
		name string
		s    *Scrubber
	}{{"plain", nil}, {"scrubbed", New(key, "azure-0123456789abcdef0123456789abcdef")}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				r := c.s.Reader(bytes.NewReader(body))
				for {
					if _, err := r.Read(buf); err != nil {
						break
					}
				}
			}
		})
	}
}
