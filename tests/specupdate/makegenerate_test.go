package specupdate

import (
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// copyRepo copies the module (not .git, node_modules or demo output) into
// a temporary directory.
func copyRepo(t *testing.T, root string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch rel {
			case ".git", "node_modules", "out", "bench":
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(filepath.Join(dst, rel))
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// An upstream that removes a request property the wrapper sends (here
// createImage's moderation) cannot be absorbed by a pin: the generated field
// and its enum type are gone. make generate then fails with one message
// that says so and lists the handwritten lines to change, rather than
// leaving make test to fail with compiler output.
func TestMakeGenerateNamesWhatNoLongerBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make generate and builds the module")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	dir := copyRepo(t, repoRoot(t))
	spec := filepath.Join(dir, "openapi.yaml")
	data, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	// Drop CreateImageRequest.properties.moderation, as an edited upstream
	// extracted by make spec would.
	section := regexp.MustCompile(`(?s)\n    CreateImageRequest:\n.*?\n    [A-Za-z]`).FindIndex(data)
	if section == nil {
		t.Fatal("no CreateImageRequest in openapi.yaml")
	}
	body := string(data[section[0]:section[1]])
	prop := regexp.MustCompile(`(?s)\n        moderation:\n.*?(\n        [a-z_]+:\n|\n      [a-z])`).FindStringSubmatchIndex(body)
	if prop == nil {
		t.Fatal("no moderation property in CreateImageRequest")
	}
	edited := body[:prop[0]] + body[prop[2]:]
	data = append(append(append([]byte{}, data[:section[0]]...), edited...), data[section[1]:]...)
	if err := os.WriteFile(spec, data, 0o644); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command("make", "generate")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	text := string(out)
	if err == nil {
		t.Fatalf("make generate passed with a property the wrapper sends removed:\n%s", text)
	}
	for _, want := range []string{
		"make generate: gen/ now follows openapi.yaml, but the handwritten code no longer builds against it:",
		"wrapper/generate.go:",
		"Moderation",
		"the drift report of make spec names each change",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("make generate's output lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "make generate:") != 1 {
		t.Errorf("not one message:\n%s", text)
	}
	gen, err := os.ReadFile(filepath.Join(dir, "gen", "images.gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(gen), "CreateImageRequestModeration") {
		t.Error("gen/ was not regenerated from the edited openapi.yaml")
	}
}
