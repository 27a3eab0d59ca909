package specupdate

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/imagegen-go/openai-images/internal/overlay"
	"github.com/imagegen-go/openai-images/internal/specdrift"
	"github.com/imagegen-go/openai-images/internal/specsubset"
)

// repoRoot is the module root.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

type pipeline struct {
	t     *testing.T
	root  string
	cfg   specsubset.Config
	newer *overlay.Document
	surf  *specdrift.Config
}

func newPipeline(t *testing.T) *pipeline {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the generator and builds the module")
	}
	root := repoRoot(t)
	cfg, err := specsubset.LoadConfig(filepath.Join(root, "specsubset.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "newer.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	newer, err := overlay.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	surf, err := specdrift.LoadConfig(filepath.Join(root, "surface.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline{t: t, root: root, cfg: cfg, newer: newer, surf: surf}
}

// generate runs the pinned generator, with the repository's configuration
// and overlay.yaml, on an effective document and returns the Go file.
func (p *pipeline) generate(effective []byte) []byte {
	t := p.t
	t.Helper()
	dir := t.TempDir()
	spec := filepath.Join(dir, "effective.yaml")
	if err := os.WriteFile(spec, effective, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(p.root, "oapi-codegen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "images.gen.go")
	cfg = bytes.Replace(cfg, []byte("output: gen/images.gen.go"), []byte("output: "+out), 1)
	cfg = bytes.Replace(cfg, []byte("path: overlay.yaml"), []byte("path: "+filepath.Join(p.root, "overlay.yaml")), 1)
	cfgPath := filepath.Join(dir, "oapi-codegen.yaml")
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "oapi-codegen", "-config", cfgPath, spec)
	cmd.Dir = p.root
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, msg)
	}
	code, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// typeCheck builds every package of the module, tests included, with
// gen/images.gen.go replaced by code, and returns the compiler's complaints.
func (p *pipeline) typeCheck(code []byte) (string, error) {
	t := p.t
	t.Helper()
	dir := t.TempDir()
	genFile := filepath.Join(dir, "images.gen.go")
	if err := os.WriteFile(genFile, code, 0o644); err != nil {
		t.Fatal(err)
	}
	ov, _ := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(p.root, "gen", "images.gen.go"): genFile}})
	ovPath := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ovPath, ov, 0o644); err != nil {
		t.Fatal(err)
	}
	// go vet type-checks test files as well; -atomic alone keeps the
	// analysis to one cheap analyzer.
	cmd := exec.Command("go", "vet", "-overlay="+ovPath, "-atomic", "./...")
	cmd.Dir = p.root
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// stripNote drops info.x-subset-of, which records the digest of the
// document extracted from.
func stripNote(t *testing.T, doc []byte) []byte {
	t.Helper()
	return regexp.MustCompile(`(?s)\n  x-subset-of:.*?\n(servers|security|tags|paths):`).ReplaceAll(doc, []byte("\n$1:"))
}

// TestHistoryReplay replays four consecutive image-relevant versions of the
// official spec, as make spec and make generate would: each extracts to
// itself, gets its effective document (pins and newer facts apply), is
// generated, and the whole module, tests included, builds against it; the
// drift report of each step names what upstream changed.
func TestHistoryReplay(t *testing.T) {
	p := newPipeline(t)
	files, err := filepath.Glob("testdata/history/*.yaml")
	if err != nil || len(files) < 4 {
		t.Fatalf("history fixtures: %v %v", files, err)
	}
	slices.Sort(files)
	// What the drift report must say of each step (facts of the spec's
	// history, so fixed here): lines the report contains.
	want := map[string][]string{
		"1-2026-08-14-2329a663.yaml": {
			"Stream events",
			"+ event response.image_generation_call.partial_image: background",
			"+ event response.image_generation_call.partial_image: size",
		},
		"2-2026-08-20-b8d775d8.yaml": {
			"Models",
			"+ gpt-image-2 (createImage request application/json; createImageEdit request application/json; createImageEdit request multipart/form-data; schema ImageGenTool)",
			"+ gpt-image-2-2026-04-21 (",
			"-> the model table, wrapper/models.go",
		},
		"3-2026-08-20-e68e9beb.yaml": {"no change to the surface the handwritten code uses"},
		"4-2026-08-20-010421dc.yaml": {"no change to the surface the handwritten code uses"},
	}
	var prev []byte
	for i, f := range files {
		name := filepath.Base(f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			// The state before the replay: the baseline of the first
			// step's drift report. (The handwritten code has since learned
			// what step 1 added, so it is not built.)
			prev = data
			continue
		}
		t.Run(name, func(t *testing.T) {
			p.t = t
			sub, err := specsubset.Extract(data, p.cfg)
			if err != nil {
				t.Fatalf("extract: %v", err)
			}
			if !bytes.Equal(stripNote(t, sub), stripNote(t, data)) {
				t.Fatal("the fixture does not extract to itself")
			}
			report, err := specdrift.Compare(prev, sub, specdrift.Options{Pins: p.cfg.Pins, Places: p.surf})
			if err != nil {
				t.Fatal(err)
			}
			text := report.String()
			for _, w := range want[name] {
				if !strings.Contains(text, w) {
					t.Errorf("drift report lacks %q:\n%s", w, text)
				}
			}
			res, err := specsubset.Effective(sub, p.cfg.Pins, p.newer)
			if err != nil {
				t.Fatalf("effective document: %v", err)
			}
			code := p.generate(res.Document)
			if out, err := p.typeCheck(code); err != nil {
				t.Fatalf("the module does not build against this version: %v\n%s", err, out)
			}
			t.Logf("%s\n%s", name, text)
		})
		prev = data
	}
}

// TestSeamUsesOnlyPinnedNames builds the module against a generated client
// in which every component schema that is not pinned has another name (as
// an upstream rename would give it). Handwritten code that names an
// unpinned generated type fails to compile here, and the test says which.
func TestSeamUsesOnlyPinnedNames(t *testing.T) {
	p := newPipeline(t)
	sub, err := os.ReadFile(filepath.Join(p.root, "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := specsubset.Effective(sub, p.cfg.Pins, p.newer)
	if err != nil {
		t.Fatal(err)
	}
	pinned := map[string]bool{}
	for _, pin := range p.cfg.Pins {
		pinned[pin.Name] = true
	}
	renamed, names := renameUnpinned(t, res.Document, pinned)
	if len(names) < 5 {
		t.Fatalf("only %d unpinned schemas renamed: %v", len(names), names)
	}
	code := p.generate(renamed)
	out, err := p.typeCheck(code)
	if err != nil {
		var uses []string
		for _, m := range regexp.MustCompile(`(\S+\.go:\d+:\d+): undefined: gen\.(\w+)`).FindAllStringSubmatch(out, -1) {
			if u := m[1] + ": gen." + m[2]; !slices.Contains(uses, u) {
				uses = append(uses, u)
			}
		}
		t.Fatalf("handwritten code uses generated names that no pin keeps stable (pin their schema in specsubset.yaml, or use a pinned name):\n%s\n\n%s", strings.Join(uses, "\n"), out)
	}
}

// renameUnpinned gives every unpinned component schema a new name and
// rewrites the references to it.
func renameUnpinned(t *testing.T, doc []byte, pinned map[string]bool) ([]byte, []string) {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		t.Fatal(err)
	}
	var schemas *yaml.Node
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "components" {
			c := top.Content[i+1]
			for j := 0; j+1 < len(c.Content); j += 2 {
				if c.Content[j].Value == "schemas" {
					schemas = c.Content[j+1]
				}
			}
		}
	}
	if schemas == nil {
		t.Fatal("no component schemas")
	}
	var names []string
	for i := 0; i+1 < len(schemas.Content); i += 2 {
		name := schemas.Content[i].Value
		if !pinned[name] {
			names = append(names, name)
			schemas.Content[i].Value = name + "Upstream"
		}
	}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "$ref" {
					if name, ok := strings.CutPrefix(n.Content[i+1].Value, "#/components/schemas/"); ok && slices.Contains(names, name) {
						n.Content[i+1].Value += "Upstream"
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
	out, err := yaml.Marshal(&root)
	if err != nil {
		t.Fatal(err)
	}
	return out, names
}
