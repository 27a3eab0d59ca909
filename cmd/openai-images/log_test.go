package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/imagestest"
)

// TestDebugLog checks OPENAI_LOG and -v/--verbose: the library's debug log
// on stderr (requests, responses, retries, a model the table does not
// know), one line each, never the key, not even one an error body quotes;
// the SDKs' other values log nothing, and a value they do not take is
// warned about. stdout keeps the paths, or the --json object, alone.
func TestDebugLog(t *testing.T) {
	t.Parallel()
	const key = "sk-proj-debuglog-SECRET-0123456789"
	srv := newFaultServer(t)
	env := func(kv ...string) map[string]string {
		m := map[string]string{"OPENAI_API_KEY": key, "OPENAI_BASE_URL": srv.URL, "OPENAI_PROJECT_ID": srv.tag}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "x.png")
	logLines := func(r result) []string {
		var ls []string
		for _, l := range lines(r.stderr) {
			if strings.HasPrefix(l, "openai-images: level=") {
				ls = append(ls, l)
			}
		}
		return ls
	}
	noKey := func(what string, r result) {
		t.Helper()
		if strings.Contains(r.stderr, key) || strings.Contains(r.stdout, key) || strings.Contains(r.stderr, "SECRET") {
			t.Errorf("%s: the key is in the output:\n%s\n%s", what, r.stderr, r.stdout)
		}
	}

	// A request answered 500 (its body quoting the key), retried: both
	// attempts, the answers and the retry are logged.
	srv.InjectFault(imagestest.Fault{Status: 500, RetryAfterMs: "1", ContentType: "application/json",
		Body: `{"error": {"message": "Incorrect API key provided: ` + key + `", "type": "server_error"}}`}, 1)
	r := runCLI(t, env("OPENAI_LOG", "debug"), "generate", "-o", out, "-m", "gpt-image-1.5", "a cat").mustSucceed(t)
	got := strings.Join(logLines(r), "\n")
	for _, w := range []string{"msg=request op=createImage", "attempt=1", "status=500", "msg=retry", "Incorrect API key provided", "attempt=2", "status=200", "request_id=req_"} {
		if !strings.Contains(got, w) {
			t.Errorf("OPENAI_LOG=debug: the log lacks %q:\n%s", w, r.stderr)
		}
	}
	if r.stdout != out+"\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	noKey("retry", r)

	// -v: a model the table does not know is logged as checked by the
	// universal rules (the emulator then refuses it).
	for _, v := range []string{"-v", "--verbose"} {
		r = runCLI(t, env(), "generate", v, "-o", out, "-m", "gpt-image-2.7-nova", "a cat")
		got = strings.Join(logLines(r), "\n")
		if r.code != exitFailure || !strings.Contains(got, `msg="model not in the table: only the checks that hold for every model ran" model=gpt-image-2.7-nova`) ||
			!strings.Contains(got, "status=400") {
			t.Errorf("%s: exit %d, stderr:\n%s", v, r.code, r.stderr)
		}
		noKey(v, r)
	}

	// --json: stdout is the object alone; a batch logs each item's request.
	r = runCLI(t, env("OPENAI_LOG", " debug "), "generate", "--json", "-o", out, "-m", "gpt-image-1.5", "a cat").mustSucceed(t)
	if s := parseSummary(t, r.stdout); len(s.Files) != 1 || len(logLines(r)) < 2 {
		t.Errorf("--json: %+v\n%s", s, r.stderr)
	}
	noKey("--json", r)
	items := writeText(t, dir, "prompts.txt", "a cat\na dog\n")
	r = runCLI(t, env(), "batch", "-v", "-m", "gpt-image-1-mini", "--out-dir", filepath.Join(dir, "b"), items).mustSucceed(t)
	if n := strings.Count(strings.Join(logLines(r), "\n"), "msg=request op=createImage"); n != 2 {
		t.Errorf("batch -v: %d requests logged, want 2:\n%s", n, r.stderr)
	}
	noKey("batch", r)

	// Without OPENAI_LOG, with the values that log nothing here, and with
	// values the SDKs do not take (warned about): no log.
	for _, tc := range []struct{ value, warning string }{
		{"", ""}, {"off", ""}, {"error", ""}, {"warn", ""}, {"info", ""},
		{"bogus", `openai-images: warning: OPENAI_LOG is "bogus", expected one of off, error, warn, info, debug: ignored`},
		{"DEBUG", `openai-images: warning: OPENAI_LOG is "DEBUG"`},
	} {
		r = runCLI(t, env("OPENAI_LOG", tc.value), "generate", "-o", out, "-m", "gpt-image-1.5", "a cat").mustSucceed(t)
		if len(logLines(r)) != 0 || tc.warning == "" && strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, tc.warning) {
			t.Errorf("OPENAI_LOG=%q: stderr:\n%s", tc.value, r.stderr)
		}
	}
}

// TestLogAboveProgress checks that a log line drawn while a status line is
// on the terminal clears it first and draws it again below, so that the
// two never share a line.
func TestLogAboveProgress(t *testing.T) {
	t.Parallel()
	var stderr syncBuffer
	inv := &invocation{stderr: &stderr, env: func(k string) string { return map[string]string{"OPENAI_LOG": "debug"}[k] }, tty: true}
	l := inv.logger(&connFlags{})
	p := inv.newProgress(true, "generate", "waiting for the API")
	l.Debug("request", "op", "createImage")
	p.stop()
	s := stderr.String()
	const line = "openai-images: level=DEBUG msg=request op=createImage\n"
	i := strings.Index(s, line)
	if i < 1 || s[i-1] != '\r' || !strings.HasPrefix(s, "\rgenerate: waiting for the API") || !strings.Contains(s[i+len(line):], "generate: waiting for the API") {
		t.Errorf("stderr %q: want the status line, cleared, the log line, the status line again", s)
	}
}
