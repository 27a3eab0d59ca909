package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBatchReorderInsertRemove checks that items are known by their
// content: a rerun with a line inserted at the top, the others reordered
// and one removed sends only the new line, rewrites nothing, and names the
// new image after its prompt.
func TestBatchReorderInsertRemove(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	file := writeText(t, dir, "prompts.txt", "a lighthouse\na red boat\na harbour\n")
	args := []string{"batch", "-m", "gpt-image-2", "-s", "256x256", "--concurrency", "1", "--out-dir", out, file}
	r := runCLI(t, srv.env, args...).mustSucceed(t)
	first := lines(r.stdout)
	before := map[string]fileState{}
	for _, p := range first {
		before[p] = stateOf(t, p)
	}
	if len(first) != 3 || !strings.HasPrefix(filepath.Base(first[0]), "a-lighthouse-") {
		t.Fatalf("stdout %q", first)
	}
	time.Sleep(10 * time.Millisecond)

	writeText(t, dir, "prompts.txt", "a kingfisher\na harbour\n# the boat is gone\na lighthouse\n")
	sent := len(srv.imageRequests())
	r = runCLI(t, srv.env, args...).mustSucceed(t)
	if got := lines(r.stdout); len(got) != 1 || !strings.HasPrefix(filepath.Base(got[0]), "a-kingfisher-") {
		t.Errorf("rerun wrote %q, want the new item only", got)
	}
	reqs := srv.imageRequests()[sent:]
	if len(reqs) != 1 || reqs[0].Params["prompt"] != "a kingfisher" {
		t.Errorf("rerun sent %d requests", len(reqs))
	}
	for p, st := range before {
		if now := stateOf(t, p); !bytes.Equal(now.data, st.data) || !now.mtime.Equal(st.mtime) {
			t.Errorf("%s was rewritten", p)
		}
	}
	for _, w := range []string{"3 items from " + file + " into " + out + ": 2 skipped as done by an earlier run, running 1",
		"[3/3 100%] a-kingfisher-", "all 3 items done (1 now, 2 skipped as done by an earlier run)"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
}

// TestBatchValidatesEveryItem checks that every item is checked, images
// included, before the first request: all problems listed with their
// lines, nothing sent; and every bad line of a JSONL file reported.
func TestBatchValidatesEveryItem(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	dir := t.TempDir()
	writePNG(t, dir, "cat.png", gradient(64, 64, 1))
	file := writeText(t, dir, "items.jsonl", `{"prompt": "a cat", "size": "256x256"}
{"prompt": "two boats", "model": "dall-e-3", "n": 2, "size": "1024x1024"}
{"prompt": "a dog", "size": "256x256"}
{"prompt": "add a hat", "images": ["missing.png"], "model": "gpt-image-1.5"}
{"prompt": "a fox", "size": "300x300"}
{"prompt": "a hat on the cat", "images": ["cat.png"], "model": "gpt-image-1.5"}
`)
	out := filepath.Join(dir, "out")
	r := runCLI(t, srv.env, "batch", "-m", "dall-e-2", "--out-dir", out, file)
	if r.code != exitUsage || r.stdout != "" || len(srv.requests()) != 0 {
		t.Fatalf("exit %d, %d requests\nstderr: %s", r.code, len(srv.requests()), r.stderr)
	}
	for _, w := range []string{
		"batch: invalid parameters in 3 of 6 items, nothing was sent:\n",
		"(" + file + ":2): n=2: dall-e-3 supports only n=1",
		"(" + file + ":4): image[0]=missing.png: cannot read the image",
		"(" + file + ":5): size=300x300: dall-e-2 does not support size 300x300",
	} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	if exists(out) {
		t.Errorf("--out-dir was created")
	}

	// --json lists every problem with its item and line.
	r = runCLI(t, srv.env, "batch", "--json", "-m", "dall-e-2", "--out-dir", out, file)
	s := parseBatchSummary(t, r.stdout)
	if r.code != exitUsage || s.Error == nil || s.Error.Kind != "validation" || len(s.Error.Problems) != 3 {
		t.Fatalf("exit %d, error %+v", r.code, s.Error)
	}
	for i, line := range []int{2, 4, 5} {
		if p := s.Error.Problems[i]; p.Line != line || p.Item == "" || p.Rule == "" {
			t.Errorf("problem %d = %+v", i, p)
		}
	}

	// A JSONL file with errors on two lines: both reported.
	bad := writeText(t, dir, "bad.jsonl", "{\"prompt\": \"a\"}\n{\"prompt\": \"b\", \"sise\": \"1\"}\n{\"prompt\": \"c\"}\n{\"prompt\": }\n")
	r = runCLI(t, srv.env, "batch", "--out-dir", out, bad)
	for _, w := range []string{"batch: 2 lines of " + bad + " are not items, nothing was sent:\n", bad + `:2: json: unknown field "sise"`, bad + ":4: "} {
		if r.code != exitUsage || !strings.Contains(r.stderr, w) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", r.code, w, r.stderr)
		}
	}
	if len(srv.requests()) != 0 {
		t.Errorf("%d requests sent", len(srv.requests()))
	}
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestBatchChangedParameters checks that a rerun with another parameter is
// reported before anything is sent, and runs with --rerun-changed, the
// earlier images kept.
func TestBatchChangedParameters(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	file := writeText(t, dir, "prompts.txt", "a lighthouse\na red boat\n")
	items := writeText(t, dir, "items.jsonl", `{"id": "fox", "prompt": "a fox", "size": "256x256"}`+"\n")
	run := func(model string, extra ...string) result {
		return runCLI(t, srv.env, append([]string{"batch", "-m", model, "-s", "256x256", "--out-dir", out, file}, extra...)...)
	}
	first := lines(run("gpt-image-2").mustSucceed(t).stdout)
	sent := len(srv.imageRequests())

	r := run("gpt-image-1.5", "-s", "1024x1024")
	if r.code != exitUsage || r.stdout != "" || len(srv.imageRequests()) != sent {
		t.Fatalf("exit %d, stdout %q\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	for _, w := range []string{
		"batch: 2 items of " + file + " were done by an earlier run into " + out + " with other parameters, nothing was sent:\n",
		"(" + file + ":1): model: gpt-image-2 → gpt-image-1.5, size: 256x256 → 1024x1024\n",
		"add --rerun-changed",
	} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	r = run("gpt-image-1.5", "-s", "1024x1024", "--json")
	if s := parseBatchSummary(t, r.stdout); s.Error == nil || s.Error.Code != "batch_items_changed" || len(s.Error.Problems) != 2 || s.Error.Problems[1].Line != 2 {
		t.Errorf("--json: %+v", s.Error)
	}

	r = run("gpt-image-1.5", "-s", "1024x1024", "--rerun-changed").mustSucceed(t)
	again := lines(r.stdout)
	if len(again) != 2 || len(srv.imageRequests()) != sent+2 || slices.Contains(again, first[0]) {
		t.Errorf("rerun-changed wrote %q", again)
	}
	for _, p := range append(first, again...) {
		if !exists(p) {
			t.Errorf("%s is gone", p)
		}
	}

	// An item with an id: its files are replaced, on request only.
	runCLI(t, srv.env, "batch", "-m", "gpt-image-2", "--out-dir", out, items).mustSucceed(t)
	writeText(t, dir, "items.jsonl", `{"id": "fox", "prompt": "a fox", "size": "512x512"}`+"\n")
	r = runCLI(t, srv.env, "batch", "-m", "gpt-image-2", "--out-dir", out, items)
	if r.code != exitUsage || !strings.Contains(r.stderr, "fox ("+items+":1): size: 256x256 → 512x512") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	runCLI(t, srv.env, "batch", "-m", "gpt-image-2", "--out-dir", out, "--rerun-changed", items).mustSucceed(t)
	checkImageFile(t, filepath.Join(out, "fox.png"), "png", 512, 512)
}

// TestBatchProgressLines checks the line per item when stderr is not a
// terminal: items done of all (the resumed ones counted), the percentage,
// the rate and the time left; and --quiet, which prints none of it.
func TestBatchProgressLines(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	file := writeText(t, dir, "prompts.txt", "one\ntwo\n")
	args := []string{"batch", "-m", "gpt-image-2", "-s", "256x256", "--concurrency", "1", "--out-dir", out, file}
	runCLI(t, srv.env, args...).mustSucceed(t)
	writeText(t, dir, "prompts.txt", "one\ntwo\nthree\nfour\n")
	r := runCLI(t, srv.env, args...).mustSucceed(t)
	item := regexp.MustCompile(`(?m)^batch: \[(\d)/4 (\d+)%\] (\S+) \(` + regexp.QuoteMeta(file) + `:(\d)\) ok, [0-9.]+ items/(s|min)(, ETA \d+s)?$`)
	m := item.FindAllStringSubmatch(r.stderr, -1)
	if len(m) != 2 || m[0][1] != "3" || m[0][2] != "75" || m[1][1] != "4" || m[1][2] != "100" || m[0][6] == "" || m[1][6] != "" {
		t.Errorf("item lines %q in:\n%s", m, r.stderr)
	}

	// --quiet: the paths on stdout, nothing on stderr.
	writeText(t, dir, "prompts.txt", "five\n")
	r = runCLI(t, srv.env, append(args, "-q")...).mustSucceed(t)
	if r.stderr != "" || len(lines(r.stdout)) != 1 {
		t.Errorf("--quiet: stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

// TestBatchProgressTerminal checks the status line on a terminal: the
// count of all items, resumed ones included, and the percentage.
func TestBatchProgressTerminal(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	file := writeText(t, dir, "prompts.txt", "one\ntwo\nthree\n")
	args := []string{"-m", "gpt-image-2", "-s", "256x256", "--concurrency", "1", "--out-dir", out, file}
	runCLI(t, srv.env, append([]string{"batch"}, args...)...).mustSucceed(t)
	writeText(t, dir, "prompts.txt", "one\ntwo\nthree\nfour\n")
	var stdout, stderr syncBuffer
	inv := &invocation{stdout: &stdout, stderr: &stderr, env: func(k string) string { return srv.env[k] }, tty: true}
	if code := inv.exitCode(t.Context(), runBatch(t.Context(), inv, args)); code != exitOK {
		t.Fatalf("exit %d\nstderr: %q", code, stderr.String())
	}
	s := stderr.String()
	for _, w := range []string{"\rbatch: 3/4 (75%), 3 skipped", "\rbatch: 4/4 (100%), 3 skipped, ", " items/s"} {
		if !strings.Contains(s, w) {
			t.Errorf("stderr lacks %q: %q", w, s)
		}
	}
}

// TestMeter checks the progress arithmetic on a fixed clock: the example
// of a resumed batch of 200 with 67 done before.
func TestMeter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := newMeter(200, 67, func() time.Time { return now })
	if got := m.String(); got != "67/200 (33%), 67 skipped" {
		t.Errorf("before: %q", got)
	}
	m.begin()
	now = now.Add(33800 * time.Millisecond)
	m.update(70, 1)
	if got := m.String(); got != "138/200 (69%), 67 skipped, 1 failed, 2.1 items/s, ETA 30s" {
		t.Errorf("during: %q", got)
	}
	if got := m.itemLine(); got != "[138/200 69%]" {
		t.Errorf("item line: %q", got)
	}
	now = now.Add(10 * time.Minute)
	m.update(72, 1)
	if got := m.String(); got != "140/200 (70%), 67 skipped, 1 failed, 6.9 items/min, ETA 8m41s" {
		t.Errorf("slow: %q", got)
	}
	m.update(132, 1)
	if got := m.String(); got != "200/200 (100%), 67 skipped, 1 failed, 12.6 items/min" {
		t.Errorf("done: %q", got)
	}
	for d, want := range map[time.Duration]string{0: "0s", 1500 * time.Millisecond: "2s", 59 * time.Second: "59s", 61 * time.Second: "1m01s",
		3599 * time.Second: "59m59s", 3723 * time.Second: "1h02m"} {
		if got := formatETA(d); got != want {
			t.Errorf("formatETA(%v) = %q, want %q", d, got, want)
		}
	}
}
