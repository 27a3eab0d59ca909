package main

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runStdin runs the program with stdin as its standard input.
func runStdin(t *testing.T, env map[string]string, stdin []byte, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runWithStdin(t.Context(), args, bytes.NewReader(stdin), &stdout, &stderr, func(k string) string { return env[k] })
	return result{code, stdout.String(), stderr.String()}
}

// TestPromptFromStdin checks "-" as the prompt: the flag or the argument.
func TestPromptFromStdin(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, args := range [][]string{{"--prompt", "-"}, {"-p", "-"}, {"-"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			before := len(srv.requests())
			r := runStdin(t, srv.env, []byte("a cat on a mat\n"), append([]string{"generate", "-s", "256x256", "--out-dir", t.TempDir()}, args...)...)
			r.mustSucceed(t)
			reqs := srv.requests()[before:]
			if len(reqs) != 1 || reqs[0].Params["prompt"] != "a cat on a mat" {
				t.Errorf("requests %+v", reqs)
			}
		})
	}
	r := runStdin(t, srv.env, []byte("\n\n"), "generate", "-s", "256x256", "-")
	if r.code != exitUsage || !strings.Contains(r.stderr, "generate: --prompt -: standard input holds no prompt") {
		t.Errorf("empty stdin: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestImageFromStdin checks "-" as the image of edit and vary, and that
// standard input is read once.
func TestImageFromStdin(t *testing.T) {
	t.Parallel()
	// vary's endpoint is retired: a server that still serves it.
	srv := newRetiredServer(t)
	dir := t.TempDir()
	src := writePNG(t, dir, "in.png", gradient(256, 256, 3))
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}

	before := len(srv.requests())
	runStdin(t, srv.env, data, "edit", "-i", "-", "-m", "gpt-image-1.5", "-s", "1024x1024", "-o", filepath.Join(dir, "e.png"), "make it night").mustSucceed(t)
	reqs := srv.requests()[before:]
	if len(reqs) != 1 || len(reqs[0].Files) != 1 || reqs[0].Files[0].Field != "image" || reqs[0].Files[0].Filename != "image.png" ||
		reqs[0].Files[0].Width != 256 || reqs[0].Files[0].Size != len(data) {
		t.Fatalf("edit requests %+v", reqs)
	}
	checkImageFile(t, filepath.Join(dir, "e.png"), "png", 1024, 1024)

	before = len(srv.requests())
	runStdin(t, srv.env, data, "vary", "--image", "-", "-s", "256x256", "-o", filepath.Join(dir, "v.png")).mustSucceed(t)
	if reqs := srv.requests()[before:]; len(reqs) != 1 || len(reqs[0].Files) != 1 || reqs[0].Files[0].Size != len(data) {
		t.Fatalf("vary requests %+v", reqs)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"edit", "-i", "-", "-"}, "--image - and --prompt - both read standard input, which can be read once"},
		{[]string{"edit", "-i", src, "--mask", "-", "-p", "-"}, "--mask - and --prompt - both read standard input"},
		{[]string{"edit", "-i", "-", "-i", "-", "x"}, "--image - and --image - both read standard input"},
	} {
		before = len(srv.requests())
		r := runStdin(t, srv.env, data, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || len(srv.requests()) != before {
			t.Errorf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
	}
	r := runStdin(t, srv.env, nil, "vary", "-i", "-")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--image -: standard input is empty") {
		t.Errorf("empty stdin: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestOutputStdout checks -o -: the image's bytes alone on stdout,
// everything else on stderr.
func TestOutputStdout(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := runCLI(t, srv.env, "generate", "-m", "gpt-image-1.5", "-s", "1024x1536", "-o", "-", "a cat").mustSucceed(t)
	cfg, format, err := image.DecodeConfig(strings.NewReader(r.stdout))
	if err != nil || format != "png" || cfg.Width != 1024 || cfg.Height != 1536 {
		t.Fatalf("stdout is not the image: %v %s %+v (%d bytes)", err, format, cfg, len(r.stdout))
	}
	if !strings.Contains(r.stderr, "generate: 1 image written to stdout in ") {
		t.Errorf("stderr %q", r.stderr)
	}
	// A stream: the final image only.
	r = runCLI(t, srv.env, "generate", "-m", "gpt-image-1.5", "--stream", "-s", "1024x1024", "-o", "-", "a cat").mustSucceed(t)
	if _, format, err := image.DecodeConfig(strings.NewReader(r.stdout)); err != nil || format != "png" {
		t.Errorf("streamed: %v, %s", err, format)
	}

	before := len(srv.requests())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-n", "2"}, "generate: -o - takes one image and --n 2 asks for 2: use -o FILE"},
		{[]string{"--partial-images", "1"}, "generate: -o - takes the final image only"},
		{[]string{"--out-dir", "x"}, "generate: give -o FILE or --out-dir DIR, not both"},
	} {
		r := runCLI(t, srv.env, append([]string{"generate", "-m", "gpt-image-1.5", "-o", "-", "a cat"}, tc.args...)...)
		if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, r.code, r.stdout, r.stderr)
		}
	}
	// A terminal on stdout gets no image bytes.
	var stdout, stderr bytes.Buffer
	inv := &invocation{stdout: &stdout, stderr: &stderr, env: func(k string) string { return srv.env[k] }, stdoutTTY: true}
	err = runGenerate(t.Context(), inv, []string{"-o", "-", "a cat"})
	if code := inv.exitCode(t.Context(), err); code != exitUsage || !strings.Contains(stderr.String(), "stdout is a terminal") || stdout.Len() != 0 {
		t.Errorf("terminal: exit %d, stderr %q", code, stderr.String())
	}
	if n := len(srv.requests()) - before; n != 0 {
		t.Errorf("%d requests sent for refused command lines", n)
	}
}

// TestOutputFile checks -o FILE: the name as given, an extension from the
// bytes when it has none, numbers for several images, partial images
// beside, and the refusals before sending.
func TestOutputFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dir := t.TempDir()
	in := func(name string) string { return filepath.Join(dir, name) }

	r := runCLI(t, srv.env, "generate", "-s", "256x256", "-o", in("otter.png"), "an otter").mustSucceed(t)
	if r.stdout != in("otter.png")+"\n" || !strings.Contains(r.stderr, "generate: 1 image written in ") {
		t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
	checkImageFile(t, in("otter.png"), "png", 256, 256)
	// Named again: replaced.
	st := stateOf(t, in("otter.png"))
	time.Sleep(10 * time.Millisecond)
	runCLI(t, srv.env, "generate", "-s", "512x512", "-o", in("otter.png"), "an otter").mustSucceed(t)
	if now := stateOf(t, in("otter.png")); now.mtime.Equal(st.mtime) {
		t.Error("-o did not replace the file")
	}
	checkImageFile(t, in("otter.png"), "png", 512, 512)

	for _, tc := range []struct {
		args  []string
		files []string
	}{
		{[]string{"-m", "gpt-image-2", "--output-format", "webp", "-s", "256x256", "-o", in("noext")}, []string{"noext.webp"}},
		{[]string{"-n", "2", "-s", "256x256", "-o", in("pair.png")}, []string{"pair-1.png", "pair-2.png"}},
		{[]string{"-n", "2", "-s", "256x256", "-o", in("cat-{n}-small.png")}, []string{"cat-1-small.png", "cat-2-small.png"}},
		{[]string{"-m", "gpt-image-2", "-s", "256x256", "--partial-images", "2", "-o", in("fox.png")}, []string{"fox-partial-0.png", "fox-partial-1.png", "fox.png"}},
	} {
		r := runCLI(t, srv.env, append([]string{"generate", "a picture"}, tc.args...)...).mustSucceed(t)
		var want []string
		for _, f := range tc.files {
			want = append(want, in(f))
			if _, err := os.Stat(in(f)); err != nil {
				t.Errorf("%v: %v", tc.args, err)
			}
		}
		if got := lines(r.stdout); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%v: stdout %q, want %q", tc.args, got, want)
		}
	}

	before := len(srv.requests())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", dir}, "generate: -o " + dir + " is a directory: name a file, or use --out-dir " + dir},
		{[]string{"-o", in("missing/otter.png")}, "generate: -o " + in("missing/otter.png") + ": the directory " + in("missing") + " does not exist"},
		{[]string{"-m", "gpt-image-1.5", "--output-format", "png", "-o", in("otter.jpg")}, "names a jpeg file, but --output-format is png"},
		{[]string{"--out-dir", in("otter.png") + "x.png"}, "--out-dir " + in("otter.png") + "x.png is the directory images go into: to name the image file, use -o"},
		{[]string{"--out", in("new.webp")}, "to name the image file, use -o " + in("new.webp")},
	} {
		r := runCLI(t, srv.env, append([]string{"generate", "a cat"}, tc.args...)...)
		if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	if n := len(srv.requests()) - before; n != 0 {
		t.Errorf("%d requests sent for refused command lines", n)
	}
}

func TestOutputName(t *testing.T) {
	t.Parallel()
	k := 1
	for _, tc := range []struct {
		pattern string
		n       int
		several bool
		partial *int
		want    string
	}{
		{"otter.png", 1, false, nil, "otter.png"},
		{"otter", 1, false, nil, "otter.webp"},
		{"otter.png", 2, true, nil, "otter-2.png"},
		{"a/b.c/otter", 1, false, nil, "a/b.c/otter.webp"},
		{"otter-{n}.png", 3, true, nil, "otter-3.png"},
		{"otter-{n}.png", 1, false, nil, "otter-1.png"},
		{"otter.png", 1, false, &k, "otter-partial-1.png"},
		{"otter.png", 2, true, &k, "otter-2-partial-1.png"},
	} {
		if got := outputName(tc.pattern, tc.n, tc.several, tc.partial, ".webp"); got != tc.want {
			t.Errorf("outputName(%q, %d, %v) = %q, want %q", tc.pattern, tc.n, tc.several, got, tc.want)
		}
	}
}

// TestQuiet checks --quiet: no progress and no summary, the paths still.
func TestQuiet(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	var stdout, stderr bytes.Buffer
	inv := &invocation{stdout: &stdout, stderr: &stderr, env: func(k string) string { return srv.env[k] }, tty: true}
	out := filepath.Join(t.TempDir(), "q.png")
	err := runGenerate(t.Context(), inv, []string{"-q", "-s", "256x256", "-o", out, "a cat"})
	if code := inv.exitCode(t.Context(), err); code != exitOK || stderr.Len() != 0 || stdout.String() != out+"\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}
