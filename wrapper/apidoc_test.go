package wrapper

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	openaiimages "github.com/imagegen-go/openai-images"
)

// Every exported Client method that calls the API names its operation in
// its doc comment ("API: POST /images/edits"), and that operation exists in
// openapi.yaml.
func TestAPIDocLinesMatchSpec(t *testing.T) {
	var spec struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openaiimages.OpenAPISpec(), &spec); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	apiLine := regexp.MustCompile(`(?m)^API: (GET|POST|PUT|DELETE|PATCH) (/\S+)$`)
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || recvName(fn) != "Client" {
				continue
			}
			m := apiLine.FindStringSubmatch(fn.Doc.Text())
			if m == nil {
				continue
			}
			method, path := strings.ToLower(m[1]), m[2]
			if _, ok := spec.Paths[path][method]; !ok {
				t.Errorf("%s: doc names %s %s, which openapi.yaml does not have", fn.Name.Name, m[1], path)
			}
			seen[fn.Name.Name] = true
		}
	}
	for _, name := range []string{"Generate", "Edit", "Vary"} {
		if !seen[name] {
			t.Errorf("Client.%s has no API: line", name)
		}
	}
}

func recvName(fn *ast.FuncDecl) string {
	t := fn.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
