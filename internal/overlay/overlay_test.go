package overlay

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const doc = `openapi: 3.1.0
components:
  schemas:
    A:
      properties:
        quality:
          type: string
          enum: [low, high]
        model:
          anyOf:
            - type: string
            - type: string
              enum: [m1]
    B:
      properties:
        model:
          type: string
`

func parseDoc(t *testing.T, s string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

func encode(t *testing.T, n *yaml.Node) string {
	t.Helper()
	b, err := yaml.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func parseOverlay(t *testing.T, s string) *Document {
	t.Helper()
	d, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestApplyUpdateAppendsEnumValuesOnce(t *testing.T) {
	root := parseDoc(t, doc)
	o := parseOverlay(t, `overlay: 1.0.0
info: {title: t, version: "1"}
actions:
  - target: $.components.schemas.A.properties.quality.enum
    description: new values
    update: [high, xhigh, max]
  - target: $.components.schemas['A'].properties.model.anyOf[1].enum
    description: new model
    update: m2
  - target: $.components.schemas.A.properties
    description: new property
    update:
      complexity: {type: string, enum: [low]}
`)
	if err := o.Apply(root); err != nil {
		t.Fatal(err)
	}
	want := parseDoc(t, `openapi: 3.1.0
components:
  schemas:
    A:
      properties:
        quality:
          type: string
          enum: [low, high, xhigh, max]
        model:
          anyOf:
            - type: string
            - type: string
              enum: [m1, m2]
        complexity: {type: string, enum: [low]}
    B:
      properties:
        model:
          type: string
`)
	if !Equal(root, want) {
		t.Fatalf("got\n%s\nwant\n%s", encode(t, root), encode(t, want))
	}
	// Applied again, nothing changes, and every action is redundant.
	if got := o.Redundant(root); len(got) != 3 {
		t.Fatalf("redundant = %d actions, want 3", len(got))
	}
	before := encode(t, root)
	if err := o.Apply(root); err != nil {
		t.Fatal(err)
	}
	if after := encode(t, root); after != before {
		t.Fatalf("second apply changed the document:\n%s", after)
	}
}

func TestRedundantIsPartialAware(t *testing.T) {
	root := parseDoc(t, doc)
	o := parseOverlay(t, `overlay: 1.0.0
info: {title: t, version: "1"}
actions:
  - target: $.components.schemas.A.properties.quality.enum
    description: one old value, one new
    update: [high, max]
  - target: $.components.schemas.A.properties.quality.enum
    description: old values only
    update: [low]
  - target: $.components.schemas.A.properties.quality
    description: a changed scalar
    update: {type: integer}
  - target: $.components.schemas.A.properties.gone
    description: removing what is not there
    remove: true
  - target: $.components.schemas.Nope
    description: no target
    update: {x: 1}
`)
	got := o.Redundant(root)
	var names []string
	for _, a := range got {
		names = append(names, a.Description)
	}
	if strings.Join(names, ",") != "old values only,removing what is not there" {
		t.Fatalf("redundant = %q", names)
	}
}

func TestApplyWildcardAndRemove(t *testing.T) {
	root := parseDoc(t, doc)
	o := parseOverlay(t, `overlay: 1.0.0
info: {title: t, version: "1"}
actions:
  - target: $.components.schemas.*.properties.model
    description: every model property
    update: {x-go-type: string}
  - target: $.components.schemas.A.properties.quality.enum[0]
    description: drop the first value
    remove: true
`)
	if err := o.Apply(root); err != nil {
		t.Fatal(err)
	}
	out := encode(t, root)
	if strings.Count(out, "x-go-type: string") != 2 {
		t.Errorf("wildcard update reached %d model properties, want 2:\n%s", strings.Count(out, "x-go-type"), out)
	}
	if strings.Contains(out, "- low") || strings.Contains(out, "[low") {
		t.Errorf("enum[0] not removed:\n%s", out)
	}
}

func TestApplyReportsEveryUnmatchedAction(t *testing.T) {
	root := parseDoc(t, doc)
	o := parseOverlay(t, `overlay: 1.0.0
info: {title: t, version: "1"}
actions:
  - target: $.components.schemas.Renamed.properties
    description: first
    update: {a: 1}
  - target: $.components.schemas.A.properties
    description: applies
    update: {b: {type: string}}
  - target: $.components.schemas.Gone
    description: second
    remove: true
`)
	err := o.Apply(root)
	var ue *UnmatchedError
	if !errors.As(err, &ue) || len(ue.Actions) != 2 {
		t.Fatalf("err = %v, want both unmatched actions", err)
	}
	if !strings.Contains(err.Error(), "Renamed") || !strings.Contains(err.Error(), "Gone") {
		t.Errorf("message %q does not name both targets", err)
	}
	if !strings.Contains(encode(t, root), "b:") {
		t.Error("the matching action was not applied")
	}
}

func TestParseRefusesWhatItCannotApply(t *testing.T) {
	for name, src := range map[string]string{
		"version":        "overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: []\n",
		"filter":         "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a[?(@.b)]\n    update: {}\n",
		"recursive":      "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $..a\n    update: {}\n",
		"no $":           "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: a.b\n    update: {}\n",
		"both":           "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n    update: {}\n    remove: true\n",
		"neither":        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n",
		"unknown field":  "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n    updat: {}\n",
		"unterminated":   "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $['a\n    update: {}\n",
		"negative index": "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a[-1]\n    update: {}\n",
	} {
		if _, err := Parse([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
