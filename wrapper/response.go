package wrapper

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"strings"
	"time"

	"github.com/imagegen-go/openai-images/gen"
	"github.com/imagegen-go/openai-images/internal/atomicfile"
)

// ImagesResponse is the result of Generate, Edit and Vary.
type ImagesResponse struct {
	// Created is when the images were created.
	Created time.Time
	// Data holds the images, in order.
	Data []GeneratedImage
	// Usage is the token usage (GPT image models only).
	Usage *Usage
	// Background, OutputFormat, Quality and Size echo the settings used,
	// when the server reports them.
	Background   Background
	OutputFormat OutputFormat
	Quality      Quality
	Size         Size
	// SafetyIdentifier is the effective safety identifier the API used:
	// the request's SafetyIdentifier, else the deprecated User.
	SafetyIdentifier string
	// SVGUsage is the token usage of SVG authoring (SVG output only),
	// separate from Usage, which counts the image rendering.
	SVGUsage *SVGUsage
	// RequestID is the x-request-id header, for OpenAI support.
	RequestID string
}

// SVGUsage is the token usage of the model that authored SVG output.
type SVGUsage struct {
	// Model is the SVG author model.
	Model                                                   string
	InputTokens, OutputTokens, ReasoningTokens, TotalTokens int
}

// Usage is token usage of an image request.
type Usage struct {
	InputTokens       int
	InputTextTokens   int
	InputImageTokens  int
	OutputTokens      int
	OutputTextTokens  int
	OutputImageTokens int
	TotalTokens       int
}

// GeneratedImage is one returned image: base64 data, a URL (DALL-E models
// with response_format=url; valid for 60 minutes), or with [WithImageFiles]
// the file it was written to.
type GeneratedImage struct {
	B64JSON       string
	URL           string
	RevisedPrompt string
	// Path is the file the image was written to as it arrived, with
	// WithImageFiles ("" otherwise).
	Path string

	client *Client
	// format is the output format the response declared or the request
	// asked for; the bytes must be in it.
	format OutputFormat
}

func (c *Client) imagesResponse(r *gen.ImagesResponse, requestID string) *ImagesResponse {
	out := &ImagesResponse{Created: time.Unix(int64(r.Created), 0).UTC(), RequestID: requestID}
	if r.Data != nil {
		for _, d := range *r.Data {
			out.Data = append(out.Data, GeneratedImage{
				B64JSON:       deref(d.B64Json),
				URL:           deref(d.Url),
				RevisedPrompt: deref(d.RevisedPrompt),
				client:        c,
				format:        OutputFormat(deref(r.OutputFormat)),
			})
		}
	}
	if r.Usage != nil {
		u := &Usage{
			InputTokens:      r.Usage.InputTokens,
			InputTextTokens:  r.Usage.InputTokensDetails.TextTokens,
			InputImageTokens: r.Usage.InputTokensDetails.ImageTokens,
			OutputTokens:     r.Usage.OutputTokens,
			TotalTokens:      r.Usage.TotalTokens,
		}
		if d := r.Usage.OutputTokensDetails; d != nil {
			u.OutputTextTokens, u.OutputImageTokens = d.TextTokens, d.ImageTokens
		}
		out.Usage = u
	}
	if r.Background != nil {
		out.Background = Background(*r.Background)
	}
	if r.OutputFormat != nil {
		out.OutputFormat = OutputFormat(*r.OutputFormat)
	}
	if r.Quality != nil {
		out.Quality = Quality(*r.Quality)
	}
	if r.Size != nil {
		out.Size = Size(*r.Size)
	}
	out.SafetyIdentifier = deref(r.SafetyIdentifier)
	if u := r.SvgUsage; u != nil {
		out.SVGUsage = &SVGUsage{Model: u.Model, InputTokens: u.InputTokens, OutputTokens: u.OutputTokens,
			ReasoningTokens: u.ReasoningTokens, TotalTokens: u.TotalTokens}
	}
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// expect sets the format the request asked for on images whose response
// did not declare one.
func (r *ImagesResponse) expect(f OutputFormat) *ImagesResponse {
	if r == nil || f == "" {
		return r
	}
	for i := range r.Data {
		if r.Data[i].format == "" {
			r.Data[i].format = f
		}
	}
	return r
}

// ErrNoImageData is returned when an image has neither base64 data nor a URL.
var ErrNoImageData = errors.New("openai-images: image has neither b64_json nor url")

// Content returns the image file's bytes: the base64 data decoded (into one
// buffer of the image's size), the file it was written to (WithImageFiles),
// or the URL downloaded through the client's HTTP client under its
// [DownloadPolicy] (at most the client's download limit). Bytes that are
// not the image format the response declared (or the request asked for),
// or not an image at all, are an *[ImageFormatError].
func (img GeneratedImage) Content(ctx context.Context) ([]byte, error) {
	switch {
	case img.B64JSON != "":
		return decodeChecked(img.B64JSON, img.format)
	case img.Path != "":
		return os.ReadFile(img.Path) // checked when it was written
	case img.URL != "":
		return img.fetch(ctx)
	}
	return nil, ErrNoImageData
}

// WriteFile writes the image to path atomically: a temporary file in the
// same directory is renamed over path only once the image is complete and
// checked as Content checks it, so a failure never leaves a partial file.
// Base64 data is decoded on the way, through a small buffer.
func (img GeneratedImage) WriteFile(ctx context.Context, path string) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error { return img.writeTo(ctx, w) })
}

// Decode decodes the image (PNG, JPEG, WebP or GIF) and returns it with its
// format name.
func (img GeneratedImage) Decode(ctx context.Context) (image.Image, string, error) {
	b, err := img.Content(ctx)
	if err != nil {
		return nil, "", err
	}
	return decodeImage(b)
}

func (img GeneratedImage) writeTo(ctx context.Context, w io.Writer) error {
	switch {
	case img.B64JSON != "":
		return writeB64To(w, img.B64JSON, img.format)
	case img.Path != "":
		f, err := os.Open(img.Path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	case img.URL != "":
		return img.download(ctx, w)
	default:
		return ErrNoImageData
	}
}

// WriteFiles writes every image of the response into dir as prefix-N.ext
// (N from 1; the extension from the bytes), atomically, and returns the
// paths written. Base64 data is decoded straight into each file.
func (r *ImagesResponse) WriteFiles(ctx context.Context, dir, prefix string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	files := &imageFiles{dir: dir, name: func(f ImageFile) string {
		return fmt.Sprintf("%s-%d%s", prefix, f.Index+1, f.Ext)
	}}
	var paths []string
	for i, img := range r.Data {
		if img.B64JSON == "" {
			// A file or a URL: through Content.
			b, err := img.Content(ctx)
			if err != nil {
				return paths, err
			}
			path := fmt.Sprintf("%s/%s-%d%s", strings.TrimRight(dir, "/"), prefix, i+1, extensionFor(sniffContentType(b)))
			if err := atomicfile.WriteFile(path, b, 0o644); err != nil {
				return paths, err
			}
			paths = append(paths, path)
			continue
		}
		path, err := saveText(files, img.B64JSON, ImageFile{Index: i, Count: len(r.Data)}, img.format)
		if err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// saveText decodes a base64 image into a file of files, checked as Content
// checks it.
func saveText(files *imageFiles, b64 string, info ImageFile, format OutputFormat) (string, error) {
	doc := imageDoc{files: files}
	defer doc.abort()
	paths, err := doc.save([]saveItem{{img: docImage{text: b64}, info: info, format: format}})
	if err != nil {
		return "", err
	}
	return paths[0], nil
}
