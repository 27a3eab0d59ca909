package prism

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	openaiimages "github.com/imagegen-go/openai-images"
)

// TestPrismFailureModes records, against Prism 5.16 itself, why the suite
// feeds Prism a derived spec rather than openapi.yaml as it is. Each subtest
// runs a Prism of its own (they start in parallel with the other tests).
//
// If a Prism upgrade makes a case here fail, Prism has changed: the matching
// change in Derive may no longer be needed. Update both together.
func TestPrismFailureModes(t *testing.T) {
	needPrism(t)
	img := pngImage(t, 64, true)
	file := func(name string) part { return part{name: name, file: img} }
	field := func(name, value string) part { return part{name: name, value: value} }

	// On the vendored spec as it is, compiling the body schemas of
	// generations, multipart edits and variations throws in Ajv
	// (`"nullable" cannot be used without "type"`, from the anyOf-typed
	// model and size properties); Prism swallows the exception and
	// validates nothing, answering 200 to anything. The JSON edit body
	// (EditImageBodyJsonParam) has no `nullable`, so it alone is
	// validated.
	t.Run("original spec validates nothing", func(t *testing.T) {
		t.Parallel()
		_, changes, err := Derive(openaiimages.OpenAPISpec())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(changes, func(c string) bool { return strings.Contains(c, "nullable without type") }) {
			t.Skip("the vendored spec has no nullable schema without type any more: this failure mode is gone")
		}
		srv := startOn(t, openaiimages.OpenAPISpec())
		for _, c := range []rawCase{
			{name: "generate/n string, no prompt", path: "/images/generations", json: map[string]any{"n": "x"}, status: 200},
			{name: "generate/quality not in enum", path: "/images/generations", json: map[string]any{"prompt": "an otter", "quality": "not-a-quality"}, status: 200},
			{name: "edit multipart/no image", path: "/images/edits", parts: []part{field("prompt", "a hat")}, status: 200},
			{name: "variation/no image", path: "/images/variations", parts: []part{field("response_format", "not-a-format")}, status: 200},
			{name: "edit json/no images (validated: no nullable)", path: "/images/edits", json: map[string]any{"prompt": "a hat"}, status: 422, violation: "required property 'images'"},
		} {
			t.Run(c.name, func(t *testing.T) { c.check(t, c.run(t, srv.URL)) })
		}
	})

	// With nullable rewritten but no `image[]` alias, Prism keeps only
	// parts named like schema properties: an edit of several images sent
	// as repeated `image[]` parts (the official SDKs' layout, which the
	// wrapper follows) is rejected for lacking `image`. Repeated `image`
	// parts pass, collapsed to the last one.
	t.Run("image[] parts need the alias", func(t *testing.T) {
		t.Parallel()
		spec, _, err := derive(openaiimages.OpenAPISpec(), false)
		if err != nil {
			t.Fatal(err)
		}
		srv := startOn(t, spec)
		for _, c := range []rawCase{
			{name: "image[] parts", path: "/images/edits", parts: []part{field("prompt", "a hat"), file("image[]"), file("image[]")}, status: 422, violation: "required property 'image'"},
			{name: "repeated image parts", path: "/images/edits", parts: []part{field("prompt", "a hat"), file("image"), file("image")}, status: 200},
		} {
			t.Run(c.name, func(t *testing.T) { c.check(t, c.run(t, srv.URL)) })
		}
	})
}

// startOn runs a Prism of its own on spec for the rest of the test.
func startOn(t *testing.T, spec []byte) *Server {
	t.Helper()
	path := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(path, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := Start(suite.bin, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}
