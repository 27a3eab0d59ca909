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

// The Go snippets of README.md and the package documentation use the
// current names, none of those deprecated.go keeps for old code.
func TestDocsUseCurrentNames(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "deprecated.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var patterns []*regexp.Regexp
	deprecated := func(doc *ast.CommentGroup) bool { return doc != nil && strings.Contains(doc.Text(), "Deprecated: ") }
	for _, decl := range file.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !deprecated(d.Doc) {
				continue
			}
			if d.Recv != nil {
				patterns = append(patterns, regexp.MustCompile(`\.`+d.Name.Name+`\(`))
			} else {
				patterns = append(patterns, regexp.MustCompile(`\bwrapper\.`+d.Name.Name+`\b`))
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				var name string
				switch s := spec.(type) {
				case *ast.TypeSpec:
					name = s.Name.Name
				case *ast.ValueSpec:
					name = s.Names[0].Name
				}
				if deprecated(d.Doc) {
					patterns = append(patterns, regexp.MustCompile(`\bwrapper\.`+name+`\b`))
				}
			}
		}
	}
	if len(patterns) < 10 {
		t.Fatalf("found %d deprecated names in deprecated.go", len(patterns))
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var snippets []string
	for _, m := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		snippets = append(snippets, m[1])
	}
	var code []string
	for _, l := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(l, "//\t") {
			code = append(code, l)
		}
	}
	snippets = append(snippets, strings.Join(code, "\n"))
	for i, s := range snippets {
		for _, p := range patterns {
			if loc := p.FindString(s); loc != "" {
				t.Errorf("snippet %d uses the deprecated %s", i, loc)
			}
		}
	}
}
