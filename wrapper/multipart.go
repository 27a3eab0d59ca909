package wrapper

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// form is a multipart/form-data body that is written while it is sent: an
// io.Pipe connects a goroutine writing the parts to the HTTP transport, so
// only a copy buffer is held in memory whatever the images' size. Each
// attempt writes the same bytes: the boundary is fixed per form and images
// are re-read from their sources.
type form struct {
	boundary string
	fields   []formField
	files    []formFile
	// invalid is the first field whose value is not valid UTF-8.
	invalid error
}

type formField struct{ name, value string }

type formFile struct {
	field       string
	img         Image
	contentType string
	size        int64 // -1 when unknown
}

func newForm() *form {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return &form{boundary: "openai-images-" + hex.EncodeToString(b[:])}
}

func (f *form) contentType() string { return "multipart/form-data; boundary=" + f.boundary }

func (f *form) field(name, value string) {
	if f.invalid == nil && !utf8.ValidString(value) {
		f.invalid = utf8Error(name, value)
	}
	f.fields = append(f.fields, formField{name, value})
}

// addFile probes img's header for its content type and size, so that the
// part names the real type of the bytes and the body length can be known.
func (f *form) addFile(field string, img Image) error {
	info, err := img.Probe()
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	f.files = append(f.files, formFile{field: field, img: img, contentType: info.ContentType, size: info.Size})
	return nil
}

// extra adds caller-supplied fields, in name order for stable bytes. It
// is called once the other fields are in, and also reports the first
// field whose value is not valid UTF-8.
func (f *form) extra(body map[string]any) error {
	if f.invalid != nil {
		return f.invalid
	}
	names := make([]string, 0, len(body))
	for k := range body {
		names = append(names, k)
	}
	sort.Strings(names)
	if err := checkUTF8(body); err != nil {
		return err
	}
	for _, k := range names {
		switch v := body[k].(type) {
		case string:
			f.field(k, v)
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("extra body field %q: %w", k, err)
			}
			f.field(k, string(b))
		}
	}
	return nil
}

func (f *form) replayable() bool {
	for _, file := range f.files {
		if !file.img.retryable() {
			return false
		}
	}
	return true
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// headerSafe makes a name safe inside a quoted MIME header parameter:
// control characters (which MIME readers reject) become "_", and quotes and
// backslashes are escaped.
func headerSafe(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return '_'
		}
		return r
	}, name)
	return quoteEscaper.Replace(name)
}

func (file formFile) header() textproto.MIMEHeader {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`,
		headerSafe(file.field), headerSafe(file.img.Name())))
	h.Set("Content-Type", file.contentType)
	return h
}

// contentLength returns the exact body length when every file's size is
// known in advance, so the request carries Content-Length instead of being
// chunked.
func (f *form) contentLength() (int64, bool) {
	var total int64
	for _, file := range f.files {
		if file.size < 0 {
			return 0, false
		}
		total += file.size
	}
	cw := &countingWriter{}
	if err := f.write(cw, true); err != nil {
		return 0, false
	}
	return total + cw.n, true
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// write writes the whole body to w; with skipFiles the file contents are
// left out (for measuring).
func (f *form) write(w io.Writer, skipFiles bool) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(f.boundary); err != nil {
		return err
	}
	for _, fl := range f.fields {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"`, headerSafe(fl.name)))
		part, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(part, fl.value); err != nil {
			return err
		}
	}
	for _, file := range f.files {
		part, err := mw.CreatePart(file.header())
		if err != nil {
			return err
		}
		if skipFiles {
			continue
		}
		if err := copyImage(part, file); err != nil {
			return err
		}
	}
	return mw.Close()
}

func copyImage(dst io.Writer, file formFile) error {
	rc, err := file.img.reader()
	if err != nil {
		return &bodyError{fmt.Errorf("%s %q: %w", file.field, file.img.Name(), err)}
	}
	defer rc.Close()
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	// Read errors are the source's; write errors mean the transport
	// stopped reading (the request failed or was cancelled).
	n, err := io.CopyBuffer(dst, readerOnly{rc}, *buf)
	if err != nil {
		if _, isRead := err.(sourceError); isRead {
			return &bodyError{fmt.Errorf("%s %q: %w", file.field, file.img.Name(), err)}
		}
		return err
	}
	if file.size >= 0 && n != file.size {
		return &bodyError{fmt.Errorf("%s %q: size changed while sending (%d bytes, expected %d)", file.field, file.img.Name(), n, file.size)}
	}
	return nil
}

// readerOnly hides WriterTo so CopyBuffer uses the pooled buffer, and tags
// read errors so they can be told from write errors.
type readerOnly struct{ r io.Reader }

type sourceError struct{ error }

func (e sourceError) Unwrap() error { return e.error }

func (r readerOnly) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = sourceError{err}
	}
	return n, err
}

// body starts writing the form into a pipe and returns its reading end,
// which the HTTP transport consumes and closes.
func (f *form) body() io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(f.write(pw, false))
	}()
	return pr
}
