package wrapper

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The expected table, written out by hand from the vendored spec so that a
// wrong entry in models.go fails here rather than being echoed by tests that
// derive their cases from the table.
func TestModelTableLiterals(t *testing.T) {
	gptSizes := []Size{SizeAuto, Size1024x1024, Size1536x1024, Size1024x1536}
	gptQualities := []Quality{QualityAuto, QualityLow, QualityMedium, QualityHigh}
	q25 := append(slices.Clone(gptQualities), QualityXHigh, QualityMax)
	gptOps := []Operation{OpGenerate, OpGenerateStream, OpEdit, OpEditJSON, OpEditStream}
	gptFormats := []OutputFormat{"png", "jpeg", "webp", "gif", "svg"}
	both, low := []InputFidelity{"low", "high"}, []InputFidelity{"low"}
	type want struct {
		ops             []Operation
		prompt, n       int
		sizes           []Size
		custom          bool
		qualities       []Quality
		styles          []Style
		gpt             bool
		formats         []OutputFormat
		complexity      bool
		fidelity        []InputFidelity
		markup          bool
		responseFormats bool
		editMax         int
		editFormats     []string
		editMaxBytes    int64
		square          bool
		variation       bool
		retired         string
		snapshotOf      Model
	}
	gpt := func(w want) want {
		w.ops, w.prompt, w.n, w.gpt = gptOps, 32000, 10, true
		w.sizes, w.editMax, w.editFormats, w.editMaxBytes = gptSizes, 16, []string{"png", "jpeg", "webp"}, 50<<20
		if w.qualities == nil {
			w.qualities = gptQualities
		}
		if w.formats == nil {
			w.formats, w.complexity = gptFormats, true
		}
		return w
	}
	cases := map[Model]want{
		ModelGPTImage26Sunburst:          gpt(want{fidelity: both}),
		ModelGPTImage26Flare:             gpt(want{fidelity: both}),
		ModelGPTImage25Sunburst:          gpt(want{qualities: q25, custom: true, fidelity: both, markup: true}),
		ModelGPTImage25Sunburst_20260908: gpt(want{qualities: q25, custom: true, fidelity: both, markup: true, snapshotOf: ModelGPTImage25Sunburst}),
		ModelGPTImage25Flare:             gpt(want{qualities: q25, custom: true, fidelity: both, markup: true}),
		ModelGPTImage25Flare_20260908:    gpt(want{qualities: q25, custom: true, fidelity: both, markup: true, snapshotOf: ModelGPTImage25Flare}),
		ModelGPTImage2:                   gpt(want{custom: true}),
		ModelGPTImage2_20260421:          gpt(want{custom: true, snapshotOf: ModelGPTImage2}),
		ModelGPTImage15:                  gpt(want{fidelity: both}),
		ModelGPTImage1Mini:               gpt(want{fidelity: low}),
		ModelChatGPTImageLatest:          gpt(want{fidelity: both}),
		ModelGPTImage1:                   gpt(want{formats: []OutputFormat{"png", "jpeg", "webp"}, fidelity: both, retired: "2026-10-23"}),
		ModelDallE2: {ops: []Operation{OpGenerate, OpEdit, OpVary}, prompt: 1000, n: 10,
			sizes: []Size{"256x256", "512x512", "1024x1024"}, qualities: []Quality{"auto", "standard"},
			responseFormats: true, editMax: 1, editFormats: []string{"png"}, editMaxBytes: 4 << 20, square: true,
			variation: true, retired: "2026-05-12"},
		ModelDallE3: {ops: []Operation{OpGenerate}, prompt: 4000, n: 1,
			sizes: []Size{"1024x1024", "1792x1024", "1024x1792"}, qualities: []Quality{"auto", "standard", "hd"},
			styles: []Style{"vivid", "natural"}, responseFormats: true, retired: "2026-05-12"},
	}
	if got := len(Models()); got != len(cases) {
		t.Fatalf("table has %d models, want %d", got, len(cases))
	}
	for name, w := range cases {
		t.Run(string(name), func(t *testing.T) {
			m, ok := LookupModel(name)
			if !ok {
				t.Fatal("not in the table")
			}
			if m.Model != name {
				t.Errorf("Model = %q", m.Model)
			}
			if !slices.Equal(m.Operations, w.ops) {
				t.Errorf("Operations = %v, want %v", m.Operations, w.ops)
			}
			for _, op := range []Operation{OpGenerate, OpGenerateStream, OpEdit, OpEditJSON, OpEditStream, OpVary} {
				if m.Supports(op) != slices.Contains(w.ops, op) {
					t.Errorf("Supports(%s) = %v", op, m.Supports(op))
				}
			}
			if m.MaxPromptLength != w.prompt || m.MaxN != w.n {
				t.Errorf("prompt, n = %d, %d, want %d, %d", m.MaxPromptLength, m.MaxN, w.prompt, w.n)
			}
			if !slices.Equal(m.Sizes, w.sizes) || m.SupportsCustomSize() != w.custom {
				t.Errorf("sizes = %v custom %v", m.Sizes, m.SupportsCustomSize())
			}
			if !slices.Equal(m.Qualities, w.qualities) || !slices.Equal(m.Styles, w.styles) {
				t.Errorf("qualities %v styles %v", m.Qualities, m.Styles)
			}
			if m.GPTImage != w.gpt {
				t.Errorf("GPTImage = %v", m.GPTImage)
			}
			// GPT-only parameters.
			if w.gpt {
				if !slices.Equal(m.Backgrounds, []Background{"auto", "transparent", "opaque"}) ||
					!slices.Equal(m.OutputFormats, w.formats) || !m.OutputCompression ||
					!slices.Equal(m.Moderations, []Moderation{"auto", "low"}) || m.MaxPartialImages != 3 {
					t.Errorf("GPT parameters: %+v", m)
				}
			} else if m.Backgrounds != nil || m.OutputFormats != nil || m.OutputCompression || m.Moderations != nil {
				t.Errorf("DALL-E model with GPT parameters: %+v", m)
			}
			if !slices.Equal(m.InputFidelities, w.fidelity) {
				t.Errorf("InputFidelities = %v, want %v", m.InputFidelities, w.fidelity)
			}
			if (len(m.Complexities) == 3) != w.complexity || (!w.complexity && m.Complexities != nil) {
				t.Errorf("Complexities = %v", m.Complexities)
			}
			markup := ImageRule{MaxCount: 1, Formats: []string{"png"}, Alpha: true, SameSizeAsImage: true}
			if w.markup != reflect.DeepEqual(m.Markup, markup) || !w.markup && !reflect.DeepEqual(m.Markup, ImageRule{}) {
				t.Errorf("Markup = %+v", m.Markup)
			}
			if m.SnapshotOf != w.snapshotOf {
				t.Errorf("SnapshotOf = %q, want %q", m.SnapshotOf, w.snapshotOf)
			}
			if w.retired != "" && !slices.Equal(m.Replacements, []Model{ModelGPTImage25Sunburst, ModelGPTImage25Flare}) {
				t.Errorf("Replacements = %v", m.Replacements)
			}
			if got := slices.Equal(m.ResponseFormats, []ResponseFormat{"url", "b64_json"}); got != w.responseFormats || (!w.responseFormats && m.ResponseFormats != nil) {
				t.Errorf("ResponseFormats = %v", m.ResponseFormats)
			}
			e := m.EditImages
			if e.MaxCount != w.editMax || !slices.Equal(e.Formats, w.editFormats) || e.MaxBytes != w.editMaxBytes || e.Square != w.square {
				t.Errorf("EditImages = %+v", e)
			}
			if w.editMax > 0 {
				mask := ImageRule{MaxCount: 1, Formats: []string{"png"}, MaxBytes: 4 << 20, Alpha: true, SameSizeAsImage: true}
				if !reflect.DeepEqual(m.Mask, mask) {
					t.Errorf("Mask = %+v", m.Mask)
				}
			} else if !reflect.DeepEqual(m.Mask, ImageRule{}) {
				t.Errorf("Mask without edits = %+v", m.Mask)
			}
			if w.variation {
				v := ImageRule{MaxCount: 1, Formats: []string{"png"}, MaxBytes: 4 << 20, Square: true}
				if !reflect.DeepEqual(m.VariationImage, v) {
					t.Errorf("VariationImage = %+v", m.VariationImage)
				}
			} else if !reflect.DeepEqual(m.VariationImage, ImageRule{}) {
				t.Errorf("VariationImage = %+v", m.VariationImage)
			}
			if got := m.Retirement.Format(time.DateOnly); (w.retired == "" && !m.Retirement.IsZero()) || (w.retired != "" && got != w.retired) {
				t.Errorf("Retirement = %v, want %q", m.Retirement, w.retired)
			}
			if (w.retired != "") != (m.Deprecation != "") {
				t.Errorf("Deprecation = %q", m.Deprecation)
			}
		})
	}
	// dall-e-2's edit images need alpha without a mask (seed 003); no other
	// model's do.
	for _, m := range Models() {
		if m.EditImages.AlphaWithoutMask != (m.Model == ModelDallE2) {
			t.Errorf("%s: AlphaWithoutMask = %v", m.Model, m.EditImages.AlphaWithoutMask)
		}
	}
}

func TestModelsOrderAndLookup(t *testing.T) {
	want := []Model{ModelGPTImage26Sunburst, ModelGPTImage26Flare, ModelGPTImage25Sunburst, ModelGPTImage25Sunburst_20260908,
		ModelGPTImage25Flare, ModelGPTImage25Flare_20260908, ModelGPTImage2, ModelGPTImage2_20260421, ModelGPTImage15,
		ModelGPTImage1Mini, ModelChatGPTImageLatest, ModelGPTImage1, ModelDallE3, ModelDallE2}
	for range 3 {
		var got []Model
		for _, m := range Models() {
			got = append(got, m.Model)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Models() = %v, want %v", got, want)
		}
	}
	for _, name := range want {
		a, ok1 := LookupModel(name)
		b, ok2 := name.Info()
		if !ok1 || !ok2 || !reflect.DeepEqual(a, b) {
			t.Errorf("%s: LookupModel and Info disagree", name)
		}
	}
	for _, name := range []Model{"", "gpt-image-99", "DALL-E-2", "dall-e-2 ", "gpt-image-2-2026-04-22"} {
		if m, ok := LookupModel(name); ok || !reflect.DeepEqual(m, ModelInfo{}) {
			t.Errorf("LookupModel(%q) = %v, %v", name, m.Model, ok)
		}
	}
	var stream []Model
	for _, m := range ModelsSupporting(OpGenerateStream) {
		stream = append(stream, m.Model)
	}
	if !slices.Equal(stream, want[:12]) {
		t.Errorf("ModelsSupporting(OpGenerateStream) = %v", stream)
	}
	if v := ModelsSupporting(OpVary); len(v) != 1 || v[0].Model != ModelDallE2 {
		t.Errorf("ModelsSupporting(OpVary) = %v", v)
	}
	if ModelsSupporting("teleport") != nil {
		t.Error("unknown operation has supporters")
	}
}

// Callers get copies: changing any slice or field of a returned ModelInfo
// leaves the table as it was.
func TestModelInfoIsACopy(t *testing.T) {
	before := Models()
	for _, get := range []func() []ModelInfo{
		Models,
		func() []ModelInfo { return ModelsSupporting(OpEdit) },
		func() []ModelInfo {
			var out []ModelInfo
			for _, m := range before {
				got, _ := LookupModel(m.Model)
				out = append(out, got)
			}
			return out
		},
		func() []ModelInfo {
			var out []ModelInfo
			for _, m := range before {
				got, _ := m.Model.Info()
				out = append(out, got)
			}
			return out
		},
	} {
		got := get()
		for i := range got {
			vtScribble(t, reflect.ValueOf(&got[i]).Elem())
		}
		if after := Models(); !reflect.DeepEqual(after, before) {
			t.Fatal("mutating a returned ModelInfo changed the table")
		}
	}
}

// vtScribble overwrites every element of every slice reachable in v.
func vtScribble(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Unix(1, 0)))
			return
		}
		for i := range v.NumField() {
			vtScribble(t, v.Field(i))
		}
	case reflect.Slice:
		for i := range v.Len() {
			vtScribble(t, v.Index(i))
		}
	case reflect.String:
		v.SetString("scribbled")
	case reflect.Int, reflect.Int64:
		v.SetInt(-7)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	default:
		t.Fatalf("vtScribble: unhandled kind %s", v.Kind())
	}
}

func TestRetirementIsRecorded(t *testing.T) {
	d2, _ := LookupModel(ModelDallE2)
	d3, _ := LookupModel(ModelDallE3)
	g1, _ := LookupModel(ModelGPTImage1)
	g15, _ := LookupModel(ModelGPTImage15)
	day := func(s string) time.Time {
		tm, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		m    ModelInfo
		at   string
		want bool
	}{
		{d2, "2026-05-11", false}, {d2, "2026-05-12", true}, {d3, "2026-05-12", true}, {d3, "2026-01-01", false},
		{g1, "2026-10-22", false}, {g1, "2026-10-23", true}, {g15, "2099-01-01", false},
	}
	for _, tc := range cases {
		if got := tc.m.RetiredAt(day(tc.at)); got != tc.want {
			t.Errorf("%s.RetiredAt(%s) = %v", tc.m.Model, tc.at, got)
		}
	}
	if !strings.Contains(d2.Deprecation, "variations") || !strings.Contains(VariationsDeprecation, "/images/variations") {
		t.Errorf("variations retirement not recorded: %q / %q", d2.Deprecation, VariationsDeprecation)
	}
	for _, m := range []ModelInfo{d2, d3, g1} {
		if !strings.Contains(m.Deprecation, "OpenAI-compatible") {
			t.Errorf("%s: Deprecation = %q", m.Model, m.Deprecation)
		}
	}
}

func TestCustomSizeRule(t *testing.T) {
	m, _ := LookupModel(ModelGPTImage2)
	r := m.CustomSize
	cases := []struct {
		w, h int
		ok   bool
	}{
		{1536, 864, true}, {1024, 1024, true}, {3840, 2160, true}, {2160, 3840, true}, {2880, 2880, true},
		{3840, 1280, true}, {1280, 3840, true}, {16, 16, true}, {48, 16, true},
		{1000, 1000, false}, {1536, 870, false}, // not divisible by 16
		{3840, 1200, false}, {1200, 3840, false}, {64, 16, false}, // beyond 3:1
		{4096, 2160, false}, {3856, 2160, false}, // longer than 3840
		{2896, 2896, false}, {3840, 2176, false}, // more than 3840*2160 pixels
		{0, 16, false}, {-16, 16, false}, {1 << 40, 1 << 40, false}, {1 << 62, 16, false},
	}
	for _, tc := range cases {
		if got := r.Allows(tc.w, tc.h); got != tc.ok {
			t.Errorf("Allows(%d, %d) = %v, want %v (violations %v)", tc.w, tc.h, got, tc.ok, r.violations(tc.w, tc.h))
		}
		if got := m.AllowsSize(CustomSize(tc.w, tc.h)); tc.w > 0 && got != tc.ok {
			t.Errorf("AllowsSize(%dx%d) = %v", tc.w, tc.h, got)
		}
	}
	if (CustomSizeRule{}).Allows(1024, 1024) {
		t.Error("the zero rule allows a size")
	}
	if s := r.String(); !strings.Contains(s, "16") || !strings.Contains(s, "1:3") || !strings.Contains(s, "3840") {
		t.Errorf("String() = %q", s)
	}
	g15, _ := LookupModel(ModelGPTImage15)
	if g15.AllowsSize("1536x864") || !g15.AllowsSize(SizeAuto) || g15.AllowsSize("") {
		t.Error("gpt-image-1.5 AllowsSize")
	}
	if !m.AllowsSize(SizeAuto) || m.AllowsSize("auto ") || m.AllowsSize("1536X864") {
		t.Error("gpt-image-2 AllowsSize")
	}
}

// vtSpec is the vendored OpenAPI document, parsed as plain YAML.
type vtSpec struct{ root map[string]any }

func vtLoadSpec(t *testing.T) vtSpec {
	t.Helper()
	data, err := os.ReadFile("../gen/openapi.effective.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	return vtSpec{root}
}

// at walks a path of map keys and list indexes from components.schemas.
func (s vtSpec) at(t *testing.T, path ...any) any {
	t.Helper()
	var cur any = s.root["components"].(map[string]any)["schemas"]
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("spec path %v: %q is not in a map", path, k)
			}
			cur, ok = m[k]
			if !ok {
				t.Fatalf("spec path %v: no %q", path, k)
			}
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("spec path %v: no index %d", path, k)
			}
			cur = l[k]
		}
	}
	return cur
}

func (s vtSpec) int(t *testing.T, path ...any) int {
	t.Helper()
	return s.at(t, path...).(int)
}

// The table's numbers agree with the limits the effective spec states
// (models, enum values, request and response properties are checked in both
// directions by tests/surface_test.go; descriptions are prose and are not
// tested: each rule's source is cited in models.go).
func TestModelTableLimitsMatchSpec(t *testing.T) {
	spec := vtLoadSpec(t)
	for _, m := range Models() {
		name := string(m.Model)
		for _, schema := range []string{"CreateImageRequest", "CreateImageEditRequest", "CreateImageVariationRequest"} {
			if max := spec.int(t, schema, "properties", "n", "maximum"); m.MaxN > max {
				t.Errorf("%s: MaxN %d above %s.n maximum %d", name, m.MaxN, schema, max)
			}
		}
		if m.GPTImage {
			if got := spec.int(t, "PartialImages", "anyOf", 0, "maximum"); m.MaxPartialImages != got {
				t.Errorf("%s: MaxPartialImages %d, spec %d", name, m.MaxPartialImages, got)
			}
		}
		if m.Supports(OpEditJSON) {
			if got := spec.int(t, "EditImageBodyJsonParam", "properties", "prompt", "maxLength"); m.MaxPromptLength != got {
				t.Errorf("%s: MaxPromptLength %d, JSON edit maxLength %d", name, m.MaxPromptLength, got)
			}
		}
	}
	if got := spec.int(t, "CreateImageEditRequest", "properties", "image", "anyOf", 1, "maxItems"); got != maxEditImages {
		t.Errorf("multipart maxItems %d, validation uses %d", got, maxEditImages)
	}
	if got := spec.int(t, "EditImageBodyJsonParam", "properties", "images", "maxItems"); got != maxEditImages {
		t.Errorf("JSON maxItems %d, validation uses %d", got, maxEditImages)
	}
	if got := spec.int(t, "ImageRefParam", "properties", "image_url", "maxLength"); got != maxImageURLLength {
		t.Errorf("image_url maxLength %d, validation uses %d", got, maxImageURLLength)
	}

}
