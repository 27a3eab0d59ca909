package tests

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	imgpng "image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	openaiimages "github.com/imagegen-go/openai-images"
	"github.com/imagegen-go/openai-images/internal/specdrift"
	"github.com/imagegen-go/openai-images/wrapper"
)

// TestSurfaceIsMapped fails, once and with every item listed, when the
// effective spec (openapi.yaml plus newer.yaml) and the handwritten code
// disagree about anything a user can send or receive:
//
//   - a model in a spec enum that the model table does not have (or the
//     reverse);
//   - an enum value of a request parameter that validation refuses for every
//     model, or a value the table accepts that the spec no longer lists;
//   - a request property the wrapper never sends, or one it sends that the
//     spec does not have;
//   - a response or stream-event property that never reaches the typed
//     results, and an event type that decodes as UnknownEvent.
//
// Every expectation is derived from the spec and from the wrapper's
// observable behaviour (what it puts on the wire, what it reads back); the
// only hand-kept list is surface.yaml, where each part the code leaves
// alone on purpose says why. Entries there that point at nothing fail too.
func TestSurfaceIsMapped(t *testing.T) {
	s, err := specdrift.Describe(openaiimages.EffectiveSpec())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := specdrift.LoadConfig("../surface.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := &surfaceCheck{t: t, s: s, cfg: cfg}
	c.requests()
	c.models()
	c.values()
	c.responses()
	c.events()
	c.staleEntries()
	if len(c.problems) > 0 {
		sort.Strings(c.problems)
		t.Errorf("%d part(s) of the spec's surface and the handwritten code disagree. Map each one, or list it in surface.yaml with a reason:\n\n%s",
			len(c.problems), strings.Join(c.problems, "\n"))
	}
}

type surfaceCheck struct {
	t        *testing.T
	s        *specdrift.Surface
	cfg      *specdrift.Config
	problems []string
	// sent maps a request location to the property paths the wrapper put
	// on the wire, and fields maps it to wrapper field name -> path.
	sent   map[string]map[string]bool
	fields map[string]map[string]string
	// used marks the surface.yaml entries that excused a disagreement.
	used map[int]bool
}

// problem records a disagreement at loc, with the place that must learn it
// (the location's own place, or place when given).
func (c *surfaceCheck) problem(loc *specdrift.Location, format string, args ...any) {
	c.problemAt(loc, c.cfg.Place(loc), format, args...)
}

func (c *surfaceCheck) problemAt(loc *specdrift.Location, place, format string, args ...any) {
	msg := loc.Key + ": " + fmt.Sprintf(format, args...)
	if place != "" {
		msg += "\n    -> " + place
	}
	c.problems = append(c.problems, msg)
}

// excused reports whether surface.yaml lists a disagreement found at loc,
// and marks the entry as needed.
func (c *surfaceCheck) excused(loc, prop, value string) bool {
	i, ok := c.cfg.Match(loc, prop, value)
	if ok {
		if c.used == nil {
			c.used = map[int]bool{}
		}
		c.used[i] = true
	}
	return ok
}

// --- Requests ---------------------------------------------------------------

// recorder is a fake API that records each request's body and answers with
// a minimal valid response for the operation.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	path, contentType string
	body              []byte
}

func (r *recorder) serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{req.URL.Path, req.Header.Get("Content-Type"), body})
		r.mu.Unlock()
		w.Header().Set("x-request-id", "req_surface")
		switch {
		case strings.HasSuffix(req.URL.Path, "/files"):
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"id":"file-1","object":"file","bytes":10,"created_at":1700000000,"filename":"in.jsonl","purpose":"batch","status":"processed"}`)
		case strings.HasSuffix(req.URL.Path, "/batches"):
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, batchJSON(`"status":"validating"`))
		case strings.HasSuffix(req.URL.Path, "/responses"):
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, responsesJSON(`{"type":"image_generation_call","id":"ig_1","status":"completed","result":"`+pngB64(1)+`"}`))
		default:
			var p struct {
				Stream bool `json:"stream"`
			}
			json.Unmarshal(body, &p)
			if p.Stream || bytes.Contains(body, []byte(`name="stream"`)) {
				w.Header().Set("Content-Type", "text/event-stream")
				io.WriteString(w, "data: "+completedEventJSON("image_generation.completed", "")+"\n\n")
				return
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"created":1700000000,"data":[{"b64_json":"`+pngB64(1)+`"}]}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (r *recorder) take() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}

func surfaceClient(t *testing.T, url string) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(wrapper.WithBaseURL(url+"/v1"), wrapper.WithAPIKey("sk-surface"), wrapper.WithMaxRetries(0), wrapper.WithValidation(false))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// requests sends every call with every field set and records what reaches
// the wire, per location.
func (c *surfaceCheck) requests() {
	t := c.t
	rec := &recorder{}
	srv := rec.serve(t)
	client := surfaceClient(t, srv.URL)
	ctx := context.Background()
	c.sent = map[string]map[string]bool{}
	c.fields = map[string]map[string]string{}

	record := func(loc string, markers map[string]string) {
		for _, r := range rec.take() {
			paths, values := wirePaths(t, r)
			key := loc
			if key == "" {
				continue
			}
			if c.sent[key] == nil {
				c.sent[key] = map[string]bool{}
				c.fields[key] = map[string]string{}
			}
			for p := range paths {
				c.sent[key][p] = true
			}
			for field, marker := range markers {
				for p, v := range values {
					if v == marker {
						c.fields[key][field] = p
					}
				}
			}
		}
	}

	img := wrapper.ImageFromBytes("a.png", pngBytes(1))
	mask := wrapper.ImageFromBytes("m.png", pngBytes(2))

	var gp wrapper.GenerateParams
	m := fill(&gp, nil)
	if _, err := client.Generate(ctx, gp); err != nil {
		t.Fatalf("Generate with every field: %v", err)
	}
	record("createImage request application/json", m)
	if st, err := client.GenerateStream(ctx, gp); err != nil {
		t.Fatalf("GenerateStream with every field: %v", err)
	} else {
		drain(st)
	}
	record("createImage request application/json", m)

	var ep wrapper.EditParams
	m = fill(&ep, map[string]any{"Images": []wrapper.Image{img, img}, "Mask": &mask, "ImageRefs": nil, "MaskRef": nil})
	if _, err := client.Edit(ctx, ep); err != nil {
		t.Fatalf("multipart Edit with every field: %v", err)
	}
	record("createImageEdit request multipart/form-data", m)
	if st, err := client.EditStream(ctx, ep); err != nil {
		t.Fatalf("multipart EditStream with every field: %v", err)
	} else {
		drain(st)
	}
	record("createImageEdit request multipart/form-data", m)

	var jp wrapper.EditParams
	m = fill(&jp, map[string]any{"Images": nil, "Mask": nil, "ImageRefs": []wrapper.ImageRef{{URL: "https://example.com/a.png", FileID: "file-a"}}, "MaskRef": &wrapper.ImageRef{URL: "https://example.com/m.png", FileID: "file-m"}})
	for name, f := range fileFields(&jp) {
		// File parts have no JSON form: a JSON edit sends references.
		f.Set(reflect.Zero(f.Type()))
		delete(m, name)
	}
	if _, err := client.Edit(ctx, jp); err != nil {
		t.Fatalf("JSON Edit with every field: %v", err)
	}
	record("createImageEdit request application/json", m)
	if st, err := client.EditStream(ctx, jp); err != nil {
		t.Fatalf("JSON EditStream with every field: %v", err)
	} else {
		drain(st)
	}
	record("createImageEdit request application/json", m)

	var vp wrapper.VariationParams
	m = fill(&vp, map[string]any{"Image": img})
	if _, err := client.CreateVariation(ctx, vp); err != nil {
		t.Fatalf("CreateVariation with every field: %v", err)
	}
	record("createImageVariation request multipart/form-data", m)

	var tool wrapper.ImageTool
	m = fill(&tool, nil)
	session := client.NewEditSession("gpt-5", tool)
	if _, err := session.Create(ctx, "a cat"); err != nil {
		t.Fatalf("EditSession.Create with every tool field: %v", err)
	}
	for _, r := range rec.take() {
		var body struct {
			Tools []map[string]any `json:"tools"`
		}
		if err := json.Unmarshal(r.body, &body); err != nil || len(body.Tools) != 1 {
			t.Fatalf("responses request %s: %v", r.body, err)
		}
		paths, values := map[string]bool{}, map[string]string{}
		flattenJSON("", body.Tools[0], paths, values)
		c.sent["schema ImageGenTool"], c.fields["schema ImageGenTool"] = paths, map[string]string{}
		for field, marker := range m {
			for p, v := range values {
				if v == marker {
					c.fields["schema ImageGenTool"][field] = p
				}
			}
		}
	}
	if st, err := session.CreateStream(ctx, "a cat"); err == nil {
		drain(st)
	}
	for _, r := range rec.take() {
		var body struct {
			Tools []map[string]any `json:"tools"`
		}
		if json.Unmarshal(r.body, &body) == nil && len(body.Tools) == 1 {
			flattenJSON("", body.Tools[0], c.sent["schema ImageGenTool"], map[string]string{})
		}
	}

	items := []wrapper.BatchItem{{ID: "a", Generate: &wrapper.GenerateParams{Model: wrapper.ModelGPTImage15, Prompt: "a cat"}}}
	if _, err := client.SubmitBatch(ctx, items, wrapper.SubmitBatchOptions{Metadata: map[string]string{"k": "v"}, OutputExpiresAfter: 24 * time.Hour}); err != nil {
		t.Fatalf("SubmitBatch: %v", err)
	}
	for _, r := range rec.take() {
		paths, _ := wirePaths(t, r)
		switch {
		case strings.HasSuffix(r.path, "/files"):
			c.sent["createFile request multipart/form-data"] = paths
		case strings.HasSuffix(r.path, "/batches"):
			c.sent["createBatch request application/json"] = paths
		}
	}

	for _, key := range sortedKeys(c.s.Locations) {
		loc := c.s.Locations[key]
		if loc.Kind != "request" && !(loc.Kind == "schema" && loc.Schema == "ImageGenTool") {
			continue
		}
		sent, ok := c.sent[key]
		if !ok {
			if !c.excused(key, "", "") {
				c.problem(loc, "no wrapper call sends this body")
			}
			continue
		}
		for _, p := range loc.Paths() {
			if !sent[p] && !c.excused(key, p, "") {
				c.problem(loc, "property %q is in the spec, but the wrapper never sends it", p)
			}
		}
		for _, p := range sortedKeys(sent) {
			if openObjectMember(loc, p) {
				continue
			}
			if _, ok := loc.Properties[p]; !ok && !c.excused(key, p, "") {
				c.problem(loc, "the wrapper sends %q, which the spec does not have", p)
			}
		}
	}
}

// openObjectMember reports whether p is a key inside a spec property that
// is a free-form object (metadata), which has no properties of its own.
func openObjectMember(loc *specdrift.Location, p string) bool {
	i := strings.LastIndex(p, ".")
	if i < 0 {
		return false
	}
	parent, ok := loc.Properties[p[:i]]
	if !ok || parent.Type != "object" {
		return false
	}
	for q := range loc.Properties {
		if strings.HasPrefix(q, p[:i]+".") {
			return false
		}
	}
	return true
}

func drain(st *wrapper.ImageStream) {
	for range st.All() {
	}
	st.Close()
}

// fileFields returns the fields of a params struct that hold file uploads
// beyond Images and Mask (Image values and pointers to them).
func fileFields(p any) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	v := reflect.ValueOf(p).Elem()
	imgType := reflect.TypeFor[wrapper.Image]()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() || f.Name == "Images" || f.Name == "Mask" {
			continue
		}
		if f.Type == imgType || f.Type.Kind() == reflect.Pointer && f.Type.Elem() == imgType {
			out[f.Name] = v.Field(i)
		}
	}
	return out
}

// fill sets every exported field of the struct p points to: strings to a
// marker naming the field, numbers to 3, booleans to true, nested structs
// recursively, image files to a small PNG; fixed gives values for named
// fields. It returns field path -> marker for the string fields.
func fill(p any, fixed map[string]any) map[string]string {
	markers := map[string]string{}
	fillValue(reflect.ValueOf(p).Elem(), "", fixed, markers)
	return markers
}

var (
	imageType    = reflect.TypeFor[wrapper.Image]()
	durationType = reflect.TypeFor[time.Duration]()
)

func fillValue(v reflect.Value, prefix string, fixed map[string]any, markers map[string]string) {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		name := prefix + f.Name
		fv := v.Field(i)
		if val, ok := fixed[name]; ok {
			if val == nil {
				fv.Set(reflect.Zero(f.Type))
			} else {
				fv.Set(reflect.ValueOf(val))
			}
			continue
		}
		fillField(fv, name, fixed, markers)
	}
}

func fillField(fv reflect.Value, name string, fixed map[string]any, markers map[string]string) {
	switch {
	case fv.Type() == imageType:
		fv.Set(reflect.ValueOf(wrapper.ImageFromBytes(strings.ToLower(name)+".png", pngBytes(3))))
		return
	case fv.Type() == durationType:
		fv.SetInt(int64(time.Hour))
		return
	}
	switch fv.Kind() {
	case reflect.String:
		marker := "v-" + name
		fv.SetString(marker)
		markers[name] = marker
	case reflect.Int, reflect.Int64, reflect.Int32:
		fv.SetInt(3)
	case reflect.Float64:
		fv.SetFloat(3)
	case reflect.Bool:
		fv.SetBool(true)
	case reflect.Pointer:
		e := reflect.New(fv.Type().Elem())
		fillField(e.Elem(), name, fixed, markers)
		fv.Set(e)
	case reflect.Struct:
		fillValue(fv, name+".", fixed, markers)
	case reflect.Slice:
		s := reflect.MakeSlice(fv.Type(), 1, 1)
		fillField(s.Index(0), name, fixed, markers)
		fv.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(fv.Type())
		if fv.Type().Key().Kind() == reflect.String && fv.Type().Elem().Kind() == reflect.String {
			m.SetMapIndex(reflect.ValueOf("k").Convert(fv.Type().Key()), reflect.ValueOf("v").Convert(fv.Type().Elem()))
		}
		fv.Set(m)
	}
}

// wirePaths returns the property paths of a recorded body (nested JSON
// objects and bracketed multipart names as dotted paths, array items as
// []), with the string value found at each.
func wirePaths(t *testing.T, r recorded) (map[string]bool, map[string]string) {
	t.Helper()
	paths, values := map[string]bool{}, map[string]string{}
	mt, params, _ := mime.ParseMediaType(r.contentType)
	switch mt {
	case "application/json":
		var v map[string]any
		if err := json.Unmarshal(r.body, &v); err != nil {
			t.Fatalf("%s: body is not JSON: %v", r.path, err)
		}
		flattenJSON("", v, paths, values)
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(r.body), params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: multipart: %v", r.path, err)
			}
			data, _ := io.ReadAll(part)
			p := bracketPath(part.FormName())
			addPath(p, paths)
			if part.FileName() == "" {
				values[p] = string(data)
			}
		}
	default:
		t.Fatalf("%s: content type %q", r.path, r.contentType)
	}
	return paths, values
}

// bracketPath turns "image[]" into "image" and "svg[reasoning][effort]" into
// "svg.reasoning.effort".
func bracketPath(name string) string {
	name = strings.TrimSuffix(name, "[]")
	name = strings.ReplaceAll(name, "][", ".")
	name = strings.ReplaceAll(name, "[", ".")
	return strings.TrimSuffix(name, "]")
}

func addPath(p string, paths map[string]bool) {
	for {
		paths[p] = true
		i := strings.LastIndex(p, ".")
		if i < 0 {
			return
		}
		p = p[:i]
	}
}

func flattenJSON(prefix string, v any, paths map[string]bool, values map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			paths[p] = true
			flattenJSON(p, e, paths, values)
		}
	case []any:
		for _, e := range x {
			if _, obj := e.(map[string]any); obj {
				flattenJSON(prefix+"[]", e, paths, values)
			}
		}
	case string:
		values[prefix] = x
	}
}

// --- Models -----------------------------------------------------------------

// modelOps says which operation of the table a model enum location is.
var modelOps = map[string]wrapper.Operation{
	"createImage request application/json":             wrapper.OpGenerate,
	"createImageEdit request multipart/form-data":      wrapper.OpEdit,
	"createImageEdit request application/json":         wrapper.OpEditJSON,
	"createImageVariation request multipart/form-data": wrapper.OpVariation,
}

func (c *surfaceCheck) models() {
	for _, key := range sortedKeys(c.s.Locations) {
		loc := c.s.Locations[key]
		prop := loc.Properties["model"]
		if prop == nil || len(prop.Enum) == 0 {
			continue
		}
		op, isOp := modelOps[key]
		for _, name := range prop.Enum {
			info, ok := wrapper.LookupModel(wrapper.Model(name))
			mapped := ok && (isOp && info.Supports(op) || !isOp && info.GPTImage)
			switch {
			case mapped, c.excused(key, "model", name):
			case !ok:
				c.problemAt(loc, c.cfg.PlaceFor("model"), "model %q is in the spec, but the model table does not know it", name)
			case isOp && !info.Supports(op):
				c.problemAt(loc, c.cfg.PlaceFor("model"), "model %q is in the spec, but the model table says it does not support %s", name, op)
			case !isOp && !info.GPTImage:
				c.problemAt(loc, c.cfg.PlaceFor("model"), "model %q is in the spec, but the model table does not list it as a GPT image model", name)
			}
		}
		if !isOp {
			continue
		}
		for _, m := range wrapper.ModelsSupporting(op) {
			if !slices.Contains(prop.Enum, string(m.Model)) && !c.excused(key, "model", string(m.Model)) {
				c.problemAt(loc, c.cfg.PlaceFor("model"), "the model table says %s supports %s, but the spec's enum does not list it", m.Model, op)
			}
		}
	}
}

// --- Values -----------------------------------------------------------------

// tableValues returns the values the table lists for a parameter, per
// model, when the table models it.
var tableValues = map[string]func(wrapper.ModelInfo) []string{
	"quality":         func(m wrapper.ModelInfo) []string { return strs(m.Qualities) },
	"style":           func(m wrapper.ModelInfo) []string { return strs(m.Styles) },
	"background":      func(m wrapper.ModelInfo) []string { return strs(m.Backgrounds) },
	"output_format":   func(m wrapper.ModelInfo) []string { return strs(m.OutputFormats) },
	"moderation":      func(m wrapper.ModelInfo) []string { return strs(m.Moderations) },
	"response_format": func(m wrapper.ModelInfo) []string { return strs(m.ResponseFormats) },
	"input_fidelity":  func(m wrapper.ModelInfo) []string { return strs(m.InputFidelities) },
	"size":            func(m wrapper.ModelInfo) []string { return strs(m.Sizes) },
}

func strs[S ~string](vs []S) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// values checks that validation accepts, for at least one model, every enum
// value the spec lists for a request parameter, and that the table lists
// no value the spec does not.
func (c *surfaceCheck) values() {
	for _, key := range sortedKeys(c.s.Locations) {
		loc := c.s.Locations[key]
		op, isOp := modelOps[key]
		if !isOp {
			continue
		}
		fieldOf := map[string]string{}
		for field, path := range c.fields[key] {
			fieldOf[path] = field
		}
		for _, path := range loc.Paths() {
			prop := loc.Properties[path]
			if prop.IsModel() || len(prop.Enum) == 0 {
				continue
			}
			field, known := fieldOf[path]
			for _, v := range prop.Enum {
				if known && !c.acceptedBySomeModel(op, field, v) && !c.excused(key, path, v) {
					c.problemAt(loc, c.cfg.PlaceFor("value"), "%s=%q is in the spec, but validation refuses it for every model", path, v)
				}
			}
			list, tabled := tableValues[path]
			if !tabled {
				continue
			}
			for _, m := range wrapper.ModelsSupporting(op) {
				for _, v := range list(m) {
					if !slices.Contains(prop.Enum, v) && !(path == "size" && prop.Open) && !c.excused(key, path, v) {
						c.problemAt(loc, c.cfg.PlaceFor("value"), "the model table lets %s take %s=%q, which the spec does not list", m.Model, path, v)
					}
				}
			}
		}
	}
}

// acceptedBySomeModel reports whether validation accepts field=value for
// some model of the table that supports op.
func (c *surfaceCheck) acceptedBySomeModel(op wrapper.Operation, field, value string) bool {
	img := wrapper.ImageFromBytes("a.png", pngBytes(1))
	for _, m := range wrapper.ModelsSupporting(op) {
		var err error
		switch op {
		case wrapper.OpGenerate:
			p := wrapper.GenerateParams{Model: m.Model, Prompt: "a cat"}
			setField(&p, field, value)
			err = wrapper.CheckGenerate(p, false)
		case wrapper.OpEdit:
			p := wrapper.EditParams{Model: m.Model, Prompt: "a cat", Images: []wrapper.Image{img}}
			setField(&p, field, value)
			err = wrapper.CheckEdit(p, false)
		case wrapper.OpEditJSON:
			p := wrapper.EditParams{Model: m.Model, Prompt: "a cat", ImageRefs: []wrapper.ImageRef{wrapper.ImageFileID("file-1")}}
			setField(&p, field, value)
			err = wrapper.CheckEdit(p, false)
		case wrapper.OpVariation:
			p := wrapper.VariationParams{Model: m.Model, Image: img}
			setField(&p, field, value)
			err = wrapper.CheckVariation(p)
		}
		if !refusesField(err, field, value) {
			return true
		}
	}
	return false
}

// setField sets a (possibly nested, dotted) string field by name.
func setField(p any, field, value string) {
	v := reflect.ValueOf(p).Elem()
	for _, name := range strings.Split(field, ".") {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.FieldByName(name)
	}
	if v.Kind() == reflect.Pointer {
		v.Set(reflect.New(v.Type().Elem()))
		v = v.Elem()
	}
	v.SetString(value)
}

// refusesField reports whether err is a validation error with a problem
// about the value (the value appears in the problem).
func refusesField(err error, field, value string) bool {
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, p := range ve.Problems {
		if fmt.Sprint(p.Value) == value {
			return true
		}
	}
	return false
}

// --- Responses --------------------------------------------------------------

// parser turns a JSON response body into the wrapper's typed result through
// the public API.
type parser func(t *testing.T, body string) any

func (c *surfaceCheck) parsers() map[string]parser {
	ctx := context.Background()
	serve := func(t *testing.T, path, contentType, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	images := func(call func(*wrapper.Client) (*wrapper.ImagesResponse, error)) parser {
		return func(t *testing.T, body string) any {
			res, err := call(surfaceClient(t, serve(t, "", "application/json", body)))
			if err != nil {
				return "error: " + err.Error()
			}
			res.RequestID = ""
			return res
		}
	}
	img := wrapper.ImageFromBytes("a.png", pngBytes(1))
	batch := func(t *testing.T, body string) any {
		b, err := surfaceClient(t, serve(t, "", "application/json", body)).RetrieveBatch(ctx, "batch_1")
		if err != nil {
			return "error: " + err.Error()
		}
		return b
	}
	return map[string]parser{
		"createImage response": images(func(c *wrapper.Client) (*wrapper.ImagesResponse, error) {
			return c.Generate(ctx, wrapper.GenerateParams{Prompt: "x"})
		}),
		"createImageEdit response": images(func(c *wrapper.Client) (*wrapper.ImagesResponse, error) {
			return c.Edit(ctx, wrapper.EditParams{Prompt: "x", Images: []wrapper.Image{img}})
		}),
		"createImageVariation response": images(func(c *wrapper.Client) (*wrapper.ImagesResponse, error) {
			return c.CreateVariation(ctx, wrapper.VariationParams{Image: img})
		}),
		"createBatch response":   batch,
		"retrieveBatch response": batch,
		"cancelBatch response":   batch,
		"createFile response": func(t *testing.T, body string) any {
			f, err := surfaceClient(t, serve(t, "", "application/json", body)).UploadFile(ctx, "batch", wrapper.ImageFromBytes("in.jsonl", []byte("{}\n")))
			if err != nil {
				return "error: " + err.Error()
			}
			return f
		},
		"schema ImageGenToolCall": func(t *testing.T, item string) any {
			turn, err := surfaceClient(t, serve(t, "", "application/json", responsesJSON(item))).NewEditSession("gpt-5", wrapper.ImageTool{}).Create(ctx, "x")
			if err != nil {
				return "error: " + err.Error()
			}
			return turn
		},
	}
}

// baseBodies are minimal valid bodies each property is set into.
var baseBodies = map[string]string{
	"createImage response":          `{"created":1700000000,"data":[{"b64_json":"` + pngB64(1) + `"}]}`,
	"createImageEdit response":      `{"created":1700000000,"data":[{"b64_json":"` + pngB64(1) + `"}]}`,
	"createImageVariation response": `{"created":1700000000,"data":[{"b64_json":"` + pngB64(1) + `"}]}`,
	"createBatch response":          batchJSON(`"status":"validating"`),
	"retrieveBatch response":        batchJSON(`"status":"validating"`),
	"cancelBatch response":          batchJSON(`"status":"validating"`),
	"createFile response":           `{"id":"file-1","object":"file","bytes":10,"created_at":1700000000,"filename":"in.jsonl","purpose":"batch","status":"processed"}`,
	"schema ImageGenToolCall":       `{"type":"image_generation_call","id":"ig_1","status":"completed","result":"` + pngB64(1) + `"}`,
}

// responses checks that every response property reaches the typed result:
// two bodies that differ only in that property must parse differently.
func (c *surfaceCheck) responses() {
	parsers := c.parsers()
	for _, key := range sortedKeys(c.s.Locations) {
		loc := c.s.Locations[key]
		if loc.Kind != "response" && !(loc.Kind == "schema" && loc.Schema == "ImageGenToolCall") {
			continue
		}
		parse, ok := parsers[key]
		if !ok {
			if !c.excused(key, "", "") {
				c.problem(loc, "no wrapper call reads this response")
			}
			continue
		}
		for _, path := range leaves(loc) {
			// A deprecated response field need not be read.
			if loc.Properties[path].Deprecated {
				continue
			}
			a, b, ok := twoBodies(baseBodies[key], path, loc.Properties[path])
			if !ok {
				c.problem(loc, "cannot build a sample for %q (type %q)", path, loc.Properties[path].Type)
				continue
			}
			ra, rb := parse(c.t, a), parse(c.t, b)
			if reflect.DeepEqual(exported(ra), exported(rb)) && !c.excused(key, path, "") {
				c.problem(loc, "property %q never reaches the typed result (two bodies differing only in it parse the same)", path)
			}
		}
	}
}

// exported returns what a caller can see of v: its exported fields,
// recursively, as maps, slices and scalars (unexported fields such as a
// client pointer differ between two parses without meaning anything).
func exported(v any) any {
	return exportedValue(reflect.ValueOf(v), 0)
}

func exportedValue(v reflect.Value, depth int) any {
	if !v.IsValid() || depth > 12 {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return exportedValue(v.Elem(), depth+1)
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return t.UnixNano()
		}
		m := map[string]any{}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				m[f.Name] = exportedValue(v.Field(i), depth+1)
			}
		}
		return m
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes())
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = exportedValue(v.Index(i), depth+1)
		}
		return out
	case reflect.Map:
		m := map[string]any{}
		for _, k := range v.MapKeys() {
			m[fmt.Sprint(k.Interface())] = exportedValue(v.MapIndex(k), depth+1)
		}
		return m
	}
	return v.Interface()
}

// leaves returns the property paths of loc that have no sub-properties.
func leaves(loc *specdrift.Location) []string {
	var out []string
	for _, p := range loc.Paths() {
		leaf := true
		for q := range loc.Properties {
			if strings.HasPrefix(q, p+".") || strings.HasPrefix(q, p+"[].") {
				leaf = false
				break
			}
		}
		if leaf {
			out = append(out, p)
		}
	}
	return out
}

// twoBodies sets path in base to two different sample values.
func twoBodies(base, path string, prop *specdrift.Property) (string, string, bool) {
	va, vb, ok := samples(path, prop)
	if !ok {
		return "", "", false
	}
	set := func(v any) string {
		var doc map[string]any
		json.Unmarshal([]byte(base), &doc)
		setPath(doc, strings.Split(strings.ReplaceAll(path, "[]", ".[]"), "."), v)
		out, _ := json.Marshal(doc)
		return string(out)
	}
	return set(va), set(vb), true
}

func samples(path string, prop *specdrift.Property) (any, any, bool) {
	last := path[strings.LastIndexAny(path, ".]")+1:]
	switch {
	case last == "b64_json" || last == "result":
		return pngB64(1), pngB64(2), true
	case last == "url":
		return "https://example.com/a.png", "https://example.com/b.png", true
	case len(prop.Enum) >= 2:
		return prop.Enum[0], prop.Enum[1], true
	case len(prop.Enum) == 1:
		return prop.Enum[0], nil, true
	}
	switch prop.Type {
	case "string", "":
		if strings.Contains(path, "size") {
			return "1024x1024", "1536x1024", true
		}
		return "sample-a", "sample-b", true
	case "integer", "number":
		return 1700000001, 1700000002, true
	case "boolean":
		return true, false, true
	case "object":
		return map[string]any{"k": "a"}, map[string]any{"k": "b"}, true
	case "array":
		return []any{"a"}, []any{"b"}, true
	}
	return nil, nil, false
}

// setPath sets v at a path of object keys ("[]" for the first item of an
// array, created when missing).
func setPath(doc map[string]any, keys []string, v any) {
	cur := any(doc)
	for i, k := range keys {
		lastKey := i == len(keys)-1
		switch node := cur.(type) {
		case map[string]any:
			if lastKey {
				node[k] = v
				return
			}
			next, ok := node[k]
			if !ok || next == nil {
				if keys[i+1] == "[]" {
					next = []any{map[string]any{}}
				} else {
					next = map[string]any{}
				}
				node[k] = next
			}
			cur = next
		case []any:
			if len(node) == 0 {
				return
			}
			if lastKey {
				node[0] = v
				return
			}
			cur = node[0]
		}
	}
}

// --- Events -----------------------------------------------------------------

// events checks that every stream event type decodes to a typed event, and
// that every property of it reaches that event.
func (c *surfaceCheck) events() {
	ctx := context.Background()
	for _, typ := range sortedKeys(c.s.Events) {
		loc := c.s.Locations[c.s.Events[typ]]
		responses := strings.HasPrefix(typ, "response.")
		parse := func(data string) any {
			var sse string
			if responses {
				sse = "event: " + typ + "\ndata: " + data + "\n\n"
			} else {
				sse = "data: " + data + "\n\n"
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				io.WriteString(w, sse)
			}))
			defer srv.Close()
			client := surfaceClient(c.t, srv.URL)
			var st *wrapper.ImageStream
			var err error
			switch {
			case responses:
				st, err = client.NewEditSession("gpt-5", wrapper.ImageTool{}).CreateStream(ctx, "x")
			case strings.HasPrefix(typ, "image_edit."):
				st, err = client.EditStream(ctx, wrapper.EditParams{Prompt: "x", Images: []wrapper.Image{wrapper.ImageFromBytes("a.png", pngBytes(1))}})
			default:
				st, err = client.GenerateStream(ctx, wrapper.GenerateParams{Prompt: "x"})
			}
			if err != nil {
				return "error: " + err.Error()
			}
			defer st.Close()
			var evs []wrapper.StreamEvent
			for ev, err := range st.All() {
				if err != nil {
					break
				}
				evs = append(evs, ev)
			}
			return evs
		}
		base := eventBody(typ, loc)
		evs, _ := parse(base).([]wrapper.StreamEvent)
		if len(evs) == 0 {
			if !c.excused(loc.Key, "", "") {
				c.problem(loc, "an event of type %q yields no typed event", typ)
			}
			continue
		}
		if _, unknown := evs[0].(*wrapper.UnknownEvent); unknown {
			if !c.excused(loc.Key, "", "") {
				c.problem(loc, "event type %q decodes as UnknownEvent: give it a typed event", typ)
			}
			continue
		}
		for _, path := range leaves(loc) {
			if path == "type" {
				continue
			}
			a, b, ok := twoBodies(base, path, loc.Properties[path])
			if !ok {
				c.problem(loc, "cannot build a sample for %q", path)
				continue
			}
			if reflect.DeepEqual(exported(parse(a)), exported(parse(b))) && !c.excused(loc.Key, path, "") {
				c.problem(loc, "property %q never reaches the typed event", path)
			}
		}
	}
}

// eventBody is a minimal valid event of a type.
func eventBody(typ string, loc *specdrift.Location) string {
	switch {
	case strings.HasSuffix(typ, ".completed") && !strings.HasPrefix(typ, "response."):
		return completedEventJSON(typ, "")
	case strings.HasSuffix(typ, ".partial_image") && !strings.HasPrefix(typ, "response."):
		return `{"type":"` + typ + `","b64_json":"` + pngB64(1) + `","created_at":1700000000,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","partial_image_index":0}`
	case strings.HasSuffix(typ, ".partial_image"):
		return `{"type":"` + typ + `","item_id":"ig_1","output_index":0,"sequence_number":1,"partial_image_index":0,"partial_image_b64":"` + pngB64(1) + `"}`
	}
	return `{"type":"` + typ + `","item_id":"ig_1","output_index":0,"sequence_number":1}`
}

func completedEventJSON(typ, extra string) string {
	return `{"type":"` + typ + `","b64_json":"` + pngB64(1) + `","created_at":1700000000,"size":"1024x1024","quality":"high","background":"opaque","output_format":"png","usage":{"total_tokens":3,"input_tokens":1,"output_tokens":2,"input_tokens_details":{"text_tokens":1,"image_tokens":0}}` + extra + `}`
}

// --- surface.yaml -----------------------------------------------------------

// staleEntries fails for surface.yaml entries that name nothing: neither in
// the spec nor sent or accepted by the wrapper.
func (c *surfaceCheck) staleEntries() {
	for i, u := range c.cfg.Unmapped {
		if c.entryExists(u) && !c.used[i] {
			what := strings.TrimSpace(u.Location + " " + u.Property)
			if u.Value != "" {
				what += "=" + u.Value
			}
			c.problems = append(c.problems, fmt.Sprintf("surface.yaml: %s is listed as unmapped, but the wrapper maps it now: remove the entry", what))
			continue
		}
		if !c.entryExists(u) {
			what := strings.TrimSpace(u.Location + " " + u.Property)
			if u.Value != "" {
				what += "=" + u.Value
			}
			c.problems = append(c.problems, fmt.Sprintf("surface.yaml: %s is listed as unmapped, but neither the spec nor the wrapper has it any more: remove the entry", what))
		}
	}
}

func (c *surfaceCheck) entryExists(u specdrift.Unmapped) bool {
	loc, ok := c.s.Locations[u.Location]
	if !ok {
		return false
	}
	if u.Property == "" {
		return true
	}
	prop, inSpec := loc.Properties[u.Property]
	if !inSpec && !c.sent[u.Location][u.Property] {
		return false
	}
	if u.Value == "" || inSpec && slices.Contains(prop.Enum, u.Value) {
		return true
	}
	// A value the table has and the spec does not (the reverse direction).
	op, isOp := modelOps[u.Location]
	if !isOp {
		return false
	}
	for _, m := range wrapper.ModelsSupporting(op) {
		if u.Property == "model" && string(m.Model) == u.Value {
			return true
		}
		if list, ok := tableValues[u.Property]; ok && slices.Contains(list(m), u.Value) {
			return true
		}
	}
	return false
}

// --- Samples ----------------------------------------------------------------

func responsesJSON(item string) string {
	return `{"id":"resp_1","object":"response","created_at":1700000000,"status":"completed","model":"gpt-5","output":[` + item + `]}`
}

func batchJSON(extra string) string {
	return `{"id":"batch_1","object":"batch","endpoint":"/v1/images/generations","input_file_id":"file-1","completion_window":"24h","created_at":1700000000,` + extra + `}`
}

var pngCache sync.Map

// pngBytes returns a small valid PNG; different seeds give different images.
func pngBytes(seed int) []byte {
	if b, ok := pngCache.Load(seed); ok {
		return b.([]byte)
	}
	m := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range m.Pix {
		m.Pix[i] = uint8(seed * 40)
	}
	m.Set(0, 0, color.NRGBA{A: 0})
	var buf bytes.Buffer
	imgpng.Encode(&buf, m)
	pngCache.Store(seed, buf.Bytes())
	return buf.Bytes()
}

func pngB64(seed int) string { return base64.StdEncoding.EncodeToString(pngBytes(seed)) }
