package wrapper

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"io"
	"os"

	"github.com/imagegen-go/openai-images/internal/atomicfile"
	"github.com/imagegen-go/openai-images/wrapper/internal/imagejson"
)

// OutputImage is an image the API returned, whichever call returned it: a
// [GeneratedImage] of Generate, Edit or Vary, a [PartialImageEvent] or
// [CompletedEvent] of a stream, or a [TurnImage] of an [EditSession]. Every
// one has the same three methods, so code that keeps images need not care
// where they came from:
//
//	func keep(ctx context.Context, img wrapper.OutputImage, path string) error {
//		return img.WriteFile(ctx, path)
//	}
//
// Each takes a context because an image may have to be fetched (a
// GeneratedImage returned as a URL); for the others, whose bytes arrived
// with the response, it is unused.
type OutputImage interface {
	// Content returns the image file's bytes.
	Content(ctx context.Context) ([]byte, error)
	// WriteFile writes the image to path atomically (a temporary file
	// renamed over path once complete).
	WriteFile(ctx context.Context, path string) error
	// Decode decodes the image and returns it with its format name.
	Decode(ctx context.Context) (image.Image, string, error)
}

var (
	_ OutputImage = GeneratedImage{}
	_ OutputImage = TurnImage{}
	_ OutputImage = (*PartialImageEvent)(nil)
	_ OutputImage = (*CompletedEvent)(nil)
)

// Content returns the partial image's bytes, decoded from the event's
// base64 data (or read from its file, Path); bytes that are not an image of
// the event's output format are an *[ImageFormatError]. ctx is unused (see
// [OutputImage]).
func (e *PartialImageEvent) Content(ctx context.Context) ([]byte, error) {
	return imageContent(e.B64JSON, e.Path, e.OutputFormat)
}

// WriteFile writes the partial image to path atomically, once checked as
// Content checks it.
func (e *PartialImageEvent) WriteFile(ctx context.Context, path string) error {
	return writeImage(e.B64JSON, e.Path, e.OutputFormat, path)
}

// Decode decodes the partial image and returns it with its format name.
func (e *PartialImageEvent) Decode(ctx context.Context) (image.Image, string, error) {
	return decodeImageFrom(e.B64JSON, e.Path)
}

// Content returns the final image's bytes, decoded from the event's base64
// data (or read from its file, Path); bytes that are not an image of the
// event's output format are an *[ImageFormatError]. ctx is unused (see
// [OutputImage]).
func (e *CompletedEvent) Content(ctx context.Context) ([]byte, error) {
	return imageContent(e.B64JSON, e.Path, e.OutputFormat)
}

// WriteFile writes the final image to path atomically, once checked as
// Content checks it.
func (e *CompletedEvent) WriteFile(ctx context.Context, path string) error {
	return writeImage(e.B64JSON, e.Path, e.OutputFormat, path)
}

// Decode decodes the final image and returns it with its format name.
func (e *CompletedEvent) Decode(ctx context.Context) (image.Image, string, error) {
	return decodeImageFrom(e.B64JSON, e.Path)
}

// Content returns the image's bytes, decoded from the turn's base64 data
// (or read from its file, Path); bytes that are not an image are an
// *[ImageFormatError]. ctx is unused (see [OutputImage]).
func (t TurnImage) Content(ctx context.Context) ([]byte, error) {
	return imageContent(t.B64JSON, t.Path, "")
}

// WriteFile writes the image to path atomically, once checked as Content
// checks it.
func (t TurnImage) WriteFile(ctx context.Context, path string) error {
	return writeImage(t.B64JSON, t.Path, "", path)
}

// Decode decodes the image and returns it with its format name.
func (t TurnImage) Decode(ctx context.Context) (image.Image, string, error) {
	return decodeImageFrom(t.B64JSON, t.Path)
}

// imageContent returns the bytes of an image: its base64 decoded and
// checked, or, when there is none, the file it was written to as it arrived
// (checked then).
func imageContent(b64, file string, format OutputFormat) ([]byte, error) {
	if b64 == "" && file != "" {
		return os.ReadFile(file)
	}
	return decodeChecked(b64, format)
}

// writeImage writes an image to path atomically, decoding its base64 on
// the way (through a small buffer) or copying its file.
func writeImage(b64, file string, format OutputFormat, path string) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		if b64 == "" && file != "" {
			f, err := os.Open(file)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(w, f)
			return err
		}
		return writeB64To(w, b64, format)
	})
}

func decodeImageFrom(b64, file string) (image.Image, string, error) {
	if b64 == "" && file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, "", err
		}
		return decodeImage(b)
	}
	return decodeB64Image(b64)
}

// writeB64To decodes a base64 image into w through a small buffer and
// checks it as decodeChecked does: first the base64 (the error Content
// gives), then the bytes against the declared format. w has the bytes by
// then: the caller discards them on an error (atomicfile.Write does).
func writeB64To(w io.Writer, b64 string, format OutputFormat) error {
	cw := &checkWriter{w: w}
	if _, _, err := imagejson.DecodeStringTo(cw, b64); err != nil {
		var corrupt base64.CorruptInputError
		if errors.As(err, &corrupt) {
			return b64Error(err)
		}
		return err
	}
	return cw.check(string(format))
}

// checkWriter passes bytes through to w, keeping what checking their
// format takes: the first sniffLen bytes, and a GIF or an SVG whole.
type checkWriter struct {
	w         io.Writer
	head      []byte
	started   bool
	structure structureWriter
}

func (c *checkWriter) Write(p []byte) (int, error) {
	rest := p
	if !c.started {
		take := min(sniffLen-len(c.head), len(p))
		c.head = append(c.head, p[:take]...)
		rest = p[take:]
		if len(c.head) == sniffLen {
			c.started = true
			c.structure.start(c.head)
		}
	}
	if c.started {
		c.structure.add(rest)
	}
	return c.w.Write(p)
}

func (c *checkWriter) check(declared string) error {
	if err := checkImageFormat(c.head, declared); err != nil {
		return err
	}
	if !c.started {
		c.structure.start(c.head)
	}
	return c.structure.check(declared)
}

// decodeChecked decodes base64 image data and checks that it is an image
// of the declared format ("" for any image).
func decodeChecked(s string, format OutputFormat) ([]byte, error) {
	b, err := decodeB64(s)
	return checkedImage(b, err, format)
}

func decodeB64Image(s string) (image.Image, string, error) {
	b, err := decodeB64(s)
	if err != nil {
		return nil, "", err
	}
	return decodeImage(b)
}

// decodeImage decodes image bytes with the registered decoders (PNG, JPEG,
// GIF and WebP in this package).
func decodeImage(b []byte) (image.Image, string, error) {
	m, format, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, "", fmt.Errorf("openai-images: decode image: %w", err)
	}
	return m, format, nil
}
