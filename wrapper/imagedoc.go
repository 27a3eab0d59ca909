package wrapper

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/imagegen-go/openai-images/internal/atomicfile"
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

// save writes images into files named by d.files, and returns their paths
// (image i in infos[i]'s file). Images kept as text are decoded now. All
// images are checked first: an image whose base64 is invalid fails the
// lot with the error Bytes would give, and on any error no file is left.
func (d *imageDoc) save(imgs []docImage, infos []ImageFile) ([]string, error) {
	files := make([]*fileSink, len(imgs))
	for i, img := range imgs {
		f := img.file
		if f == nil {
			var err error
			if f, err = d.files.create(); err != nil {
				return nil, err
			}
			d.opened = append(d.opened, f)
			f.text = true
			if _, _, err := imagejson.DecodeStringTo(f.w, img.text); err != nil {
				var corrupt base64.CorruptInputError
				if errors.As(err, &corrupt) {
					return nil, b64Error(err)
				}
				return nil, err
			}
		} else if err := f.Err(); err != nil {
			return nil, b64Error(err)
		}
		files[i] = f
	}
	paths := make([]string, 0, len(imgs))
	for i, f := range files {
		path, err := d.files.commit(f, infos[i])
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
	head    []byte // the first bytes written, for sniffing the format
	content int64  // bytes of the string's content scanned
}

func (f *fileSink) Content(p []byte, plain bool) error {
	f.content += int64(len(p))
	return f.Decoded.Content(p, plain)
}

// fileWriter writes to a pending file, marking its errors as the file's.
type fileWriter struct{ f *fileSink }

func (w fileWriter) Write(b []byte) (int, error) {
	if len(w.f.head) < 32 {
		w.f.head = append(w.f.head, b[:min(len(b), 32-len(w.f.head))]...)
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
	if err := f.p.Commit(path, 0o644); err != nil {
		return "", &fileError{err}
	}
	return path, nil
}

// create opens a pending file in the directory.
func (fs *imageFiles) create() (*fileSink, error) {
	p, err := atomicfile.NewPending(fs.dir, "image")
	if errors.Is(err, os.ErrNotExist) {
		if err = os.MkdirAll(fs.dir, 0o755); err == nil {
			p, err = atomicfile.NewPending(fs.dir, "image")
		}
	}
	if err != nil {
		return nil, &fileError{err}
	}
	f := &fileSink{p: p}
	f.w = fileWriter{f}
	return f, nil
}
