package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// workspace copies what the tool reads into a temporary directory, makes it
// the working directory, and returns the upstream document's bytes.
func workspace(t *testing.T) []byte {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range []string{"specsubset.yaml", "newer.yaml", "surface.yaml", "openapi.yaml", VendoredUpstream} {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	up, _ := os.ReadFile(VendoredUpstream)
	return up
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// The same upstream under another name and place updates nothing: the
// output depends on the document, not on its file name.
func TestUpdateWithTheSameFileUnderAnotherName(t *testing.T) {
	up := workspace(t)
	before := read(t, "openapi.yaml")
	other := filepath.Join(t.TempDir(), "downloaded copy.yaml")
	if err := os.WriteFile(other, up, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"update", other}, &out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, "openapi.yaml"), before) {
		t.Error("openapi.yaml changed")
	}
	if !bytes.Equal(read(t, VendoredUpstream), up) {
		t.Error("the vendored upstream changed")
	}
	if !strings.Contains(out.String(), "no change to the surface") {
		t.Errorf("report:\n%s", out.String())
	}
}

// An update vendors the new upstream and rewrites openapi.yaml from it, so
// that re-extracting from the vendored copy (make check-generated) keeps
// the update, and prints what changed.
func TestUpdateVendorsAndReports(t *testing.T) {
	up := workspace(t)
	// A new quality value in generations (a name no real spec will have,
	// so that the test does not depend on what the vendored spec holds).
	const anchor = "            - standard\n            - hd\n"
	if !bytes.Contains(up, []byte(anchor)) {
		t.Fatal("upstream layout changed: cannot find the generation quality enum")
	}
	edited := bytes.Replace(up, []byte(anchor), []byte(anchor+"            - drift-test-quality\n"), 1)
	newFile := filepath.Join(t.TempDir(), "new.yaml")
	if err := os.WriteFile(newFile, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"update", newFile}, &out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, VendoredUpstream), edited) {
		t.Error("the new upstream was not vendored")
	}
	if !bytes.Contains(read(t, "openapi.yaml"), []byte("- drift-test-quality")) {
		t.Error("openapi.yaml lacks the new value")
	}
	if !strings.Contains(out.String(), "+ createImage request application/json quality: drift-test-quality") {
		t.Errorf("report:\n%s", out.String())
	}
	// Extracting again from the vendored copy (what make check-generated
	// does) gives the updated openapi.yaml, not the old one.
	after := read(t, "openapi.yaml")
	if err := run([]string{"extract", "-o", "again.yaml"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, "again.yaml"), after) {
		t.Error("re-extracting from the vendored copy reverted the update")
	}
}

// drift prints the report and writes nothing.
func TestDriftWritesNothing(t *testing.T) {
	up := workspace(t)
	before := read(t, "openapi.yaml")
	edited := bytes.Replace(up, []byte("                - gpt-image-1-mini\n"), []byte("                - gpt-image-1-mini\n                - drift-test-model\n"), 1)
	newFile := filepath.Join(t.TempDir(), "new.yaml")
	if err := os.WriteFile(newFile, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"drift", newFile}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "+ drift-test-model (") {
		t.Errorf("report:\n%s", out.String())
	}
	if !bytes.Equal(read(t, "openapi.yaml"), before) || !bytes.Equal(read(t, VendoredUpstream), up) {
		t.Error("drift wrote a file")
	}
}

// A refused upstream leaves every file as it was, with one clear error.
func TestRefusedUpdateWritesNothing(t *testing.T) {
	up := workspace(t)
	before := read(t, "openapi.yaml")
	for name, doc := range map[string][]byte{
		"openapi 3.0":   bytes.Replace(up, []byte("openapi: 3.1.0"), []byte("openapi: 3.0.3"), 1),
		"schema gone":   bytes.ReplaceAll(up, []byte("ImageGenTool:"), []byte("ImageGenerationTool:")),
		"not yaml":      []byte("{{{"),
		"no operations": []byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"),
	} {
		t.Run(name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "new.yaml")
			if err := os.WriteFile(f, doc, 0o644); err != nil {
				t.Fatal(err)
			}
			err := run([]string{"update", f}, &bytes.Buffer{})
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Count(err.Error(), "specsubset: ") != 1 {
				t.Errorf("error %q: want one prefix", err)
			}
			if !bytes.Equal(read(t, "openapi.yaml"), before) || !bytes.Equal(read(t, VendoredUpstream), up) {
				t.Error("a refused update wrote a file")
			}
		})
	}
}

func TestUsage(t *testing.T) {
	workspace(t)
	for _, args := range [][]string{{"nope"}, {"update", "a", "b"}, {"extract", "-bogus"}} {
		err := run(args, &bytes.Buffer{})
		var u usageError
		if err == nil || !asUsage(err, &u) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
}

func asUsage(err error, u *usageError) bool {
	e, ok := err.(usageError)
	if ok {
		*u = e
	}
	return ok
}
