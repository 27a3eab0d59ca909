package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
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
	summary string // one line, for the command list
	// run parses args (everything after the subcommand's name) with a
	// flag set from newFlags and does the work. Errors are mapped to
	// exit codes by exitCode.
	run func(ctx context.Context, inv *invocation, args []string) error
}

// commands are the subcommands, in the order help lists them.
var commands = []command{
	{"generate", "create images from a prompt (POST /images/generations)", runGenerate},
	{"edit", "edit or combine images, optionally with a mask (POST /images/edits)", runEdit},
	{"variation", "create variations of an image, dall-e-2 (POST /images/variations)", runVariation},
	{"batch", "generate or edit images for every line of a file, locally or with the Batch API", runBatch},
	{"serve", "run the offline emulator on loopback for any OpenAI SDK", runServe},
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// invocation is what one run of the program works with.
type invocation struct {
	stdin          io.Reader // a batch file given as "-"
	stdout, stderr io.Writer
	env            func(string) string
	// tty reports whether stderr is a terminal: progress lines are drawn
	// only there.
	tty bool
}

// run is the program: it returns the exit code instead of exiting, and
// takes its environment as arguments, for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) int {
	return runWithStdin(ctx, args, os.Stdin, stdout, stderr, env)
}

// runWithStdin is run reading standard input from stdin.
func runWithStdin(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	inv := &invocation{stdin: stdin, stdout: stdout, stderr: stderr, env: env, tty: isTerminal(stderr)}
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage())
		return exitUsage
	}
	switch name := args[0]; name {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, mainUsage())
		return exitOK
	case "-version", "--version", "version":
		fmt.Fprintf(stdout, "openai-images %s\n", wrapper.Version)
		return exitOK
	case "help":
		if len(args) == 1 {
			fmt.Fprint(stdout, mainUsage())
			return exitOK
		}
		c, ok := lookupCommand(args[1])
		if !ok || len(args) > 2 {
			fmt.Fprintf(stderr, "openai-images: help: unknown command %q\n", strings.Join(args[1:], " "))
			fmt.Fprint(stderr, mainUsage())
			return exitUsage
		}
		return exitCode(ctx, inv, c.run(ctx, inv, []string{"-h"}))
	default:
		c, ok := lookupCommand(name)
		if !ok {
			if strings.HasPrefix(name, "-") {
				fmt.Fprintf(stderr, "openai-images: flag %s comes before a command; put flags after it\n", name)
			} else {
				fmt.Fprintf(stderr, "openai-images: unknown command %q\n", name)
			}
			fmt.Fprint(stderr, mainUsage())
			return exitUsage
		}
		return exitCode(ctx, inv, c.run(ctx, inv, args[1:]))
	}
}

// usageError is a problem with the command line (or the environment it
// reads), found before any request.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// errHelp is returned when help was asked for and printed.
var errHelp = flag.ErrHelp

// errReported is returned by a command that has already reported its
// failures (batch: the items that failed): exit 1 with nothing more said.
var errReported = errors.New("openai-images: failures reported above")

// exitCode prints err and returns the exit code it calls for. ctx is the
// run's: once it is done (SIGINT or SIGTERM), a failure is an interruption.
func exitCode(ctx context.Context, inv *invocation, err error) int {
	var ue *usageError
	var ve *wrapper.ValidationError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(inv.stderr, "openai-images: %s\n", ue.msg)
		return exitUsage
	case errors.As(err, &ve):
		fmt.Fprint(inv.stderr, formatValidation(ve))
		return exitUsage
	case ctx.Err() != nil:
		fmt.Fprintln(inv.stderr, "openai-images: interrupted")
		return exitInterrupted
	case errors.Is(err, errReported):
		return exitFailure
	default:
		fmt.Fprintln(inv.stderr, errorLine(err))
		return exitFailure
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
// names of this command.
func formatValidation(ve *wrapper.ValidationError) string {
	var b strings.Builder
	b.WriteString("openai-images: invalid parameters, nothing was sent:\n")
	for _, p := range ve.Problems {
		p.Field = flagName(p.Field)
		b.WriteString("  ")
		b.WriteString(p.String())
		b.WriteString("\n")
	}
	return b.String()
}

// flagName turns an API field name of a validation problem into the flag
// that sets it: output_format -> --output-format, image[1] -> --image #2.
func flagName(field string) string {
	name, idx, indexed := strings.Cut(field, "[")
	name = "--" + strings.ReplaceAll(name, "_", "-")
	if indexed {
		var i int
		if _, err := fmt.Sscanf(idx, "%d]", &i); err == nil {
			return fmt.Sprintf("%s #%d", name, i+1)
		}
	}
	return name
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
