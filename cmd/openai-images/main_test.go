package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/wrapper"
)

// TestHelp checks the ways of asking for help: exit 0, the usage on stdout.
func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r := runCLI(t, nil, args...).mustSucceed(t)
		for _, want := range []string{"Usage:", "Commands:", "Examples:", "Exit status:", "OPENAI_API_KEY", "--emulator"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v: usage lacks %q", args, want)
			}
		}
		for _, c := range commands {
			if !strings.Contains(r.stdout, "  "+c.name+" ") {
				t.Errorf("%v: usage does not list %s", args, c.name)
			}
		}
		if r.stderr != "" {
			t.Errorf("%v: stderr %q", args, r.stderr)
		}
	}
}

// TestCommandHelp checks "help <command>" and "<command> -h" for every
// command.
func TestCommandHelp(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		for _, args := range [][]string{{"help", c.name}, {c.name, "-h"}, {c.name, "--help"}} {
			r := runCLI(t, nil, args...).mustSucceed(t)
			if !strings.HasPrefix(r.stdout, "Usage: openai-images "+c.name) || !strings.Contains(r.stdout, "Examples:") {
				t.Errorf("%v: help = %q", args, r.stdout)
			}
		}
	}
	r := runCLI(t, nil, "help", "generate").mustSucceed(t)
	for _, f := range []string{"-p, --prompt TEXT", "-m, --model NAME", "-n, --n N", "-s, --size SIZE", "    --quality Q", "    --style", "    --background",
		"    --moderation", "    --output-format", "    --output-compression", "    --response-format", "    --user", "    --stream",
		"    --partial-images", "-o, --output FILE", "    --out-dir DIR", "    --json", "-q, --quiet", "    --emulator", "    --timeout", "    --max-retries"} {
		if !strings.Contains(r.stdout, "\n  "+f+" ") {
			t.Errorf("generate help lacks %q", f)
		}
	}
	r = runCLI(t, nil, "help", "edit").mustSucceed(t)
	for _, f := range []string{"-i, --image PATH", "    --mask PATH", "    --input-fidelity"} {
		if !strings.Contains(r.stdout, "\n  "+f+" ") {
			t.Errorf("edit help lacks %q", f)
		}
	}
	// The old spelling of --out-dir works, unlisted.
	if strings.Contains(r.stdout, "--out ") {
		t.Errorf("help lists --out")
	}
}

// TestVersion checks --version.
func TestVersion(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--version", "-version", "version"} {
		r := runCLI(t, nil, arg).mustSucceed(t)
		if r.stdout != "openai-images "+wrapper.Version+"\n" {
			t.Errorf("%s: %q", arg, r.stdout)
		}
	}
}

// helpFlag matches a flag line of a command's help: its short form, if
// any, and its name.
var helpFlag = regexp.MustCompile(`^  (-[a-z])?(?:, |    )--([a-z-]+)`)

// TestDocMentionsEveryFlag keeps the package documentation in step with
// the flags.
func TestDocMentionsEveryFlag(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		r := runCLI(t, nil, "help", c.name).mustSucceed(t)
		if !strings.Contains(string(doc), "openai-images "+c.name) {
			t.Errorf("doc.go does not show the %s command", c.name)
		}
		for _, l := range lines(r.stdout) {
			if m := helpFlag.FindStringSubmatch(l); m != nil {
				if !strings.Contains(string(doc), "--"+m[2]) || m[1] != "" && !strings.Contains(string(doc), m[1]+", --"+m[2]) {
					t.Errorf("doc.go does not mention %s--%s of %s", m[1], m[2], c.name)
				}
			}
		}
	}
}

func TestFlagName(t *testing.T) {
	t.Parallel()
	for field, want := range map[string]string{
		"output_format": "--output-format", "image[0]": "--image #1", "image[2]": "--image #3", "mask": "--mask", "n": "--n",
		"frame_duration_ms": "--frame-duration-ms", "svg.model": "--svg-model", "svg.reasoning.effort": "--svg-reasoning-effort",
		"svg": "--svg-model", "markup": "--markup", "safety_identifier": "--safety-identifier",
	} {
		if got := flagName(field); got != want {
			t.Errorf("flagName(%q) = %q, want %q", field, got, want)
		}
	}
}
