package wrapper

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ImageFile describes an image that [WithImageFiles] is about to save, for
// naming its file.
type ImageFile struct {
	// Index is the image's number in the call's result, from 0: its
	// position in an images response or a turn, or in a stream the number
	// of final images before it (so a partial image has the index of the
	// image it previews).
	Index int
	// Count is the number of images in the response, or 0 in a stream,
	// where it is not known yet.
	Count int
	// Partial reports a partial image of a stream, and PartialIndex its
	// index (from 0, as the API numbers them).
	Partial      bool
	PartialIndex int
	// ContentType is the format found in the image's first bytes
	// ("image/png", "image/jpeg", "image/webp", "image/gif", or
	// "application/octet-stream"), and Ext the extension for it (".png",
	// ".jpg", ".webp", ".gif", or "" when the format is not known).
	ContentType string
	Ext         string
}

// imageFiles is where WithImageFiles (or WriteFiles, or RunBatch) puts images.
type imageFiles struct {
	dir  string
	name func(ImageFile) string
}

// WithImageFiles makes the call write each base64 image it receives into a
// file in dir as the response arrives, decoding it on the way, instead of
// holding the base64 text in the result: the heap stays at a few hundred
// KiB whatever the size of the images. It applies to Generate, Edit,
// CreateVariation, their streams and [EditSession] turns.
//
// name gives each file its name in dir (a plain file name, no directory)
// once the image is complete; see [ImageFile]. Files are written
// atomically (a temporary file in dir, renamed once complete), and dir is
// created if needed. In the result, the image's Path is set and its B64JSON
// left empty; Bytes, Save and Decode read the file. Images sent as URLs
// (response_format=url) are left as URLs.
//
// The call fails, and no file of the response is kept, when an image's
// base64 is invalid (the error Bytes would give) or a file cannot be
// written; in a stream, images of earlier events stay saved.
func WithImageFiles(dir string, name func(ImageFile) string) RequestOption {
	return func(r *requestConfig) error {
		switch {
		case dir == "":
			return errors.New("WithImageFiles: dir is empty")
		case name == nil:
			return errors.New("WithImageFiles: name is nil")
		}
		r.files = &imageFiles{dir: filepath.Clean(dir), name: name}
		return nil
	}
}

// checkFileName accepts a plain file name.
func checkFileName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.ContainsRune(name, 0) {
		return fmt.Errorf("invalid file name %q: want a name without a directory", name)
	}
	return nil
}
