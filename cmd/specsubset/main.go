// Command specsubset writes the project's openapi.yaml: the Images operations
// of the official OpenAI OpenAPI document and everything they reference.
//
// Usage:
//
//	go run ./cmd/specsubset [-config specsubset.yaml] [-o openapi.yaml] [upstream.yaml]
//
// The upstream document defaults to ../shared/upstream/openai-openapi.yaml.
// The output is replaced atomically and only when its content changes.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagegen-go/openai-images/internal/atomicfile"
	"github.com/imagegen-go/openai-images/internal/specsubset"
)

func main() {
	config := flag.String("config", "specsubset.yaml", "subset configuration file")
	out := flag.String("o", "openapi.yaml", "output file")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: specsubset [-config file] [-o file] [upstream.yaml]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	upstream := "../shared/upstream/openai-openapi.yaml"
	switch flag.NArg() {
	case 0:
	case 1:
		upstream = flag.Arg(0)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err := run(upstream, *config, *out); err != nil {
		fmt.Fprintln(os.Stderr, "specsubset:", err)
		os.Exit(1)
	}
}

func run(upstream, configPath, out string) error {
	cfg, err := specsubset.LoadConfig(configPath)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(upstream)
	if err != nil {
		return err
	}
	subset, err := specsubset.Extract(data, cfg, specsubset.Source{Name: filepath.Base(upstream)})
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(out, subset, 0o644)
}
