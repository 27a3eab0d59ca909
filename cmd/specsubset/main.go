// Command specsubset keeps the project's copy of the OpenAI spec up to date:
// it extracts openapi.yaml from the vendored upstream document, builds the
// effective document the generator reads, and reports what an upstream
// update changes.
//
// Usage:
//
//	specsubset update [UPSTREAM]     vendor UPSTREAM (default: the vendored copy), rewrite openapi.yaml, print the drift report
//	specsubset drift [UPSTREAM]      print the drift report of UPSTREAM against openapi.yaml; write nothing
//	specsubset extract [-o FILE] [UPSTREAM]
//	                                 write the subset of UPSTREAM (default openapi.yaml)
//	specsubset effective [-o FILE] [SUBSET]
//	                                 write the effective document: SUBSET (default openapi.yaml) with
//	                                 the pins of specsubset.yaml and the facts of newer.yaml applied
//
// Every subcommand takes -config (default specsubset.yaml) and, where it
// applies, -newer (default newer.yaml) and -surface (default surface.yaml).
// Files are replaced atomically, and only when the whole run succeeds.
// Run it from the repository root (make spec, make spec-diff and
// make generate do).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/imagegen-go/openai-images/internal/atomicfile"
	"github.com/imagegen-go/openai-images/internal/overlay"
	"github.com/imagegen-go/openai-images/internal/specdrift"
	"github.com/imagegen-go/openai-images/internal/specsubset"
)

// VendoredUpstream is where the full upstream document lives in the
// repository; update replaces it.
const VendoredUpstream = "upstream/openai-openapi.yaml"

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		var usage usageError
		if errors.As(err, &usage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

func run(args []string, stdout io.Writer) error {
	sub := "extract"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("specsubset "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	config := fs.String("config", "specsubset.yaml", "subset configuration")
	newerPath := fs.String("newer", "newer.yaml", "overlay of facts newer than the upstream spec")
	surfacePath := fs.String("surface", "surface.yaml", "where the handwritten code learns each part of the spec")
	out := fs.String("o", "", "output file")
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Errorf("specsubset %s: %w", sub, err)}
	}
	if fs.NArg() > 1 {
		return usageError{fmt.Errorf("specsubset %s: one input file at most, got %d", sub, fs.NArg())}
	}
	arg := func(def string) string {
		if fs.NArg() == 1 {
			return fs.Arg(0)
		}
		return def
	}
	cfg, err := specsubset.LoadConfig(*config)
	if err != nil {
		return err
	}
	switch sub {
	case "extract":
		o := *out
		if o == "" {
			o = "openapi.yaml"
		}
		subset, _, err := extract(arg(VendoredUpstream), cfg)
		if err != nil {
			return err
		}
		return atomicfile.WriteFile(o, subset, 0o644)
	case "effective":
		o := *out
		if o == "" {
			o = "gen/openapi.effective.yaml"
		}
		subset, err := os.ReadFile(arg("openapi.yaml"))
		if err != nil {
			return err
		}
		newer, err := loadOverlay(*newerPath)
		if err != nil {
			return err
		}
		res, err := specsubset.Effective(subset, cfg.Pins, newer)
		if err != nil {
			return err
		}
		for _, a := range res.Redundant {
			fmt.Fprintf(os.Stderr, "specsubset: newer.yaml: the upstream spec now has %q (%s): remove the action\n", a.Description, a.Target)
		}
		return atomicfile.WriteFile(o, res.Document, 0o644)
	case "drift", "update":
		upstreamPath := arg(VendoredUpstream)
		subset, upstream, err := extract(upstreamPath, cfg)
		if err != nil {
			return err
		}
		report, err := drift(subset, cfg, *newerPath, *surfacePath)
		if err != nil {
			return err
		}
		if sub == "update" {
			if !sameFile(upstreamPath, VendoredUpstream) {
				if err := atomicfile.WriteFile(VendoredUpstream, upstream, 0o644); err != nil {
					return err
				}
			}
			if err := atomicfile.WriteFile("openapi.yaml", subset, 0o644); err != nil {
				return err
			}
		}
		_, err = io.WriteString(stdout, report.String())
		return err
	default:
		return usageError{fmt.Errorf("specsubset: unknown subcommand %q (update, drift, extract, effective)", sub)}
	}
}

// extract reads an upstream document and extracts the subset; the current
// openapi.yaml, when present, helps name renamed schemas in errors.
func extract(path string, cfg specsubset.Config) (subset, upstream []byte, err error) {
	upstream, err = os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	cfg.Previous, _ = os.ReadFile("openapi.yaml")
	subset, err = specsubset.Extract(upstream, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("%w\n(upstream: %s)", err, path)
	}
	return subset, upstream, nil
}

// drift compares the current openapi.yaml with a new subset.
func drift(subset []byte, cfg specsubset.Config, newerPath, surfacePath string) (*specdrift.Report, error) {
	current, err := os.ReadFile("openapi.yaml")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	newer, err := loadOverlay(newerPath)
	if err != nil {
		return nil, err
	}
	places, err := specdrift.LoadConfig(surfacePath)
	if err != nil {
		return nil, err
	}
	return specdrift.Compare(current, subset, specdrift.Options{Pins: cfg.Pins, Newer: newer, Places: places})
}

func loadOverlay(path string) (*overlay.Document, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d, err := overlay.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

func sameFile(a, b string) bool {
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	aa, _ := filepath.Abs(a)
	bb, _ := filepath.Abs(b)
	return aa == bb
}
