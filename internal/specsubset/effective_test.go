package specsubset

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/internal/overlay"
)

var fixturePins = []Pin{
	{Name: "CreateImageRequest", At: "createImage request application/json"},
	{Name: "ImagesResponse", At: "createImage response 200 application/json"},
	{Name: "ImageRefParam", At: "EditImageBodyJsonParam /properties/images/items"},
	{Name: "EditImageBodyJsonParam", At: "createImageEdit request application/json"},
}

func subsetOf(t *testing.T, up []byte) []byte {
	t.Helper()
	out, err := Extract(up, imagesConfig)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Pins keep the names of renamed schemas, and rename every reference.
func TestEffectivePinsFollowRenames(t *testing.T) {
	up := readFixture(t)
	renamed := bytes.ReplaceAll(up, []byte("ImagesResponse"), []byte("ImageResponse"))
	renamed = bytes.ReplaceAll(renamed, []byte("ImageRefParam"), []byte("ImageReference"))
	res, err := Effective(subsetOf(t, renamed), fixturePins, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, res.Document)
	for _, name := range []string{"ImagesResponse", "ImageRefParam", "CreateImageRequest"} {
		if dig(doc, "components", "schemas", name) == nil {
			t.Errorf("pinned schema %s missing from the effective document", name)
		}
	}
	for _, gone := range []string{"ImageResponse", "ImageReference"} {
		if dig(doc, "components", "schemas", gone) != nil {
			t.Errorf("upstream name %s still in the effective document", gone)
		}
		if bytes.Contains(res.Document, []byte("schemas/"+gone+"\"")) {
			t.Errorf("a $ref to %s is left", gone)
		}
	}
	if res.Renamed["ImagesResponse"] != "ImageResponse" || res.Renamed["ImageRefParam"] != "ImageReference" {
		t.Errorf("renamed = %v", res.Renamed)
	}
	if _, ok := res.Renamed["CreateImageRequest"]; ok {
		t.Error("CreateImageRequest reported renamed")
	}
}

// An inline schema at a pin is hoisted into components under the pinned
// name, so the generator names it as it named the component.
func TestEffectivePinsHoistInlineSchemas(t *testing.T) {
	sub := []byte(`openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /batches:
    post:
      operationId: createBatch
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                endpoint: {type: string, enum: [/v1/images/generations]}
      responses:
        "200":
          description: ok
`)
	res, err := Effective(sub, []Pin{{Name: "CreateBatchRequest", At: "createBatch request application/json"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, res.Document)
	if dig(doc, "components", "schemas", "CreateBatchRequest", "properties", "endpoint") == nil {
		t.Fatalf("not hoisted:\n%s", res.Document)
	}
	if ref := dig(doc, "paths", "/batches", "post", "requestBody", "content", "application/json", "schema", "$ref"); ref != "#/components/schemas/CreateBatchRequest" {
		t.Errorf("body schema ref = %v", ref)
	}
	if name, ok := res.Renamed["CreateBatchRequest"]; !ok || name != "" {
		t.Errorf("renamed = %v, want CreateBatchRequest reported as hoisted from an inline schema", res.Renamed)
	}
}

// Every pin problem is reported at once.
func TestEffectiveReportsEveryBadPin(t *testing.T) {
	sub := subsetOf(t, readFixture(t))
	_, err := Effective(sub, []Pin{
		{Name: "A", At: "noSuchOperation request application/json"},
		{Name: "ImagesResponse", At: "createImage request application/json"},
		{Name: "C", At: "CreateImageRequest /properties/nope"},
		{Name: "D", At: "gibberish"},
	}, nil)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"pin A", "no operation noSuchOperation", "pin ImagesResponse", "also has a different schema called ImagesResponse", "pin C", `nothing at "nope"`, "pin D"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// Newer-than-spec facts apply after the pins; facts upstream already has
// are reported redundant; facts with no target fail the build with every
// one named.
func TestEffectiveNewerFacts(t *testing.T) {
	sub := subsetOf(t, readFixture(t))
	newer, err := overlay.Parse([]byte(`overlay: 1.0.0
info: {title: t, version: "1"}
actions:
  - target: $.components.schemas.CreateImageRequest.properties.quality.enum
    description: quality xhigh
    update: [xhigh]
  - target: $.components.schemas.CreateImageRequest.properties.quality.enum
    description: quality high (already upstream)
    update: [high]
`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Effective(sub, fixturePins, newer)
	if err != nil {
		t.Fatal(err)
	}
	q := dig(decode(t, res.Document), "components", "schemas", "CreateImageRequest", "properties", "quality", "enum").([]any)
	if q[len(q)-1] != "xhigh" {
		t.Errorf("quality enum = %v, want xhigh appended", q)
	}
	if len(res.Redundant) != 1 || res.Redundant[0].Description != "quality high (already upstream)" {
		t.Errorf("redundant = %v", res.Redundant)
	}

	stale, err := overlay.Parse([]byte(`overlay: 1.0.0
info: {title: t, version: "1"}
actions:
  - target: $.components.schemas.CreateImageRequest.properties.gone.enum
    description: first stale fact
    update: [x]
  - target: $.components.schemas.Nope
    description: second stale fact
    update: {a: 1}
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Effective(sub, fixturePins, stale)
	var ue *overlay.UnmatchedError
	if !errors.As(err, &ue) || len(ue.Actions) != 2 {
		t.Fatalf("err = %v, want both stale facts", err)
	}
}

// The repository's own pins and newer.yaml apply to the repository's own
// openapi.yaml (make generate would fail otherwise, but this says which),
// every fact cites its source, and none is already upstream. (An upstream
// rename of a pinned schema is fine: the pin keeps the Go name.)
func TestRepositoryPinsAndFactsApply(t *testing.T) {
	cfg, err := LoadConfig("../../specsubset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../../newer.yaml")
	if err != nil {
		t.Fatal(err)
	}
	newer, err := overlay.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range newer.Actions {
		if len(a.Source) == 0 || a.Description == "" {
			t.Errorf("newer.yaml action %d (%s) lacks a description or an x-source", i+1, a.Target)
		}
	}
	res, err := Effective(sub, cfg.Pins, newer)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Redundant {
		t.Errorf("newer.yaml: %q is already in openapi.yaml: remove the action", a.Description)
	}
}
