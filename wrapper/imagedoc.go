package wrapper

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/imagegen-go/openai-images/internal/atomicfile"
	"github.com/imagegen-go/openai-images/internal/imagecheck"
	"github.com/imagegen-go/openai-images/wrapper/internal/imagejson"
)

// Where the base64 images sit in each kind of document the wrapper reads.
var (
	imagesPaths        = []imagejson.Path{{"data", "[]", "b64_json"}}
	imageEventPaths    = []imagejson.Path{{"b64_json"}}
	responsePaths      = []imagejson.Path{{"output", "[]", "result"}}
	responseEventPaths = []imagejson.Path{{"partial_image_b64"}, {"response", "output", "[]", "result"}}
)

// imageDoc is one JSON document (a response body, or one event's data) read
// through the image scanner as it arrives: its base64 images are kept as
// text or, in file mode (files set), decoded into pending files in
// files.dir, named and committed once the document says what they are; the
// rest is the scanner's skeleton, which the decoding functions unmarshal
// into the generated types as they would the document.
type imageDoc struct {
	sc    *imagejson.Scanner
	files *imageFiles
	// completed is, in a stream, the number of final images before this
	// document (see ImageFile.Index).
	completed int
	opened    []*fileSink
	openFn    func(int, []int) imagejson.Sink // d.open, made once
}

func newImageDoc(paths []imagejson.Path) *imageDoc {
	d := &imageDoc{sc: imagejson.NewScanner(paths)}
	d.openFn = d.open
	return d
}

// Documents read whole by one call (images responses, Responses API turns)
// come from pools, so that a small response costs no scanner of its own.
// Nothing a decoded result holds points into a document: json copies what
// it unmarshals, and a Text's value is its own string.
var (
	imagesDocs   = sync.Pool{New: func() any { return newImageDoc(imagesPaths) }}
	responseDocs = sync.Pool{New: func() any { return newImageDoc(responsePaths) }}
)

// getImageDoc takes a document from pool, ready for files (nil: text).
func getImageDoc(pool *sync.Pool, files *imageFiles) *imageDoc {
	d := pool.Get().(*imageDoc)
	d.reset(files)
	return d
}

// putImageDoc removes the files d did not keep and returns it to pool.
func putImageDoc(pool *sync.Pool, d *imageDoc) {
	d.reset(nil)
	d.sc.Reset(nil)
	if d.sc.Cap() <= maxPooledDoc {
		pool.Put(d)
	}
}

// maxPooledDoc is the largest skeleton a pooled document keeps.
const maxPooledDoc = 64 << 10

// reset prepares d for the next document, images going to files (nil:
// kept as text).
func (d *imageDoc) reset(files *imageFiles) {
	d.abort()
	d.files = files
	d.sc.Reset(d.openFn)
}

// open picks the sink of an image string the scanner found.
func (d *imageDoc) open(int, []int) imagejson.Sink {
	if d.files == nil {
		return imagejson.NewText()
	}
	f, err := d.files.create()
	if err != nil {
		return errSink{err}
	}
	f.Decoded = imagejson.NewDecoded(f.w)
	d.opened = append(d.opened, f)
	return f
}

func (d *imageDoc) Write(p []byte) (int, error) { return d.sc.Write(p) }

// finish ends the document.
func (d *imageDoc) finish() error { return d.sc.Finish() }

// unmarshal unmarshals the document, its images as placeholders, into v.
func (d *imageDoc) unmarshal(v any) error { return d.sc.Unmarshal(v) }

// original returns the document as it was; in file mode, the images that
// went to files are left out (their strings are empty: a base64 image is
// never held in file mode).
func (d *imageDoc) original() []byte { return d.sc.Original() }

// restore returns a piece of the document's skeleton with its images put
// back, as original does.
func (d *imageDoc) restore(b []byte) []byte { return d.sc.Restore(b) }

// blank reports an empty document or the [DONE] sentinel some servers send.
func (d *imageDoc) blank() bool {
	if d.sc.Images() > 0 {
		return false
	}
	b := bytes.TrimSpace(d.sc.Skeleton())
	return len(b) == 0 || string(b) == "[DONE]"
}

// docImage is the value of a field that holds a base64 image: its text, or
// the file it was decoded into.
type docImage struct {
	text string
	file *fileSink
}

// image resolves the value json gave an image field.
func (d *imageDoc) image(v string) docImage {
	sink, ok := d.sc.Sink(v)
	if !ok {
		return docImage{text: v} // a string the scanner left in place
	}
	switch s := sink.(type) {
	case *imagejson.Text:
		return docImage{text: s.String()}
	case *fileSink:
		if s.content == 0 {
			return docImage{} // "": no image, as with text
		}
		return docImage{file: s}
	}
	return docImage{}
}

// saveItem is one image to save: where it is (text or a file), what to
// name its file from, and the format it must be in ("" for any image).
type saveItem struct {
	img    docImage
	info   ImageFile
	format OutputFormat
}

// save writes images into files named by d.files and returns their paths,
// in order. Images kept as text are decoded now. Every image is checked
// before any file is named: one whose base64 is invalid (the error Content
// gives), or whose bytes are not the declared format or not an image (an
// *ImageFormatError, as Content gives), fails the lot, and on any error no
// file of the lot is left.
func (d *imageDoc) save(items []saveItem) ([]string, error) {
	files := make([]*fileSink, len(items))
	for i, it := range items {
		f := it.img.file
		if f == nil {
			var err error
			if f, err = d.files.create(); err != nil {
				return nil, err
			}
			d.opened = append(d.opened, f)
			f.text = true
			if _, _, err := imagejson.DecodeStringTo(f.w, it.img.text); err != nil {
				var corrupt base64.CorruptInputError
				if errors.As(err, &corrupt) {
					return nil, b64Error(err)
				}
				return nil, err
			}
		} else if err := f.Err(); err != nil {
			return nil, b64Error(err)
		}
		if err := f.checkFormat(string(it.format)); err != nil {
			return nil, err
		}
		files[i] = f
	}
	paths := make([]string, 0, len(items))
	for i, f := range files {
		path, err := d.files.commit(f, items[i].info)
		if err != nil {
			for _, p := range paths {
				os.Remove(p)
			}
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// checkFormat checks the image written as Content checks image bytes: its
// first bytes against the declared format, and a GIF or an SVG whole (read
// back from the file).
func (f *fileSink) checkFormat(declared string) error {
	if err := checkImageFormat(f.head, declared); err != nil {
		return err
	}
	switch imagecheck.Sniff(f.head) {
	case "gif", "svg":
	default:
		return nil
	}
	whole, err := os.ReadFile(f.p.Name())
	if err != nil {
		return &fileError{err}
	}
	return checkStructure(whole, declared)
}

// abort removes the files of the document not committed.
func (d *imageDoc) abort() {
	for _, f := range d.opened {
		f.p.Abort()
	}
	d.opened = d.opened[:0]
}

// fileSink decodes an image into a pending file: as the scanner reads it
// (Decoded set), or from its text after the scan (text set).
type fileSink struct {
	*imagejson.Decoded
	p       *atomicfile.Pending
	w       fileWriter
	text    bool
	head    []byte // the first bytes written (sniffLen), for checking the format
	content int64  // bytes of the string's content scanned
}

func (f *fileSink) Content(p []byte, plain bool) error {
	f.content += int64(len(p))
	return f.Decoded.Content(p, plain)
}

// fileWriter writes to a pending file, marking its errors as the file's.
type fileWriter struct{ f *fileSink }

func (w fileWriter) Write(b []byte) (int, error) {
	if len(w.f.head) < sniffLen {
		w.f.head = append(w.f.head, b[:min(len(b), sniffLen-len(w.f.head))]...)
	}
	n, err := w.f.p.Write(b)
	if err != nil {
		err = &fileError{err}
	}
	return n, err
}

// fileError is an error writing an image file, told apart from the
// network's and the server's.
type fileError struct{ err error }

func (e *fileError) Error() string { return e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// errSink fails the scan with an error creating a file.
type errSink struct{ err error }

func (s errSink) Content([]byte, bool) error { return s.err }
func (s errSink) End(bool) error             { return nil }

// b64Error is a base64 decoding error as Bytes and Save report it.
func b64Error(err error) error {
	return fmt.Errorf("openai-images: decode b64_json: %w", err)
}

// commit names the file of an image and gives it that name.
func (fs *imageFiles) commit(f *fileSink, info ImageFile) (string, error) {
	info.ContentType = sniffContentType(f.head)
	info.Ext = extensionFor(info.ContentType)
	name := fs.name(info)
	if err := checkFileName(name); err != nil {
		return "", fmt.Errorf("openai-images: WithImageFiles: %w", err)
	}
	path := filepath.Join(fs.dir, name)
	if err := f.p.Commit(path); err != nil {
		return "", &fileError{err}
	}
	return path, nil
}

// create opens a pending file in the directory.
func (fs *imageFiles) create() (*fileSink, error) {
	p, err := atomicfile.NewPending(fs.dir, "image", 0o644)
	if errors.Is(err, os.ErrNotExist) {
		if err = os.MkdirAll(fs.dir, 0o755); err == nil {
			p, err = atomicfile.NewPending(fs.dir, "image", 0o644)
		}
	}
	if err != nil {
		return nil, &fileError{err}
	}
	f := &fileSink{p: p}
	f.w = fileWriter{f}
	return f, nil
}

// parseJSONStreamed is parseJSON for responses that carry images: instead
// of being read into memory first, the body is handed to parse as it
// arrives, capped at limit bytes after decompression, so that an image can
// go straight to its file. A body declared larger than limit is refused
// before it is read, and one that turns out larger fails with the same
// *TooLargeError once limit bytes have been read (what parse did with them
// is thrown away: parse's files are not kept).
func parseJSONStreamed[T any](op string, resp *http.Response, limit int64, parse func(*http.Response) (*T, error)) (*T, error) {
	requestID := resp.Header.Get("x-request-id")
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
		resp.Body.Close()
		return nil, &APIError{Operation: op, StatusCode: resp.StatusCode, RequestID: requestID,
			Message: fmt.Sprintf("unexpected response content type %q", resp.Header.Get("Content-Type"))}
	}
	tooLarge := func(size int64) *TooLargeError {
		return &TooLargeError{Operation: op, What: "response body", Limit: limit, Size: size, Option: "WithMaxResponseSize"}
	}
	if !resp.Uncompressed && resp.ContentLength > limit {
		resp.Body.Close()
		return nil, tooLarge(resp.ContentLength)
	}
	capped := &cappedReader{r: resp.Body, left: limit}
	body := resp.Body
	defer body.Close()
	resp.Body = struct {
		io.Reader
		io.Closer
	}{capped, body}
	v, err := parse(resp)
	switch {
	case capped.over:
		return nil, tooLarge(-1)
	case err != nil:
		return nil, opError(op, fmt.Errorf("read response: %w", err))
	case v == nil:
		return nil, &APIError{Operation: op, StatusCode: resp.StatusCode, RequestID: requestID, Message: "unexpected response body"}
	}
	return v, nil
}

// cappedReader reads at most left bytes from r and fails once r has more.
type cappedReader struct {
	r    io.Reader
	left int64
	over bool
}

// errOverLimit ends a read past the limit; parseJSONStreamed reports it as
// a *TooLargeError.
var errOverLimit = errors.New("response body over the limit")

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.over {
		return 0, errOverLimit
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1] // one byte more than allowed says whether there is more
	}
	n, err := c.r.Read(p)
	if int64(n) > c.left {
		c.over = true
		return int(c.left), errOverLimit
	}
	c.left -= int64(n)
	return n, err
}
