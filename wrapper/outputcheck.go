package wrapper

import "github.com/imagegen-go/openai-images/internal/imagecheck"

// This file checks a returned image whole, after checkImageFormat
// (download.go) has checked its first bytes against the declared format: a
// GIF must be a complete GIF stream, an SVG a well-formed XML document with
// an <svg> root, before either is written or returned.

// Extension returns the file extension for images of the format: ".png",
// ".jpg", ".webp", ".gif" or ".svg"; "" for a format this version does not
// know.
func (f OutputFormat) Extension() string {
	switch f {
	case OutputFormatPNG:
		return ".png"
	case OutputFormatJPEG:
		return ".jpg"
	case OutputFormatWebP:
		return ".webp"
	case OutputFormatGIF:
		return ".gif"
	case OutputFormatSVG:
		return ".svg"
	}
	return ""
}

// CheckImageFormat checks data, the bytes of an image a call returned, as
// Content and WriteFile check them, and returns the format the bytes are
// ("png", "jpeg", "webp", "gif", "svg", or "" for bytes of a format this
// version does not know, accepted only when declared is such a format too).
// declared is the output format the response declared or, when it echoes
// none, the one the request asked for ("" for none).
//
// The bytes must start as the declared format; with nothing declared they
// must be a PNG, JPEG, WebP or GIF (SVG, which is markup, only when
// declared). A GIF must be a complete GIF stream (its blocks walked to the
// trailer, at least one frame, no pixel decoded) and an SVG well-formed XML
// (UTF-8) whose root is an svg element. Anything else is an
// *[ImageFormatError].
func CheckImageFormat(data []byte, declared OutputFormat) (OutputFormat, error) {
	found := OutputFormat(imagecheck.Sniff(data))
	return found, checkWhole(data, string(declared))
}

// checkWhole checks a whole image: its first bytes against the declared
// format (checkImageFormat), then a GIF's or an SVG's structure.
func checkWhole(data []byte, declared string) error {
	if err := checkImageFormat(data, declared); err != nil {
		return err
	}
	return checkStructure(data, declared)
}

// checkStructure checks that the bytes of a GIF or an SVG are whole: a GIF
// walked to its trailer, an SVG parsed as XML. Other formats pass.
func checkStructure(data []byte, declared string) error {
	var err error
	detected := ""
	switch imagecheck.Sniff(data) {
	case "gif":
		detected = "image/gif"
		_, err = imagecheck.GIFFrames(data)
	case "svg":
		detected = "image/svg+xml"
		err = imagecheck.CheckSVG(data)
	}
	if err != nil {
		return &ImageFormatError{Declared: declared, Detected: detected, Reason: err.Error()}
	}
	return nil
}

// structureWriter is the part of a formatWriter that keeps a GIF or an SVG
// whole, to check its structure once it is complete (Close).
type structureWriter struct {
	keep  bool
	whole []byte
}

// start decides, from an image's first bytes, whether it must be kept.
func (s *structureWriter) start(head []byte) {
	switch imagecheck.Sniff(head) {
	case "gif", "svg":
		s.keep = true
		s.whole = append(s.whole[:0], head...)
	}
}

func (s *structureWriter) add(p []byte) {
	if s.keep {
		s.whole = append(s.whole, p...)
	}
}

// check checks the structure of a kept image.
func (s *structureWriter) check(declared string) error {
	if !s.keep {
		return nil
	}
	err := checkStructure(s.whole, declared)
	s.whole = nil
	return err
}
