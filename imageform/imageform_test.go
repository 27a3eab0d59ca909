package imageform

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

var (
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 1000)...)
	jpegBytes = append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte{2}, 700)...)
)

type part struct {
	name, filename, contentType string
	data                        []byte
}

// decode reads a body back as the server would, checking Len against the
// bytes read.
func decode(t *testing.T, b *Body) []part {
	t.Helper()
	raw, err := io.ReadAll(b)
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() >= 0 && int64(len(raw)) != b.Len() {
		t.Errorf("Len = %d, read %d bytes", b.Len(), len(raw))
	}
	mt, params, err := mime.ParseMediaType(b.ContentType())
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("content type %q: %v", b.ContentType(), err)
	}
	mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
	var parts []part
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(p)
		parts = append(parts, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), data})
	}
}

func TestEditBody(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "soap.jpg")
	os.WriteFile(path, jpegBytes, 0o644)
	mask := Bytes(`m"a\sk.png`, pngBytes)
	body, err := Edit{
		Prompt: "basket", Model: "gpt-image-1.5", N: 2, Size: "1024x1024", Quality: "high", OutputCompression: new(int),
		Images: []File{Bytes("lotion.png", pngBytes), Path(path), Reader("tub", bytes.NewReader(pngBytes))},
		Mask:   &mask, Stream: true, PartialImages: new(int),
		Extra: map[string]string{"quality": "xhigh", "safety_identifier": "u1"},
	}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if body.Len() != -1 {
		t.Errorf("Len = %d with a reader of unknown size", body.Len())
	}
	parts := decode(t, body)
	var fields []string
	for _, p := range parts[:len(parts)-4] {
		fields = append(fields, p.name+"="+string(p.data))
	}
	want := []string{"prompt=basket", "model=gpt-image-1.5", "n=2", "size=1024x1024", "output_compression=0", "stream=true", "partial_images=0", "quality=xhigh", "safety_identifier=u1"}
	if !slices.Equal(fields, want) {
		t.Errorf("fields %q, want %q", fields, want)
	}
	files := parts[len(parts)-4:]
	for i, w := range []part{
		{"image[]", "lotion.png", "image/png", pngBytes},
		{"image[]", "soap.jpg", "image/jpeg", jpegBytes},
		{"image[]", "tub", "image/png", pngBytes},
		{"mask", `m"a\sk.png`, "image/png", pngBytes},
	} {
		if g := files[i]; g.name != w.name || g.filename != w.filename || g.contentType != w.contentType || !bytes.Equal(g.data, w.data) {
			t.Errorf("file %d: %s %q %s %d bytes, want %s %q %s", i, g.name, g.filename, g.contentType, len(g.data), w.name, w.filename, w.contentType)
		}
	}

	// One image is "image", and sizes known in advance give the length.
	body, err = Edit{Prompt: "p", Images: []File{Path(path)}}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", "http://x", body)
	body.SetLength(t.Context(), req)
	parts = decode(t, body)
	if req.ContentLength != body.Len() || body.Len() <= int64(len(jpegBytes)) || len(parts) != 2 || parts[1].name != "image" {
		t.Errorf("length %d/%d, parts %+v", req.ContentLength, body.Len(), parts)
	}
}

// The parameters newer than the first version of Edit: text parts in the
// wrapper's order, the markup as a file part after the mask.
func TestEditNewerFields(t *testing.T) {
	mask, markup := Bytes("mask.png", pngBytes), Bytes("arrows.png", pngBytes)
	body, err := Edit{
		Prompt: "p", Model: "gpt-image-2.5-flare", Quality: "high", Complexity: "medium", Background: "opaque",
		OutputFormat: "gif", FrameCount: 4, FrameDuration: 250*time.Millisecond + 700*time.Microsecond,
		SVG:    &SVGOptions{Model: "gpt-5", ReasoningEffort: "low"},
		Images: []File{Bytes("in.png", pngBytes)}, Mask: &mask, Markup: &markup,
		SafetyIdentifier: "hashed-user", User: "u",
	}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	parts := decode(t, body)
	var fields []string
	for _, p := range parts[:len(parts)-3] {
		fields = append(fields, p.name+"="+string(p.data))
	}
	want := []string{"prompt=p", "model=gpt-image-2.5-flare", "quality=high", "complexity=medium", "background=opaque",
		"output_format=gif", "frame_count=4", "frame_duration_ms=250", "svg[model]=gpt-5", "svg[reasoning][effort]=low",
		"safety_identifier=hashed-user", "user=u"}
	if !slices.Equal(fields, want) {
		t.Errorf("fields %q, want %q", fields, want)
	}
	files := parts[len(parts)-3:]
	for i, w := range []part{
		{"image", "in.png", "image/png", pngBytes},
		{"mask", "mask.png", "image/png", pngBytes},
		{"markup", "arrows.png", "image/png", pngBytes},
	} {
		if g := files[i]; g.name != w.name || g.filename != w.filename || g.contentType != w.contentType || !bytes.Equal(g.data, w.data) {
			t.Errorf("file %d: %s %q %s %d bytes, want %s %q %s", i, g.name, g.filename, g.contentType, len(g.data), w.name, w.filename, w.contentType)
		}
	}

	// Empty SVG options send nothing of theirs; Extra replaces a field;
	// a markup read from a reader leaves the length unknown.
	body, err = Edit{
		Prompt: "p", Images: []File{Bytes("in.png", pngBytes)}, Complexity: "low",
		SVG: &SVGOptions{ReasoningEffort: "none"}, Markup: &File{},
		Extra: map[string]string{"complexity": "high"},
	}.Encode()
	if err == nil || !strings.Contains(err.Error(), "markup: no file given") {
		t.Errorf("zero markup: %v, %v", body, err)
	}
	markup = Reader("m.png", bytes.NewReader(pngBytes))
	body, err = Edit{
		Prompt: "p", Images: []File{Bytes("in.png", pngBytes)}, Complexity: "low",
		SVG: &SVGOptions{ReasoningEffort: "none"}, Markup: &markup,
		Extra: map[string]string{"complexity": "high"},
	}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if body.Len() != -1 {
		t.Errorf("Len = %d with a markup of unknown size", body.Len())
	}
	fields = fields[:0]
	for _, p := range decode(t, body) {
		fields = append(fields, p.name+"="+p.filename)
	}
	if want := []string{"prompt=", "svg[reasoning][effort]=", "complexity=", "image=in.png", "markup=m.png"}; !slices.Equal(fields, want) {
		t.Errorf("parts %q, want %q", fields, want)
	}
	if body, _ := (Edit{Prompt: "p", Images: []File{Bytes("in.png", pngBytes)}, SVG: &SVGOptions{}}).Encode(); len(decode(t, body)) != 2 {
		t.Error("empty SVG options sent parts")
	}
}

func TestVariationBody(t *testing.T) {
	body, err := Variation{Image: Bytes("otter.png", pngBytes), Model: "dall-e-2", N: 3, ResponseFormat: "b64_json"}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	parts := decode(t, body)
	if len(parts) != 4 || string(parts[1].data) != "3" || parts[3].name != "image" || parts[3].contentType != "image/png" {
		t.Errorf("parts %+v", parts)
	}
	if _, err := (Variation{}).Encode(); err == nil || !strings.Contains(err.Error(), "no file given") {
		t.Errorf("zero image: %v", err)
	}
}

func TestBodyErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := (Edit{Prompt: "p"}).Encode(); err == nil {
		t.Error("an edit without images encoded")
	}
	if _, err := (Edit{Prompt: "p", Images: []File{Path(filepath.Join(dir, "missing.png"))}}).Encode(); err == nil || !strings.Contains(err.Error(), "missing.png") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := (Edit{Prompt: "p", Images: []File{Path(dir)}}).Encode(); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}

	// A file that grows between Encode and the read fails the read.
	path := filepath.Join(dir, "a.png")
	os.WriteFile(path, pngBytes, 0o644)
	body, err := Edit{Prompt: "p", Images: []File{Path(path)}}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, append(pngBytes, 'x'), 0o644)
	if _, err := io.ReadAll(body); err == nil || !strings.Contains(err.Error(), "changed size") {
		t.Errorf("grown file: %v", err)
	}

	// A reader is read once; a closed body reads no more.
	body, _ = Edit{Prompt: "p", Images: []File{Reader("r.png", bytes.NewReader(pngBytes))}}.Encode()
	body.Close()
	if _, err := io.ReadAll(body); err == nil {
		t.Error("a closed body read on")
	}
	// The sniffed type of something that is no image.
	body, _ = Edit{Prompt: "p", Images: []File{Bytes("notes.txt", []byte("hello"))}}.Encode()
	if parts := decode(t, body); parts[1].contentType != "application/octet-stream" {
		t.Errorf("content type %q", parts[1].contentType)
	}
	body, _ = Edit{Prompt: "p", Images: []File{{Name: "x", ContentType: "image/webp", data: []byte("x"), set: true}}}.Encode()
	if parts := decode(t, body); parts[1].contentType != "image/webp" {
		t.Errorf("content type given: %q", parts[1].contentType)
	}
}

// The body reads the same whatever the reads' sizes, and passes a file's
// read error on, naming nothing secret.
func TestBodyReads(t *testing.T) {
	encode := func(f File) *Body {
		b, err := Edit{Prompt: "p", Images: []File{f, Bytes("b.png", pngBytes)}}.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// Bodies differ in their boundary only.
	unbound := func(b *Body, data []byte) []byte {
		_, params, _ := mime.ParseMediaType(b.ContentType())
		return bytes.ReplaceAll(data, []byte(params["boundary"]), []byte("BOUNDARY"))
	}
	first := encode(Bytes("a.png", jpegBytes))
	whole, err := io.ReadAll(first)
	if err != nil {
		t.Fatal(err)
	}
	b := encode(Bytes("a.png", jpegBytes))
	if n, err := b.Read(nil); n != 0 || err != nil {
		t.Errorf("empty read: %d, %v", n, err)
	}
	bytewise, err := io.ReadAll(iotest.OneByteReader(b))
	if err != nil || !bytes.Equal(unbound(b, bytewise), unbound(first, whole)) {
		t.Errorf("read a byte at a time: %d bytes, %v; at once: %d", len(bytewise), err, len(whole))
	}
	failing := encode(Reader("r.png", io.MultiReader(bytes.NewReader(pngBytes[:600]), iotest.ErrReader(errors.New("disk on fire")))))
	if _, err := io.ReadAll(failing); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("failing reader: %v", err)
	}
}
