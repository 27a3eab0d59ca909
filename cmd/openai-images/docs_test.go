package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// TestDocsUseCurrentModels keeps the main path on current models: make
// demo, the code of the README up to the spec-update section (snippets,
// command lines and the demo transcript) and the command's examples name no
// model OpenAI has retired. Retired models appear only where compatibility
// is the point (vary, --allow-retired, the prose that explains them).
func TestDocsUseCurrentModels(t *testing.T) {
	t.Parallel()
	var retired []*regexp.Regexp
	for _, m := range wrapper.Models() {
		if m.RetiredAt(time.Now()) {
			// The name as a whole word: gpt-image-1, not gpt-image-1.5.
			retired = append(retired, regexp.MustCompile(`(^|[^\w.-])`+regexp.QuoteMeta(string(m.Model))+`($|[^\w.-])`))
		}
	}
	for _, name := range []string{"ModelDallE2", "ModelDallE3", "ModelGPTImage1"} {
		retired = append(retired, regexp.MustCompile(`\bwrapper\.`+name+`\b`))
	}
	if len(retired) < 6 {
		t.Fatalf("%d retired names", len(retired))
	}
	check := func(where, text string) {
		for _, re := range retired {
			if m := re.FindString(text); m != "" {
				t.Errorf("%s names the retired %s", where, strings.TrimSpace(m))
			}
		}
	}

	demo, err := os.ReadFile(filepath.Join("..", "..", "scripts", "demo.sh"))
	if err != nil {
		t.Fatal(err)
	}
	check("scripts/demo.sh", string(demo))

	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	main, _, ok := strings.Cut(string(readme), "\n## Following the API")
	if !ok {
		t.Fatal(`README.md has no "Following the API" section`)
	}
	blocks := regexp.MustCompile("(?s)```[a-z]*\n(.*?)```").FindAllStringSubmatch(main, -1)
	if len(blocks) < 8 {
		t.Fatalf("README.md: %d code blocks", len(blocks))
	}
	for i, b := range blocks {
		check(fmt.Sprintf("README.md code block %d", i+1), b[1])
	}

	for _, c := range commands {
		if c.name == "vary" {
			continue // for compatible servers: dall-e-2 is its model
		}
		r := runCLI(t, nil, "help", c.name).mustSucceed(t)
		_, examples, _ := strings.Cut(r.stdout, "\nExamples:\n")
		check("openai-images help "+c.name+" examples", examples)
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, examples, _ := strings.Cut(string(doc), "// # Examples")
	check("doc.go examples", examples)
}
