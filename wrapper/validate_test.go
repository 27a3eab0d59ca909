package wrapper

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/image/webp"
)

// Test images, made in code. Helpers here are prefixed vt to keep clear of
// other test files of the package.

// vtPNG encodes a w x h PNG. With alpha its left half is fully transparent
// (colour type RGBA); without, it is opaque and encoded as truecolour RGB.
// Encodings are cached: the result is shared and must not be modified.
func vtPNG(t testing.TB, w, h int, alpha bool) []byte {
	t.Helper()
	key := [3]int{w, h, map[bool]int{false: 0, true: 1}[alpha]}
	if b, ok := vtPNGCache.Load(key); ok {
		return b.([]byte)
	}
	var img image.Image
	if alpha {
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				a := uint8(255)
				if x < w/2 {
					a = 0
				}
				m.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 90, a})
			}
		}
		img = m
	} else {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				m.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
			}
		}
		img = m
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	vtPNGCache.Store(key, buf.Bytes())
	return buf.Bytes()
}

var vtPNGCache sync.Map

func vtJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func vtGIF(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White}), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// vtWebP is a 1x1 lossless WebP (x/image has no encoder).
var vtWebP = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

func TestVTWebPIsValid(t *testing.T) {
	cfg, err := webp.DecodeConfig(bytes.NewReader(vtWebP))
	if err != nil || cfg.Width != 1 || cfg.Height != 1 {
		t.Fatalf("webp.DecodeConfig = %+v, %v", cfg, err)
	}
	if _, err := webp.Decode(bytes.NewReader(vtWebP)); err != nil {
		t.Fatal(err)
	}
}

// vtPadded serves head and then zeros up to size, so a huge image costs no
// memory: Probe sees a valid header and the declared size.
type vtPadded struct {
	head []byte
	size int64
}

func (p vtPadded) ReadAt(b []byte, off int64) (int, error) {
	if off >= p.size {
		return 0, io.EOF
	}
	n := len(b)
	if rest := p.size - off; int64(n) > rest {
		n = int(rest)
	}
	copied := 0
	if off < int64(len(p.head)) {
		copied = copy(b[:n], p.head[off:])
	}
	clear(b[copied:n])
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

func vtSized(head []byte, size int64) Image {
	return ImageFromReaderAt("big.png", vtPadded{head, size}, size)
}

func vtBytes(name string, b []byte) Image { return ImageFromBytes(name, b) }

func vtDataURL(b []byte) ImageRef { return ImageDataURL(b) }

// vtFields returns the problem fields of err, or nil when err is nil; it
// fails the test when err is not a *ValidationError.
func vtFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Field)
	}
	return out
}

// vtExpect checks that err has problems on exactly the field want (any
// number of them), or none when want is "". want may list several fields as
// "a|b": then the problems must include a and be on a or b.
func vtExpect(t *testing.T, err error, want string) {
	t.Helper()
	fields := vtFields(t, err)
	if first, _, multi := strings.Cut(want, "|"); multi {
		allowed := strings.Split(want, "|")
		if !slices.Contains(fields, first) {
			t.Errorf("problems on %v, want one on %q: %v", fields, first, err)
		}
		for _, f := range fields {
			if !slices.Contains(allowed, f) {
				t.Errorf("problems on %v, want only %v: %v", fields, allowed, err)
				return
			}
		}
		return
	}
	if want == "" {
		if err != nil {
			t.Errorf("rejected: %v", err)
		}
		return
	}
	if len(fields) == 0 {
		t.Errorf("accepted, want a problem on %q", want)
		return
	}
	for _, f := range fields {
		if f != want {
			t.Errorf("problems on %v, want only %q: %v", fields, want, err)
			return
		}
	}
}

// vtCall is one call of any operation, built from a base and modified by
// cases through the Go names of the parameter fields.
type vtCall struct {
	op   Operation
	gen  GenerateParams
	edit EditParams
	vari VaryParams
}

func (c *vtCall) params() reflect.Value {
	switch c.op {
	case OpGenerate, OpGenerateStream:
		return reflect.ValueOf(&c.gen).Elem()
	case OpVary:
		return reflect.ValueOf(&c.vari).Elem()
	}
	return reflect.ValueOf(&c.edit).Elem()
}

func (c *vtCall) set(field string, v any) {
	f := c.params().FieldByName(field)
	if !f.IsValid() {
		panic("no field " + field)
	}
	f.Set(reflect.ValueOf(v).Convert(f.Type()))
}

func (c *vtCall) run() error {
	switch c.op {
	case OpGenerate:
		return validateGenerate(&c.gen, false, policy{})
	case OpGenerateStream:
		return validateGenerate(&c.gen, true, policy{})
	case OpEdit, OpEditJSON:
		return validateEdit(&c.edit, false, policy{})
	case OpEditStream:
		return validateEdit(&c.edit, true, policy{})
	case OpVary:
		return validateVariation(&c.vari, policy{})
	}
	panic("unknown op")
}

// vtBase is a call that every model supporting op accepts: a 64x64 PNG with
// an alpha channel satisfies every model's input rules.
func vtBase(t testing.TB, m Model, op Operation) vtCall {
	c := vtCall{op: op}
	switch op {
	case OpGenerate, OpGenerateStream:
		c.gen = GenerateParams{Prompt: "a lighthouse", Model: m}
	case OpEdit, OpEditStream:
		c.edit = EditParams{Prompt: "add a boat", Model: m, Images: []Image{vtBytes("in.png", vtPNG(t, 64, 64, true))}}
	case OpEditJSON:
		c.edit = EditParams{Prompt: "add a boat", Model: m, ImageRefs: []ImageRef{ImageURL("https://example.com/in.png")}}
	case OpVary:
		c.vari = VaryParams{Model: m, Image: vtBytes("in.png", vtPNG(t, 64, 64, false))}
	}
	return c
}

var (
	vtAllSizes           = []Size{SizeAuto, Size256x256, Size512x512, Size1024x1024, Size1536x1024, Size1024x1536, Size1792x1024, Size1024x1792}
	vtAllQualities       = []Quality{QualityAuto, QualityLow, QualityMedium, QualityHigh, QualityStandard, QualityHD}
	vtAllStyles          = []Style{StyleVivid, StyleNatural}
	vtAllBackgrounds     = []Background{BackgroundAuto, BackgroundTransparent, BackgroundOpaque}
	vtAllOutputFormats   = []OutputFormat{OutputFormatPNG, OutputFormatJPEG, OutputFormatWebP}
	vtAllModerations     = []Moderation{ModerationAuto, ModerationLow}
	vtAllResponseFormats = []ResponseFormat{ResponseFormatURL, ResponseFormatB64JSON}
	vtAllInputFidelities = []InputFidelity{InputFidelityHigh, InputFidelityLow}
)

type vtCase struct {
	name  string
	field string // "" when the call must be accepted
	mod   func(*vtCall)
}

func want(ok bool, field string) string {
	if ok {
		return ""
	}
	return field
}

// vtRuleCases derives, from the table entry m, an accepted and a rejected
// case for every rule that applies to op.
func vtRuleCases(t testing.TB, m ModelInfo, op Operation) []vtCase {
	var cs []vtCase
	add := func(name, field string, mod func(*vtCall)) { cs = append(cs, vtCase{name, field, mod}) }
	set := func(kv ...any) func(*vtCall) {
		return func(c *vtCall) {
			for i := 0; i < len(kv); i += 2 {
				c.set(kv[i].(string), kv[i+1])
			}
		}
	}
	isGen := op == OpGenerate || op == OpGenerateStream
	isVar := op == OpVary
	isEdit := !isGen && !isVar
	jsonEdit := op == OpEditJSON
	stream := op == OpGenerateStream || op == OpEditStream

	if !isVar {
		// Characters, not bytes: é is two bytes.
		add("prompt at the limit", "", set("Prompt", strings.Repeat("é", m.MaxPromptLength)))
		add("prompt over the limit", "prompt", set("Prompt", strings.Repeat("é", m.MaxPromptLength+1)))
		add("empty prompt", "prompt", set("Prompt", ""))
		add("blank prompt", "prompt", set("Prompt", " \t\n"))
	}

	add("n=1", "", set("N", 1))
	add(fmt.Sprintf("n=%d", m.MaxN), "", set("N", m.MaxN))
	add(fmt.Sprintf("n=%d", m.MaxN+1), "n", set("N", m.MaxN+1))
	add("n=-1", "n", set("N", -1))

	customOK := m.SupportsCustomSize() && !jsonEdit && !isVar
	for _, s := range vtAllSizes {
		ok := slices.Contains(m.Sizes, s)
		if w, h, parsed := s.Dimensions(); !ok && customOK && parsed {
			ok = m.CustomSize.Allows(w, h)
		}
		add("size "+string(s), want(ok, "size"), set("Size", s))
	}
	add("size garbage", "size", set("Size", Size("huge")))
	add("custom size 1536x864", want(customOK, "size"), set("Size", CustomSize(1536, 864)))
	add("custom size 1000x1000", "size", set("Size", CustomSize(1000, 1000)))

	if !isVar {
		for _, q := range vtAllQualities {
			add("quality "+string(q), want(slices.Contains(m.Qualities, q), "quality"), set("Quality", q))
		}
		for _, b := range vtAllBackgrounds {
			add("background "+string(b), want(slices.Contains(m.Backgrounds, b), "background"), set("Background", b))
		}
		for _, f := range vtAllOutputFormats {
			add("output_format "+string(f), want(slices.Contains(m.OutputFormats, f), "output_format"), set("OutputFormat", f))
		}
		if m.OutputCompression {
			add("compression 0 jpeg", "", set("OutputFormat", OutputFormatJPEG, "OutputCompression", Ptr(0)))
			add("compression 100 webp", "", set("OutputFormat", OutputFormatWebP, "OutputCompression", Ptr(100)))
			add("compression 101 jpeg", "output_compression", set("OutputFormat", OutputFormatJPEG, "OutputCompression", Ptr(101)))
			add("compression -1 webp", "output_compression", set("OutputFormat", OutputFormatWebP, "OutputCompression", Ptr(-1)))
			add("compression 50 png", "output_compression", set("OutputFormat", OutputFormatPNG, "OutputCompression", Ptr(50)))
			add("compression 50 default format", "output_compression", set("OutputCompression", Ptr(50)))
			add("compression 100 png", "", set("OutputFormat", OutputFormatPNG, "OutputCompression", Ptr(100)))
		} else {
			add("compression 50 jpeg unsupported", "output_compression", set("OutputCompression", Ptr(50)))
		}
		if slices.Contains(m.Backgrounds, BackgroundTransparent) {
			add("transparent jpeg", "background", set("Background", BackgroundTransparent, "OutputFormat", OutputFormatJPEG))
			add("transparent webp", "", set("Background", BackgroundTransparent, "OutputFormat", OutputFormatWebP))
			add("transparent png", "", set("Background", BackgroundTransparent, "OutputFormat", OutputFormatPNG))
			add("transparent default format", "", set("Background", BackgroundTransparent))
		}
		for _, v := range vtAllModerations {
			// Multipart edits have no moderation field.
			ok := slices.Contains(m.Moderations, v) && (isGen || jsonEdit)
			add("moderation "+string(v), want(ok, "moderation"), set("Moderation", v))
		}
		if stream {
			for p := 0; p <= m.MaxPartialImages; p++ {
				add(fmt.Sprintf("partial_images %d", p), "", set("PartialImages", Ptr(p)))
			}
			add("partial_images over", "partial_images", set("PartialImages", Ptr(m.MaxPartialImages+1)))
			add("partial_images -1", "partial_images", set("PartialImages", Ptr(-1)))
		} else {
			add("partial_images without a stream", "partial_images", set("PartialImages", Ptr(1)))
		}
	}
	if isGen {
		for _, s := range vtAllStyles {
			add("style "+string(s), want(slices.Contains(m.Styles, s), "style"), set("Style", s))
		}
	}
	for _, f := range vtAllResponseFormats {
		// JSON edits have no response_format field.
		add("response_format "+string(f), want(slices.Contains(m.ResponseFormats, f) && !jsonEdit, "response_format"), set("ResponseFormat", f))
	}
	if isEdit {
		for _, f := range vtAllInputFidelities {
			add("input_fidelity "+string(f), want(slices.Contains(m.InputFidelities, f), "input_fidelity"), set("InputFidelity", f))
		}
	}

	rule := m.EditImages
	alphaPNG := vtPNG(t, 64, 64, true)
	opaquePNG := vtPNG(t, 64, 64, false)
	if isEdit && !jsonEdit {
		img := func(ims ...Image) func(*vtCall) { return func(c *vtCall) { c.edit.Images = ims } }
		for _, f := range []struct {
			format string
			data   []byte
		}{{"png", alphaPNG}, {"jpeg", vtJPEG(t, 64, 64)}, {"webp", vtWebP}, {"gif", vtGIF(t, 64, 64)}, {"", []byte("GIF? no: plain text")}} {
			ok := slices.Contains(rule.Formats, f.format)
			if ok && rule.AlphaWithoutMask && f.format == "jpeg" {
				ok = false // jpeg has no alpha
			}
			add("input format "+f.format, want(ok, "image[0]"), img(vtBytes("in.png", f.data)))
		}
		many := func(n int) []Image {
			out := make([]Image, n)
			for i := range out {
				out[i] = vtBytes(fmt.Sprintf("in%d.png", i), alphaPNG)
			}
			return out
		}
		add(fmt.Sprintf("%d images", rule.MaxCount), "", img(many(rule.MaxCount)...))
		add(fmt.Sprintf("%d images", rule.MaxCount+1), "image", img(many(rule.MaxCount+1)...))
		add("image just under the byte limit", "", img(vtSized(alphaPNG, rule.MaxBytes-1)))
		add("image at the byte limit", "image[0]", img(vtSized(alphaPNG, rule.MaxBytes)))
		add("non-square image", want(!rule.Square, "image[0]"), img(vtBytes("wide.png", vtPNG(t, 64, 32, true))))
		add("opaque image without mask", want(!rule.AlphaWithoutMask, "image[0]"), img(vtBytes("opaque.png", opaquePNG)))

		mask := func(ims []byte, mk Image) func(*vtCall) {
			return func(c *vtCall) { c.edit.Images = []Image{vtBytes("in.png", ims)}; c.edit.Mask = &mk }
		}
		add("opaque image with mask", "", mask(opaquePNG, vtBytes("mask.png", alphaPNG)))
		add("mask without alpha", "mask", mask(opaquePNG, vtBytes("mask.png", opaquePNG)))
		add("mask of other dimensions", "mask", mask(opaquePNG, vtBytes("mask.png", vtPNG(t, 32, 32, true))))
		add("jpeg mask", "mask", mask(opaquePNG, vtBytes("mask.png", vtJPEG(t, 64, 64))))
		add("mask just under 4 MiB", "", mask(opaquePNG, vtSized(alphaPNG, 4<<20-1)))
		add("mask of 4 MiB", "mask", mask(opaquePNG, vtSized(alphaPNG, 4<<20)))
		// A reference makes it a JSON edit, which dall-e-2 lacks.
		add("mixed uploads and references", want(false, "images"+map[bool]string{true: "", false: "|model"}[m.Supports(OpEditJSON)]),
			func(c *vtCall) { c.edit.MaskRef = &ImageRef{FileID: "file-1"} })
	}
	if jsonEdit {
		refs := func(rs ...ImageRef) func(*vtCall) { return func(c *vtCall) { c.edit.ImageRefs = rs } }
		add("https URL", "", refs(ImageURL("https://example.com/a.png")))
		add("http URL", "", refs(ImageURL("http://example.com/a.png")))
		add("file id", "", refs(ImageFileID("file-abc123")))
		for _, f := range []struct {
			format string
			data   []byte
		}{{"png", alphaPNG}, {"jpeg", vtJPEG(t, 64, 64)}, {"webp", vtWebP}, {"gif", vtGIF(t, 64, 64)}} {
			add("data URL "+f.format, want(slices.Contains(rule.Formats, f.format), "images[0]"), refs(vtDataURL(f.data)))
		}
		add("data URL of text", "images[0]", refs(ImageURL("data:image/png;base64,"+base64.StdEncoding.EncodeToString([]byte("hello")))))
		add("data URL bad base64", "images[0]", refs(ImageURL("data:image/png;base64,!!!!")))
		add("data URL without comma", "images[0]", refs(ImageURL("data:image/png;base64")))
		add("URL and file id", "images[0]", refs(ImageRef{URL: "https://example.com/a.png", FileID: "file-1"}))
		add("empty ref", "images[0]", refs(ImageRef{}))
		add("ftp URL", "images[0]", refs(ImageURL("ftp://example.com/a.png")))
		add("relative URL", "images[0]", refs(ImageURL("/a.png")))
		add("16 refs", "", refs(slices.Repeat([]ImageRef{ImageFileID("file-1")}, 16)...))
		add("17 refs", "images", refs(slices.Repeat([]ImageRef{ImageFileID("file-1")}, 17)...))
		maskRef := func(r ImageRef) func(*vtCall) {
			return func(c *vtCall) { c.edit.ImageRefs = []ImageRef{vtDataURL(opaquePNG)}; c.edit.MaskRef = &r }
		}
		add("mask ref file id", "", maskRef(ImageFileID("file-mask")))
		add("mask ref alpha png", "", maskRef(vtDataURL(alphaPNG)))
		add("mask ref opaque png", "mask", maskRef(vtDataURL(opaquePNG)))
		add("mask ref other dimensions", "mask", maskRef(vtDataURL(vtPNG(t, 16, 16, true))))
		add("mask ref jpeg", "mask", maskRef(vtDataURL(vtJPEG(t, 64, 64))))
		add("mixed references and uploads", "images", func(c *vtCall) { c.edit.Images = []Image{vtBytes("in.png", alphaPNG)} })
		add("custom size in a JSON edit", "size", set("Size", CustomSize(1536, 864)))
	}
	if isVar {
		v := m.VariationImage
		img := func(im Image) func(*vtCall) { return func(c *vtCall) { c.vari.Image = im } }
		add("square png", "", img(vtBytes("v.png", opaquePNG)))
		add("square png with alpha", "", img(vtBytes("v.png", alphaPNG)))
		add("jpeg", "image", img(vtBytes("v.png", vtJPEG(t, 64, 64))))
		add("webp", "image", img(vtBytes("v.webp", vtWebP)))
		add("non-square png", "image", img(vtBytes("v.png", vtPNG(t, 64, 48, false))))
		add("just under the byte limit", "", img(vtSized(opaquePNG, v.MaxBytes-1)))
		add("at the byte limit", "image", img(vtSized(opaquePNG, v.MaxBytes)))
		add("no image", "image", img(Image{}))
		add("empty image", "image", img(vtBytes("v.png", nil)))
	}
	return cs
}

// For every model and every operation: calls the model does not support
// are rejected on model (or stream), and for supported ones every rule has
// an accepted and a rejected case, derived from the table.
func TestValidateEveryModelEveryRule(t *testing.T) {
	ops := []Operation{OpGenerate, OpGenerateStream, OpEdit, OpEditJSON, OpEditStream, OpVary}
	for _, m := range Models() {
		for _, op := range ops {
			t.Run(string(m.Model)+"/"+string(op), func(t *testing.T) {
				base := vtBase(t, m.Model, op)
				if !m.Supports(op) {
					field := "model"
					if (op == OpGenerateStream && m.Supports(OpGenerate)) || (op == OpEditStream && m.Supports(OpEdit)) {
						field = "stream"
					}
					vtExpect(t, base.run(), field)
					return
				}
				vtExpect(t, base.run(), "")
				cases := vtRuleCases(t, m, op)
				accepted, rejected := 0, 0
				for _, tc := range cases {
					t.Run(tc.name, func(t *testing.T) {
						c := vtBase(t, m.Model, op)
						tc.mod(&c)
						vtExpect(t, c.run(), tc.field)
					})
					if tc.field == "" {
						accepted++
					} else {
						rejected++
					}
				}
				if accepted < 5 || rejected < 5 {
					t.Errorf("only %d accepted and %d rejected cases", accepted, rejected)
				}
			})
		}
	}
}

// Literal expectations, independent of the table.
func TestValidateLiteralCases(t *testing.T) {
	alpha64 := vtPNG(t, 64, 64, true)
	opaque64 := vtPNG(t, 64, 64, false)
	gen := func(p GenerateParams) func() error {
		return func() error { return validateGenerate(&p, false, policy{}) }
	}
	genStream := func(p GenerateParams) func() error {
		return func() error { return validateGenerate(&p, true, policy{}) }
	}
	edit := func(p EditParams) func() error {
		if len(p.Images) == 0 && len(p.ImageRefs) == 0 {
			p.Images = []Image{vtBytes("in.png", alpha64)}
		}
		return func() error { return validateEdit(&p, false, policy{}) }
	}
	editStream := func(p EditParams) func() error {
		if len(p.Images) == 0 && len(p.ImageRefs) == 0 {
			p.Images = []Image{vtBytes("in.png", alpha64)}
		}
		return func() error { return validateEdit(&p, true, policy{}) }
	}
	editAsIs := func(p EditParams) func() error { return func() error { return validateEdit(&p, false, policy{}) } }
	variation := func(p VaryParams) func() error { return func() error { return validateVariation(&p, policy{}) } }
	const P = "a prompt"
	cases := []struct {
		name  string
		run   func() error
		field string // "" = accepted
		rule  string // a substring of the problem's rule, when rejected
	}{
		{"dall-e-3 n=2", gen(GenerateParams{Prompt: P, Model: ModelDallE3, N: 2}), "n", "dall-e-3 supports only n=1"},
		{"dall-e-3 n=1", gen(GenerateParams{Prompt: P, Model: ModelDallE3, N: 1}), "", ""},
		{"dall-e-2 n=10", gen(GenerateParams{Prompt: P, Model: ModelDallE2, N: 10}), "", ""},
		{"dall-e-2 n=11", gen(GenerateParams{Prompt: P, Model: ModelDallE2, N: 11}), "n", "between 1 and 10"},
		{"gpt-image-1 n=11", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, N: 11}), "n", ""},
		{"dall-e-2 1792x1024", gen(GenerateParams{Prompt: P, Model: ModelDallE2, Size: Size1792x1024}), "size", "dall-e-2 does not support size 1792x1024"},
		{"dall-e-2 512x512", gen(GenerateParams{Prompt: P, Model: ModelDallE2, Size: Size512x512}), "", ""},
		{"dall-e-3 1792x1024", gen(GenerateParams{Prompt: P, Model: ModelDallE3, Size: Size1792x1024}), "", ""},
		{"dall-e-3 512x512", gen(GenerateParams{Prompt: P, Model: ModelDallE3, Size: Size512x512}), "size", ""},
		{"dall-e-3 auto", gen(GenerateParams{Prompt: P, Model: ModelDallE3, Size: SizeAuto}), "size", ""},
		{"gpt-image-1 1792x1024", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, Size: Size1792x1024}), "size", ""},
		{"gpt-image-1 auto", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, Size: SizeAuto}), "", ""},
		{"gpt-image-1.5 1536x864", gen(GenerateParams{Prompt: P, Model: ModelGPTImage15, Size: "1536x864"}), "size", ""},
		{"gpt-image-2 1536x864", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, Size: "1536x864"}), "", ""},
		{"gpt-image-2 snapshot 1536x864", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2_20260421, Size: "1536x864"}), "", ""},
		{"gpt-image-2 3840x2160", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, Size: "3840x2160"}), "", ""},
		{"gpt-image-2 2160x3840", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, Size: "2160x3840"}), "", ""},
		{"gpt-image-2 3840x1280 (3:1)", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, Size: "3840x1280"}), "", ""},
		{"gpt-image-2 1000x1000", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, Size: "1000x1000"}), "size", "divisible by 16"},
		{"gpt-image-2 3840x1200", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, Size: "3840x1200"}), "size", "aspect ratio"},
		{"gpt-image-2 4096x2160", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, Size: "4096x2160"}), "size", "at most 3840"},
		{"gpt-image-2 2896x2896", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, Size: "2896x2896"}), "size", "8294400 pixels"},
		{"gpt-image-2 1536X864", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, Size: "1536X864"}), "size", ""},
		{"gpt-image-2 custom in JSON edit", edit(EditParams{Prompt: P, Model: ModelGPTImage2, Size: "1536x864", ImageRefs: []ImageRef{ImageFileID("file-1")}}), "size", "JSON edits"},
		{"gpt-image-2 custom in multipart edit", edit(EditParams{Prompt: P, Model: ModelGPTImage2, Size: "1536x864"}), "", ""},
		{"transparent jpeg", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, Background: BackgroundTransparent, OutputFormat: OutputFormatJPEG}), "background", "png or webp"},
		{"transparent webp", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, Background: BackgroundTransparent, OutputFormat: OutputFormatWebP}), "", ""},
		{"compression 101", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, OutputFormat: OutputFormatJPEG, OutputCompression: Ptr(101)}), "output_compression", "between 0 and 100"},
		{"compression 50 png", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, OutputFormat: OutputFormatPNG, OutputCompression: Ptr(50)}), "output_compression", "jpeg or webp"},
		{"compression 50 unset format", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, OutputCompression: Ptr(50)}), "output_compression", "png (the default)"},
		{"compression 0 jpeg", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, OutputFormat: OutputFormatJPEG, OutputCompression: Ptr(0)}), "", ""},
		{"compression on dall-e-3", gen(GenerateParams{Prompt: P, Model: ModelDallE3, OutputCompression: Ptr(100)}), "output_compression", "dall-e-3 does not support output_compression"},
		{"style on GPT", gen(GenerateParams{Prompt: P, Model: ModelGPTImage15, Style: StyleVivid}), "style", "only dall-e-3"},
		{"style on dall-e-2", gen(GenerateParams{Prompt: P, Model: ModelDallE2, Style: StyleNatural}), "style", ""},
		{"style on dall-e-3", gen(GenerateParams{Prompt: P, Model: ModelDallE3, Style: StyleNatural}), "", ""},
		{"response_format on GPT", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1Mini, ResponseFormat: ResponseFormatURL}), "response_format", ""},
		{"response_format on dall-e-3", gen(GenerateParams{Prompt: P, Model: ModelDallE3, ResponseFormat: ResponseFormatB64JSON}), "", ""},
		{"dall-e-2 prompt 1000", gen(GenerateParams{Prompt: strings.Repeat("x", 1000), Model: ModelDallE2}), "", ""},
		{"dall-e-2 prompt 1001", gen(GenerateParams{Prompt: strings.Repeat("x", 1001), Model: ModelDallE2}), "prompt", "at most 1000 characters"},
		{"dall-e-2 prompt 1000 runes, 3000 bytes", gen(GenerateParams{Prompt: strings.Repeat("€", 1000), Model: ModelDallE2}), "", ""},
		{"dall-e-3 prompt 4000", gen(GenerateParams{Prompt: strings.Repeat("x", 4000), Model: ModelDallE3}), "", ""},
		{"dall-e-3 prompt 4001", gen(GenerateParams{Prompt: strings.Repeat("x", 4001), Model: ModelDallE3}), "prompt", ""},
		{"gpt-image-1 prompt 32000", gen(GenerateParams{Prompt: strings.Repeat("x", 32000), Model: ModelGPTImage1}), "", ""},
		{"gpt-image-1 prompt 32001", gen(GenerateParams{Prompt: strings.Repeat("x", 32001), Model: ModelGPTImage1}), "prompt", ""},
		{"dall-e-2 edit prompt 1001", edit(EditParams{Prompt: strings.Repeat("x", 1001), Model: ModelDallE2}), "prompt", ""},
		{"quality hd on dall-e-3", gen(GenerateParams{Prompt: P, Model: ModelDallE3, Quality: QualityHD}), "", ""},
		{"quality hd on dall-e-2", gen(GenerateParams{Prompt: P, Model: ModelDallE2, Quality: QualityHD}), "quality", ""},
		{"quality standard on gpt-image-1", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, Quality: QualityStandard}), "quality", ""},
		{"quality high on gpt-image-1", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, Quality: QualityHigh}), "", ""},
		{"quality xhigh on gpt-image-2", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, Quality: QualityXHigh}), "quality", ""},
		{"quality xhigh on gpt-image-2.5-sunburst", gen(GenerateParams{Prompt: P, Model: ModelGPTImage25Sunburst, Quality: QualityXHigh}), "", ""},
		{"quality max on the 2.5-flare snapshot", edit(EditParams{Prompt: P, Model: ModelGPTImage25Flare_20260908, Quality: QualityMax}), "", ""},
		{"quality max on gpt-image-2.6-flare", gen(GenerateParams{Prompt: P, Model: ModelGPTImage26Flare, Quality: QualityMax}), "quality", "gpt-image-2.6-flare does not support quality max"},
		{"quality not in the spec", gen(GenerateParams{Prompt: P, Model: ModelGPTImage25Sunburst, Quality: "not-a-quality"}), "quality", "not a documented quality value"},
		{"complexity on gpt-image-2.6", gen(GenerateParams{Prompt: P, Model: ModelGPTImage26Sunburst, Complexity: ComplexityHigh}), "", ""},
		{"complexity on dall-e-3", gen(GenerateParams{Prompt: P, Model: ModelDallE3, Complexity: ComplexityLow}), "complexity", "dall-e-3 does not support complexity"},
		{"complexity in a JSON edit", edit(EditParams{Prompt: P, Model: ModelGPTImage15, Complexity: ComplexityLow, ImageRefs: []ImageRef{ImageFileID("f")}}), "complexity", "not a field of JSON edits"},
		{"gpt-image-2.5 custom size", gen(GenerateParams{Prompt: P, Model: ModelGPTImage25Flare, Size: "1536x864"}), "", ""},
		{"gpt-image-2.6 custom size", gen(GenerateParams{Prompt: P, Model: ModelGPTImage26Sunburst, Size: "1536x864"}), "size", "does not support size 1536x864"},
		{"moderation on dall-e-3", gen(GenerateParams{Prompt: P, Model: ModelDallE3, Moderation: ModerationLow}), "moderation", ""},
		{"moderation on gpt-image-1", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, Moderation: ModerationLow}), "", ""},

		// input_fidelity.
		// npm images.ts input_fidelity: "Supports `high` and `low` on
		// `gpt-image-1.5`; `gpt-image-1-mini` supports only `low`. For
		// `gpt-image-2`, omit this parameter."
		{"gpt-image-1-mini input_fidelity high", edit(EditParams{Prompt: P, Model: ModelGPTImage1Mini, InputFidelity: InputFidelityHigh}), "input_fidelity", "gpt-image-1-mini does not support input_fidelity high"},
		{"gpt-image-1-mini input_fidelity low (issue 12: was refused)", edit(EditParams{Prompt: P, Model: ModelGPTImage1Mini, InputFidelity: InputFidelityLow}), "", ""},
		{"gpt-image-1.5 input_fidelity high", edit(EditParams{Prompt: P, Model: ModelGPTImage15, InputFidelity: InputFidelityHigh}), "", ""},
		{"gpt-image-1 input_fidelity", edit(EditParams{Prompt: P, Model: ModelGPTImage1, InputFidelity: InputFidelityHigh}), "", ""},
		{"gpt-image-2 input_fidelity (issue 12: was accepted)", edit(EditParams{Prompt: P, Model: ModelGPTImage2, InputFidelity: InputFidelityLow}), "input_fidelity", "gpt-image-2 does not support input_fidelity"},
		{"dall-e-2 input_fidelity", edit(EditParams{Prompt: P, Model: ModelDallE2, InputFidelity: InputFidelityLow}), "input_fidelity", ""},

		// Operations per model.
		{"chatgpt-image-latest generation (issue 12: was refused)", gen(GenerateParams{Prompt: P, Model: ModelChatGPTImageLatest}), "", ""},
		{"chatgpt-image-latest edit", edit(EditParams{Prompt: P, Model: ModelChatGPTImageLatest}), "", ""},
		{"chatgpt-image-latest JSON edit", edit(EditParams{Prompt: P, Model: ModelChatGPTImageLatest, ImageRefs: []ImageRef{ImageFileID("f")}}), "", ""},
		{"dall-e-3 edit", edit(EditParams{Prompt: P, Model: ModelDallE3}), "model", "does not support image edits"},
		{"dall-e-2 JSON edit", edit(EditParams{Prompt: P, Model: ModelDallE2, ImageRefs: []ImageRef{ImageFileID("f")}}), "model", "JSON edits"},
		{"gpt-image-1 variation", variation(VaryParams{Model: ModelGPTImage1, Image: vtBytes("v.png", opaque64)}), "model", "does not support image variations"},
		{"dall-e-2 variation", variation(VaryParams{Model: ModelDallE2, Image: vtBytes("v.png", opaque64)}), "", ""},
		{"dall-e-2 stream", genStream(GenerateParams{Prompt: P, Model: ModelDallE2}), "stream", "streaming"},
		{"dall-e-2 edit stream", editStream(EditParams{Prompt: P, Model: ModelDallE2}), "stream", ""},
		{"gpt-image-1 stream partial 3", genStream(GenerateParams{Prompt: P, Model: ModelGPTImage1, PartialImages: Ptr(3)}), "", ""},
		{"gpt-image-1 stream partial 4", genStream(GenerateParams{Prompt: P, Model: ModelGPTImage1, PartialImages: Ptr(4)}), "partial_images", "between 0 and 3"},
		{"partial images without a stream", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, PartialImages: Ptr(2)}), "partial_images", "GenerateStream"},
		{"edit partial images without a stream", edit(EditParams{Prompt: P, Model: ModelGPTImage1, PartialImages: Ptr(2)}), "partial_images", "EditStream"},

		// Schema fields per edit body.
		{"moderation in a multipart edit", edit(EditParams{Prompt: P, Model: ModelGPTImage15, Moderation: ModerationLow}), "moderation", "multipart"},
		{"moderation in a JSON edit", edit(EditParams{Prompt: P, Model: ModelGPTImage15, Moderation: ModerationLow, ImageRefs: []ImageRef{ImageFileID("f")}}), "", ""},
		{"response_format in a JSON edit", edit(EditParams{Prompt: P, Model: ModelGPTImage15, ResponseFormat: ResponseFormatB64JSON, ImageRefs: []ImageRef{ImageFileID("f")}}), "response_format", ""},
		{"response_format in a dall-e-2 edit", edit(EditParams{Prompt: P, Model: ModelDallE2, ResponseFormat: ResponseFormatB64JSON}), "", ""},

		// No model: the API documents no default generation model now that
		// dall-e-2 is retired, so only the universal checks run (issue 12:
		// these three were refused as dall-e-2 rules).
		{"no model: 1536x1024", gen(GenerateParams{Prompt: P, Size: Size1536x1024}), "", ""},
		{"no model: quality high", gen(GenerateParams{Prompt: P, Quality: QualityHigh}), "", ""},
		{"no model: 1,500-character prompt", gen(GenerateParams{Prompt: strings.Repeat("x", 1500)}), "", ""},
		{"no model: n=11", gen(GenerateParams{Prompt: P, N: 11}), "n", "between 1 and 10"},
		{"no model: size big", gen(GenerateParams{Prompt: P, Size: "big"}), "size", "WIDTHxHEIGHT"},
		{"no model: quality not in the spec", gen(GenerateParams{Prompt: P, Quality: "not-a-quality"}), "quality", "not a documented quality value"},
		{"no model edit: input_fidelity high", edit(EditParams{Prompt: P, InputFidelity: InputFidelityHigh}), "", ""},
		{"no model edit: 16 images", edit(EditParams{Prompt: P, Images: slices.Repeat([]Image{vtBytes("a.png", opaque64)}, 16)}), "", ""},
		{"no model variation: jpeg (the endpoint's own rule)", variation(VaryParams{Image: vtBytes("v.jpg", vtJPEG(t, 64, 64))}), "image", "variations endpoint"},
		{"no model variation: n=10", variation(VaryParams{N: 10, Image: vtBytes("v.png", opaque64)}), "", ""},

		// Models the table does not know: typos are refused, new family
		// members get the universal checks (issue 12: a typo switched every
		// check off).
		{"typo gpt-image-l", gen(GenerateParams{Prompt: P, Model: "gpt-image-l"}), "model", "did you mean gpt-image-1?"},
		{"typo gpt-imgae-1.5", gen(GenerateParams{Prompt: P, Model: "gpt-imgae-1.5"}), "model", "did you mean gpt-image-1.5?"},
		{"typo GPT-IMAGE-2", gen(GenerateParams{Prompt: P, Model: "GPT-IMAGE-2"}), "model", "did you mean gpt-image-2?"},
		{"typo gpt-image-2.5-sunbust", gen(GenerateParams{Prompt: P, Model: "gpt-image-2.5-sunbust"}), "model", "did you mean gpt-image-2.5-sunburst?"},
		{"typo dall-e-4 in a variation", variation(VaryParams{Model: "dall-e-4", Image: vtBytes("v.png", opaque64)}), "model", "did you mean dall-e-3?"},
		{"new gpt-image-2.7-nova", gen(GenerateParams{Prompt: P, Model: "gpt-image-2.7-nova", Quality: QualityMax, Size: "1536x864"}), "", ""},
		{"new gpt-image-3", gen(GenerateParams{Prompt: P, Model: "gpt-image-3"}), "", ""},
		{"new gpt-image-2.5-nova", gen(GenerateParams{Prompt: P, Model: "gpt-image-2.5-nova"}), "", ""},
		{"new snapshot gpt-image-2.6-flare-2027-01-15", gen(GenerateParams{Prompt: P, Model: "gpt-image-2.6-flare-2027-01-15"}), "", ""},
		{"new chatgpt-image-next", gen(GenerateParams{Prompt: P, Model: "chatgpt-image-next"}), "", ""},
		{"new gpt-5-image (far from any model)", gen(GenerateParams{Prompt: P, Model: "gpt-5-image"}), "", ""},

		// GIF output. npm images.ts frame_count: "Accepts integers from 2
		// through 16. ... Only supported with output_format=gif. ... GIF
		// output does not support streaming, partial images, masks, or
		// custom output compression."
		{"gif 16 frames", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, OutputFormat: OutputFormatGIF, FrameCount: 16, FrameDuration: 80 * time.Millisecond}), "", ""},
		{"gif 17 frames", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, OutputFormat: OutputFormatGIF, FrameCount: 17}), "frame_count", "between 2 and 16"},
		{"gif 1 frame", gen(GenerateParams{Prompt: P, OutputFormat: OutputFormatGIF, FrameCount: 1}), "frame_count", "between 2 and 16"},
		{"frames without gif", gen(GenerateParams{Prompt: P, Model: ModelGPTImage2, FrameCount: 4}), "frame_count", "only to GIF"},
		{"frame duration without gif", gen(GenerateParams{Prompt: P, FrameDuration: time.Second, OutputFormat: OutputFormatPNG}), "frame_duration_ms", "only to GIF"},
		{"gif negative duration", gen(GenerateParams{Prompt: P, OutputFormat: OutputFormatGIF, FrameDuration: -time.Second}), "frame_duration_ms", "positive"},
		{"gif stream", genStream(GenerateParams{Prompt: P, Model: ModelGPTImage15, OutputFormat: OutputFormatGIF}), "stream", "GIF output cannot be streamed"},
		{"gif compression 50", gen(GenerateParams{Prompt: P, OutputFormat: OutputFormatGIF, OutputCompression: Ptr(50)}), "output_compression", "jpeg or webp"},
		{"gif with a mask", edit(EditParams{Prompt: P, Model: ModelGPTImage15, OutputFormat: OutputFormatGIF, Mask: &[]Image{vtBytes("m.png", alpha64)}[0]}), "mask", "GIF output cannot use a mask"},
		{"gif transparent", gen(GenerateParams{Prompt: P, OutputFormat: OutputFormatGIF, Background: BackgroundTransparent}), "background", "png or webp"},
		{"gif on gpt-image-1 (its old rules)", gen(GenerateParams{Prompt: P, Model: ModelGPTImage1, OutputFormat: OutputFormatGIF}), "output_format", "gpt-image-1 does not support output_format gif"},

		// SVG output. npm images.ts svg: "SVG output requires n=1 and cannot
		// use streaming, partial images, or output compression."
		{"svg", gen(GenerateParams{Prompt: P, Model: ModelGPTImage25Sunburst, OutputFormat: OutputFormatSVG, SVG: &SVGOptions{Model: "gpt-5", ReasoningEffort: ReasoningEffortHigh}}), "", ""},
		{"svg n=2", gen(GenerateParams{Prompt: P, OutputFormat: OutputFormatSVG, N: 2}), "n", "SVG output requires n=1"},
		{"svg stream", genStream(GenerateParams{Prompt: P, OutputFormat: OutputFormatSVG}), "stream", "SVG output cannot be streamed"},
		{"svg compression 100", gen(GenerateParams{Prompt: P, OutputFormat: OutputFormatSVG, OutputCompression: Ptr(100)}), "output_compression", "SVG output cannot use"},
		{"svg options without svg output", gen(GenerateParams{Prompt: P, OutputFormat: OutputFormatPNG, SVG: &SVGOptions{Model: "gpt-5"}}), "svg", "only to SVG output"},
		{"svg generation options without a model", gen(GenerateParams{Prompt: P, OutputFormat: OutputFormatSVG, SVG: &SVGOptions{ReasoningEffort: ReasoningEffortLow}}), "svg.model", "need the author model"},
		{"svg edit options without a model", edit(EditParams{Prompt: P, OutputFormat: OutputFormatSVG, SVG: &SVGOptions{ReasoningEffort: ReasoningEffortLow}}), "", ""},
		{"svg effort huge", gen(GenerateParams{Prompt: P, OutputFormat: OutputFormatSVG, SVG: &SVGOptions{Model: "m", ReasoningEffort: "huge"}}), "svg.reasoning.effort", "not a reasoning effort"},

		// Markup. npm images.ts markup: "A transparent PNG overlaid on the
		// first image to guide the edit. Must match that image's dimensions
		// ... Supports GPT Image 2.5. Cannot be combined with mask."
		{"markup on gpt-image-2.5-sunburst", edit(EditParams{Prompt: P, Model: ModelGPTImage25Sunburst, Markup: &[]Image{vtBytes("k.png", alpha64)}[0]}), "", ""},
		{"markup on gpt-image-2", edit(EditParams{Prompt: P, Model: ModelGPTImage2, Markup: &[]Image{vtBytes("k.png", alpha64)}[0]}), "markup", "gpt-image-2 does not take markup"},
		{"markup with a mask", edit(EditParams{Prompt: P, Model: ModelGPTImage25Flare, Markup: &[]Image{vtBytes("k.png", alpha64)}[0], Mask: &[]Image{vtBytes("m.png", alpha64)}[0]}), "markup", "cannot be combined with a mask"},
		{"markup opaque", edit(EditParams{Prompt: P, Model: ModelGPTImage25Flare, Markup: &[]Image{vtBytes("k.png", opaque64)}[0]}), "markup", "alpha"},
		{"markup 63x64", edit(EditParams{Prompt: P, Markup: &[]Image{vtBytes("k.png", vtPNG(t, 63, 64, true))}[0]}), "markup", "dimensions of the first image"},
		{"markup jpeg", edit(EditParams{Prompt: P, Markup: &[]Image{vtBytes("k.png", vtJPEG(t, 64, 64))}[0]}), "markup", "PNG"},
		{"markup in a JSON edit", editAsIs(EditParams{Prompt: P, ImageRefs: []ImageRef{ImageFileID("f")}, Markup: &[]Image{vtBytes("k.png", alpha64)}[0]}), "images", "not both"},

		// Images, sniffed from bytes.
		{"png named .jpg, dall-e-2", edit(EditParams{Prompt: P, Model: ModelDallE2, Images: []Image{vtBytes("photo.jpg", alpha64)}}), "", ""},
		{"jpeg named .png, dall-e-2", edit(EditParams{Prompt: P, Model: ModelDallE2, Images: []Image{vtBytes("photo.png", vtJPEG(t, 64, 64))}}), "image[0]", "does not accept jpeg"},
		{"gif on gpt-image-1", edit(EditParams{Prompt: P, Model: ModelGPTImage1, Images: []Image{vtBytes("a.png", vtGIF(t, 8, 8))}}), "image[0]", "gif"},
		{"webp on gpt-image-1", edit(EditParams{Prompt: P, Model: ModelGPTImage1, Images: []Image{vtBytes("a", vtWebP)}}), "", ""},
		{"dall-e-2 non-square", edit(EditParams{Prompt: P, Model: ModelDallE2, Images: []Image{vtBytes("a.png", vtPNG(t, 64, 63, true))}}), "image[0]", "square"},
		{"dall-e-2 opaque, no mask", edit(EditParams{Prompt: P, Model: ModelDallE2, Images: []Image{vtBytes("a.png", opaque64)}}), "image[0]", "alpha"},
		{"dall-e-2 two images", edit(EditParams{Prompt: P, Model: ModelDallE2, Images: []Image{vtBytes("a.png", alpha64), vtBytes("b.png", alpha64)}}), "image", "exactly one image"},
		{"gpt-image-1 17 images", edit(EditParams{Prompt: P, Model: ModelGPTImage1, Images: slices.Repeat([]Image{vtBytes("a.png", alpha64)}, 17)}), "image", "at most 16"},
		{"gpt-image-1 non-square", edit(EditParams{Prompt: P, Model: ModelGPTImage1, Images: []Image{vtBytes("a.png", vtPNG(t, 64, 20, false))}}), "", ""},
		{"gpt-image-1 49 MiB", edit(EditParams{Prompt: P, Model: ModelGPTImage1, Images: []Image{vtSized(opaque64, 49<<20)}}), "", ""},
		{"gpt-image-1 60 MiB", edit(EditParams{Prompt: P, Model: ModelGPTImage1, Images: []Image{vtSized(opaque64, 60<<20)}}), "image[0]", "smaller than 50 MiB"},
		{"dall-e-2 4 MiB", edit(EditParams{Prompt: P, Model: ModelDallE2, Images: []Image{vtSized(alpha64, 4<<20)}}), "image[0]", "smaller than 4 MiB"},
		{"dall-e-2 5 MB real bytes", edit(EditParams{Prompt: P, Model: ModelDallE2, Images: []Image{vtBytes("big.png", append(slices.Clone(alpha64), make([]byte, 5_000_000)...))}}), "image[0]", "4 MiB"},
		{"corrupt png header", edit(EditParams{Prompt: P, Model: ModelGPTImage1, Images: []Image{vtBytes("a.png", alpha64[:20])}}), "image[0]", "header"},
		{"mask opaque", edit(EditParams{Prompt: P, Model: ModelGPTImage1, Mask: &[]Image{vtBytes("m.png", opaque64)}[0]}), "mask", "alpha"},
		{"mask 63x64", edit(EditParams{Prompt: P, Model: ModelGPTImage1, Mask: &[]Image{vtBytes("m.png", vtPNG(t, 63, 64, true))}[0]}), "mask", "dimensions"},
		{"mask on the first image", edit(EditParams{Prompt: P, Model: ModelGPTImage1, Images: []Image{vtBytes("a.png", alpha64), vtBytes("b.png", vtPNG(t, 10, 10, true))}, Mask: &[]Image{vtBytes("m.png", alpha64)}[0]}), "", ""},
		{"mask webp", edit(EditParams{Prompt: P, Model: ModelGPTImage1, Images: []Image{vtBytes("a.webp", vtWebP)}, Mask: &[]Image{vtBytes("m.webp", vtWebP)}[0]}), "mask", "webp"},

		// Universal checks, for unknown models too: values the spec allows
		// that no known model takes are sent (the model is new), values it
		// does not know are not.
		{"unknown model, spec values", gen(GenerateParams{Prompt: P, Model: "gpt-image-99", N: 10, Size: "7x7", Quality: QualityXHigh, Style: StyleVivid,
			Background: BackgroundOpaque, OutputFormat: OutputFormatGIF, FrameCount: 16, ResponseFormat: ResponseFormatURL, Moderation: ModerationLow, Complexity: ComplexityHigh}), "", ""},
		{"unknown model, n=50", gen(GenerateParams{Prompt: P, Model: "gpt-image-99", N: 50}), "n", "between 1 and 10"},
		{"unknown model, style wild", gen(GenerateParams{Prompt: P, Model: "gpt-image-99", Style: "wild"}), "style", "not a documented style value"},
		{"unknown model, background glass", gen(GenerateParams{Prompt: P, Model: "gpt-image-99", Background: "glass"}), "background", "not a documented background value"},
		{"unknown model, compression 500", gen(GenerateParams{Prompt: P, Model: "gpt-image-99", OutputFormat: OutputFormatJPEG, OutputCompression: Ptr(500)}), "output_compression", "between 0 and 100"},
		{"unknown model, response_format svg", gen(GenerateParams{Prompt: P, Model: "gpt-image-99", ResponseFormat: "svg"}), "response_format", "not a documented response_format value"},
		{"unknown model stream", genStream(GenerateParams{Prompt: P, Model: "gpt-image-99", PartialImages: Ptr(3)}), "", ""},
		{"unknown model stream, 9 partial images", genStream(GenerateParams{Prompt: P, Model: "gpt-image-99", PartialImages: Ptr(9)}), "partial_images", "between 0 and 3"},
		{"unknown model, empty prompt", gen(GenerateParams{Model: "gpt-image-99"}), "prompt", "required"},
		{"unknown model, n=-1", gen(GenerateParams{Prompt: P, Model: "gpt-image-99", N: -1}), "n", "at least 1"},
		{"unknown model edit, odd inputs", edit(EditParams{Prompt: P, Model: "gpt-image-99", Size: "9x9", InputFidelity: InputFidelityHigh,
			Images: []Image{vtBytes("a.tiff", []byte("II*\x00 not an image we know")), vtBytes("b.gif", vtGIF(t, 3, 5))}}), "", ""},
		{"unknown model edit, no image", editAsIs(EditParams{Prompt: P, Model: "gpt-image-99"}), "image", "at least one"},
		{"unknown model JSON edit, only a mask ref", editAsIs(EditParams{Prompt: P, Model: "gpt-image-99", MaskRef: &ImageRef{FileID: "m"}}), "images", "at least one"},
		{"known model edit, no image", editAsIs(EditParams{Prompt: P, Model: ModelGPTImage1}), "image", "at least one"},
		{"unknown model edit, 17 images", edit(EditParams{Prompt: P, Model: "gpt-image-99", Images: slices.Repeat([]Image{vtBytes("a.png", alpha64)}, 17)}), "image", "at most 16"},
		{"unknown model edit, empty image", edit(EditParams{Prompt: P, Model: "gpt-image-99", Images: []Image{vtBytes("a.png", nil)}}), "image[0]", "empty"},
		{"unknown model edit, bad ref", edit(EditParams{Prompt: P, Model: "gpt-image-99", ImageRefs: []ImageRef{{URL: "https://x/a.png", FileID: "f"}}}), "images[0]", "exactly one"},
		{"unknown model multipart edit, moderation", edit(EditParams{Prompt: P, Model: "gpt-image-99", Moderation: ModerationLow}), "moderation", "not a field of multipart edits"},
		{"unknown model variation: n=99", variation(VaryParams{Model: "image-variator-1", N: 99, Image: vtBytes("v.png", opaque64)}), "n", "between 1 and 10"},
		{"unknown model variation: size 3x3", variation(VaryParams{Model: "image-variator-1", Size: "3x3", Image: vtBytes("v.png", opaque64)}), "size", "not a variation size"},
		{"unknown model variation: jpeg", variation(VaryParams{Model: "image-variator-1", Image: vtBytes("v.jpg", vtJPEG(t, 64, 64))}), "image", "does not accept jpeg"},
		{"unknown model variation, no image", variation(VaryParams{Model: "image-variator-1"}), "image", "required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			vtExpect(t, err, tc.field)
			if tc.field != "" && tc.rule != "" && err != nil {
				var ve *ValidationError
				errors.As(err, &ve)
				found := false
				for _, p := range ve.Problems {
					if strings.Contains(p.Rule, tc.rule) {
						found = true
					}
				}
				if !found {
					t.Errorf("no rule mentions %q: %v", tc.rule, err)
				}
			}
		})
	}
}

// One error lists every problem, in field order, on one line.
func TestValidationErrorListsEveryProblem(t *testing.T) {
	p := GenerateParams{
		Prompt: strings.Repeat("x", 4001), Model: ModelDallE3, N: 2, Size: Size256x256, Quality: QualityLow,
		Background: BackgroundTransparent, OutputFormat: OutputFormatJPEG, OutputCompression: Ptr(101),
		Moderation: ModerationLow, PartialImages: Ptr(1),
	}
	err := validateGenerate(&p, false, policy{})
	got := vtFields(t, err)
	want := []string{"prompt", "n", "size", "quality", "background", "output_format", "output_compression", "moderation", "partial_images"}
	if !slices.Equal(got, want) {
		t.Fatalf("fields = %v, want %v", got, want)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "openai-images: invalid parameters: ") || strings.Contains(msg, "\n") {
		t.Errorf("message = %q", msg)
	}
	for _, s := range []string{"n=2: dall-e-3 supports only n=1 (allowed: 1)", "size=256x256: dall-e-3 does not support size 256x256 (allowed: 1024x1024, 1792x1024, 1024x1792)",
		"prompt=4001 characters: dall-e-3 accepts prompts of at most 4000 characters", "quality=low", "output_compression=101", "; "} {
		if !strings.Contains(msg, s) {
			t.Errorf("message lacks %q:\n%s", s, msg)
		}
	}
	var ve *ValidationError
	errors.As(err, &ve)
	for _, pr := range ve.Problems {
		if pr.Field == "" || pr.Rule == "" || !strings.Contains(msg, pr.String()) {
			t.Errorf("problem %+v not rendered in %q", pr, msg)
		}
	}
	if s := (Problem{Field: "prompt", Value: "  ", Rule: "r"}).String(); s != `prompt="  ": r` {
		t.Errorf("blank value rendered %q", s)
	}
	if s := (Problem{Field: "prompt", Rule: "a prompt is required", Allowed: "text"}).String(); s != "prompt: a prompt is required (allowed: text)" {
		t.Errorf("rendered %q", s)
	}

	// Edit problems in one error too.
	e := EditParams{Prompt: "", Model: ModelDallE2, N: 20, Images: []Image{vtBytes("a.jpg", vtJPEG(t, 10, 20)), {}}, Moderation: ModerationLow}
	got = vtFields(t, validateEdit(&e, false, policy{}))
	// image[0] is jpeg, not square and has no alpha: three problems. In
	// the order of the request's fields, the images in order.
	want = []string{"prompt", "image", "image[0]", "image[0]", "image[0]", "image[1]", "n", "moderation"}
	if !slices.Equal(got, want) {
		t.Errorf("edit fields = %v, want %v", got, want)
	}
}

func TestImageProblems(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.png")
	dir := t.TempDir()
	png64 := vtPNG(t, 64, 64, true)
	for _, model := range []Model{ModelGPTImage1, "gpt-image-99"} {
		cases := []struct {
			name string
			img  Image
			rule string
		}{
			{"zero-length bytes", vtBytes("a.png", nil), "empty"},
			{"zero-length reader", ImageFromReader("a.png", io.MultiReader()), "empty"},
			{"unreadable path", ImageFromPath(missing), "cannot read"},
			{"directory", ImageFromPath(dir), "cannot read"},
			{"zero Image", Image{}, "no image"},
			{"failing opener", ImageFromOpener("a.png", func() (io.ReadCloser, error) { return nil, errors.New("boom") }), "boom"},
		}
		for _, tc := range cases {
			t.Run(string(model)+"/"+tc.name, func(t *testing.T) {
				p := EditParams{Prompt: "x", Model: model, Images: []Image{vtBytes("ok.png", png64), tc.img}}
				err := validateEdit(&p, false, policy{})
				vtExpect(t, err, "image[1]")
				if err != nil && !strings.Contains(err.Error(), tc.rule) {
					t.Errorf("error %q lacks %q", err, tc.rule)
				}
				m := EditParams{Prompt: "x", Model: model, Images: []Image{vtBytes("ok.png", png64)}, Mask: &tc.img}
				vtExpect(t, validateEdit(&m, false, policy{}), "mask")
			})
		}
	}
	// Non-image bytes: a known model rejects them, an unknown one lets the
	// server decide.
	text := vtBytes("a.png", []byte("definitely not an image"))
	p := EditParams{Prompt: "x", Model: ModelGPTImage1, Images: []Image{text}}
	vtExpect(t, validateEdit(&p, false, policy{}), "image[0]")
	p.Model = "gpt-image-99"
	vtExpect(t, validateEdit(&p, false, policy{}), "")
	v := VaryParams{Image: text}
	vtExpect(t, validateVariation(&v, policy{}), "image")

	// A one-shot reader is probed by peeking, so it can still be sent whole.
	data := vtPNG(t, 200, 200, true)
	img := ImageFromReader("r.png", io.MultiReader(bytes.NewReader(data[:10]), bytes.NewReader(data[10:])))
	p = EditParams{Prompt: "x", Model: ModelDallE2, Images: []Image{img}}
	vtExpect(t, validateEdit(&p, false, policy{}), "")
	vtExpect(t, validateEdit(&p, false, policy{}), "") // twice: still unread
	rc, err := img.reader()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(rc); !bytes.Equal(got, data) {
		t.Errorf("after validation the reader yields %d bytes, want %d", len(got), len(data))
	}
	// Consumed: validation says so instead of sending.
	vtExpect(t, validateEdit(&p, false, policy{}), "image[0]")
}

// vtServer counts the requests that reach it.
func vtServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"created":1,"data":[{"b64_json":"aGk="}]}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// A rejected call sends nothing; with validation off it reaches the server.
func TestRejectedCallSendsNothing(t *testing.T) {
	png64 := vtPNG(t, 64, 64, false)
	calls := []struct {
		name string
		do   func(c *Client, opts ...RequestOption) error
	}{
		{"Generate", func(c *Client, opts ...RequestOption) error {
			_, err := c.Generate(context.Background(), GenerateParams{Prompt: "x", Model: ModelDallE3, N: 2}, opts...)
			return err
		}},
		{"Edit multipart", func(c *Client, opts ...RequestOption) error {
			_, err := c.Edit(context.Background(), EditParams{Prompt: "x", Model: ModelDallE3, Images: []Image{vtBytes("a.png", png64)}}, opts...)
			return err
		}},
		{"Edit JSON", func(c *Client, opts ...RequestOption) error {
			_, err := c.Edit(context.Background(), EditParams{Prompt: "x", Model: ModelGPTImage1Mini, InputFidelity: InputFidelityHigh, ImageRefs: []ImageRef{ImageFileID("file-1")}}, opts...)
			return err
		}},
		{"GenerateStream", func(c *Client, opts ...RequestOption) error {
			s, err := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x", Model: ModelDallE2}, opts...)
			if s != nil {
				s.Close()
			}
			return err
		}},
		{"EditStream", func(c *Client, opts ...RequestOption) error {
			s, err := c.EditStream(context.Background(), EditParams{Prompt: "x", Model: ModelGPTImage1, PartialImages: Ptr(4), Images: []Image{vtBytes("a.png", png64)}}, opts...)
			if s != nil {
				s.Close()
			}
			return err
		}},
		{"Vary", func(c *Client, opts ...RequestOption) error {
			_, err := c.Vary(context.Background(), VaryParams{Model: ModelGPTImage1, Image: vtBytes("a.png", png64)}, opts...)
			return err
		}},
	}
	for _, call := range calls {
		t.Run(call.name, func(t *testing.T) {
			srv, n := vtServer(t)
			on, err := New(WithBaseURL(srv.URL), WithAPIKey("k"), WithMaxRetries(0))
			if err != nil {
				t.Fatal(err)
			}
			off, err := New(WithBaseURL(srv.URL), WithAPIKey("k"), WithMaxRetries(0), WithValidation(false))
			if err != nil {
				t.Fatal(err)
			}

			err = call.do(on)
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			if err := call.do(off, WithRequestValidation(true)); !errors.As(err, &ve) {
				t.Errorf("request validation on over a client without: err = %v", err)
			}
			if got := n.Load(); got != 0 {
				t.Fatalf("%d requests reached the server after validation failed", got)
			}

			if err := call.do(off); err != nil {
				t.Fatalf("WithValidation(false): %v", err)
			}
			if got := n.Load(); got != 1 {
				t.Fatalf("WithValidation(false): %d requests, want 1", got)
			}
			if err := call.do(on, WithRequestValidation(false)); err != nil {
				t.Fatalf("WithRequestValidation(false): %v", err)
			}
			if got := n.Load(); got != 2 {
				t.Fatalf("WithRequestValidation(false): %d requests, want 2", got)
			}
		})
	}
}

// Retired models and the retired variations endpoint still validate.
func TestRetirementNeverBlocks(t *testing.T) {
	g := GenerateParams{Prompt: "x", Model: ModelDallE3, Size: Size1792x1024, Quality: QualityHD, Style: StyleVivid}
	e := EditParams{Prompt: "x", Model: ModelDallE2, Images: []Image{vtBytes("a.png", vtPNG(t, 32, 32, true))}}
	v := VaryParams{Image: vtBytes("a.png", vtPNG(t, 32, 32, false))}
	g1 := GenerateParams{Prompt: "x", Model: ModelGPTImage1}
	for _, err := range []error{validateGenerate(&g, false, policy{}), validateEdit(&e, false, policy{}), validateVariation(&v, policy{}), validateGenerate(&g1, true, policy{})} {
		if err != nil {
			t.Error(err)
		}
	}
}

// Validation reads no more than a header, whatever the image's size, and
// does not modify the params.
func TestValidateDoesNotModifyParams(t *testing.T) {
	p := EditParams{Prompt: "x", Model: ModelGPTImage1, Images: []Image{vtBytes("a.png", vtPNG(t, 8, 8, true))},
		ImageRefs: []ImageRef{ImageFileID("f")}, N: 3, Size: "bad", OutputCompression: Ptr(5), PartialImages: Ptr(7)}
	before := fmt.Sprintf("%+v %d %d", p, *p.OutputCompression, *p.PartialImages)
	_ = validateEdit(&p, true, policy{})
	if after := fmt.Sprintf("%+v %d %d", p, *p.OutputCompression, *p.PartialImages); after != before {
		t.Errorf("params changed:\n%s\n%s", before, after)
	}
}

func TestDecodeBase64Prefix(t *testing.T) {
	data := vtPNG(t, 300, 300, true) // well over the probe window once encoded? check both sizes
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		for _, b := range [][]byte{data, data[:1], data[:2], data[:3], bytes.Repeat(data, 3)} {
			head, size, err := decodeBase64Prefix(enc.EncodeToString(b))
			if err != nil || size != int64(len(b)) || !bytes.HasPrefix(b, head) || len(head) == 0 {
				t.Errorf("len %d: head %d, size %d, %v", len(b), len(head), size, err)
			}
		}
	}
	if _, _, err := decodeBase64Prefix("a=b="); err == nil {
		t.Error("invalid base64 accepted")
	}
}

// Images come in index order, whichever check found their problem: an
// unreadable image[2] (found while reading headers) after an image[1] the
// model refuses (found by the model's rules).
func TestValidationErrorOrdersImagesByIndex(t *testing.T) {
	png64 := vtBytes("a.png", vtPNG(t, 64, 64, false))
	p := EditParams{Model: ModelGPTImage15, Prompt: "x", N: 99, Images: []Image{
		png64,
		vtBytes("b.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")),
		ImageFromPath(filepath.Join(t.TempDir(), "missing.png")),
	}}
	got := vtFields(t, validateEdit(&p, false, policy{}))
	if want := []string{"image[1]", "image[2]", "n"}; !slices.Equal(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
}

// A markup problem is reported once, in the markup's words, whether the
// model is in the table or not (it was reported twice for the 2.5 family,
// once with the mask's wording).
func TestMarkupProblemsReportedOnce(t *testing.T) {
	in := vtPNG(t, 64, 64, true)
	cases := []struct {
		name   string
		markup []byte
		rule   string
	}{
		{"no alpha", vtPNG(t, 64, 64, false), "overlaid on the first image"},
		{"jpeg", vtJPEG(t, 64, 64), "must be a PNG"},
		{"other size", vtPNG(t, 32, 64, true), "dimensions of the first image"},
	}
	for _, model := range []Model{ModelGPTImage25Flare, "gpt-image-2.7-nova", ""} {
		for _, tc := range cases {
			t.Run(string(model)+"/"+tc.name, func(t *testing.T) {
				p := EditParams{Prompt: "a prompt", Model: model, Images: []Image{vtBytes("in.png", in)}, Markup: &[]Image{vtBytes("k.png", tc.markup)}[0]}
				err := validateEdit(&p, false, policy{})
				var ve *ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("err = %v, want a *ValidationError", err)
				}
				if len(ve.Problems) != 1 || ve.Problems[0].Field != "markup" || !strings.Contains(ve.Problems[0].Rule, tc.rule) {
					t.Fatalf("problems = %+v, want one markup problem saying %q", ve.Problems, tc.rule)
				}
				if strings.Contains(err.Error(), "where to edit") {
					t.Errorf("a markup described as a mask: %v", err)
				}
			})
		}
	}
}
