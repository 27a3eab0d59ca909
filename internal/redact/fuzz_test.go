package redact

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// FuzzScrub checks, for any secret and any text, with the secret planted
// in the text in an encoding chosen by the fuzzer:
//
//   - the output holds no raw occurrence of the secret;
//   - decoded with an independent reference decoder, it holds none either
//     (for ASCII secrets without the escape characters \, % and &);
//   - the planted occurrence is found;
//   - text without the secret comes back unchanged;
//   - the streaming reader, over any chunking, gives exactly what Bytes gives.
func FuzzScrub(f *testing.F) {
	f.Add("sk-proj-Ab3_x9-SECRET", "error: Bearer ", " was rejected", []byte{0, 1, 2, 3, 4}, uint8(3))
	f.Add("0123456789abcdef0123456789abcdef", `{"message":"`, `"}`, []byte{1, 1, 1, 1}, uint8(1))
	f.Add("]]]]]]]]]]]]", "[[[", "]]]", []byte{0}, uint8(2))
	f.Add("ab%25cdefghij", "x%", "&#", []byte{2, 3}, uint8(5))
	f.Add("000000%25000", "00000", "0%2500000", []byte{0}, uint8(5))
	f.Add("sk-test-12345", `\\\\`, `%`, []byte{5, 6, 7}, uint8(7))
	f.Fuzz(func(t *testing.T, secret, before, after string, enc []byte, chunk uint8) {
		if len(secret) < MinLen || len(secret) > 256 || len(before)+len(after) > 4096 {
			return
		}
		// A second secret, so that several anchors are in play.
		other := reverse(secret) + "-2"
		s := New(secret, other)
		planted := before + encode(secret, enc) + after + encode(other, enc)
		clean := !s.Found(before) && !s.Found(after)

		for _, in := range []string{planted, before + after, before, after} {
			out := s.Bytes([]byte(in))
			for _, sec := range []string{secret, other} {
				if bytes.Contains(out, []byte(sec)) {
					t.Fatalf("Bytes(%q) = %q holds the secret %q", in, out, sec)
				}
				if plainSecret(sec) && strings.Contains(decodeAll(string(out)), sec) {
					t.Fatalf("Bytes(%q) = %q decodes to text holding the secret %q", in, out, sec)
				}
			}
			r := s.Reader(chunked(in, int(chunk%64)+1))
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, out) {
				t.Fatalf("Reader(%q) = %q, %v; Bytes = %q", in, got, err, out)
			}
		}
		if plainSecret(secret) && !s.Found(before+encode(secret, enc)+after) {
			t.Fatalf("planted %q not found in %q", secret, planted)
		}
		if clean && !s.Found(before+after) {
			if got := s.String(before + after); got != before+after {
				t.Fatalf("text without the secret changed: %q -> %q", before+after, got)
			}
		}
	})
}

// plainSecret reports whether secret is ASCII without \, % and &, the
// secrets whose escaped forms are always found.
func plainSecret(secret string) bool {
	for i := range len(secret) {
		if c := secret[i]; c >= 0x80 || c == '\\' || c == '%' || c == '&' {
			return false
		}
	}
	return true
}

// encode writes each byte of secret raw or in one of the escaped forms,
// as enc picks, cycling through enc.
func encode(secret string, enc []byte) string {
	var b strings.Builder
	for i := range len(secret) {
		c := secret[i]
		pick := byte(0)
		if len(enc) > 0 {
			pick = enc[i%len(enc)]
		}
		if c >= 0x80 {
			pick %= 2
		}
		switch pick % 8 {
		case 0:
			b.WriteByte(c)
		case 1:
			fmt.Fprintf(&b, "%%%02x", c)
		case 2:
			fmt.Fprintf(&b, `\u%04x`, c)
		case 3:
			fmt.Fprintf(&b, `%s\u%04X`, strings.Repeat(`\`, int(pick/8%4)), c)
		case 4:
			fmt.Fprintf(&b, "&#%d;", c)
		case 5:
			fmt.Fprintf(&b, "&#x%02x;", c)
		case 6:
			fmt.Fprintf(&b, `\x%02x`, c)
		case 7:
			if c == '/' {
				b.WriteString(`\/`)
			} else {
				fmt.Fprintf(&b, "&#00%d;", c)
			}
		}
	}
	return b.String()
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
