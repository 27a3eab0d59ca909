package wrapper

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // header probing of GIF inputs, which validation rejects by name
	_ "image/jpeg"
	_ "image/png"
	"io"
	"io/fs"
	"path/filepath"
	"sync"

	_ "golang.org/x/image/webp" // header probing of WebP inputs

	"github.com/imagegen-go/openai-images/internal/imagecheck"
)

// Image is an input image for an edit or a variation: a file path, bytes, or
// a reader. It is uploaded as a multipart file part, streamed from its source
// so memory does not grow with its size.
//
// A retried request re-sends identical bytes by reading the source again:
// paths are re-opened, bytes and io.ReaderAt sources re-read, openers called
// again. An image made by [ImageFromReader] from a plain io.Reader can be read
// only once; a request that has started sending it is not retried.
type Image struct {
	name string
	// path is the file of an image from ImageFromPath ("" otherwise): a
	// batch item's key names its images by path.
	path string
	// open returns a fresh reader over the whole image; nil for one-shot.
	open func() (io.ReadCloser, error)
	// size returns the size in bytes, or -1 when unknown.
	size func() (int64, error)
	// oneShot is set for single-use readers.
	oneShot *oneShotSource
}

type oneShotSource struct {
	mu   sync.Mutex
	r    *bufio.Reader
	used bool
}

// probeWindow is how much of an image is read to inspect its header (and
// how much of a one-shot reader is buffered so that it can still be sent);
// headers of ordinary images fit well within.
const probeWindow = 64 << 10

// probeBufs recycles the windows Probe reads headers into.
var probeBufs = sync.Pool{New: func() any { b := make([]byte, probeWindow); return &b }}

// ImageFromPath reads the image at path when the request is sent. The part's
// file name is the path's base name. The path must be a regular file: a
// FIFO, a device or a directory is refused with [ErrNotRegularFile] before
// it is opened (use [ImageFromReader] for a pipe).
func ImageFromPath(path string) Image {
	return Image{
		name: filepath.Base(path),
		path: path,
		open: func() (io.ReadCloser, error) { return openRegular(path) },
		size: func() (int64, error) { return statRegular(path) },
	}
}

// ImageFromBytes uses data as the image, with name as the part's file name
// (a name is made from the sniffed format when empty). data must not be
// modified while a request using it is in flight.
func ImageFromBytes(name string, data []byte) Image {
	if name == "" {
		name = "image" + extensionFor(sniffContentType(data))
	}
	return Image{
		name: name,
		open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		size: func() (int64, error) { return int64(len(data)), nil },
	}
}

// ImageFromReaderAt reads size bytes of r from offset 0 for each attempt.
func ImageFromReaderAt(name string, r io.ReaderAt, size int64) Image {
	return Image{
		name: name,
		open: func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(r, 0, size)), nil },
		size: func() (int64, error) { return size, nil },
	}
}

// ImageFromOpener calls open for each attempt; the returned reader is closed
// after it is sent. Its size is not known in advance.
func ImageFromOpener(name string, open func() (io.ReadCloser, error)) Image {
	return Image{
		name: name,
		open: open,
		size: func() (int64, error) { return -1, nil },
	}
}

// ImageFromReader sends what r yields. When r is also an io.ReaderAt with a
// known size (*os.File, *bytes.Reader, *strings.Reader, *io.SectionReader),
// it is re-read from the start on a retry. Otherwise it is a one-shot source:
// it is sent once, and a request whose upload has started is not retried.
func ImageFromReader(name string, r io.Reader) Image {
	if ra, ok := r.(io.ReaderAt); ok {
		switch s := r.(type) {
		case interface{ Size() int64 }:
			return ImageFromReaderAt(name, ra, s.Size())
		case interface{ Stat() (fs.FileInfo, error) }:
			if fi, err := s.Stat(); err == nil && fi.Mode().IsRegular() {
				return ImageFromReaderAt(name, ra, fi.Size())
			}
		}
	}
	return Image{
		name:    name,
		oneShot: &oneShotSource{r: bufio.NewReaderSize(r, probeWindow)},
		size:    func() (int64, error) { return -1, nil },
	}
}

// Name is the file name sent with the image.
func (im Image) Name() string { return im.name }

// IsZero reports whether im is the zero Image (no source).
func (im Image) IsZero() bool { return im.open == nil && im.oneShot == nil }

// retryable reports whether the image can be read again for a retry.
func (im Image) retryable() bool { return im.oneShot == nil }

var errImageConsumed = errors.New("one-shot image reader was already sent and cannot be read again")

// reader returns a reader over the image for one attempt.
func (im Image) reader() (io.ReadCloser, error) {
	switch {
	case im.oneShot != nil:
		im.oneShot.mu.Lock()
		defer im.oneShot.mu.Unlock()
		if im.oneShot.used {
			return nil, errImageConsumed
		}
		im.oneShot.used = true
		return io.NopCloser(im.oneShot.r), nil
	case im.open != nil:
		return im.open()
	default:
		return nil, errors.New("image has no source")
	}
}

// ImageInfo is what is known of an input image from its header alone.
type ImageInfo struct {
	// Format is "png", "jpeg", "webp" or "gif", sniffed from the bytes, or
	// "" when the bytes are none of these.
	Format string
	// ContentType is the MIME type sent with the part.
	ContentType string
	// Width and Height are read from the header; zero when unknown.
	Width, Height int
	// HasAlpha reports an alpha channel (or PNG transparency).
	HasAlpha bool
	// Size is the size in bytes, or -1 when it is not known in advance.
	Size int64
	// HeaderErr is set when the header could not be decoded.
	HeaderErr error
}

// Probe inspects the image's header (never decoding the pixels). For a
// one-shot reader the header is peeked, so the image can still be sent.
func (im Image) Probe() (ImageInfo, error) {
	info := ImageInfo{Size: -1}
	if im.size != nil {
		n, err := im.size()
		if err != nil {
			return info, err
		}
		info.Size = n
	}
	var head []byte
	switch {
	case im.oneShot != nil:
		im.oneShot.mu.Lock()
		if im.oneShot.used {
			im.oneShot.mu.Unlock()
			return info, errImageConsumed
		}
		// Peek returns what it could with an error at EOF or when the
		// source is shorter than the window; both are fine here.
		head, _ = im.oneShot.r.Peek(probeWindow)
		im.oneShot.mu.Unlock()
		if len(head) < probeWindow && info.Size < 0 {
			info.Size = int64(len(head))
		}
	case im.open != nil:
		rc, err := im.open()
		if err != nil {
			return info, err
		}
		buf := probeBufs.Get().(*[]byte)
		defer probeBufs.Put(buf)
		n, err := io.ReadFull(rc, *buf)
		rc.Close()
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return info, err
		}
		head = (*buf)[:n]
	default:
		return info, errors.New("image has no source")
	}
	fillInfo(&info, head)
	return info, nil
}

// fillInfo sets format, type and header facts from the first bytes of an image.
func fillInfo(info *ImageInfo, head []byte) {
	info.ContentType = sniffContentType(head)
	info.Format = formatOf(info.ContentType)
	if info.Format == "" {
		return
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(head))
	if err != nil {
		info.HeaderErr = fmt.Errorf("%s header: %w", info.Format, err)
		return
	}
	info.Width, info.Height = cfg.Width, cfg.Height
	if info.Format == "png" {
		info.HasAlpha = pngHasAlpha(head)
	} else {
		info.HasAlpha = modelHasAlpha(cfg.ColorModel)
	}
}

// sniffContentType names the image type from its magic bytes. Only the
// formats the API takes or returns are recognised (SVG by its first tag,
// see imagecheck.LooksLikeSVG); others are application/octet-stream.
func sniffContentType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "image/webp"
	case bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a")):
		return "image/gif"
	case imagecheck.LooksLikeSVG(b):
		return "image/svg+xml"
	}
	return "application/octet-stream"
}

func formatOf(contentType string) string {
	switch contentType {
	case "image/png":
		return "png"
	case "image/jpeg":
		return "jpeg"
	case "image/webp":
		return "webp"
	case "image/gif":
		return "gif"
	}
	return ""
}

func extensionFor(contentType string) string {
	switch contentType {
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	case "image/webp":
		return ".webp"
	case "image/gif":
		return ".gif"
	case "image/svg+xml":
		return ".svg"
	}
	return ""
}

// pngHasAlpha reads the PNG chunk list up to the first IDAT: colour types 4
// (grey + alpha) and 6 (RGBA) carry alpha, and a tRNS chunk adds
// transparency to the others. image/png's DecodeConfig reports RGBA for
// plain truecolour, so it cannot answer this.
func pngHasAlpha(b []byte) bool {
	const sigLen = 8
	if len(b) < sigLen+8+13 {
		return false
	}
	colorType := b[sigLen+8+9]
	if colorType == 4 || colorType == 6 {
		return true
	}
	for off := sigLen; off+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[off:]))
		typ := string(b[off+4 : off+8])
		switch typ {
		case "tRNS":
			return true
		case "IDAT", "IEND":
			return false
		}
		if n < 0 || n > len(b) {
			return false
		}
		off += 12 + n
	}
	return false
}

func modelHasAlpha(m color.Model) bool {
	switch m {
	case color.RGBAModel, color.RGBA64Model, color.NRGBAModel, color.NRGBA64Model, color.AlphaModel, color.Alpha16Model:
		return true
	}
	if p, ok := m.(color.Palette); ok {
		for _, c := range p {
			if _, _, _, a := c.RGBA(); a != 0xffff {
				return true
			}
		}
	}
	return false
}

func dataURL(contentType string, data []byte) string {
	return "data:" + contentType + ";base64," + base64.StdEncoding.EncodeToString(data)
}
