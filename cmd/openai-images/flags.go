package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

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
	shorts   map[string]string // long name -> short name
	hidden   map[string]bool   // aliases not shown in help
}

type section struct {
	title string
	flags []flagHelp
}

type flagHelp struct{ short, name, arg, usage string }

func newFlags(name, synopsis, about string, examples ...string) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by parse, help by printUsage
	fs.Usage = func() {}
	return &cmdFlags{fs: fs, synopsis: synopsis, about: about, examples: examples,
		shorts: map[string]string{}, hidden: map[string]bool{}}
}

// section starts a group of flags in the help text.
func (c *cmdFlags) section(title string) { c.sections = append(c.sections, &section{title: title}) }

func (c *cmdFlags) add(name, arg, usage string) {
	if len(c.sections) == 0 {
		c.section("Flags")
	}
	s := c.sections[len(c.sections)-1]
	s.flags = append(s.flags, flagHelp{name: name, arg: arg, usage: usage})
}

// str registers a string flag; p may point to any string type.
func (c *cmdFlags) str(p *string, name, arg, usage string) {
	c.fs.StringVar(p, name, *p, usage)
	c.add(name, arg, usage)
}

// integer registers an integer flag whose bad values are explained.
func (c *cmdFlags) integer(p *int, name, arg, usage string) {
	c.fs.Var((*intValue)(p), name, usage)
	c.add(name, arg, usage)
}

func (c *cmdFlags) boolean(p *bool, name, usage string) {
	c.fs.BoolVar(p, name, *p, usage)
	c.add(name, "", usage)
}

// duration registers a duration flag that also takes a bare number of
// seconds (90 for 90s).
func (c *cmdFlags) duration(p *time.Duration, name, arg, usage string) {
	c.fs.Var((*durationValue)(p), name, usage)
	c.add(name, arg, usage)
}

func (c *cmdFlags) value(v flag.Value, name, arg, usage string) {
	c.fs.Var(v, name, usage)
	c.add(name, arg, usage)
}

// short gives flag name a one-letter form (-m for --model), shown in help.
func (c *cmdFlags) short(letter, name string) {
	f := c.fs.Lookup(name)
	c.fs.Var(f.Value, letter, f.Usage)
	c.shorts[name] = letter
	for _, s := range c.sections {
		for i := range s.flags {
			if s.flags[i].name == name {
				s.flags[i].short = letter
			}
		}
	}
}

// alias makes old another name of flag name, not shown in help (an old
// spelling that keeps working).
func (c *cmdFlags) alias(old, name string) {
	f := c.fs.Lookup(name)
	c.fs.Var(f.Value, old, f.Usage)
	c.hidden[old] = true
}

// isSet reports whether flag name (or another name of it) was given.
func (c *cmdFlags) isSet(name string) bool {
	target := c.fs.Lookup(name)
	set := false
	c.fs.Visit(func(f *flag.Flag) {
		if f.Value == target.Value {
			set = true
		}
	})
	return set
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
			return nil, usagef("%s: %s (see 'openai-images help %s')", c.fs.Name(), c.flagError(err), c.fs.Name())
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

var invalidValue = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for flag -(\S+): (.*)$`)

// flagError rewrites the flag package's messages as the help shows flags
// (--name), suggesting the flag meant for an unknown one.
func (c *cmdFlags) flagError(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		name = strings.TrimPrefix(name, "-")
		if s := suggest(name, c.names()); s != "" {
			return fmt.Sprintf("unknown flag --%s; did you mean --%s?", name, s)
		}
		return "unknown flag --" + name
	}
	if rest, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "flag --" + strings.TrimPrefix(rest, "-") + " needs a value"
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		name := c.longName(m[2])
		return fmt.Sprintf("--%s %s: %s", name, strconv.Quote(m[1]), m[3])
	}
	return strings.Replace(msg, "for flag -", "for flag --", 1)
}

// names returns the long names of the flags shown in help.
func (c *cmdFlags) names() []string {
	var out []string
	for _, s := range c.sections {
		for _, f := range s.flags {
			out = append(out, f.name)
		}
	}
	return out
}

// longName returns the long name of a flag given by its short one.
func (c *cmdFlags) longName(name string) string {
	for long, short := range c.shorts {
		if short == name {
			return long
		}
	}
	return name
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

// label is the flag as help shows it: "-m, --model NAME", with long-only
// flags aligned under the long names.
func (f flagHelp) label() string {
	l := "    --" + f.name
	switch {
	case f.short != "":
		l = "-" + f.short + ", --" + f.name
	case len(f.name) == 1: // -n is --n
		l = "-" + f.name + ", --" + f.name
	}
	if f.arg != "" {
		l += " " + f.arg
	}
	return l
}

// intValue is an integer flag whose error says what to write.
type intValue int

func (v *intValue) String() string { return strconv.Itoa(int(*v)) }

func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a whole number (such as 2)")
	}
	*v = intValue(n)
	return nil
}

// durationValue is a duration flag that takes a bare number of seconds.
type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }

func (v *durationValue) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	*v = durationValue(d)
	return nil
}

// parseDuration reads a Go duration (90s, 1m30s, 500ms) or a bare number
// of seconds (90, 1.5).
func parseDuration(s string) (time.Duration, error) {
	if secs, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eEnNiI") {
		if secs > float64(1<<63-1)/float64(time.Second) || secs < -float64(1<<63-1)/float64(time.Second) {
			return 0, errors.New("too long")
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("not a duration: write seconds (90) or a number with a unit (90s, 1m30s, 500ms)")
	}
	return d, nil
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
		return errors.New("not a whole number (such as 2)")
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

// suggest returns the candidate closest to s, if one is close enough to be
// a typo of it: the same but for case and punctuation (gpt-image-15 for
// gpt-image-1.5), at most one edit for words of 3 or 4 letters, two for
// longer ones (a swap of neighbours counts as one), or s a prefix of only
// it.
func suggest(s string, candidates []string) string {
	limit := 0
	switch {
	case len(s) >= 5:
		limit = 2
	case len(s) >= 3:
		limit = 1
	}
	best, bestN, bestD := "", 0, 0
	var prefixed []string
	for _, c := range candidates {
		if c == s {
			return ""
		}
		n := editDistance(squash(s), squash(c))
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if (n == 0 || d <= limit) && (best == "" || n < bestN || n == bestN && d < bestD) {
			best, bestN, bestD = c, n, d
		}
		if len(s) >= 3 && strings.HasPrefix(c, s) {
			prefixed = append(prefixed, c)
		}
	}
	if best == "" && len(prefixed) == 1 {
		return prefixed[0]
	}
	return best
}

// squash lower-cases s and drops its punctuation.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.', ' ':
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// connFlags choose and tune the server the command talks to.
type connFlags struct {
	emulator     bool
	timeout      time.Duration
	maxRetries   optInt
	allowRetired bool
	verbose      bool // -v: the library's debug log on stderr
	// Azure OpenAI (see azure).
	azureEndpoint, azureDeployment, apiVersion string
	// model is the command's -m: the model --emulator's Azure deployment
	// runs.
	model wrapper.Model
}

func (cf *connFlags) register(c *cmdFlags) {
	c.section("Connection (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID and OPENAI_LOG are read)")
	c.boolean(&cf.emulator, "emulator", "use the built-in offline emulator instead of the API (no key, no network); with --azure-deployment, as an Azure OpenAI resource")
	c.duration(&cf.timeout, "timeout", "DURATION", "limit each attempt: seconds (90) or with a unit (90s, 2m) (default: no limit; edits can take minutes)")
	c.value(&cf.maxRetries, "max-retries", "N", fmt.Sprintf("retries of failed attempts: connection errors, 408, 409, 429, 5xx (default %d)", wrapper.DefaultMaxRetries))
	c.boolean(&cf.allowRetired, "allow-retired", helpAllowRetired)
	c.boolean(&cf.verbose, "verbose", helpVerbose)
	c.short("v", "verbose")
	c.section("Azure OpenAI (AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY or AZURE_OPENAI_AD_TOKEN, and OPENAI_API_VERSION are read)")
	c.str(&cf.azureEndpoint, "azure-endpoint", "URL", "the Azure OpenAI resource, such as https://NAME.openai.azure.com (default AZURE_OPENAI_ENDPOINT); -m then names a deployment")
	c.str(&cf.azureDeployment, "azure-deployment", "NAME", "the deployment to call, whatever -m says (-m then names the model it runs, for the checks)")
	c.str(&cf.apiVersion, "api-version", "VERSION", "the api-version of every request, such as 2025-04-01-preview (default OPENAI_API_VERSION)")
}

// azure reports whether the command talks to Azure OpenAI: when an Azure
// flag is given, or AZURE_OPENAI_ENDPOINT is set and OPENAI_BASE_URL is
// not. Like openai-python's module client, an environment holding both an
// OpenAI key and an Azure endpoint is refused as ambiguous unless a flag
// decides.
func (cf *connFlags) azure(inv *invocation) (bool, error) {
	if cf.azureEndpoint != "" || cf.azureDeployment != "" || cf.apiVersion != "" {
		if cf.emulator && cf.azureEndpoint != "" {
			return false, usagef("--emulator and --azure-endpoint: the emulator is its own endpoint (give --azure-deployment to call it as an Azure resource)")
		}
		return true, nil
	}
	if cf.emulator || inv.env("AZURE_OPENAI_ENDPOINT") == "" || inv.env("OPENAI_BASE_URL") != "" {
		return false, nil
	}
	if strings.TrimSpace(inv.env("OPENAI_API_KEY")) != "" {
		return false, &usageError{code: "ambiguous_environment", msg: "both OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT are set: pass --azure-endpoint \"$AZURE_OPENAI_ENDPOINT\" to use Azure OpenAI, or unset AZURE_OPENAI_ENDPOINT to use OpenAI"}
	}
	return true, nil
}

// noAzureKeyMessage is the error without Azure credentials.
const noAzureKeyMessage = "no Azure OpenAI credentials: set AZURE_OPENAI_API_KEY, or AZURE_OPENAI_AD_TOKEN (a Microsoft Entra ID token)"

// azureOptions configure a client for Azure OpenAI from the flags and the
// environment, or for the emulator as an Azure resource.
func (inv *invocation) azureOptions(cf *connFlags) (opts []wrapper.Option, release func(), err error) {
	release = func() {}
	a := wrapper.AzureConfig{Endpoint: cf.azureEndpoint, APIVersion: cf.apiVersion, Deployment: cf.azureDeployment}
	if cf.emulator {
		// The emulator as a resource whose deployments are named after
		// the models, and --azure-deployment's running gpt-image-1.5
		// (or the model -m names, as it does for the checks).
		deployments := map[string]string{}
		for _, m := range wrapper.Models() {
			deployments[string(m.Model)] = string(m.Model)
		}
		if cf.azureDeployment != "" {
			deployments[cf.azureDeployment] = string(cmp.Or(cf.model, wrapper.ModelGPTImage15))
		}
		srv := imagestest.NewServer(imagestest.WithAzure(imagestest.Azure{Deployments: deployments}))
		release = srv.Close
		a.Endpoint, a.APIKey = srv.Endpoint, "emulator-azure-key"
		a.APIVersion = cmp.Or(a.APIVersion, emulatorAPIVersion)
		return []wrapper.Option{wrapper.WithAzure(a)}, release, nil
	}
	if a.Endpoint == "" {
		a.Endpoint = inv.env("AZURE_OPENAI_ENDPOINT")
	}
	if a.APIVersion == "" {
		a.APIVersion = inv.env("OPENAI_API_VERSION")
	}
	switch {
	case a.Endpoint == "":
		return nil, release, usagef("no Azure OpenAI endpoint: pass --azure-endpoint or set AZURE_OPENAI_ENDPOINT (https://NAME.openai.azure.com)")
	case a.APIVersion == "":
		return nil, release, usagef("no Azure OpenAI API version: pass --api-version or set OPENAI_API_VERSION (such as 2025-04-01-preview)")
	}
	if key := strings.TrimSpace(inv.env("AZURE_OPENAI_API_KEY")); key != "" {
		a.APIKey = key
	} else if tok := strings.TrimSpace(inv.env("AZURE_OPENAI_AD_TOKEN")); tok != "" {
		a.TokenSource = wrapper.TokenSourceFunc(func(context.Context) (wrapper.AccessToken, error) {
			return wrapper.AccessToken{Token: tok}, nil
		})
	} else {
		return nil, release, &usageError{msg: noAzureKeyMessage, code: "missing_api_key"}
	}
	return []wrapper.Option{wrapper.WithAzure(a)}, release, nil
}

// emulatorAPIVersion is the api-version sent to the emulator as an Azure
// resource when none is given.
const emulatorAPIVersion = "2025-04-01-preview"

// noKeyMessage is the error without a key or --emulator, whatever the
// server: the official SDKs require a key too (a server that needs none
// takes any).
const noKeyMessage = "no API key: set OPENAI_API_KEY (any value for a server that needs none), or pass --emulator to use the built-in offline emulator"

// errNoKey is the error without a key.
var errNoKey = &usageError{msg: noKeyMessage, code: "missing_api_key"}

// client returns a client for the connection flags and the environment,
// and a function releasing it (stopping the emulator). Without --emulator
// a key is required, whatever the server, as the official SDKs require it.
func (inv *invocation) client(cf *connFlags) (*wrapper.Client, func(), error) {
	release := func() {}
	if cf.maxRetries.set && cf.maxRetries.v < 0 {
		return nil, release, usagef("--max-retries %d: must be 0 or more", cf.maxRetries.v)
	}
	if cf.timeout < 0 {
		return nil, release, usagef("--timeout %v: must be positive (0: no limit)", cf.timeout)
	}
	var opts []wrapper.Option
	azure, err := cf.azure(inv)
	if err != nil {
		return nil, release, err
	}
	if azure {
		if opts, release, err = inv.azureOptions(cf); err != nil {
			return nil, release, err
		}
	} else if cf.emulator {
		var eopts []imagestest.Option
		if cf.allowRetired {
			// As an OpenAI-compatible server that still has them.
			eopts = append(eopts, imagestest.AllowRetiredModels())
		}
		srv := imagestest.NewServer(eopts...)
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
		if h := strings.ToLower(u.Hostname()); (strings.HasSuffix(h, ".openai.azure.com") || strings.HasSuffix(h, ".cognitiveservices.azure.com")) &&
			!strings.HasPrefix(u.Path, "/openai/v1") {
			return nil, release, usagef("OPENAI_BASE_URL names an Azure OpenAI resource: unset it and give the resource with --azure-endpoint (or AZURE_OPENAI_ENDPOINT), the API version with --api-version (or OPENAI_API_VERSION) and the key in AZURE_OPENAI_API_KEY")
		}
		key := strings.TrimSpace(inv.env("OPENAI_API_KEY"))
		if key == "" {
			return nil, release, errNoKey
		}
		opts = append(opts, wrapper.WithBaseURL(base), wrapper.WithAPIKey(key),
			wrapper.WithOrganization(inv.env("OPENAI_ORG_ID")), wrapper.WithProject(inv.env("OPENAI_PROJECT_ID")))
	}
	if cf.timeout != 0 {
		opts = append(opts, wrapper.WithTimeout(cf.timeout))
	}
	if cf.maxRetries.set {
		opts = append(opts, wrapper.WithMaxRetries(cf.maxRetries.v))
	}
	if inv.transport != nil {
		opts = append(opts, wrapper.WithHTTPClient(&http.Client{Transport: inv.transport}))
	}
	if cf.allowRetired {
		// Retired models are refused before sending on OpenAI's own
		// API only; elsewhere this changes nothing.
		opts = append(opts, wrapper.WithRetiredModels(true))
	}
	if l := inv.logger(cf); l != nil {
		opts = append(opts, wrapper.WithLogger(l))
	}
	c, err := wrapper.New(opts...)
	if err != nil {
		release()
		return nil, func() {}, usagef("%s", inFlags(strings.TrimPrefix(err.Error(), "openai-images: ")))
	}
	return c, release, nil
}
