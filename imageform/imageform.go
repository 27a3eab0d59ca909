package imageform

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// File is an image (or mask) to upload: a path, bytes or a reader.
type File struct {
	// Name is the file name sent with the part.
	Name string
	// ContentType is sent with the part; empty means sniffed from the
	// first bytes (image/png, image/jpeg, image/webp, image/gif, else
	// application/octet-stream).
	ContentType string

	path string
	data []byte
	r    io.Reader
	set  bool
}

// Path is the file at path, opened when the body is read. The part's file
// name is the path's base name.
func Path(path string) File { return File{Name: filepath.Base(path), path: path, set: true} }

// Bytes is data, sent under name (which should have the right extension,
// such as "otter.png").
func Bytes(name string, data []byte) File { return File{Name: name, data: data, set: true} }

// Reader is what r yields, sent under name. It is read once.
func Reader(name string, r io.Reader) File { return File{Name: name, r: r, set: true} }

// Edit is the multipart body of POST /images/edits. Fields left at their
// zero value are not sent, so the API's defaults apply.
type Edit struct {
	// Images are the images to edit: one, or up to 16 for GPT image
	// models. Required.
	Images []File
	// Mask marks with fully transparent pixels where the first image is
	// edited (a PNG the size of the image).
	Mask *File
	// Markup is a transparent PNG of the first image's size, overlaid on
	// it to guide the edit (gpt-image-2.5 models; not with a mask). It is
	// sent as a file part named "markup", streamed like the images.
	Markup *File
	Prompt string // required

	Model   string
	N       int
	Size    string
	Quality string
	// Complexity is the computation spent planning the image (low, medium
	// or high), independently of Quality.
	Complexity        string
	Background        string
	OutputFormat      string
	OutputCompression *int
	// FrameCount is the number of frames of GIF output, 2-16. Zero means
	// unset (the API's default is 9).
	FrameCount int
	// FrameDuration is each GIF frame's delay, sent as frame_duration_ms
	// in whole milliseconds (the API's default is 200 ms). Zero means
	// unset.
	FrameDuration time.Duration
	// SVG selects the author of SVG output (output_format svg), sent as
	// the svg[model] and svg[reasoning][effort] parts.
	SVG            *SVGOptions
	InputFidelity  string
	ResponseFormat string
	// SafetyIdentifier is a stable, hashed identifier of your end user for
	// OpenAI's safety monitoring; it takes precedence over User.
	SafetyIdentifier string
	// User is the deprecated predecessor of SafetyIdentifier, still sent
	// when set.
	User string
	// Stream asks for server-sent events (the response is then a stream,
	// not JSON), with PartialImages partial images first.
	Stream        bool
	PartialImages *int
	// Extra holds fields this type does not have yet, sent as text parts
	// in name order, such as {"quality": "xhigh"} (replacing Quality).
	Extra map[string]string
}

// SVGOptions select the model that authors SVG output and its reasoning
// effort. Empty fields are not sent.
type SVGOptions struct {
	// Model authors the SVG.
	Model string
	// ReasoningEffort is the author's reasoning effort (none, minimal,
	// low, medium, high, xhigh or max); empty uses the author model's
	// default.
	ReasoningEffort string
}

// Variation is the multipart body of POST /images/variations (dall-e-2).
type Variation struct {
	// Image is the image to vary: a square PNG under 4 MB. Required.
	Image          File
	Model          string
	N              int
	Size           string
	ResponseFormat string
	User           string
	// Extra holds fields this type does not have yet, sent as text parts.
	Extra map[string]string
}

// Encode lays out the edit as a body. Path files are opened here to read
// their size and sniff their type, and again when the body is read.
func (e Edit) Encode() (*Body, error) {
	if len(e.Images) == 0 {
		return nil, errors.New("imageform: an edit needs at least one image")
	}
	f := &form{}
	f.field("prompt", e.Prompt)
	f.field("model", e.Model)
	f.int("n", e.N)
	f.field("size", e.Size)
	f.field("quality", e.Quality)
	f.field("complexity", e.Complexity)
	f.field("background", e.Background)
	f.field("output_format", e.OutputFormat)
	if e.OutputCompression != nil {
		f.fields = append(f.fields, [2]string{"output_compression", strconv.Itoa(*e.OutputCompression)})
	}
	f.int("frame_count", e.FrameCount)
	if e.FrameDuration != 0 {
		f.fields = append(f.fields, [2]string{"frame_duration_ms", strconv.FormatInt(e.FrameDuration.Milliseconds(), 10)})
	}
	if e.SVG != nil {
		// The svg object as the SDKs send it in a multipart body.
		f.field("svg[model]", e.SVG.Model)
		f.field("svg[reasoning][effort]", e.SVG.ReasoningEffort)
	}
	f.field("input_fidelity", e.InputFidelity)
	f.field("response_format", e.ResponseFormat)
	f.field("safety_identifier", e.SafetyIdentifier)
	f.field("user", e.User)
	if e.Stream {
		f.field("stream", "true")
		if e.PartialImages != nil {
			f.fields = append(f.fields, [2]string{"partial_images", strconv.Itoa(*e.PartialImages)})
		}
	}
	f.extra(e.Extra)
	name := "image"
	if len(e.Images) > 1 {
		name = "image[]"
	}
	for _, im := range e.Images {
		f.files = append(f.files, formFile{name, im})
	}
	if e.Mask != nil {
		f.files = append(f.files, formFile{"mask", *e.Mask})
	}
	if e.Markup != nil {
		f.files = append(f.files, formFile{"markup", *e.Markup})
	}
	return f.encode()
}

// Encode lays out the variation as a body, as [Edit.Encode] does.
func (v Variation) Encode() (*Body, error) {
	f := &form{}
	f.field("model", v.Model)
	f.int("n", v.N)
	f.field("size", v.Size)
	f.field("response_format", v.ResponseFormat)
	f.field("user", v.User)
	f.extra(v.Extra)
	f.files = append(f.files, formFile{"image", v.Image})
	return f.encode()
}

// form is a body being laid out.
type form struct {
	fields [][2]string
	files  []formFile
}

type formFile struct {
	field string
	file  File
}

// field adds a text part unless value is empty.
func (f *form) field(name, value string) {
	if value != "" {
		f.fields = append(f.fields, [2]string{name, value})
	}
}

func (f *form) int(name string, v int) {
	if v != 0 {
		f.fields = append(f.fields, [2]string{name, strconv.Itoa(v)})
	}
}

// extra adds fields in name order, replacing those of the same name.
func (f *form) extra(extra map[string]string) {
	names := make([]string, 0, len(extra))
	for k := range extra {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		f.fields = slices.DeleteFunc(f.fields, func(kv [2]string) bool { return kv[0] == k })
		f.fields = append(f.fields, [2]string{k, extra[k]})
	}
}

// encode writes the parts' headers and lays out the body as segments: the
// headers as bytes, the files as sources read when the body is.
func (f *form) encode() (*Body, error) {
	var boundary [16]byte
	if _, err := rand.Read(boundary[:]); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.SetBoundary("imageform-" + hex.EncodeToString(boundary[:])); err != nil {
		return nil, err
	}
	for _, kv := range f.fields {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"`, headerSafe(kv[0])))
		part, err := mw.CreatePart(h)
		if err != nil {
			return nil, err
		}
		io.WriteString(part, kv[1])
	}
	b := &Body{contentType: mw.FormDataContentType()}
	for _, ff := range f.files {
		src, err := ff.file.source()
		if err != nil {
			return nil, fmt.Errorf("imageform: %s: %w", ff.field, err)
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, headerSafe(ff.field), headerSafe(ff.file.Name)))
		h.Set("Content-Type", src.contentType)
		if _, err := mw.CreatePart(h); err != nil {
			return nil, err
		}
		b.segments = append(b.segments, segment{data: bytes.Clone(buf.Bytes())}, segment{src: src})
		buf.Reset()
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	b.segments = append(b.segments, segment{data: bytes.Clone(buf.Bytes())})
	for _, s := range b.segments {
		switch {
		case s.src == nil:
			b.length += int64(len(s.data))
		case s.src.size < 0:
			b.length = -1
			return b, nil
		default:
			b.length += s.src.size
		}
	}
	return b, nil
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// headerSafe makes a name safe inside a quoted header parameter: control
// characters become "_", quotes and backslashes are escaped.
func headerSafe(s string) string {
	return quoteEscaper.Replace(strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return '_'
		}
		return r
	}, s))
}

// source is a file's bytes as the body reads them.
type source struct {
	contentType string
	size        int64 // -1 when unknown
	open        func() (io.ReadCloser, error)
}

// sniffLen is how much of a file is read to tell its type.
const sniffLen = 512

func (f File) source() (*source, error) {
	switch {
	case !f.set:
		return nil, errors.New("no file given (zero File)")
	case f.path != "":
		fh, err := os.Open(f.path)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		fi, err := fh.Stat()
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a regular file", f.path)
		}
		head := make([]byte, sniffLen)
		n, err := io.ReadFull(fh, head)
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return nil, err
		}
		path := f.path
		return &source{contentType: f.contentType(head[:n]), size: fi.Size(),
			open: func() (io.ReadCloser, error) { return os.Open(path) }}, nil
	case f.r != nil:
		br := bufio.NewReaderSize(f.r, sniffLen)
		head, err := br.Peek(sniffLen)
		if err != nil && err != io.EOF {
			return nil, err
		}
		used := false
		return &source{contentType: f.contentType(head), size: -1, open: func() (io.ReadCloser, error) {
			if used {
				return nil, errors.New("the reader was read already")
			}
			used = true
			return io.NopCloser(br), nil
		}}, nil
	default:
		data := f.data
		return &source{contentType: f.contentType(data), size: int64(len(data)),
			open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}, nil
	}
}

func (f File) contentType(head []byte) string {
	if f.ContentType != "" {
		return f.ContentType
	}
	switch ct := http.DetectContentType(head); ct {
	case "image/png", "image/jpeg", "image/webp", "image/gif":
		return ct
	}
	return "application/octet-stream"
}

// Body is an encoded multipart body: an io.ReadCloser that writes the
// parts as it is read, opening each file when its turn comes. It can be
// read once.
type Body struct {
	contentType string
	length      int64
	segments    []segment

	cur   int           // the segment being read
	open  io.ReadCloser // the current file, once opened
	count int64         // bytes of the current file read
	err   error
}

type segment struct {
	data []byte
	src  *source
}

// ContentType is the body's media type with its boundary, for the
// request's Content-Type (the contentType argument of the generated
// client's *WithBody methods).
func (b *Body) ContentType() string { return b.contentType }

// Len is the body's length in bytes, or -1 when a file's size is not known
// in advance (a Reader).
func (b *Body) Len() int64 { return b.length }

// SetLength sets the request's Content-Length to the body's length, so that
// it is not sent chunked. It is a request editor of the generated client:
// pass body.SetLength to the call (it does nothing when the length is not
// known).
func (b *Body) SetLength(_ context.Context, req *http.Request) error {
	if b.length >= 0 {
		req.ContentLength = b.length
	}
	return nil
}

// Read reads the body. A file that cannot be opened, or whose size changed
// since Encode, fails the read with an error naming it.
func (b *Body) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, b.err
	}
	for b.err == nil {
		if b.cur >= len(b.segments) {
			b.err = io.EOF
			break
		}
		s := &b.segments[b.cur]
		if s.src == nil {
			if len(s.data) == 0 {
				b.cur++
				continue
			}
			n := copy(p, s.data)
			s.data = s.data[n:]
			return n, nil
		}
		if b.open == nil {
			rc, err := s.src.open()
			if err != nil {
				b.err = fmt.Errorf("imageform: %w", err)
				break
			}
			b.open, b.count = rc, 0
		}
		n, err := b.open.Read(p)
		b.count += int64(n)
		switch {
		case err == io.EOF:
			b.open.Close()
			b.open = nil
			if s.src.size >= 0 && b.count != s.src.size {
				b.err = fmt.Errorf("imageform: a file changed size while it was sent (%d bytes, %d expected)", b.count, s.src.size)
				return n, b.err
			}
			b.cur++
			if n == 0 {
				continue // on to the next segment
			}
		case err != nil:
			b.err = fmt.Errorf("imageform: %w", err)
		}
		return n, b.err
	}
	return 0, b.err
}

// Close closes the file being read, if any. The HTTP transport calls it
// when the request ends.
func (b *Body) Close() error {
	if b.open != nil {
		b.open.Close()
		b.open = nil
	}
	if b.err == nil {
		b.err = errors.New("imageform: body closed")
	}
	return nil
}
