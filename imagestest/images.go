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
	"time"

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
	kind       string // "generation", "edit" or "variation"
	model      string
	prompt     string
	n          int
	w, h       int
	sizeName   string // the size as requested, for the response
	quality    string
	complexity string
	format     string // png, jpeg, webp, gif or svg
	compress   int
	bg         string
	gpt        bool
	b64        bool // b64_json rather than url
	stream     bool
	partials   int
	inputs     []image.Image
	mask       image.Image
	markup     image.Image
	frames     int    // GIF frames
	frameMS    int    // GIF frame duration, in milliseconds
	svgModel   string // the SVG author
	svgEffort  string // its reasoning effort
	safetyID   string // the effective safety identifier
}

// defaultModel is the model the emulator draws with when a request names
// none. The API documents no default any more (npm openai 7.59.0
// src/resources/images.ts ImageGenerateParamsBase.model: "Specify a model
// explicitly."; its old default, dall-e-2, is retired), so the emulator
// takes gpt-image-1.5, the vendored spec's default for edits. With
// retired models allowed it keeps the old defaults: dall-e-2 for a
// generation without GPT image parameters.
const defaultModel = "gpt-image-1.5"

// effectiveSafetyID is the safety identifier the API echoes: "the non-empty
// safety_identifier from the request, or the deprecated user value when
// safety_identifier is omitted, null, or empty" (npm openai 7.59.0
// src/resources/images.ts ImagesResponse.safety_identifier).
func effectiveSafetyID(safetyID, user string) string {
	if safetyID != "" {
		return safetyID
	}
	return user
}

// outputFormat is the output format a request asks for, "png" when none.
func outputFormat(f wrapper.OutputFormat) string {
	if f == "" {
		return "png"
	}
	return string(f)
}

// svgOptions reads the svg object of a JSON body.
func svgOptions(s *gen.CreateImageSvg) *wrapper.SVGOptions {
	if s == nil {
		return nil
	}
	o := &wrapper.SVGOptions{Model: s.Model}
	if s.Reasoning != nil {
		o.ReasoningEffort = wrapper.ReasoningEffort(deref(s.Reasoning.Effort))
	}
	return o
}

func (e *Emulator) generate(w http.ResponseWriter, r *http.Request) {
	var req gen.CreateImageRequest
	if !readJSON(w, r, &req) {
		return
	}
	p := wrapper.GenerateParams{
		Prompt: req.Prompt, Model: wrapper.Model(deref(req.Model)), N: deref(req.N), Size: wrapper.Size(deref(req.Size)),
		Quality: wrapper.Quality(deref(req.Quality)), Complexity: wrapper.Complexity(deref(req.Complexity)), Style: wrapper.Style(deref(req.Style)),
		Background: wrapper.Background(deref(req.Background)), Moderation: wrapper.Moderation(deref(req.Moderation)),
		OutputFormat: wrapper.OutputFormat(deref(req.OutputFormat)), OutputCompression: req.OutputCompression,
		FrameCount: deref(req.FrameCount), FrameDuration: time.Duration(deref(req.FrameDurationMs)) * time.Millisecond, SVG: svgOptions(req.Svg),
		ResponseFormat: wrapper.ResponseFormat(deref(req.ResponseFormat)), SafetyIdentifier: deref(req.SafetyIdentifier), User: deref(req.User),
		PartialImages: req.PartialImages,
	}
	stream := deref(req.Stream)
	info, ok := e.checkModel(w, string(p.Model), "model", wrapper.OpGenerate, false)
	q := request{op: wrapper.OpGenerate, info: info, models: e.modelsFor(wrapper.OpGenerate), format: outputFormat(p.OutputFormat), prompt: p.Prompt}
	if !ok || !checkParams(w, wrapper.CheckGenerate(p, stream), q) {
		return
	}
	model := string(p.Model)
	if model == "" {
		model = defaultModel
		if e.allowRetired {
			model = "dall-e-2"
			if p.Background != "" || p.Moderation != "" || p.OutputFormat != "" || p.OutputCompression != nil || stream || p.PartialImages != nil ||
				p.Complexity != "" || p.FrameCount != 0 || p.FrameDuration != 0 || p.SVG != nil {
				model = "gpt-image-1"
			}
		}
	}
	j := newJob("generation", model, p.Prompt, p.N, p.Size, string(p.Quality), string(p.OutputFormat), p.OutputCompression, string(p.Background), string(p.ResponseFormat))
	j.stream, j.partials = stream, deref(p.PartialImages)
	j.setOutput(string(p.Complexity), p.FrameCount, req.FrameDurationMs, p.SVG, effectiveSafetyID(p.SafetyIdentifier, p.User))
	e.respond(w, r, j)
}

// setOutput records the output parameters newer than the vendored spec.
func (j *job) setOutput(complexity string, frames int, frameMS *int, svg *wrapper.SVGOptions, safetyID string) {
	j.complexity, j.safetyID = complexity, safetyID
	j.frames, j.frameMS = defaultFrameCount, defaultFrameDuration
	if frames > 0 {
		j.frames = frames
	}
	if frameMS != nil {
		j.frameMS = *frameMS
	}
	if svg != nil {
		j.svgModel, j.svgEffort = svg.Model, string(svg.ReasoningEffort)
	}
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
	var mask, markup *wrapper.Image
	var maskRaw, markupRaw []byte
	for _, f := range files {
		switch f.field {
		case "image", "image[]":
			imgs = append(imgs, wrapper.ImageFromBytes(f.name, f.data))
			raw = append(raw, f.data)
		case "mask":
			m := wrapper.ImageFromBytes(f.name, f.data)
			mask, maskRaw = &m, f.data
		case "markup":
			m := wrapper.ImageFromBytes(f.name, f.data)
			markup, markupRaw = &m, f.data
		}
	}
	p := wrapper.EditParams{
		Images: imgs, Mask: mask, Markup: markup, Prompt: form.get("prompt"), Model: wrapper.Model(form.get("model")), N: form.int("n"),
		Size: wrapper.Size(form.get("size")), Quality: wrapper.Quality(form.get("quality")), Complexity: wrapper.Complexity(form.get("complexity")),
		Background:   wrapper.Background(form.get("background")),
		OutputFormat: wrapper.OutputFormat(form.get("output_format")), OutputCompression: form.intPtr("output_compression"),
		FrameCount: form.int("frame_count"), FrameDuration: time.Duration(form.int("frame_duration_ms")) * time.Millisecond,
		SVG:           formSVG(form),
		InputFidelity: wrapper.InputFidelity(form.get("input_fidelity")), ResponseFormat: wrapper.ResponseFormat(form.get("response_format")),
		SafetyIdentifier: form.get("safety_identifier"), User: form.get("user"), PartialImages: form.intPtr("partial_images"),
		Moderation: wrapper.Moderation(form.get("moderation")),
	}
	stream := form.get("stream") == "true"
	info, ok := e.checkModel(w, string(p.Model), "model", wrapper.OpEdit, false)
	q := request{op: wrapper.OpEdit, info: info, models: e.modelsFor(wrapper.OpEdit), format: outputFormat(p.OutputFormat), prompt: p.Prompt}
	if !ok || !checkParams(w, wrapper.CheckEdit(p, stream), q) {
		return
	}
	model := string(p.Model)
	if model == "" {
		model = defaultModel // the vendored spec's default for edits
	}
	j := newJob("edit", model, p.Prompt, p.N, p.Size, string(p.Quality), string(p.OutputFormat), p.OutputCompression, string(p.Background), string(p.ResponseFormat))
	j.stream, j.partials = stream, deref(p.PartialImages)
	j.setOutput(string(p.Complexity), p.FrameCount, form.intPtr("frame_duration_ms"), p.SVG, effectiveSafetyID(p.SafetyIdentifier, p.User))
	for i, data := range raw {
		m, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			apiError(w, 400, "invalid_request_error", fieldName("image", i, len(raw)), "invalid_image", "Invalid input image: "+err.Error())
			return
		}
		j.inputs = append(j.inputs, m)
	}
	for _, in := range []struct {
		field string
		raw   []byte
		to    *image.Image
	}{{"mask", maskRaw, &j.mask}, {"markup", markupRaw, &j.markup}} {
		if in.raw == nil {
			continue
		}
		m, err := png.Decode(bytes.NewReader(in.raw))
		if err != nil {
			apiError(w, 400, "invalid_request_error", in.field, "invalid_image", fmt.Sprintf("Invalid %s image: %v", in.field, err))
			return
		}
		*in.to = m
	}
	e.respond(w, r, j)
}

// formSVG reads the SVG options of a multipart edit: the parts svg[model]
// and svg[reasoning][effort], as the SDKs send the svg object (npm openai
// 7.59.0 src/resources/images.ts ImageEditParamsBase.svg: "Use multipart
// fields such as `svg[model]`").
func formSVG(form formValues) *wrapper.SVGOptions {
	_, hasModel := form["svg[model]"]
	_, hasEffort := form["svg[reasoning][effort]"]
	if !hasModel && !hasEffort {
		return nil
	}
	return &wrapper.SVGOptions{Model: form.get("svg[model]"), ReasoningEffort: wrapper.ReasoningEffort(form.get("svg[reasoning][effort]"))}
}

// maxJSONBody bounds a JSON request body (data URLs can be large).
const maxJSONBody = 64 << 20

// readJSON reads a JSON body into v, records its fields, and answers a body
// that does not parse. It reports whether the handler should go on.
func readJSON(w http.ResponseWriter, r *http.Request, v any, more ...any) bool {
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
	for _, to := range append([]any{v}, more...) {
		if err := json.Unmarshal(body, to); err != nil {
			apiError(w, 400, "invalid_request_error", "", "invalid_json", "We could not parse the JSON body of your request: "+err.Error())
			return false
		}
	}
	return true
}

func fieldName(base string, i, n int) string {
	if n > 1 {
		return fmt.Sprintf("%s[%d]", base, i)
	}
	return base
}

// jsonEditExtra are the fields of a JSON edit that its schema
// (EditImageBodyJsonParam) lacks: safety_identifier, which the API takes in
// every images request, and the multipart-only parameters, read so that the
// check can refuse them as the wrapper does.
type jsonEditExtra struct {
	SafetyIdentifier *string             `json:"safety_identifier"`
	Complexity       *string             `json:"complexity"`
	FrameCount       *int                `json:"frame_count"`
	FrameDurationMs  *int                `json:"frame_duration_ms"`
	Svg              *gen.CreateImageSvg `json:"svg"`
	ResponseFormat   *string             `json:"response_format"`
}

func (e *Emulator) editJSON(w http.ResponseWriter, r *http.Request) {
	var req gen.EditImageBodyJsonParam
	var extra jsonEditExtra
	if !readJSON(w, r, &req, &extra) {
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
		SafetyIdentifier: deref(extra.SafetyIdentifier), Complexity: wrapper.Complexity(deref(extra.Complexity)),
		FrameCount: deref(extra.FrameCount), FrameDuration: time.Duration(deref(extra.FrameDurationMs)) * time.Millisecond,
		SVG: svgOptions(extra.Svg), ResponseFormat: wrapper.ResponseFormat(deref(extra.ResponseFormat)),
	}
	for _, im := range req.Images {
		p.ImageRefs = append(p.ImageRefs, ref(im))
	}
	if req.Mask != nil {
		m := ref(*req.Mask)
		p.MaskRef = &m
	}
	stream := deref(req.Stream)
	info, ok := e.checkModel(w, string(p.Model), "model", wrapper.OpEditJSON, false)
	q := request{op: wrapper.OpEditJSON, info: info, models: e.modelsFor(wrapper.OpEditJSON), format: outputFormat(p.OutputFormat), prompt: p.Prompt, jsonRef: true}
	if !ok || !checkParams(w, wrapper.CheckEdit(p, stream), q) {
		return
	}
	model := string(p.Model)
	if model == "" {
		model = defaultModel
	}
	j := newJob("edit", model, p.Prompt, p.N, p.Size, string(p.Quality), string(p.OutputFormat), p.OutputCompression, string(p.Background), "")
	j.stream, j.partials = stream, deref(p.PartialImages)
	j.setOutput("", 0, nil, nil, effectiveSafetyID(p.SafetyIdentifier, p.User))
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
	if !ok || !e.variationsRetired(w) {
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
	info, ok := e.checkModel(w, string(p.Model), "model", wrapper.OpVariation, false)
	q := request{op: wrapper.OpVariation, info: info, models: e.modelsFor(wrapper.OpVariation), format: "png"}
	if !ok || !checkParams(w, wrapper.CheckVariation(p), q) {
		return
	}
	model := string(p.Model)
	if model == "" {
		model = "dall-e-2"
	}
	j := newJob("variation", model, "", p.N, p.Size, "", "", nil, "", string(p.ResponseFormat))
	j.safetyID = p.User
	m, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		apiError(w, 400, "invalid_request_error", "image", "invalid_image", "Invalid input image: "+err.Error())
		return
	}
	j.inputs = []image.Image{m}
	e.respond(w, r, j)
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

// encode writes one still picture in the job's raster output format (png,
// jpeg or webp; GIF and SVG are written by output, streams are refused for
// them).
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

// output renders image i of the job in its output format: the file's
// bytes, content type and extension, and the still picture (the first
// frame of a GIF; the reference picture of an SVG) for the inspector.
func (j *job) output(i int) (data []byte, contentType, ext string, still *image.NRGBA, err error) {
	switch j.format {
	case "gif":
		frames := make([]*image.NRGBA, j.frames)
		for k := range frames {
			frames[k] = j.renderAt(i, float64(k)/float64(j.frames))
		}
		data, err = encodeGIF(frames, gifDelay(j.frameMS))
		return data, "image/gif", ".gif", frames[0], err
	case "svg":
		still = j.render(i)
		if j.kind == "generation" {
			data = svgScene(j.scene(i))
		} else {
			data = svgMosaic(still, j.prompt)
		}
		return data, "image/svg+xml", ".svg", still, nil
	}
	still = j.render(i)
	data, contentType, ext, err = j.encode(still)
	return data, contentType, ext, still, err
}

// render draws image i of the job.
func (j *job) render(i int) *image.NRGBA { return j.renderAt(i, 0) }

func (j *job) salt(i int) string { return fmt.Sprintf("%s/%s/%d", j.kind, j.model, i) }

func (j *job) transparent() bool { return j.bg == "transparent" && j.format != "jpeg" }

// scene plans the picture of image i of a generation.
func (j *job) scene(i int) scene {
	return planScene(j.w, j.h, j.prompt, j.salt(i), j.transparent(), j.complexity)
}

// renderAt draws image i of the job at phase t of its animation (0: the
// still picture; GIF frames are drawn at t = k/frames).
func (j *job) renderAt(i int, t float64) *image.NRGBA {
	switch j.kind {
	case "edit":
		// Seeded as the edits' pictures always were (seed joins its parts
		// with NUL bytes); the caption is the prompt alone.
		sc := planScene(j.w, j.h, j.prompt, j.salt(i)+"\x00edit", j.transparent(), j.complexity).backdrop(t)
		return renderEdit(sc, j.prompt, j.inputs, j.mask, j.markup)
	case "variation":
		return renderVariation(j.inputs[0], j.w, j.h, j.salt(i))
	default:
		return j.scene(i).raster(t)
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
