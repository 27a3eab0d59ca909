package imagejson

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// checkBase64 decodes s with DecodeString, DecodeStringTo and a b64Decoder
// fed in pieces into a small buffer, and checks each against
// base64.StdEncoding.DecodeString.
func checkBase64(t *testing.T, s string, cuts ...int) {
	t.Helper()
	want, wantErr := base64.StdEncoding.DecodeString(s)

	got, err := DecodeString(s)
	if !sameError(wantErr, err) || wantErr == nil && !bytes.Equal(got, want) {
		t.Fatalf("DecodeString(%q) = %q, %v; want %q, %v", s, got, err, want, wantErr)
	}
	if wantErr == nil && cap(got) != base64.StdEncoding.DecodedLen(len(s)) {
		t.Errorf("DecodeString(%q): buffer of %d bytes, want DecodedLen %d", s, cap(got), base64.StdEncoding.DecodedLen(len(s)))
	}

	var buf bytes.Buffer
	n, head, err := DecodeStringTo(&buf, s)
	if !sameError(wantErr, err) || wantErr == nil && (!bytes.Equal(buf.Bytes(), want) || n != int64(len(want)) || !bytes.HasPrefix(want, head)) {
		t.Fatalf("DecodeStringTo(%q) = %q (%d, head %q), %v; want %q, %v", s, buf.Bytes(), n, head, err, want, wantErr)
	}

	var out []byte
	var d b64Decoder
	d.reset(make([]byte, 0, 5), func(b []byte) error { out = append(out, b...); return nil })
	for _, p := range pieces([]byte(s), cuts...) {
		d.write(p)
	}
	err = d.close()
	if !sameError(wantErr, err) || wantErr == nil && !bytes.Equal(out, want) {
		t.Fatalf("b64Decoder(%q, cuts %v) = %q, %v; want %q, %v", s, cuts, out, err, want, wantErr)
	}
}

var base64Seeds = []string{
	"", "QQ==", "QUI=", "QUJD", "QUJDRA==", "Q", "QQ", "QQ=", "QQ===", "QUJD=", "=", "==", "====",
	"QQ==QUJD", "QQ==\n", "QQ=\n=", "QQ=\r\n=\n", "QQ=x", "QQ=\nx", "QUI=\nx", "QUI=\n\n",
	"QU\nJD", "\nQUJD\n", "Q\nU\nJ\nD", "\r\n\r\n", "QUJD!", "!QUJD", "QU!JD", "QUJDQUJD\x80", "QUJD\xc3\xa9",
	"QUJDQUJDQUJDQUJD", "QUJDQUJDQUJDQUJ", "QUJDQUJDQUJDQU==", "QUJDQUJDQUJDQU=A", "QUJDQUJD\nQUJDQUJD\n",
	"a+/Z", "-_", "QUJD QUJD", "QUJD\tQUJD",
}

func TestBase64MatchesStandardLibrary(t *testing.T) {
	for _, s := range base64Seeds {
		for c := range len(s) + 1 {
			checkBase64(t, s, c)
			checkBase64(t, s, c, c+1, c+3)
		}
	}
	// Long inputs: the fast path, with faults at every place in a quantum.
	long := strings.Repeat("QUJDREVG", 10_000)
	for _, tail := range []string{"", "QQ==", "QQ=", "Q", "\n", "!", "QQ==\n!", "\nQQ=\n="} {
		for _, at := range []int{0, 1, 2, 3, 4, 5, 40_001, 79_999} {
			s := long[:at] + tail + long[at:]
			checkBase64(t, s)
			checkBase64(t, s, 4096, 4097, 65_536)
		}
	}
}

func FuzzBase64(f *testing.F) {
	for _, s := range base64Seeds {
		f.Add(s, 3, 9)
	}
	f.Fuzz(func(t *testing.T, s string, cut1, cut2 int) {
		checkBase64(t, s, cut1, cut2)
	})
}

// decodeQuanta gives what base64.StdEncoding.Decode gives on whole quanta
// of the alphabet, and stops at the first quantum with any other byte.
func TestDecodeQuanta(t *testing.T) {
	raw := make([]byte, 3000)
	for i := range raw {
		raw[i] = byte(i*31 + i>>9)
	}
	src := []byte(base64.StdEncoding.EncodeToString(raw))
	dst := make([]byte, len(raw))
	n, all := decodeQuanta(dst, src)
	if !all || n != len(raw) || !bytes.Equal(dst, raw) {
		t.Fatalf("decodeQuanta = %d, %v", n, all)
	}
	for i := range 256 {
		c := byte(i)
		for _, at := range []int{0, 3, 4, 7, 8, 1001, len(src) - 1} {
			bad := bytes.Clone(src)
			bad[at] = c
			n, all := decodeQuanta(dst, bad)
			if stdDecodeMap[c] != 0xff {
				continue
			}
			if all || n != at/4*3 || !bytes.Equal(dst[:n], raw[:n]) {
				t.Fatalf("%#x at %d: decodeQuanta = %d, %v; want %d, false", c, at, n, all, at/4*3)
			}
		}
	}
}
