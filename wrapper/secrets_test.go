package wrapper

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestCredentialName(t *testing.T) {
	for name, want := range map[string]bool{
		"Api-Key": true, "api-key": true, "X-Api-Key": true, "Ocp-Apim-Subscription-Key": true, "X-Goog-Api-Key": true,
		"X-Gateway-Token": true, "Proxy-Authorization": true, "Cookie": true, "X-Client-Secret": true,
		"OpenAI-Organization": false, "OpenAI-Project": false, "User-Agent": false, "X-Request-Id": false, "api-version": false,
	} {
		if got := credentialName(name); got != want {
			t.Errorf("credentialName(%q) = %v", name, got)
		}
	}
}

func TestSecurityOptionsCheckTheirValues(t *testing.T) {
	for name, opt := range map[string]Option{
		"empty secret header name":  WithSecretHeader("", "v"),
		"empty secret header value": WithSecretHeader("api-key", " "),
		"authorization":             WithSecretHeader("Authorization", "Bearer x"),
		"line break":                WithSecretHeader("api-key", "a\nb"),
		"zero response size":        WithMaxResponseSize(0),
		"fragment":                  WithBaseURL("https://api.test/v1#x"),
		"user info":                 WithBaseURL("https://u:p@api.test/v1"),
		"no scheme":                 WithBaseURL("api.test/v1"),
	} {
		if _, err := New(WithAPIKey(testAPIKey), opt); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// oneShot fails the test if it is read from.
type noRead struct{ t *testing.T }

func (r noRead) Read([]byte) (int, error) { r.t.Error("read"); return 0, io.EOF }

func TestReadCapped(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 10_000) // 100,000 bytes
	for _, c := range []struct {
		name         string
		limit, hint  int64
		r            io.Reader
		ok           bool
		declaredSize int64
	}{
		{"exact hint", 100_000, 100_000, bytes.NewReader(data), true, -1},
		{"no hint", 100_000, -1, iotest.HalfReader(bytes.NewReader(data)), true, -1},
		{"hint too small", 200_000, 10, bytes.NewReader(data), true, -1},
		{"hint zero", 200_000, 0, bytes.NewReader(data), true, -1},
		{"one byte over", 99_999, -1, bytes.NewReader(data), false, -1},
		{"one byte over, hinted", 99_999, 50, iotest.OneByteReader(bytes.NewReader(data)), false, -1},
		{"declared over the limit", 1000, 100_000, noRead{t}, false, 100_000},
	} {
		b, err := readCapped(c.r, c.limit, c.hint, "response body", "WithMaxResponseSize")
		if !c.ok {
			var tl *TooLargeError
			if !errors.As(err, &tl) || tl.Limit != c.limit || tl.Size != c.declaredSize {
				t.Errorf("%s: err = %v", c.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got, _ := io.ReadAll(b.reader())
		if !bytes.Equal(got, data) || b.size != int64(len(data)) {
			t.Errorf("%s: %d bytes read back", c.name, len(got))
		}
		b2, _ := readCapped(bytes.NewReader(data), c.limit, c.hint, "", "")
		if !bytes.Equal(b2.bytes(), data) {
			t.Errorf("%s: bytes() differs", c.name)
		}
	}
}

// The format writer decides on the first sniffLen bytes whatever the
// sizes of the writes, and on Close for a shorter image; nothing reaches
// the destination before the check has passed.
func TestFormatWriter(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 2*sniffLen)...)
	html := []byte("<html>" + strings.Repeat("x", 2*sniffLen) + "</html>")
	for _, size := range []int{1, 7, sniffLen - 1, sniffLen, sniffLen + 1, 3 * sniffLen} {
		for _, c := range []struct {
			data []byte
			ok   bool
		}{{png, true}, {png[:20], true}, {html, false}, {html[:20], false}} {
			var dst bytes.Buffer
			fw := newFormatWriter(&dst, "png")
			var err error
			for b := c.data; len(b) > 0 && err == nil; b = b[min(size, len(b)):] {
				_, err = fw.Write(b[:min(size, len(b))])
			}
			if err == nil {
				err = fw.Close()
			}
			if c.ok != (err == nil) {
				t.Errorf("writes of %d, %d bytes: err = %v", size, len(c.data), err)
			}
			if c.ok && !bytes.Equal(dst.Bytes(), c.data) || !c.ok && dst.Len() != 0 {
				t.Errorf("writes of %d, %d bytes: %d bytes reached the destination", size, len(c.data), dst.Len())
			}
		}
	}
}

// SVG output (output_format svg) is accepted as declared, and only then;
// GIF (animated output) must be a GIF.
func TestCheckImageFormatSVGAndGIF(t *testing.T) {
	svg := `<?xml version="1.0" encoding="UTF-8"?>
<!-- made by a model -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>`
	gif := []byte("GIF89a\x08\x00\x08\x00")
	for _, c := range []struct {
		data, declared string
		ok             bool
	}{
		{svg, "svg", true},
		{"\ufeff<svg viewBox='0 0 1 1'/>", "svg", true},
		{svg, "svg+xml", true},
		{svg, "", false},
		{svg, "png", false},
		{"<html><body>admin</body></html>", "svg", false},
		{"<svgfoo/>", "svg", false},
		{string(gif), "gif", true},
		{string(gif), "", true},
		{svg, "gif", false},
	} {
		err := checkImageFormat([]byte(c.data), c.declared)
		if (err == nil) != c.ok {
			t.Errorf("%q declared %q: err = %v", c.data[:min(20, len(c.data))], c.declared, err)
		}
	}
}
