package prism

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"
	"time"
)

// testKey is the bearer token sent to Prism, which checks only that the
// spec's security scheme (bearer) is used.
const testKey = "sk-prism-test"

// pngImage returns a real size×size RGBA PNG. With hole, its centre is fully
// transparent (a mask, or a dall-e-2 input without a mask).
func pngImage(t *testing.T, size int, hole bool) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			c := color.NRGBA{R: uint8(x * 255 / size), G: uint8(y * 255 / size), B: 128, A: 255}
			if hole && x > size/4 && x < 3*size/4 && y > size/4 && y < 3*size/4 {
				c.A = 0
			}
			m.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// part is one field of a raw multipart body: a file when file is set.
type part struct {
	name, value string
	file        []byte
}

// multipartBody lays parts out as multipart/form-data, files as image/png.
func multipartBody(t *testing.T, parts []part) (contentType string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i, p := range parts {
		var err error
		if p.file != nil {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="`+p.name+`"; filename="image`+string(rune('a'+i))+`.png"`)
			h.Set("Content-Type", "image/png")
			var fw io.Writer
			if fw, err = w.CreatePart(h); err == nil {
				_, err = fw.Write(p.file)
			}
		} else {
			err = w.WriteField(p.name, p.value)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// rawResult is Prism's answer to a raw request.
type rawResult struct {
	status int
	body   string
	// violations are Prism's 422 validation messages.
	violations []string
}

// send posts body to base+path with the test key, without the wrapper.
func send(t *testing.T, base, path, contentType string, body []byte, auth bool) rawResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if auth {
		req.Header.Set("Authorization", "Bearer "+testKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := rawResult{status: resp.StatusCode, body: string(b)}
	var problem struct {
		Validation []struct {
			Message string `json:"message"`
		} `json:"validation"`
	}
	if json.Unmarshal(b, &problem) == nil {
		for _, v := range problem.Validation {
			r.violations = append(r.violations, v.Message)
		}
	}
	return r
}

func jsonBytes(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
