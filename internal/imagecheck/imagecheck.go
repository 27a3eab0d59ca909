package imagecheck

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Sniff names the format of image bytes from their start: "png", "jpeg",
// "webp", "gif" or "svg" (see [LooksLikeSVG]); "" for anything else.
func Sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "jpeg"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp"
	case bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif"
	case LooksLikeSVG(b):
		return "svg"
	}
	return ""
}

// GIFFrames walks a GIF stream's blocks (GIF89a specification, sections 17
// to 27) to its trailer without decoding the pixels, and returns the number
// of frames (image descriptors).
func GIFFrames(b []byte) (int, error) {
	const header = 13 // signature, version, logical screen descriptor
	if len(b) < header || !bytes.HasPrefix(b, []byte("GIF87a")) && !bytes.HasPrefix(b, []byte("GIF89a")) {
		return 0, errors.New("no GIF87a or GIF89a header")
	}
	pos := header
	if flags := b[10]; flags&0x80 != 0 {
		pos += 3 << (flags&7 + 1) // global colour table
	}
	frames := 0
	for {
		if pos >= len(b) {
			return frames, fmt.Errorf("it ends after %d bytes, before its trailer (truncated)", len(b))
		}
		switch b[pos] {
		case 0x21: // extension: introducer, label, data sub-blocks
			next, err := skipSubBlocks(b, pos+2)
			if err != nil {
				return frames, err
			}
			pos = next
		case 0x2c: // image descriptor
			if pos+10 > len(b) {
				return frames, errors.New("an image descriptor is cut off (truncated)")
			}
			w, h := binary.LittleEndian.Uint16(b[pos+5:]), binary.LittleEndian.Uint16(b[pos+7:])
			if w == 0 || h == 0 {
				return frames, fmt.Errorf("frame %d is empty (%dx%d)", frames+1, w, h)
			}
			flags := b[pos+9]
			pos += 10
			if flags&0x80 != 0 {
				pos += 3 << (flags&7 + 1) // local colour table
			}
			if pos >= len(b) {
				return frames, errors.New("a frame is cut off (truncated)")
			}
			// image/gif's decoder takes minimum code sizes 2 to 8.
			if lzw := b[pos]; lzw < 2 || lzw > 8 {
				return frames, fmt.Errorf("frame %d has an LZW code size of %d, not 2 to 8", frames+1, lzw)
			}
			next, err := skipSubBlocks(b, pos+1)
			if err != nil {
				return frames, err
			}
			pos = next
			frames++
		case 0x3b: // trailer
			if frames == 0 {
				return 0, errors.New("it holds no frame")
			}
			return frames, nil
		default:
			return frames, fmt.Errorf("byte %d is 0x%02x, not a GIF block", pos, b[pos])
		}
	}
}

// skipSubBlocks returns the position after the data sub-blocks starting at
// pos: each a size byte and that many bytes, ending with a size of 0.
func skipSubBlocks(b []byte, pos int) (int, error) {
	for {
		if pos >= len(b) {
			return pos, errors.New("a data block is cut off (truncated)")
		}
		n := int(b[pos])
		pos++
		if n == 0 {
			return pos, nil
		}
		pos += n
	}
}

// svgNamespace is the SVG namespace (SVG 1.1, section 5.1.2).
const svgNamespace = "http://www.w3.org/2000/svg"

// LooksLikeSVG reports whether b starts, after an optional byte order mark,
// white space, an XML declaration, comments, processing instructions and a
// document type declaration, with an <svg> (or <prefix:svg>) start tag.
func LooksLikeSVG(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		var end []byte
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			end = []byte("?>")
		case bytes.HasPrefix(b, []byte("<!--")):
			end = []byte("-->")
		case bytes.HasPrefix(b, []byte("<!")):
			// <!DOCTYPE svg ...>, with an internal subset in [...].
			end = []byte(">")
			if i := bytes.IndexAny(b, "[>"); i >= 0 && b[i] == '[' {
				end = []byte("]>")
			}
		case bytes.HasPrefix(b, []byte("<")):
			name := b[1:]
			if i := bytes.IndexAny(name, " \t\r\n/>"); i >= 0 {
				name = name[:i]
			} else {
				return false
			}
			if j := bytes.LastIndexByte(name, ':'); j >= 0 {
				name = name[j+1:]
			}
			return string(name) == "svg"
		default:
			return false
		}
		i := bytes.Index(b, end)
		if i < 0 {
			return false
		}
		b = b[i+len(end):]
	}
}

// CheckSVG reports why b is not a well-formed XML document whose root is an
// svg element in the SVG namespace or none.
func CheckSVG(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	d.Strict = true
	d.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "us-ascii") {
			return input, nil // a subset of UTF-8
		}
		return nil, fmt.Errorf("encoding %q declared: only UTF-8 SVG is checked", charset)
	}
	// RawToken, with the nesting checked here, costs a fraction of
	// Token's namespace bookkeeping.
	var open []xml.Name
	roots := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(open) == 0 {
				roots++
				if roots > 1 {
					return fmt.Errorf("a second root element <%s> after the <svg> one", qualified(t.Name))
				}
				if err := checkSVGRoot(t); err != nil {
					return err
				}
			}
			open = append(open, t.Name)
		case xml.EndElement:
			if len(open) == 0 {
				return fmt.Errorf("not well-formed XML: </%s> closes no element", qualified(t.Name))
			}
			if top := open[len(open)-1]; top != t.Name {
				return fmt.Errorf("not well-formed XML: element <%s> closed by </%s>", qualified(top), qualified(t.Name))
			}
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return errors.New("text outside the root element")
			}
		}
	}
	switch {
	case len(open) > 0:
		return fmt.Errorf("not well-formed XML: it ends inside <%s> (truncated)", qualified(open[len(open)-1]))
	case roots == 0:
		return errors.New("no root element")
	}
	return nil
}

// checkSVGRoot checks that the root element is svg, in the SVG namespace
// (by default or by its prefix) or in none.
func checkSVGRoot(t xml.StartElement) error {
	attr := "xmlns"
	if t.Name.Space != "" {
		attr = "xmlns:" + t.Name.Space
	}
	ns, declared := "", false
	for _, a := range t.Attr {
		if qualified(a.Name) == attr {
			ns, declared = a.Value, true
		}
	}
	switch {
	case t.Name.Local != "svg":
		return fmt.Errorf("the root element is <%s>, not <svg>", qualified(t.Name))
	case t.Name.Space != "" && !declared:
		return fmt.Errorf("the root element's prefix %q is not declared", t.Name.Space)
	case ns != "" && ns != svgNamespace:
		return fmt.Errorf("the root element is <svg> in the namespace %q, not SVG's", ns)
	}
	return nil
}

// qualified is a raw name as written: prefix:local.
func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// SVGSize returns the size an SVG document gives itself: its root's width
// and height when both are whole numbers of pixels (128 or 128px), else its
// viewBox's width and height when they are whole numbers. It reports false
// when neither says (a size in % or em, say).
func SVGSize(b []byte) (width, height int, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	d.Strict = false
	for {
		tok, err := d.Token()
		if err != nil {
			return 0, 0, false
		}
		root, isStart := tok.(xml.StartElement)
		if !isStart {
			continue
		}
		var w, h, viewBox string
		for _, a := range root.Attr {
			if a.Name.Space != "" {
				continue
			}
			switch a.Name.Local {
			case "width":
				w = a.Value
			case "height":
				h = a.Value
			case "viewBox":
				viewBox = a.Value
			}
		}
		if width, height = pixels(w), pixels(h); width > 0 && height > 0 {
			return width, height, true
		}
		f := strings.FieldsFunc(viewBox, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
		if len(f) == 4 {
			if width, height = pixels(f[2]), pixels(f[3]); width > 0 && height > 0 {
				return width, height, true
			}
		}
		return 0, 0, false
	}
}

// pixels reads a length of whole pixels ("128", "128px"); 0 otherwise.
func pixels(s string) int {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(s), "px"))
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
