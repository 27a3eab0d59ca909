package imagestest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	_ "golang.org/x/image/webp" // decode WebP inputs

	"github.com/imagegen-go/openai-images/gen"
	"github.com/imagegen-go/openai-images/internal/pngenc"
	"github.com/imagegen-go/openai-images/internal/webpenc"
	"github.com/imagegen-go/openai-images/wrapper"
)

// maxUpload bounds a multipart body held in memory; larger parts spill to
// temporary files.
const maxUpload = 32 << 20

// job is one image request after parsing and checking.
type job struct {
	kind     string // "generation", "edit" or "variation"
	model    string
	prompt   string
	n        int
	w, h     int
	sizeName string // the size as requested, for the response
	quality  string
	format   string // png, jpeg or webp
	compress int
	bg       string
	gpt      bool
	b64      bool // b64_json rather than url
	stream   bool
	partials int
	inputs   []image.Image
	mask     image.Image
}

func (e *Emulator) generate(w http.ResponseWriter, r *http.Request) {
	var req gen.CreateImageRequest
	if !readJSON(w, r, &req) {
		return
	}
	p := wrapper.GenerateParams{
		Prompt: req.Prompt, Model: wrapper.Model(deref(req.Model)), N: deref(req.N), Size: wrapper.Size(deref(req.Size)),
		Quality: wrapper.Quality(deref(req.Quality)), Style: wrapper.Style(deref(req.Style)),
		Background: wrapper.Background(deref(req.Background)), Moderation: wrapper.Moderation(deref(req.Moderation)),
		OutputFormat: wrapper.OutputFormat(deref(req.OutputFormat)), OutputCompression: req.OutputCompression,
		ResponseFormat: wrapper.ResponseFormat(deref(req.ResponseFormat)), User: deref(req.User), PartialImages: req.PartialImages,
	}
	stream := deref(req.Stream)
	if !e.checkModel(w, string(p.Model), "model", wrapper.OpGenerate, false) || !checkParams(w, wrapper.CheckGenerate(p, stream)) {
		return
	}
	model := string(p.Model)
	if model == "" {
		model = "dall-e-2"
		if p.Background != "" || p.Moderation != "" || p.OutputFormat != "" || p.OutputCompression != nil || stream || p.PartialImages != nil {
			model = "gpt-image-1"
		}
	}
	j := newJob("generation", model, p.Prompt, p.N, p.Size, string(p.Quality), string(p.OutputFormat), p.OutputCompression, string(p.Background), string(p.ResponseFormat))
	j.stream, j.partials = stream, deref(p.PartialImages)
	e.respond(w, r, j)
}

func (e *Emulator) edit(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		e.editJSON(w, r)
		return
	}
	form, files, ok := parseForm(w, r)
	if !ok {
		return
	}
	var imgs []wrapper.Image
	var raw [][]byte
	var mask *wrapper.Image
	var maskRaw []byte
	for _, f := range files {
		switch f.field {
		case "image", "image[]":
			imgs = append(imgs, wrapper.ImageFromBytes(f.name, f.data))
			raw = append(raw, f.data)
		case "mask":
			m := wrapper.ImageFromBytes(f.name, f.data)
			mask, maskRaw = &m, f.data
		}
	}
	p := wrapper.EditParams{
		Images: imgs, Mask: mask, Prompt: form.get("prompt"), Model: wrapper.Model(form.get("model")), N: form.int("n"),
		Size: wrapper.Size(form.get("size")), Quality: wrapper.Quality(form.get("quality")), Background: wrapper.Background(form.get("background")),
		OutputFormat: wrapper.OutputFormat(form.get("output_format")), OutputCompression: form.intPtr("output_compression"),
		InputFidelity: wrapper.InputFidelity(form.get("input_fidelity")), ResponseFormat: wrapper.ResponseFormat(form.get("response_format")),
		User: form.get("user"), PartialImages: form.intPtr("partial_images"), Moderation: wrapper.Moderation(form.get("moderation")),
	}
	stream := form.get("stream") == "true"
	if !e.checkModel(w, string(p.Model), "model", wrapper.OpEdit, false) || !checkParams(w, wrapper.CheckEdit(p, stream)) {
		return
	}
	model := string(p.Model)
	if model == "" {
		model = "gpt-image-1.5" // the spec's default for edits
	}
	j := newJob("edit", model, p.Prompt, p.N, p.Size, string(p.Quality), string(p.OutputFormat), p.OutputCompression, string(p.Background), string(p.ResponseFormat))
	j.stream, j.partials = stream, deref(p.PartialImages)
	for i, data := range raw {
		m, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			apiError(w, 400, "invalid_request_error", fieldName("image", i, len(raw)), "invalid_image", "Invalid input image: "+err.Error())
			return
		}
		j.inputs = append(j.inputs, m)
	}
	if maskRaw != nil {
		m, err := png.Decode(bytes.NewReader(maskRaw))
		if err != nil {
			apiError(w, 400, "invalid_request_error", "mask", "invalid_image", "Invalid mask image: "+err.Error())
			return
		}
		j.mask = m
	}
	e.respond(w, r, j)
}

// maxJSONBody bounds a JSON request body (data URLs can be large).
const maxJSONBody = 64 << 20

// readJSON reads a JSON body into v, records its fields, and answers a body
// that does not parse. It reports whether the handler should go on.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		return false
	}
	if len(body) > maxJSONBody {
		apiError(w, 413, "invalid_request_error", "", "request_too_large", "Request body over the emulator's 64 MiB limit.")
		return false
	}
	var params map[string]any
	json.Unmarshal(body, &params)
	setParams(r.Context(), params, nil)
	if err := json.Unmarshal(body, v); err != nil {
		apiError(w, 400, "invalid_request_error", "", "invalid_json", "We could not parse the JSON body of your request: "+err.Error())
		return false
	}
	return true
}

func fieldName(base string, i, n int) string {
	if n > 1 {
		return fmt.Sprintf("%s[%d]", base, i)
	}
	return base
}

func (e *Emulator) editJSON(w http.ResponseWriter, r *http.Request) {
	var req gen.EditImageBodyJsonParam
	if !readJSON(w, r, &req) {
		return
	}
	ref := func(p gen.ImageRefParam) wrapper.ImageRef {
		return wrapper.ImageRef{URL: deref(p.ImageUrl), FileID: deref(p.FileId)}
	}
	p := wrapper.EditParams{
		Prompt: req.Prompt, Model: wrapper.Model(deref(req.Model)), N: deref(req.N), Size: wrapper.Size(deref(req.Size)),
		Quality: wrapper.Quality(deref(req.Quality)), Background: wrapper.Background(deref(req.Background)),
		Moderation: wrapper.Moderation(deref(req.Moderation)), OutputFormat: wrapper.OutputFormat(deref(req.OutputFormat)),
		OutputCompression: req.OutputCompression, InputFidelity: wrapper.InputFidelity(deref(req.InputFidelity)),
		User: deref(req.User), PartialImages: req.PartialImages,
	}
	for _, im := range req.Images {
		p.ImageRefs = append(p.ImageRefs, ref(im))
	}
	if req.Mask != nil {
		m := ref(*req.Mask)
		p.MaskRef = &m
	}
	stream := deref(req.Stream)
	if !e.checkModel(w, string(p.Model), "model", wrapper.OpEditJSON, false) || !checkParams(w, wrapper.CheckEdit(p, stream)) {
		return
	}
	model := string(p.Model)
	if model == "" {
		model = "gpt-image-1.5"
	}
	j := newJob("edit", model, p.Prompt, p.N, p.Size, string(p.Quality), string(p.OutputFormat), p.OutputCompression, string(p.Background), "")
	j.stream, j.partials = stream, deref(p.PartialImages)
	for i, ref := range p.ImageRefs {
		m, err := e.resolveRef(ref)
		if err != nil {
			apiError(w, 400, "invalid_request_error", fmt.Sprintf("images[%d]", i), "invalid_image", err.Error())
			return
		}
		j.inputs = append(j.inputs, m)
	}
	if p.MaskRef != nil {
		m, err := e.resolveRef(*p.MaskRef)
		if err != nil {
			apiError(w, 400, "invalid_request_error", "mask", "invalid_image", err.Error())
			return
		}
		j.mask = m
	}
	e.respond(w, r, j)
}

// resolveRef turns an image reference into pixels. Data URLs are decoded;
// the emulator never goes to the network, so http(s) URLs and file IDs
// stand for a deterministic picture drawn from the reference itself (or, for
// a file uploaded to the emulator, that file).
func (e *Emulator) resolveRef(ref wrapper.ImageRef) (image.Image, error) {
	if rest, ok := strings.CutPrefix(ref.URL, "data:"); ok {
		_, payload, ok := strings.Cut(rest, ";base64,")
		if !ok {
			return nil, errors.New("image_url: only base64 data URLs are supported")
		}
		data, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			return nil, fmt.Errorf("image_url: invalid base64: %v", err)
		}
		m, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("image_url: not a supported image: %v", err)
		}
		return m, nil
	}
	if ref.FileID != "" {
		if data, ok := e.fileContent(ref.FileID); ok {
			m, _, err := image.Decode(bytes.NewReader(data))
			if err != nil {
				return nil, fmt.Errorf("file %s is not a supported image: %v", ref.FileID, err)
			}
			return m, nil
		}
		return renderScene(512, 512, ref.FileID, "file", false), nil
	}
	return renderScene(512, 512, ref.URL, "url", false), nil
}

func (e *Emulator) variation(w http.ResponseWriter, r *http.Request) {
	form, files, ok := parseForm(w, r)
	if !ok {
		return
	}
	var img wrapper.Image
	var raw []byte
	for _, f := range files {
		if f.field == "image" {
			img, raw = wrapper.ImageFromBytes(f.name, f.data), f.data
		}
	}
	p := wrapper.VariationParams{Image: img, Model: wrapper.Model(form.get("model")), N: form.int("n"), Size: wrapper.Size(form.get("size")),
		ResponseFormat: wrapper.ResponseFormat(form.get("response_format")), User: form.get("user")}
	if !e.checkModel(w, string(p.Model), "model", wrapper.OpVariation, false) || !checkParams(w, wrapper.CheckVariation(p)) {
		return
	}
	model := string(p.Model)
	if model == "" {
		model = "dall-e-2"
	}
	j := newJob("variation", model, "", p.N, p.Size, "", "", nil, "", string(p.ResponseFormat))
	m, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		apiError(w, 400, "invalid_request_error", "image", "invalid_image", "Invalid input image: "+err.Error())
		return
	}
	j.inputs = []image.Image{m}
	e.respond(w, r, j)
}

// checkParams answers a validation failure like the API: 400 with the
// first problem's field as param and every problem in the message.
func checkParams(w http.ResponseWriter, err error) bool {
	if err == nil {
		return true
	}
	var ve *wrapper.ValidationError
	if errors.As(err, &ve) && len(ve.Problems) > 0 {
		msgs := make([]string, len(ve.Problems))
		for i, p := range ve.Problems {
			msgs[i] = p.String()
		}
		apiError(w, 400, "invalid_request_error", ve.Problems[0].Field, "invalid_value", strings.Join(msgs, "; "))
		return false
	}
	apiError(w, 400, "invalid_request_error", "", "invalid_value", err.Error())
	return false
}

func newJob(kind, model, prompt string, n int, size wrapper.Size, quality, format string, compression *int, bg, responseFormat string) *job {
	j := &job{kind: kind, model: model, prompt: prompt, n: max(n, 1), quality: quality, format: format, bg: bg}
	j.gpt = !strings.HasPrefix(model, "dall-e")
	j.w, j.h = 1024, 1024
	if w, h, ok := size.Dimensions(); ok {
		j.w, j.h = w, h
	}
	j.sizeName = string(size)
	if j.format == "" {
		j.format = "png"
	}
	j.compress = 100
	if compression != nil {
		j.compress = *compression
	}
	j.b64 = j.gpt || responseFormat == "b64_json"
	return j
}

// encode renders img in the job's output format.
func (j *job) encode(img image.Image) ([]byte, string, string, error) {
	var buf bytes.Buffer
	switch j.format {
	case "jpeg":
		q := min(max(j.compress, 1), 100)
		err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q})
		return buf.Bytes(), "image/jpeg", ".jpg", err
	case "webp":
		err := webpenc.Encode(&buf, img)
		return buf.Bytes(), "image/webp", ".webp", err
	default:
		if n, ok := img.(*image.NRGBA); ok { // what render draws: the fast path
			err := pngenc.Encode(&buf, n)
			return buf.Bytes(), "image/png", ".png", err
		}
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		err := enc.Encode(&buf, img)
		return buf.Bytes(), "image/png", ".png", err
	}
}

// render draws image i of the job.
func (j *job) render(i int) *image.NRGBA {
	salt := fmt.Sprintf("%s/%s/%d", j.kind, j.model, i)
	transparent := j.bg == "transparent" && j.format != "jpeg"
	switch j.kind {
	case "edit":
		return renderEdit(j.w, j.h, j.prompt+"\x00"+salt, j.prompt, j.inputs, j.mask, transparent)
	case "variation":
		return renderVariation(j.inputs[0], j.w, j.h, salt)
	default:
		return renderScene(j.w, j.h, j.prompt, salt, transparent)
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// formValues holds multipart text fields.
type formValues map[string][]string

func (f formValues) get(k string) string {
	if v := f[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (f formValues) int(k string) int {
	n, _ := strconv.Atoi(f.get(k))
	return n
}

func (f formValues) intPtr(k string) *int {
	if _, ok := f[k]; !ok {
		return nil
	}
	n, err := strconv.Atoi(f.get(k))
	if err != nil {
		return nil
	}
	return &n
}

type formFile struct {
	field, name, contentType string
	data                     []byte
}

// parseForm reads a multipart body in part order (so repeated image[]
// parts keep their order), records it, and answers malformed bodies.
func parseForm(w http.ResponseWriter, r *http.Request) (formValues, []formFile, bool) {
	mr, err := r.MultipartReader()
	if err != nil {
		apiError(w, 400, "invalid_request_error", "", "invalid_body", "Expected a multipart/form-data body: "+err.Error())
		return nil, nil, false
	}
	values := formValues{}
	var files []formFile
	var recFiles []File
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			apiError(w, 400, "invalid_request_error", "", "invalid_body", "Malformed multipart body: "+err.Error())
			return nil, nil, false
		}
		data, err := io.ReadAll(io.LimitReader(part, maxUpload+1))
		if err != nil || len(data) > maxUpload {
			apiError(w, 400, "invalid_request_error", part.FormName(), "file_too_large", "Upload too large or unreadable for the emulator (32 MiB per part)")
			return nil, nil, false
		}
		if part.FileName() == "" {
			values[part.FormName()] = append(values[part.FormName()], string(data))
			continue
		}
		files = append(files, formFile{part.FormName(), part.FileName(), part.Header.Get("Content-Type"), data})
		info, _ := wrapper.ImageFromBytes(part.FileName(), data).Probe()
		recFiles = append(recFiles, File{Field: part.FormName(), Filename: part.FileName(), ContentType: part.Header.Get("Content-Type"),
			Size: len(data), Format: info.Format, Width: info.Width, Height: info.Height})
	}
	params := map[string]any{}
	for k, v := range values {
		if len(v) == 1 {
			params[k] = v[0]
		} else {
			params[k] = v
		}
	}
	setParams(r.Context(), params, recFiles)
	return values, files, true
}
