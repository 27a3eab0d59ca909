package wrapper

import (
	"bytes"
	"context"
	"fmt"
	"image"

	"github.com/imagegen-go/openai-images/internal/atomicfile"
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
// base64 data; bytes that are not an image of the event's output format
// are an *[ImageFormatError]. ctx is unused (see [OutputImage]).
func (e *PartialImageEvent) Content(ctx context.Context) ([]byte, error) {
	return decodeChecked(e.B64JSON, e.OutputFormat)
}

// WriteFile writes the partial image to path atomically, once checked as
// Content checks it.
func (e *PartialImageEvent) WriteFile(ctx context.Context, path string) error {
	return writeB64(e.B64JSON, e.OutputFormat, path)
}

// Decode decodes the partial image and returns it with its format name.
func (e *PartialImageEvent) Decode(ctx context.Context) (image.Image, string, error) {
	return decodeB64Image(e.B64JSON)
}

// Content returns the final image's bytes, decoded from the event's base64
// data; bytes that are not an image of the event's output format are an
// *[ImageFormatError]. ctx is unused (see [OutputImage]).
func (e *CompletedEvent) Content(ctx context.Context) ([]byte, error) {
	return decodeChecked(e.B64JSON, e.OutputFormat)
}

// WriteFile writes the final image to path atomically, once checked as
// Content checks it.
func (e *CompletedEvent) WriteFile(ctx context.Context, path string) error {
	return writeB64(e.B64JSON, e.OutputFormat, path)
}

// Decode decodes the final image and returns it with its format name.
func (e *CompletedEvent) Decode(ctx context.Context) (image.Image, string, error) {
	return decodeB64Image(e.B64JSON)
}

// Content returns the image's bytes, decoded from the turn's base64 data;
// bytes that are not an image are an *[ImageFormatError]. ctx is unused
// (see [OutputImage]).
func (t TurnImage) Content(ctx context.Context) ([]byte, error) {
	return decodeChecked(t.B64JSON, "")
}

// WriteFile writes the image to path atomically, once checked as Content
// checks it.
func (t TurnImage) WriteFile(ctx context.Context, path string) error {
	return writeB64(t.B64JSON, "", path)
}

// Decode decodes the image and returns it with its format name.
func (t TurnImage) Decode(ctx context.Context) (image.Image, string, error) {
	return decodeB64Image(t.B64JSON)
}

func writeB64(s string, format OutputFormat, path string) error {
	b, err := decodeChecked(s, format)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b, 0o644)
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
