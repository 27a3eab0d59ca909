package specdrift

import (
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/internal/overlay"
	"github.com/imagegen-go/openai-images/internal/specsubset"
)

// base is a small subset with what the report distinguishes: a model enum,
// a value enum, a multipart body, a JSON response and a stream of events.
const base = `openapi: 3.1.0
info:
  title: t
  version: 1.0.0
  x-subset-of:
    source-version: 1.0.0
    source-sha256: aaaaaaaaaaaaaaaaaaaaaaaa
paths:
  /images/generations:
    post:
      operationId: createImage
      requestBody:
        content:
          application/json:
            schema:
              $ref: "#/components/schemas/CreateImageRequest"
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/ImagesResponse"
            text/event-stream:
              schema:
                anyOf:
                  - $ref: "#/components/schemas/ImageGenCompletedEvent"
  /images/edits:
    post:
      operationId: createImageEdit
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                image:
                  type: string
                  format: binary
                prompt:
                  type: string
      responses:
        "200":
          description: ok
components:
  schemas:
    CreateImageRequest:
      type: object
      properties:
        prompt:
          type: string
        model:
          anyOf:
            - type: string
            - type: string
              enum: [m1, m2]
        quality:
          type: string
          enum: [low, high]
        svg:
          type: object
          properties:
            model:
              type: string
    ImagesResponse:
      type: object
      properties:
        created:
          type: integer
        data:
          type: array
          items:
            type: object
            properties:
              b64_json:
                type: string
    ImageGenCompletedEvent:
      type: object
      properties:
        type:
          type: string
          enum: [image_generation.completed]
        b64_json:
          type: string
`

func edit(t *testing.T, doc string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(doc, pairs[i]) {
			t.Fatalf("fixture lacks %q", pairs[i])
		}
		doc = strings.Replace(doc, pairs[i], pairs[i+1], 1)
	}
	return doc
}

func compare(t *testing.T, a, b string, opts Options) string {
	t.Helper()
	r, err := Compare([]byte(a), []byte(b), opts)
	if err != nil {
		t.Fatal(err)
	}
	return r.String()
}

func TestDescribe(t *testing.T) {
	s, err := Describe([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	req := s.Locations["createImage request application/json"]
	if req == nil || !req.Properties["model"].Open || strings.Join(req.Properties["model"].Enum, ",") != "m1,m2" {
		t.Fatalf("model property = %+v", req.Properties["model"])
	}
	if req.Properties["svg.model"] == nil || req.Properties["svg.model"].IsModel() {
		t.Error("svg.model: want a property that is not an image model")
	}
	if p := s.Locations["createImageEdit request multipart/form-data"].Properties["image"]; p == nil || !p.Binary {
		t.Errorf("multipart image = %+v", p)
	}
	if resp := s.Locations["createImage response"]; resp == nil || resp.Properties["data[].b64_json"] == nil {
		t.Errorf("response paths = %v", resp.Paths())
	}
	if s.Events["image_generation.completed"] != "event image_generation.completed" {
		t.Errorf("events = %v", s.Events)
	}
	if s.Version != "1.0.0" || s.Operations["createImage"] != "POST /images/generations" {
		t.Errorf("version %q, operations %v", s.Version, s.Operations)
	}
}

func TestCompareNamesEachKindOfChange(t *testing.T) {
	places := &Config{Places: map[string]string{
		"model":                "the model table",
		"value":                "the per-model values",
		"createImage request":  "GenerateParams",
		"createImage response": "ImagesResponse",
		"event":                "the stream events",
	}}
	next := edit(t, base,
		"enum: [m1, m2]", "enum: [m2, m3]",
		"enum: [low, high]", "enum: [low, high, ultra]",
		"        svg:\n", "        frames:\n          type: integer\n        svg:\n",
		"              b64_json:\n                type: string\n    ImageGenCompletedEvent", "              b64_json:\n                type: string\n        svg_usage:\n          type: object\n          properties:\n            model:\n              type: string\n    ImageGenCompletedEvent",
		"                  - $ref: \"#/components/schemas/ImageGenCompletedEvent\"", "                  - $ref: \"#/components/schemas/ImageGenCompletedEvent\"\n                  - $ref: \"#/components/schemas/ImageGenFailedEvent\"",
		"    ImageGenCompletedEvent:", "    ImageGenFailedEvent:\n      type: object\n      properties:\n        type:\n          type: string\n          enum: [image_generation.failed]\n    ImageGenCompletedEvent:",
		"                prompt:\n                  type: string\n      responses", "      responses",
		"source-sha256: aaaaaaaaaaaaaaaaaaaaaaaa", "source-sha256: bbbbbbbbbbbbbbbbbbbbbbbb",
	)
	out := compare(t, base, next, Options{Places: places})
	for _, want := range []string{
		"spec drift: 1.0.0 (sha256 aaaaaaaaaaaa) -> 1.0.0 (sha256 bbbbbbbbbbbb)",
		"Models\n  + m3 (createImage request application/json)\n      -> the model table\n  - m1 (createImage request application/json)",
		"Values\n  + createImage request application/json quality: ultra\n      -> the per-model values; GenerateParams",
		"  + createImage request application/json: frames\n      -> GenerateParams",
		"  - createImageEdit request multipart/form-data: prompt",
		"  + createImage response: svg_usage.model\n      -> ImagesResponse",
		"  + image_generation.failed (new event type)\n      -> the stream events",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestCompareWithoutChange(t *testing.T) {
	// Prose is not surface: a reworded description is no change.
	next := edit(t, base, "    CreateImageRequest:\n      type: object", "    CreateImageRequest:\n      description: Reworded.\n      type: object")
	if out := compare(t, base, next, Options{}); !strings.Contains(out, "no change to the surface") {
		t.Fatalf("report:\n%s", out)
	}
}

// A renamed pinned schema reads as a rename that needs nothing, not as a
// removed and an added location.
func TestCompareRenamedPin(t *testing.T) {
	pins := []specsubset.Pin{{Name: "ImagesResponse", At: "createImage response 200 application/json"}}
	next := strings.ReplaceAll(base, "ImagesResponse", "ImageResponse")
	out := compare(t, base, next, Options{Pins: pins})
	if !strings.Contains(out, "~ ImagesResponse: upstream now calls it ImageResponse (was ImagesResponse)") ||
		!strings.Contains(out, "the pin in specsubset.yaml keeps the Go name ImagesResponse") {
		t.Fatalf("report:\n%s", out)
	}
	if strings.Contains(out, "Response properties") {
		t.Errorf("the rename shows as property changes:\n%s", out)
	}
}

// Facts of newer.yaml that the new upstream has are reported for removal.
func TestCompareReportsRedundantNewerFacts(t *testing.T) {
	newer, err := overlay.Parse([]byte(`overlay: 1.0.0
info: {title: t, version: "1"}
actions:
  - target: $.components.schemas.CreateImageRequest.properties.quality.enum
    description: quality ultra
    update: [ultra]
`))
	if err != nil {
		t.Fatal(err)
	}
	next := edit(t, base, "enum: [low, high]", "enum: [low, high, ultra]")
	out := compare(t, base, next, Options{Newer: newer})
	if !strings.Contains(out, "Newer-than-spec facts\n  = now upstream: quality ultra") {
		t.Fatalf("report:\n%s", out)
	}
	// Against a spec where the fact's target is gone, the report says so.
	gone := edit(t, base, "        quality:\n          type: string\n          enum: [low, high]\n", "")
	if out := compare(t, base, gone, Options{Newer: newer}); !strings.Contains(out, "! ") || !strings.Contains(out, "match nothing") {
		t.Fatalf("report:\n%s", out)
	}
}

func TestParseConfigNeedsReasons(t *testing.T) {
	if _, err := ParseConfig([]byte("unmapped:\n  - {location: a, property: b}\n")); err == nil {
		t.Error("an unmapped entry without a reason was accepted")
	}
	c, err := ParseConfig([]byte("places: {model: table}\nunmapped:\n  - {location: a, property: b, reason: r}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range [][3]string{{"a", "b", ""}, {"a", "b", "v"}, {"a", "b.c", ""}, {"a", "b[].c", ""}} {
		if _, ok := c.IsUnmapped(q[0], q[1], q[2]); !ok {
			t.Errorf("IsUnmapped%v = false", q)
		}
	}
	for _, q := range [][3]string{{"a", "bc", ""}, {"x", "b", ""}} {
		if _, ok := c.IsUnmapped(q[0], q[1], q[2]); ok {
			t.Errorf("IsUnmapped%v = true", q)
		}
	}
}
