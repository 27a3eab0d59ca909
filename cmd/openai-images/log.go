package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
)

// logLevels are the values of OPENAI_LOG, as npm openai reads it
// (internal/utils/log.ts: off, error, warn, info, debug, trimmed; any other
// value is warned about and ignored); openai-python takes debug and info.
// off, error and warn log nothing here: the library has nothing to say at
// those levels.
var logLevels = map[string]slog.Level{
	"off":   slog.LevelError + 4,
	"error": slog.LevelError,
	"warn":  slog.LevelWarn,
	"info":  slog.LevelInfo,
	"debug": slog.LevelDebug,
}

// logger returns the library's logger for the run (wrapper.WithLogger), or
// nil for none: at debug level with -v/--verbose, else at the level
// OPENAI_LOG names. It logs to stderr, each line starting with the
// program's name, above the progress line. The library never logs a key.
func (inv *invocation) logger(cf *connFlags) *slog.Logger {
	level, ok := slog.LevelDebug, cf.verbose
	if !ok {
		v := strings.TrimSpace(inv.env("OPENAI_LOG"))
		if v == "" {
			return nil
		}
		if level, ok = logLevels[v]; !ok {
			fmt.Fprintf(inv.stderr, "openai-images: warning: OPENAI_LOG is %q, expected one of off, error, warn, info, debug: ignored\n", v)
			return nil
		}
	}
	if level > slog.LevelInfo {
		return nil
	}
	h := slog.NewTextHandler(&logWriter{inv: inv}, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{} // durations are in the records
			}
			return a
		},
	})
	return slog.New(h)
}

// logWriter writes log records to stderr, one line each, above the
// progress line when one is drawn.
type logWriter struct{ inv *invocation }

func (w *logWriter) Write(b []byte) (int, error) {
	line := append([]byte("openai-images: "), bytes.TrimRight(b, "\n")...)
	line = append(line, '\n')
	var err error
	write := func() { _, err = w.inv.stderr.Write(line) }
	if p := w.inv.prog.Load(); p != nil {
		p.above(write)
	} else {
		write()
	}
	return len(b), err
}

// newProgress starts the run's status line (see newProgress), above which
// the log's lines are written.
func (inv *invocation) newProgress(tty bool, label, phase string) *progress {
	p := newProgress(inv.stderr, tty, label, phase)
	inv.prog.Store(p)
	return p
}
