package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

// cmdFlags is a subcommand's flag set with its help text. Flags are
// registered in sections, which help prints in order.
type cmdFlags struct {
	fs       *flag.FlagSet
	synopsis string // after "Usage: openai-images "
	about    string
	examples []string
	sections []*section
}

type section struct {
	title string
	flags []flagHelp
}

type flagHelp struct{ name, arg, usage string }

func newFlags(name, synopsis, about string, examples ...string) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by parse, help by printUsage
	fs.Usage = func() {}
	return &cmdFlags{fs: fs, synopsis: synopsis, about: about, examples: examples}
}

// section starts a group of flags in the help text.
func (c *cmdFlags) section(title string) { c.sections = append(c.sections, &section{title: title}) }

func (c *cmdFlags) add(name, arg, usage string) {
	if len(c.sections) == 0 {
		c.section("Flags")
	}
	s := c.sections[len(c.sections)-1]
	s.flags = append(s.flags, flagHelp{name, arg, usage})
}

// str registers a string flag; p may point to any string type.
func (c *cmdFlags) str(p *string, name, arg, usage string) {
	c.fs.StringVar(p, name, *p, usage)
	c.add(name, arg, usage)
}

func (c *cmdFlags) integer(p *int, name, arg, usage string) {
	c.fs.IntVar(p, name, *p, usage)
	c.add(name, arg, usage)
}

func (c *cmdFlags) boolean(p *bool, name, usage string) {
	c.fs.BoolVar(p, name, *p, usage)
	c.add(name, "", usage)
}

func (c *cmdFlags) duration(p *time.Duration, name, arg, usage string) {
	c.fs.DurationVar(p, name, *p, usage)
	c.add(name, arg, usage)
}

func (c *cmdFlags) value(v flag.Value, name, arg, usage string) {
	c.fs.Var(v, name, usage)
	c.add(name, arg, usage)
}

// parse parses args, allowing flags and arguments in any order ("--" ends
// the flags), and returns the arguments. -h prints the help to stdout.
func (c *cmdFlags) parse(inv *invocation, args []string) ([]string, error) {
	var positional []string
	for {
		err := c.fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			c.printUsage(inv.stdout)
			return nil, errHelp
		}
		if err != nil {
			return nil, usagef("%s: %s (see 'openai-images help %s')", c.fs.Name(), flagError(err), c.fs.Name())
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// flagError rewrites the flag package's messages with double dashes, as
// the help shows flags.
func flagError(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag --" + strings.TrimPrefix(name, "-")
	}
	if rest, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "flag --" + strings.TrimPrefix(rest, "-") + " needs a value"
	}
	return strings.Replace(msg, "for flag -", "for flag --", 1)
}

// printUsage writes the command's help.
func (c *cmdFlags) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: openai-images %s\n\n%s\n", c.synopsis, c.about)
	width := 0
	for _, s := range c.sections {
		for _, f := range s.flags {
			width = max(width, len(f.label()))
		}
	}
	for _, s := range c.sections {
		fmt.Fprintf(w, "\n%s:\n", s.title)
		for _, f := range s.flags {
			lines := wrapText(f.usage, max(40, helpWidth-width-4))
			fmt.Fprintf(w, "  %-*s  %s\n", width, f.label(), lines[0])
			for _, l := range lines[1:] {
				fmt.Fprintf(w, "  %-*s  %s\n", width, "", l)
			}
		}
	}
	if len(c.examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, e := range c.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// helpWidth is the width help text is wrapped to.
const helpWidth = 100

// wrapText splits text into lines of at most width characters, at spaces
// and at the line breaks it has.
func wrapText(text string, width int) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case len(line)+1+len(word) > width:
				lines = append(lines, line)
				line = word
			default:
				line += " " + word
			}
		}
		lines = append(lines, line)
	}
	return lines
}

func (f flagHelp) label() string {
	if f.arg == "" {
		return "--" + f.name
	}
	return "--" + f.name + " " + f.arg
}

// optInt is an integer flag that tells "not given" from 0.
type optInt struct {
	set bool
	v   int
}

func (o *optInt) String() string {
	if o == nil || !o.set {
		return ""
	}
	return strconv.Itoa(o.v)
}

func (o *optInt) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not an integer")
	}
	o.set, o.v = true, v
	return nil
}

// ptr returns the value as the wrapper's optional field.
func (o *optInt) ptr() *int {
	if !o.set {
		return nil
	}
	return wrapper.Ptr(o.v)
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(s string) error {
	if s == "" {
		return errors.New("empty path")
	}
	*l = append(*l, s)
	return nil
}

// connFlags choose and tune the server the command talks to.
type connFlags struct {
	emulator   bool
	timeout    time.Duration
	maxRetries optInt
}

func (cf *connFlags) register(c *cmdFlags) {
	c.section("Connection (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_PROJECT_ID are read)")
	c.boolean(&cf.emulator, "emulator", "use the built-in offline emulator instead of the API (no key, no network)")
	c.duration(&cf.timeout, "timeout", "DURATION", "limit each attempt, e.g. 90s (default: no limit; edits can take minutes)")
	c.value(&cf.maxRetries, "max-retries", "N", fmt.Sprintf("retries of failed attempts: connection errors, 408, 409, 429, 5xx (default %d)", wrapper.DefaultMaxRetries))
}

// noKeyMessage is the error without a key or --emulator.
const noKeyMessage = "no API key: set OPENAI_API_KEY, or pass --emulator to use the built-in offline emulator"

// client returns a client for the connection flags and the environment,
// and a function releasing it (stopping the emulator). Without --emulator
// a key is required when the base URL is OpenAI's; an OpenAI-compatible
// server at another OPENAI_BASE_URL may not need one.
func (inv *invocation) client(cf *connFlags) (*wrapper.Client, func(), error) {
	release := func() {}
	if cf.maxRetries.set && cf.maxRetries.v < 0 {
		return nil, release, usagef("--max-retries %d: must be 0 or more", cf.maxRetries.v)
	}
	if cf.timeout < 0 {
		return nil, release, usagef("--timeout %v: must be positive (0: no limit)", cf.timeout)
	}
	var opts []wrapper.Option
	if cf.emulator {
		srv := imagestest.NewServer()
		release = srv.Close
		// A dummy key replaces any real one from the environment: the
		// emulator needs none and is never sent yours.
		opts = append(opts, wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("emulator"),
			wrapper.WithOrganization(""), wrapper.WithProject(""))
	} else {
		base := inv.env("OPENAI_BASE_URL")
		if base == "" {
			base = wrapper.DefaultBaseURL
		}
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return nil, release, usagef("OPENAI_BASE_URL must be an absolute http(s) URL without credentials, such as %s", wrapper.DefaultBaseURL)
		}
		key := strings.TrimSpace(inv.env("OPENAI_API_KEY"))
		if key == "" && isOpenAIHost(u.Hostname()) {
			return nil, release, usagef("%s", noKeyMessage)
		}
		opts = append(opts, wrapper.WithBaseURL(base),
			wrapper.WithOrganization(inv.env("OPENAI_ORG_ID")), wrapper.WithProject(inv.env("OPENAI_PROJECT_ID")))
		if key != "" {
			opts = append(opts, wrapper.WithAPIKey(key))
		}
	}
	if cf.timeout != 0 {
		opts = append(opts, wrapper.WithTimeout(cf.timeout))
	}
	if cf.maxRetries.set {
		opts = append(opts, wrapper.WithMaxRetries(cf.maxRetries.v))
	}
	c, err := wrapper.New(opts...)
	if err != nil {
		release()
		return nil, func() {}, usagef("%s", strings.TrimPrefix(err.Error(), "openai-images: "))
	}
	return c, release, nil
}

func isOpenAIHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "openai.com" || strings.HasSuffix(host, ".openai.com")
}
