package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/imagegen-go/openai-images/wrapper"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1   // API, transport or file error
	exitUsage       = 2   // bad arguments or parameters; nothing was sent
	exitInterrupted = 130 // SIGINT or SIGTERM before the command finished
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal cancels the run; a second one kills the program.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// command is a subcommand. Adding one is a function and an entry in
// commands.
type command struct {
	name    string
	aliases []string // other names it answers to, not listed
	summary string   // one line, for the command list
	// run parses args (everything after the subcommand's name) with a
	// flag set from newFlags and does the work. Errors are mapped to
	// exit codes by exitCode.
	run func(ctx context.Context, inv *invocation, args []string) error
}

// commands are the subcommands, in the order help lists them.
var commands = []command{
	{"generate", nil, "create images from a prompt (POST /images/generations)", runGenerate},
	{"edit", nil, "edit or combine images, optionally with a mask (POST /images/edits)", runEdit},
	{"vary", []string{"variation"}, "create variations of an image, dall-e-2, on servers that still offer them (POST /images/variations)", runVary},
	{"batch", nil, "generate or edit images for every line of a file, locally or with the Batch API", runBatch},
	{"serve", nil, "run the offline emulator on loopback for any OpenAI SDK", runServe},
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
		for _, a := range c.aliases {
			if a == name {
				return c, true
			}
		}
	}
	return command{}, false
}

func commandNames() []string {
	var out []string
	for _, c := range commands {
		out = append(out, c.name)
		out = append(out, c.aliases...)
	}
	return append(out, "help", "version")
}

// invocation is what one run of the program works with.
type invocation struct {
	stdin          io.Reader // a batch file, a prompt or an image given as "-"
	stdout, stderr io.Writer
	env            func(string) string
	// tty reports whether stderr is a terminal: progress lines are drawn
	// only there. stdoutTTY is the same for stdout, where -o - refuses to
	// write image bytes.
	tty, stdoutTTY bool
	// stdinUser names the flag that read standard input: it can be read
	// once.
	stdinUser string

	// json is set by --json anywhere on the command line: the outcome is
	// one JSON object on stdout, whatever happens.
	json bool
	// report is the command's --json object, filled as the run goes and
	// printed at the end with the outcome.
	report report

	// transport, when set (tests), carries the requests instead of the
	// network.
	transport http.RoundTripper

	// prog is the status line being drawn, if any: the library's log
	// (OPENAI_LOG, --verbose) writes above it.
	prog atomic.Pointer[progress]
}

// report is a command's --json object.
type report interface {
	// setOutcome records how the run ended.
	setOutcome(exitCode int, e *errorJSON)
}

// run is the program: it returns the exit code instead of exiting, and
// takes its environment as arguments, for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) int {
	return runWithStdin(ctx, args, os.Stdin, stdout, stderr, env)
}

// runWithStdin is run reading standard input from stdin.
func runWithStdin(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	inv := &invocation{stdin: stdin, stdout: stdout, stderr: stderr, env: env,
		tty: isTerminal(stderr), stdoutTTY: isTerminal(stdout), json: wantsJSON(args)}
	return inv.run(ctx, args)
}

// run runs the command args name and reports its outcome.
func (inv *invocation) run(ctx context.Context, args []string) int {
	name := "" // for --json: no command (a flag is none)
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name = args[0]
	}
	code := inv.dispatch(ctx, args)
	if inv.json && (inv.report != nil || code != exitOK) {
		inv.printReport(name, code)
	}
	return code
}

// dispatch runs the command args name and returns the exit code, with the
// outcome recorded in inv.report.
func (inv *invocation) dispatch(ctx context.Context, args []string) int {
	if len(args) == 0 {
		if inv.json {
			return inv.exitCode(ctx, usagef("a command is required (see 'openai-images help')"))
		}
		fmt.Fprint(inv.stderr, mainUsage())
		return exitUsage
	}
	switch name := args[0]; name {
	case "-h", "-help", "--help":
		fmt.Fprint(inv.stdout, mainUsage())
		return exitOK
	case "-version", "--version", "version":
		fmt.Fprintf(inv.stdout, "openai-images %s\n", wrapper.Version)
		return exitOK
	case "help":
		if len(args) == 2 && args[1] == "json" {
			fmt.Fprint(inv.stdout, jsonHelp)
			return exitOK
		}
		if len(args) == 1 {
			fmt.Fprint(inv.stdout, mainUsage())
			return exitOK
		}
		c, ok := lookupCommand(args[1])
		if !ok || len(args) > 2 {
			return inv.exitCode(ctx, usagef("help: unknown command %q%s", strings.Join(args[1:], " "), didYouMean(args[1], commandNames())))
		}
		return inv.exitCode(ctx, c.run(ctx, inv, []string{"-h"}))
	default:
		c, ok := lookupCommand(name)
		if !ok {
			if strings.HasPrefix(name, "-") {
				return inv.exitCode(ctx, usagef("flag %s comes before a command; put flags after it (see 'openai-images help')", name))
			}
			return inv.exitCode(ctx, usagef("unknown command %q%s (see 'openai-images help')", name, didYouMean(name, commandNames())))
		}
		return inv.exitCode(ctx, c.run(ctx, inv, args[1:]))
	}
}

// didYouMean is "; did you mean X?" when s looks like a typo of X.
func didYouMean(s string, candidates []string) string {
	if m := suggest(s, candidates); m != "" {
		return fmt.Sprintf("; did you mean %s?", m)
	}
	return ""
}

// wantsJSON reports whether args ask for --json (before any "--").
func wantsJSON(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--json", "-json", "--json=true", "-json=true":
			return true
		}
	}
	return false
}

// usageError is a problem with the command line (or the environment it
// reads), found before any request.
type usageError struct {
	msg  string
	code string // for --json: missing_api_key, batch_items_changed, ...
	kind string // for --json, when not "usage": "validation"
	// problems detail the error for --json (batch items).
	problems []problemJSON
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// errHelp is returned when help was asked for and printed.
var errHelp = flag.ErrHelp

// errReported is returned by a command that has already reported its
// failures (batch: the items that failed): exit 1 with nothing more said.
var errReported = errors.New("openai-images: failures reported above")

// exitCode reports err (on stderr; with --json in the report too) and
// returns the exit code it calls for. ctx is the run's: once it is done
// (SIGINT or SIGTERM), a failure is an interruption.
func (inv *invocation) exitCode(ctx context.Context, err error) int {
	var ue *usageError
	var ve *wrapper.ValidationError
	code := exitFailure
	switch {
	case err == nil:
		code = exitOK
	case errors.Is(err, errHelp):
		inv.report = nil // help is not a run
		return exitOK
	case errors.As(err, &ue):
		code = exitUsage
		fmt.Fprintf(inv.stderr, "openai-images: %s\n", ue.msg)
	case errors.As(err, &ve):
		code = exitUsage
		fmt.Fprint(inv.stderr, formatValidation(ve))
	case ctx.Err() != nil:
		code = exitInterrupted
		fmt.Fprintln(inv.stderr, "openai-images: interrupted")
	case errors.Is(err, errReported):
	default:
		fmt.Fprintln(inv.stderr, errorLine(err))
	}
	if inv.json && inv.report != nil {
		var e *errorJSON
		if err != nil {
			e = inv.errorInfo(ctx, err)
		}
		inv.report.setOutcome(code, e)
	} else if inv.json && err != nil {
		inv.report = &failureReport{ExitCode: code, Error: inv.errorInfo(ctx, err)}
	}
	return code
}

// failureReport is the --json object of a run that failed before a
// command took it over (no command, an unknown one).
type failureReport struct {
	Command  string     `json:"command"`
	ExitCode int        `json:"exit_code"`
	Error    *errorJSON `json:"error"`
}

func (r *failureReport) setOutcome(code int, e *errorJSON) { r.ExitCode, r.Error = code, e }

// printReport writes the --json object.
func (inv *invocation) printReport(name string, code int) {
	if inv.report == nil {
		inv.report = &failureReport{ExitCode: code}
	}
	if f, ok := inv.report.(*failureReport); ok && f.Command == "" {
		f.Command = name
	}
	enc := json.NewEncoder(inv.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(inv.report); err != nil {
		fmt.Fprintf(inv.stderr, "openai-images: --json: %v\n", err)
	}
}

// errorLine renders an error on one line, starting with the program name.
func errorLine(err error) string {
	msg := err.Error()
	if !strings.HasPrefix(msg, "openai-images: ") {
		msg = "openai-images: " + msg
	}
	return msg
}

// formatValidation lists the problems of a validation error with the flag
// names of this command and, for a value that looks like a typo of an
// accepted one, a suggestion.
func formatValidation(ve *wrapper.ValidationError) string {
	var b strings.Builder
	b.WriteString("openai-images: invalid parameters, nothing was sent:\n")
	suggested := map[string]bool{}
	for _, p := range ve.Problems {
		s := suggestProblem(p)
		if suggested[p.Field+"="+s] {
			s = "" // once per field
		}
		suggested[p.Field+"="+s] = true
		p.Field = flagName(p.Field)
		p.Rule, p.Allowed = inFlags(p.Rule), inFlags(p.Allowed)
		b.WriteString("  ")
		b.WriteString(p.String())
		if s != "" {
			fmt.Fprintf(&b, "; did you mean %s %s?", p.Field, s)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// flagName turns an API field name of a validation problem into the flag
// that sets it: output_format -> --output-format, image[1] -> --image #2,
// svg.reasoning.effort -> --svg-reasoning-effort (svg, the SVG options as
// a whole, -> --svg-model).
func flagName(field string) string {
	if field == "svg" {
		return "--svg-model"
	}
	name, idx, indexed := strings.Cut(field, "[")
	name = "--" + strings.NewReplacer("_", "-", ".", "-").Replace(name)
	if indexed {
		var i int
		if _, err := fmt.Sscanf(idx, "%d]", &i); err == nil {
			return fmt.Sprintf("%s #%d", name, i+1)
		}
	}
	return name
}

// wrapperWords are the wrapper's names in validation messages, and what
// the command line calls them. (TestNoLibraryWordsInMessages checks that
// no library call reaches a message.)
var wrapperWords = strings.NewReplacer(
	"WithRetiredModels(true)", "--allow-retired",
	"WithRequestValidation(false)", "--no-validate",
	"WithValidation(false)", "--no-validate",
	"a model of Models(), or any new model name (models the table does not know get only the universal checks)",
	"a model --help lists, or a new model's name",
	"a model of Models()", "a model --help lists",
	"an edit with a GPT image model and a prompt (Client.Edit)", "openai-images edit with a GPT image model and a prompt",
	"omit FrameDuration", "omit --frame-duration-ms",
	"SVGOptions{Model: ...}, or SVG nil", "--svg-model NAME, or no SVG options",
	"leave SVG nil", "give no SVG options",
	"omit SVG", "omit --svg-model and --svg-reasoning-effort",
	"or call GenerateStream", "or add --stream",
	"or call EditStream", "or add --stream",
	"or call Generate", "or drop --stream and --partial-images",
	"or call Edit", "or drop --stream and --partial-images",
	"call Generate", "drop --stream and --partial-images",
	"call Edit", "drop --stream and --partial-images",
	// Edits: multipart (local images) or JSON (image references: batch
	// items with image_urls or image_file_ids).
	"use ImageRefs (a JSON edit)", "reference the images by image_urls or image_file_ids (a JSON edit)",
	"upload Images (a multipart edit)", "give the images as local files (a multipart edit)",
	"upload Images (multipart)", "give the images as local files (a multipart edit)",
	"(ImageRefs, MaskRef)", "(image_urls, image_file_ids, mask_url, mask_file_id)",
	"upload the file and use ImageFileID", "upload the file and give its ID in image_file_ids",
	"ImageURL(...), ImageDataURL(...) or ImageFileID(...)", "an image URL, a data: URL or a file ID",
	"an image from ImageFromPath, ImageFromBytes, ImageFromReader, ...", "an image file",
	"a value newer than this module:", "a value newer than this version:",
	// Azure OpenAI: a call without a deployment.
	"name it as the model, or set AzureConfig.Deployment", "name it with -m, or pass --azure-deployment NAME",
	// The client's options, which the environment and the connection
	// flags set (wrapper.New's errors).
	"WithAPIKey: ", "OPENAI_API_KEY: ",
	"WithBaseURL: ", "OPENAI_BASE_URL: ",
	"WithOrganization: ", "OPENAI_ORG_ID: ",
	"WithProject: ", "OPENAI_PROJECT_ID: ",
	"use WithAzure(AzureConfig{Endpoint: ..., APIVersion: ..., Deployment: ...}), which routes each call to its deployment with the api-version query (or WithBaseURL with its v1 API,",
	"unset OPENAI_BASE_URL and pass --azure-endpoint and --api-version, which route each call to its deployment (or set OPENAI_BASE_URL to its v1 API,",
	"WithAzure: endpoint: ", "the Azure OpenAI endpoint: ",
	"WithAzure: Deployment: ", "--azure-deployment: ",
	"WithAzure: ", "Azure OpenAI: ",
	"set AzureConfig.Endpoint or AZURE_OPENAI_ENDPOINT", "pass --azure-endpoint or set AZURE_OPENAI_ENDPOINT",
	"set AzureConfig.APIVersion or OPENAI_API_VERSION", "pass --api-version or set OPENAI_API_VERSION",
	"set AzureConfig.APIKey, AZURE_OPENAI_API_KEY or AzureConfig.TokenSource (Microsoft Entra ID)", "set AZURE_OPENAI_API_KEY, or AZURE_OPENAI_AD_TOKEN (a Microsoft Entra ID token)",
	"set the API version as AzureConfig.APIVersion, other parameters with WithQuery", "pass the API version with --api-version",
	"set the deployment as AzureConfig.Deployment, or as each call's Model", "pass the deployment with --azure-deployment, or -m",
	"use WithBaseURL with it (and WithAPIKey or WithTokenSource) instead of WithAzure", "set OPENAI_BASE_URL to it (and OPENAI_API_KEY) instead of --azure-endpoint",
)

// extraBody is the wrapper's way to send a field it does not know, in its
// messages: WithExtraBody("quality", ...) is --extra quality=VALUE.
var extraBody = regexp.MustCompile(`WithExtraBody\("([^"]*)", \.\.\.\)`)

// inFlags rewrites a validation message (or an error of wrapper.New) in
// the command line's words.
func inFlags(s string) string {
	return extraBody.ReplaceAllString(wrapperWords.Replace(s), "--extra $1=VALUE")
}

// reasoningEfforts are the SVG author's reasoning efforts the API
// documents (wrapper.ReasoningEffort).
var reasoningEfforts = []wrapper.ReasoningEffort{
	wrapper.ReasoningEffortNone, wrapper.ReasoningEffortMinimal, wrapper.ReasoningEffortLow, wrapper.ReasoningEffortMedium,
	wrapper.ReasoningEffortHigh, wrapper.ReasoningEffortXHigh, wrapper.ReasoningEffortMax,
}

// knownValues lists, for the fields whose values come from a list, every
// value some model of the table accepts.
func knownValues(field string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	if field == "svg.reasoning.effort" {
		for _, v := range reasoningEfforts {
			add(string(v))
		}
		return out
	}
	for _, m := range wrapper.Models() {
		switch field {
		case "model":
			add(string(m.Model))
		case "quality":
			for _, v := range m.Qualities {
				add(string(v))
			}
		case "complexity":
			for _, v := range m.Complexities {
				add(string(v))
			}
		case "style":
			for _, v := range m.Styles {
				add(string(v))
			}
		case "background":
			for _, v := range m.Backgrounds {
				add(string(v))
			}
		case "moderation":
			for _, v := range m.Moderations {
				add(string(v))
			}
		case "output_format":
			for _, v := range m.OutputFormats {
				add(string(v))
			}
		case "response_format":
			for _, v := range m.ResponseFormats {
				add(string(v))
			}
		case "input_fidelity":
			for _, v := range m.InputFidelities {
				add(string(v))
			}
		case "size":
			for _, v := range m.Sizes {
				add(string(v))
			}
		}
	}
	return out
}

// suggestion returns the value a refused one looks like a typo of ("" when
// none does): for a model the wrapper's judgement (wrapper.SuggestModel: a
// name near a known one may be a new model), else the nearest value some
// model of the table takes.
func suggestion(p wrapper.Problem) string {
	if p.Field == "model" {
		m, _ := wrapper.SuggestModel(wrapper.Model(p.Value))
		return string(m)
	}
	return suggestValue(p.Field, p.Value)
}

// suggestProblem is suggestion for a message, "" when the problem's rule
// says it already.
func suggestProblem(p wrapper.Problem) string {
	if strings.Contains(p.Rule, "did you mean") {
		return ""
	}
	return suggestion(p)
}

// suggestValue returns the known value of field that value looks like a
// typo of ("" when none does). Models are the wrapper's to judge
// (wrapper.SuggestModel): a name near a known one may be a new model.
func suggestValue(field, value string) string {
	if value == "" || field == "model" {
		return ""
	}
	if field == "output_format" && strings.EqualFold(value, "jpg") {
		return "jpeg"
	}
	return suggest(value, knownValues(field))
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// readStdin reads standard input for flag (at most limit bytes). Standard
// input can be read once per run.
func (inv *invocation) readStdin(flag string, limit int64) ([]byte, error) {
	if inv.stdinUser != "" {
		return nil, usagef("%s - and %s - both read standard input, which can be read once", inv.stdinUser, flag)
	}
	inv.stdinUser = flag
	if inv.stdin == nil {
		return nil, usagef("%s -: no standard input to read", flag)
	}
	data, err := io.ReadAll(io.LimitReader(inv.stdin, limit+1))
	if err != nil {
		return nil, usagef("%s -: reading standard input: %v", flag, err)
	}
	if int64(len(data)) > limit {
		return nil, usagef("%s -: standard input holds more than %d MiB", flag, limit>>20)
	}
	return data, nil
}
