package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

// batchServers numbers the servers of batchServer.
var batchServers atomic.Int64

// batchServer returns the shared emulator with a tag of this run of the
// test, so that its request counts hold under -count.
func batchServer(t *testing.T) *testServer {
	t.Helper()
	s := newServer(t)
	s.tag += fmt.Sprintf(" #%d", batchServers.Add(1))
	s.env["OPENAI_PROJECT_ID"] = s.tag
	return s
}

// writeText writes content into dir/name and returns the path.
func writeText(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// imageRequests returns the image requests this test sent, in order.
func (s *testServer) imageRequests() []imagestest.Request {
	var out []imagestest.Request
	for _, r := range s.requests() {
		if strings.HasPrefix(r.Path, "/v1/images/") {
			out = append(out, r)
		}
	}
	return out
}

// countPath counts this test's requests of method to path.
func (s *testServer) countPath(method, path string) int {
	n := 0
	for _, r := range s.requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// readManifest returns the manifest of an output directory, by item ID.
func readManifest(t *testing.T, dir string) map[string]wrapper.BatchManifestEntry {
	t.Helper()
	entries, err := wrapper.ReadBatchManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]wrapper.BatchManifestEntry{}
	for _, e := range entries {
		out[e.ID] = e
	}
	return out
}

// parseBatchSummary decodes the batch command's --json output strictly.
func parseBatchSummary(t *testing.T, stdout string) batchSummary {
	t.Helper()
	return decodeStrict[batchSummary](t, stdout)
}

// checkImageFile checks an image file's format and dimensions.
func checkImageFile(t *testing.T, path, format string, w, h int) {
	t.Helper()
	f, gw, gh := decodeConfig(t, path)
	if f != format || gw != w || gh != h {
		t.Errorf("%s: %s %dx%d, want %s %dx%d", path, f, gw, gh, format, w, h)
	}
}

// fileState is a file's content and modification time.
type fileState struct {
	data  []byte
	mtime time.Time
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{data, fi.ModTime()}
}

// asyncRun runs the program in the background with a context the test
// cancels, its output readable while it runs.
type asyncRun struct {
	cancel         context.CancelFunc
	stdout, stderr *syncBuffer
	done           chan int
}

func startCLI(t *testing.T, env map[string]string, args ...string) *asyncRun {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	a := &asyncRun{cancel: cancel, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan int, 1)}
	go func() {
		a.done <- run(ctx, args, a.stdout, a.stderr, func(k string) string { return env[k] })
	}()
	t.Cleanup(cancel)
	return a
}

// waitFor waits until cond holds, or fails the test after 10 s.
func (a *asyncRun) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		select {
		case code := <-a.done:
			t.Fatalf("the program exited %d before %s\nstdout: %s\nstderr: %s", code, what, a.stdout, a.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\nstdout: %s\nstderr: %s", what, a.stdout, a.stderr)
		}
		time.Sleep(time.Millisecond)
	}
}

func (a *asyncRun) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case code := <-a.done:
		return code
	case <-time.After(10 * time.Second):
		t.Fatalf("the program did not exit\nstderr: %s", a.stderr)
		return -1
	}
}

const sixPrompts = `# six prompts, a comment and a blank line
a lighthouse on a rocky coast
a small red sailing boat

a harbour town at dawn
a sea otter holding a shell
a fox in the snow
an owl on a branch
`

// TestBatchPlainText runs a file of prompts with the flags as their
// parameters, then again: the rerun skips everything and sends nothing.
func TestBatchPlainText(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	dir := t.TempDir()
	file := writeText(t, dir, "prompts.txt", sixPrompts)
	out := filepath.Join(dir, "out")
	args := []string{"batch", "--model", "gpt-image-2", "--size", "256x256", "--concurrency", "3", "--out", out, file}

	r := runCLI(t, srv.env, args...).mustSucceed(t)
	ids := itemIDs(t, file, wrapper.GenerateParams{Model: "gpt-image-2", Size: "256x256"})
	var want []string
	for _, id := range ids {
		want = append(want, filepath.Join(out, id+".png"))
	}
	slices.Sort(want)
	got := lines(r.stdout)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("stdout paths = %q, want %q", got, want)
	}
	for _, p := range want {
		checkImageFile(t, p, "png", 256, 256)
	}
	for _, w := range []string{"6 items from " + file, "3 at a time", ids[2] + " (" + file + ":5) ok", "all 6 items done"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	reqs := srv.imageRequests()
	var prompts []string
	for _, q := range reqs {
		prompts = append(prompts, q.Params["prompt"].(string))
		if q.Params["model"] != "gpt-image-2" || q.Params["size"] != "256x256" {
			t.Errorf("request params %v", q.Params)
		}
	}
	slices.Sort(prompts)
	wantPrompts := []string{"a fox in the snow", "a harbour town at dawn", "a lighthouse on a rocky coast", "a sea otter holding a shell",
		"a small red sailing boat", "an owl on a branch"}
	if !slices.Equal(prompts, wantPrompts) {
		t.Errorf("prompts sent = %q", prompts)
	}
	m := readManifest(t, out)
	if len(m) != 6 || m[ids[3]].Status != "ok" || m[ids[3]].Files[0] != ids[3]+".png" {
		t.Errorf("manifest = %+v", m)
	}

	r = runCLI(t, srv.env, args...).mustSucceed(t)
	if r.stdout != "" || !strings.Contains(r.stderr, "6 skipped as done by an earlier run, nothing to run") ||
		!strings.Contains(r.stderr, "all 6 items done (6 skipped as done by an earlier run)") {
		t.Errorf("rerun: stdout %q, stderr:\n%s", r.stdout, r.stderr)
	}
	if n := len(srv.imageRequests()); n != 6 {
		t.Errorf("%d requests after the rerun, want the first run's 6", n)
	}
}

// TestBatchJSONL runs items with parameters of their own: one the API
// refuses (a model the client does not know, so it cannot check it) fails
// alone (exit 1), the others are written at their sizes; a rerun retries
// the failure only, and once it is fixed sends it alone.
func TestBatchJSONL(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	dir := t.TempDir()
	const items = `{"id": "otter", "prompt": "a sea otter"}
{"id": "wide", "prompt": "a wide harbour", "model": "gpt-image-2", "size": "512x256", "quality": "low"}
# pairs
{"id": "pair", "prompt": "two cats", "n": 2}
{"id": "bad", "prompt": "two boats", "model": "gpt-image-99", "n": 2}
{"id": "tall", "prompt": "a tower", "model": "gpt-image-2", "size": "256x512", "output_format": "jpeg"}
`
	file := writeText(t, dir, "items.jsonl", items)
	out := filepath.Join(dir, "out")
	args := []string{"batch", "--model", "gpt-image-2", "--size", "256x256", "--out", out, file}

	r := runCLI(t, srv.env, args...)
	if r.code != exitFailure {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	for _, w := range []string{"bad (" + file + ":5) failed: createImage: 400 Bad Request", "4 of 5 items done, 1 failed"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	files := map[string][3]any{ // name: format, width, height
		"otter.png": {"png", 256, 256}, "wide.png": {"png", 512, 256}, "pair-1.png": {"png", 256, 256},
		"pair-2.png": {"png", 256, 256}, "tall.jpg": {"jpeg", 256, 512},
	}
	var want []string
	for name, f := range files {
		path := filepath.Join(out, name)
		want = append(want, path)
		checkImageFile(t, path, f[0].(string), f[1].(int), f[2].(int))
	}
	got := lines(r.stdout)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	params := map[string]map[string]any{}
	for _, q := range srv.imageRequests() {
		prompt, _ := q.Params["prompt"].(string)
		params[prompt] = q.Params
	}
	if len(srv.imageRequests()) != 5 || params["a sea otter"]["model"] != "gpt-image-2" || params["a wide harbour"]["model"] != "gpt-image-2" ||
		params["a wide harbour"]["size"] != "512x256" || params["a wide harbour"]["quality"] != "low" || params["two cats"]["n"] != 2.0 ||
		params["a tower"]["output_format"] != "jpeg" {
		t.Errorf("requests: %v", params)
	}
	m := readManifest(t, out)
	if len(m) != 5 || m["bad"].Status != "error" || m["bad"].StatusCode != 400 ||
		m["otter"].Status != "ok" || !slices.Equal(m["pair"].Files, []string{"pair-1.png", "pair-2.png"}) {
		t.Errorf("manifest = %+v", m)
	}
	before := map[string]fileState{}
	for _, p := range want {
		before[p] = stateOf(t, p)
	}

	// The same command: the failure is retried (and fails again), the
	// rest skipped.
	r = runCLI(t, srv.env, args...)
	if r.code != exitFailure || r.stdout != "" || !strings.Contains(r.stderr, "4 skipped as done by an earlier run, running 1") {
		t.Errorf("rerun: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if n := len(srv.imageRequests()); n != 6 {
		t.Errorf("%d requests, want the first run's 5 and the failure again", n)
	}

	// Fixed, the item is sent alone.
	writeText(t, dir, "items.jsonl", strings.Replace(items, `"model": "gpt-image-99", `, "", 1))
	r = runCLI(t, srv.env, args...).mustSucceed(t)
	if got, want := lines(r.stdout), []string{filepath.Join(out, "bad-1.png"), filepath.Join(out, "bad-2.png")}; !slices.Equal(got, want) {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	if !strings.Contains(r.stderr, "all 5 items done (1 now, 4 skipped as done by an earlier run)") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	reqs := srv.imageRequests()
	if len(reqs) != 7 || reqs[6].Params["prompt"] != "two boats" || reqs[6].Params["model"] != "gpt-image-2" {
		t.Errorf("%d requests in all, want 7, the last of them two boats", len(reqs))
	}
	for p, st := range before {
		if now := stateOf(t, p); !bytes.Equal(now.data, st.data) || !now.mtime.Equal(st.mtime) {
			t.Errorf("%s was rewritten", p)
		}
	}
	checkImageFile(t, filepath.Join(out, "bad-2.png"), "png", 256, 256)
	if m := readManifest(t, out); len(m) != 5 || m["bad"].Status != "ok" {
		t.Errorf("manifest = %+v", m)
	}
}

// apiItems is a Batch API batch with an item the client cannot check (a
// model it does not know) that the API refuses: it lands in the error file.
const apiItems = `{"id": "otter", "prompt": "a sea otter", "quality": "medium"}
{"id": "wide", "prompt": "a wide harbour", "model": "gpt-image-2", "size": "512x256", "quality": "low"}
{"id": "future", "prompt": "a new model", "model": "gpt-image-99", "quality": "xhigh"}
{"prompt": "a default item"}
`

// TestBatchAPIEmulator submits a batch to the Batch API of the built-in
// emulator: the good items are written, the refused one fails (exit 1);
// the rerun submits the failure only, and --json sums it up.
func TestBatchAPIEmulator(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := writeText(t, dir, "api.jsonl", apiItems)
	out := filepath.Join(dir, "out")
	args := []string{"batch", "--emulator", "--batch-api", "--model", "gpt-image-2", "--size", "256x256", "--out", out, file}

	r := runCLI(t, nil, args...)
	if r.code != exitFailure {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	ids := itemIDs(t, file, wrapper.GenerateParams{Model: "gpt-image-2", Size: "256x256"})
	want := []string{filepath.Join(out, "otter.png"), filepath.Join(out, "wide.png"), filepath.Join(out, ids[3]+".png")}
	if got := lines(r.stdout); !slices.Equal(got, want) {
		t.Errorf("stdout = %q, want %q (file order)", got, want)
	}
	checkImageFile(t, want[0], "png", 256, 256)
	checkImageFile(t, want[1], "png", 512, 256)
	checkImageFile(t, want[2], "png", 256, 256)
	for _, w := range []string{"submitting 4 to the Batch API", "submitted 4 items as batch batch_", " completed: 4 of 4 requests done, 1 failed",
		"future (" + file + ":3) failed: createImage: 400 Bad Request", `param "model"`, "3 of 4 items done, 1 failed"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	m := readManifest(t, out)
	if len(m) != 4 || m["future"].Status != "error" || m["future"].StatusCode != 400 || m["otter"].BatchID == "" || m[ids[3]].Status != "ok" {
		t.Errorf("manifest = %+v", m)
	}
	if _, err := os.Stat(filepath.Join(out, pendingBatchName)); !os.IsNotExist(err) {
		t.Errorf("%s left behind (%v): the emulator's batches end with the command", pendingBatchName, err)
	}
	before := stateOf(t, want[1])

	r = runCLI(t, nil, append(args, "--json")...)
	if r.code != exitFailure {
		t.Fatalf("rerun: exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	s := parseBatchSummary(t, r.stdout)
	if s.Command != "batch" || s.Mode != "batch_api" || !strings.HasPrefix(s.BatchID, "batch_") || s.BatchStatus != "completed" ||
		s.File != file || s.Out != out || s.Manifest != filepath.Join(out, "manifest.jsonl") || s.Error == nil || s.Error.Kind != "batch" || s.ExitCode != 1 {
		t.Errorf("summary = %+v", s)
	}
	if s.Totals != (batchTotals{Items: 4, Skipped: 3, Failed: 1}) || len(s.Items) != 4 {
		t.Fatalf("totals = %+v, %d items", s.Totals, len(s.Items))
	}
	for i, it := range s.Items {
		wantID := ids[i]
		if it.ID != wantID || it.Line != i+1 {
			t.Errorf("item %d = %+v", i, it)
		}
		if i == 2 {
			if it.Status != "failed" || len(it.Files) != 0 || it.Error == nil || it.Error.Status != 400 || it.Error.Param != "model" {
				t.Errorf("failed item = %+v (%+v)", it, it.Error)
			}
			continue
		}
		if it.Status != "skipped" || len(it.Files) != 1 || it.Error != nil {
			t.Errorf("item %d = %+v", i, it)
		}
	}
	if now := stateOf(t, want[1]); !bytes.Equal(now.data, before.data) || !now.mtime.Equal(before.mtime) {
		t.Error("the rerun rewrote wide.png")
	}
}

// TestBatchAPIStatusLines checks that a Batch API batch's progress is
// reported by the same lines whatever the timing: every status it goes
// through, once, in order (validating, in_progress with its requests,
// finalizing, completed with its counts), whether polls see each status
// several times (the emulator's batches slow, polls frequent), skip some
// (polls rare) or see the batch done at once (no delay, as --emulator's).
// Time is synctest's.
func TestBatchAPIStatusLines(t *testing.T) {
	t.Parallel()
	want := []string{
		"batch: batch_<id> validating",
		"batch: batch_<id> in_progress: 3 requests",
		"batch: batch_<id> finalizing",
		"batch: batch_<id> completed: 3 of 3 requests done, 0 failed",
	}
	batchID := regexp.MustCompile(`\bbatch_[0-9a-f]+`)
	for _, tc := range []struct {
		name        string
		delay, poll time.Duration
	}{
		{"no delay", 0, 100 * time.Millisecond},
		{"polls see every status", 10 * time.Second, time.Second},
		{"polls skip statuses", 5 * time.Second, 40 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e, err := imagestest.New(imagestest.WithBatchDelay(tc.delay))
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				file := writeText(t, dir, "prompts.txt", "a lighthouse\na boat\na harbour\n")
				polls := 0
				var stdout, stderr bytes.Buffer
				inv := &invocation{stdout: &stdout, stderr: &stderr, transport: countPolls(e.Transport(), &polls),
					env: func(k string) string {
						return map[string]string{"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": "http://emulator.test/v1"}[k]
					}}
				code := inv.run(t.Context(), []string{"batch", "--batch-api", "-m", "gpt-image-1-mini", "-s", "1024x1024", "--quality", "low",
					"--poll-interval", tc.poll.String(), "--out-dir", filepath.Join(dir, "out"), file})
				if code != exitOK {
					t.Fatalf("exit %d\n%s", code, stderr.String())
				}
				var got []string
				for _, l := range lines(stderr.String()) {
					l = batchID.ReplaceAllString(l, "batch_<id>")
					if strings.HasPrefix(l, "batch: batch_<id> ") && !strings.Contains(l, "items done") {
						got = append(got, l)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%d polls; status lines:\n%s\nwant:\n%s", polls, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				for _, v := range e.Violations() {
					t.Errorf("emulator response violation: %v", v)
				}
			})
		})
	}
}

// countPolls counts the GET /v1/batches/{id} requests rt carries.
func countPolls(rt http.RoundTripper, n *int) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/batches/") {
			*n++
		}
		return rt.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestBatchAPIResume interrupts the wait for a batch at a server of the
// test's own: the batch goes on, and the rerun waits for it instead of
// submitting the items again.
func TestBatchAPIResume(t *testing.T) {
	t.Parallel()
	emu := imagestest.NewServer(imagestest.WithBatchDelay(100 * time.Millisecond))
	t.Cleanup(emu.Close)
	srv := tagged(t, emu)
	dir := t.TempDir()
	file := writeText(t, dir, "prompts.txt", "a sea otter\na red fox\n")
	out := filepath.Join(dir, "out")
	args := []string{"batch", "--batch-api", "--poll-interval", "10ms", "--model", "gpt-image-2", "--size", "256x256", "--out", out, file}

	a := startCLI(t, srv.env, args...)
	a.waitFor(t, "the submission", func() bool { return strings.Contains(a.stderr.String(), "submitted 2 items as batch") })
	a.cancel()
	if code := a.exitCode(t); code != exitInterrupted {
		t.Fatalf("exit %d, want 130\nstderr: %s", code, a.stderr)
	}
	if !strings.Contains(a.stderr.String(), "goes on at the API: rerun the same command") || !strings.Contains(a.stderr.String(), "openai-images: interrupted") {
		t.Errorf("stderr:\n%s", a.stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, pendingBatchName))
	if err != nil {
		t.Fatal(err)
	}
	var pend pendingBatch
	if err := json.Unmarshal(data, &pend); err != nil || !strings.HasPrefix(pend.BatchID, "batch_") || pend.BaseURL != emu.URL || pend.Items != 2 {
		t.Fatalf("%s: %s (%v)", pendingBatchName, data, err)
	}

	r := runCLI(t, srv.env, args...).mustSucceed(t)
	if !strings.Contains(r.stderr, "resuming batch "+pend.BatchID) || !strings.Contains(r.stderr, "batch: "+pend.BatchID+" completed: all 2 items done") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if got := lines(r.stdout); len(got) != 2 {
		t.Errorf("stdout = %q", got)
	}
	checkImageFile(t, filepath.Join(out, itemIDs(t, file, wrapper.GenerateParams{Model: "gpt-image-2", Size: "256x256"})[1]+".png"), "png", 256, 256)
	if n, b := srv.countPath("POST", "/v1/files"), srv.countPath("POST", "/v1/batches"); n != 1 || b != 1 {
		t.Errorf("%d uploads and %d batches created, want one of each", n, b)
	}
	if _, err := os.Stat(filepath.Join(out, pendingBatchName)); !os.IsNotExist(err) {
		t.Errorf("%s left behind after the download (%v)", pendingBatchName, err)
	}

	r = runCLI(t, srv.env, args...).mustSucceed(t)
	if !strings.Contains(r.stderr, "2 skipped as done by an earlier run, nothing to submit") || srv.countPath("POST", "/v1/batches") != 1 {
		t.Errorf("third run: stderr:\n%s", r.stderr)
	}
}

// TestBatchInterrupt cancels a local run with a request in flight: what
// finished stays, exit 130, and the rerun sends the rest only.
func TestBatchInterrupt(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t)
	srv.InjectFault(imagestest.Fault{Path: "/images/generations", Delay: time.Minute}, 1)
	dir := t.TempDir()
	file := writeText(t, dir, "prompts.txt", "one\ntwo\nthree\n")
	out := filepath.Join(dir, "out")
	args := []string{"batch", "--concurrency", "2", "--model", "gpt-image-2", "--size", "256x256", "--out", out, file}

	a := startCLI(t, srv.env, args...)
	a.waitFor(t, "two items", func() bool { return len(lines(a.stdout.String())) == 2 })
	a.cancel()
	if code := a.exitCode(t); code != exitInterrupted {
		t.Fatalf("exit %d, want 130\nstderr: %s", code, a.stderr)
	}
	if !strings.Contains(a.stderr.String(), "2 of 3 items done, 1 not run") || !strings.Contains(a.stderr.String(), "openai-images: interrupted") {
		t.Errorf("stderr:\n%s", a.stderr)
	}
	m := readManifest(t, out)
	if len(m) != 2 {
		t.Fatalf("manifest = %+v", m)
	}
	for _, p := range lines(a.stdout.String()) {
		checkImageFile(t, p, "png", 256, 256)
	}

	sent := len(srv.imageRequests())
	r := runCLI(t, srv.env, args...).mustSucceed(t)
	if len(lines(r.stdout)) != 1 || !strings.Contains(r.stderr, "2 skipped as done by an earlier run, running 1") {
		t.Errorf("rerun: stdout %q, stderr:\n%s", r.stdout, r.stderr)
	}
	if n := len(srv.imageRequests()) - sent; n != 1 {
		t.Errorf("the rerun sent %d requests, want 1", n)
	}
}

// TestBatchRateLimited reports the server's rate limiting on stderr and in
// the JSON summary.
func TestBatchRateLimited(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t)
	srv.InjectFault(imagestest.Fault{Path: "/images/generations", Status: 429, RetryAfterMs: "20"}, 1)
	dir := t.TempDir()
	file := writeText(t, dir, "prompts.txt", "one\ntwo\nthree\nfour\n")
	r := runCLI(t, srv.env, "batch", "--json", "--concurrency", "2", "--model", "gpt-image-2", "--size", "256x256",
		"--out", filepath.Join(dir, "out"), file).mustSucceed(t)
	s := parseBatchSummary(t, r.stdout)
	if s.RateLimited != 1 || s.Totals != (batchTotals{Items: 4, Succeeded: 4}) || s.Mode != "local" {
		t.Errorf("summary = %+v", s)
	}
	if r.stderr != "" {
		t.Errorf("--json: stderr %q, want nothing", r.stderr)
	}

	srv.InjectFault(imagestest.Fault{Path: "/images/generations", Status: 429, RetryAfterMs: "20"}, 1)
	r = runCLI(t, srv.env, "batch", "--concurrency", "2", "--model", "gpt-image-2", "--size", "256x256",
		"--out", filepath.Join(dir, "out2"), file).mustSucceed(t)
	if !strings.Contains(r.stderr, "rate limited by the server (1 429 answer so far): requests now") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// TestBatchJSON checks the summary of a local run.
func TestBatchJSON(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	dir := t.TempDir()
	file := writeText(t, dir, "items.jsonl", `{"id": "a", "prompt": "a cat"}
{"id": "b", "prompt": "a dog", "model": "gpt-image-99"}
`)
	r := runCLI(t, srv.env, "batch", "--json", "--model", "gpt-image-2", "--size", "256x256",
		"--out", filepath.Join(dir, "out"), file)
	if r.code != exitFailure || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	s := parseBatchSummary(t, r.stdout)
	if s.Totals != (batchTotals{Items: 2, Succeeded: 1, Failed: 1}) || len(s.Items) != 2 || s.ElapsedMS < 0 {
		t.Fatalf("summary = %+v", s)
	}
	a, b := s.Items[0], s.Items[1]
	if a.ID != "a" || a.Line != 1 || a.Status != "ok" || !slices.Equal(a.Files, []string{filepath.Join(dir, "out", "a.png")}) ||
		a.RequestID == "" || a.Attempts != 1 || a.Error != nil {
		t.Errorf("item a = %+v", a)
	}
	if b.ID != "b" || b.Line != 2 || b.Status != "failed" || len(b.Files) != 0 || b.Error == nil || b.Error.Kind != "api" ||
		b.Error.Status != 400 || b.Error.Param != "model" {
		t.Errorf("item b = %+v (%+v)", b, b.Error)
	}
	if s.ExitCode != exitFailure || s.Error == nil || s.Error.Kind != "batch" {
		t.Errorf("outcome: exit %d, error %+v", s.ExitCode, s.Error)
	}
}

// TestBatchStdin reads the items from standard input.
func TestBatchStdin(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	code := runWithStdin(t.Context(), []string{"batch", "--model", "gpt-image-2", "--size", "256x256", "--out", out, "-"},
		strings.NewReader("a cat\n\na dog\n"), &stdout, &stderr, func(k string) string { return srv.env[k] })
	in := writeText(t, t.TempDir(), "in.txt", "a cat\n\na dog\n")
	ids := itemIDs(t, in, wrapper.GenerateParams{Model: "gpt-image-2", Size: "256x256"})
	if code != exitOK || !strings.Contains(stderr.String(), "2 items from stdin") || !strings.Contains(stderr.String(), ids[1]+" (stdin:3) ok") {
		t.Fatalf("exit %d\nstderr: %s", code, stderr.String())
	}
	got := lines(stdout.String())
	slices.Sort(got)
	want := []string{filepath.Join(out, ids[0]+".png"), filepath.Join(out, ids[1]+".png")}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("stdout = %q", got)
	}
}

// TestBatchTerminal checks the status line drawn on a terminal.
func TestBatchTerminal(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	dir := t.TempDir()
	file := writeText(t, dir, "items.jsonl", `{"prompt": "a cat"}
{"prompt": "a dog", "model": "gpt-image-99"}
`)
	var stdout, stderr bytes.Buffer
	inv := &invocation{stdout: &stdout, stderr: &stderr, env: func(k string) string { return srv.env[k] }, tty: true}
	err := runBatch(t.Context(), inv, []string{"--model", "gpt-image-2", "--size", "256x256", "--out", filepath.Join(dir, "out"), file})
	if code := inv.exitCode(t.Context(), err); code != exitFailure {
		t.Fatalf("exit %d: %v\nstderr: %q", code, err, stderr.String())
	}
	s := stderr.String()
	ids := itemIDs(t, file, wrapper.GenerateParams{Model: "gpt-image-2", Size: "256x256"})
	for _, w := range []string{"\rbatch: 0/2 (0%)", "\rbatch: 2/2 (100%), 1 failed, ", " items/s", ids[1] + " (" + file + ":2) failed: createImage: 400", "1 of 2 items done, 1 failed"} {
		if !strings.Contains(s, w) {
			t.Errorf("stderr lacks %q: %q", w, s)
		}
	}
	if strings.Contains(s, "ok\n") {
		t.Errorf("a terminal gets no line per item done: %q", s)
	}
	if got := lines(stdout.String()); len(got) != 1 {
		t.Errorf("stdout = %q", got)
	}
}

// TestBatchParseErrors checks that a batch file that does not parse exits
// 2 with its file:line and sends nothing, in both modes.
func TestBatchParseErrors(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	cases := []struct{ content, want string }{
		{"{\"prompt\": \"a\"}\n{\"prompt\": \"b\"}\n{\"prompt\": \"c\", \"sise\": \"256x256\"}\n", `items.jsonl:3: json: unknown field "sise"`},
		{"{\"prompt\": \"a\"}\n\n# x\n{\"prompt\": \"b\",\n", "items.jsonl:4: unexpected EOF"},
		{"{\"prompt\": \"a\"}\n{\"prompt\": \"b\"} {}\n", "items.jsonl:2: more than one JSON value"},
		{"{\"id\": \"x\", \"prompt\": \"a\"}\n{\"id\": \"X\", \"prompt\": \"b\"}\n", `ID "X" is also line 1's`},
		{"{\"id\": \"a/b\", \"prompt\": \"a\"}\n", `ID "a/b" has '/'`},
		{"# nothing but a comment\n\n", "items.jsonl has no items"},
	}
	for _, tc := range cases {
		for _, mode := range [][]string{nil, {"--batch-api"}} {
			t.Run(tc.want+strings.Join(mode, ""), func(t *testing.T) {
				dir := t.TempDir()
				file := writeText(t, dir, "items.jsonl", tc.content)
				out := filepath.Join(dir, "out")
				r := runCLI(t, srv.env, append([]string{"batch", "--out", out, file}, mode...)...)
				if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, tc.want) || !strings.HasPrefix(r.stderr, "openai-images: batch: ") {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", r.code, r.stdout, r.stderr, tc.want)
				}
				if _, err := os.Stat(out); !os.IsNotExist(err) {
					t.Errorf("--out was created (%v)", err)
				}
			})
		}
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// TestBatchEveryProblemAtOnce checks that the lines of a JSONL file that
// are not items are reported with the problems of the other lines' items,
// each with its line, in file order, in one failure before any request;
// that the plain message suggests the value a mistyped one was meant to be,
// as --json does; and that the --json report has one entry per item (and
// per line that is not one) with its status and problems.
func TestBatchEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	dir := t.TempDir()
	file := writeText(t, dir, "bad.jsonl", `{"prompt": "x", "quality": "xhigh", "model": "gpt-image-1.5"}
{"prompt":
{"id": "fine", "prompt": "a kite", "model": "gpt-image-1.5"}
{"prompt": "y", "sise": "1024x1024"}

{"id": "typo", "prompt": "z", "quality": "hihg", "model": "gpt-image-1.5"}
`)
	out := filepath.Join(dir, "out")

	r := runCLI(t, srv.env, "batch", "--out-dir", out, file)
	want := []string{
		"openai-images: batch: 2 lines of " + file + " are not items, and 2 of 3 items have invalid parameters, nothing was sent:\n",
		" (" + file + ":1): quality=xhigh: gpt-image-1.5 does not support quality xhigh",
		"\n  " + file + ":2: unexpected EOF\n",
		"\n  " + file + `:4: json: unknown field "sise"` + "\n",
		"\n  typo (" + file + ":6): quality=hihg: not a documented quality value; did you mean high? (allowed: ",
		"\nFix or remove these lines: the others run once they are.\n",
	}
	last := -1
	for _, w := range want {
		i := strings.Index(r.stderr, w)
		if i < 0 || i < last {
			t.Errorf("stderr lacks %q after what precedes it:\n%s", w, r.stderr)
		}
		last = i
	}
	if r.code != exitUsage || r.stdout != "" || strings.Contains(r.stderr, "fine") {
		t.Errorf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}

	r = runCLI(t, srv.env, "batch", "--json", "--out-dir", out, file)
	s := parseBatchSummary(t, r.stdout)
	if r.code != exitUsage || s.ExitCode != exitUsage || s.Error == nil || s.Error.Kind != kindValidation || s.File != file {
		t.Fatalf("exit %d, report %+v", r.code, s)
	}
	var lines []int
	for _, p := range s.Error.Problems {
		lines = append(lines, p.Line)
	}
	if !slices.Equal(lines, []int{1, 2, 4, 6}) {
		t.Errorf("problems on lines %v, want 1, 2, 4, 6: %+v", lines, s.Error.Problems)
	}
	wantItems := []struct {
		line        int
		id, status  string
		kind, field string
		suggestion  string
	}{
		{1, "*", statusInvalid, kindValidation, "quality", ""}, // "*": its content key
		{2, "", statusInvalid, kindUsage, "", ""},
		{3, "fine", statusNotRun, "", "", ""},
		{4, "", statusInvalid, kindUsage, "", ""},
		{6, "typo", statusInvalid, kindValidation, "quality", "high"},
	}
	if len(s.Items) != len(wantItems) || s.Totals != (batchTotals{Items: 5, NotRun: 1, Invalid: 4}) {
		t.Fatalf("totals %+v, items %+v", s.Totals, s.Items)
	}
	for i, w := range wantItems {
		it := s.Items[i]
		if it.Line != w.line || it.Status != w.status || it.ID != w.id && (w.id != "*" || it.ID == "") || it.Files == nil {
			t.Errorf("item %d = %+v, want %+v", i, it, w)
			continue
		}
		if w.status == statusNotRun {
			if it.Error != nil {
				t.Errorf("item %d: error %+v", i, it.Error)
			}
			continue
		}
		if it.Error == nil || it.Error.Kind != w.kind || len(it.Error.Problems) != 1 || it.Error.Problems[0].Line != w.line ||
			it.Error.Problems[0].Field != w.field || it.Error.Problems[0].Suggestion != w.suggestion || it.Error.Message == "" {
			t.Errorf("item %d: error %+v", i, it.Error)
		}
	}
	// A run that ends before its items run lists them all as not run.
	r = runCLI(t, map[string]string{"OPENAI_BASE_URL": srv.URL}, "batch", "--json", "--out-dir", out,
		writeText(t, dir, "ok.jsonl", "{\"id\": \"a\", \"prompt\": \"a\"}\n{\"id\": \"b\", \"prompt\": \"b\"}\n"))
	s = parseBatchSummary(t, r.stdout)
	if r.code != exitUsage || s.Error == nil || s.Error.Code != "missing_api_key" || len(s.Items) != 2 ||
		s.Items[0].Status != statusNotRun || s.Items[1].ID != "b" || s.Totals != (batchTotals{Items: 2, NotRun: 2}) {
		t.Errorf("no key: exit %d, report %+v", r.code, s)
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	if exists(out) {
		t.Errorf("--out-dir was created")
	}
}

// TestBatchUsageErrors checks command lines and batches refused before
// anything is sent.
func TestBatchUsageErrors(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	dir := t.TempDir()
	prompts := writeText(t, dir, "prompts.txt", "a cat\na dog\n")
	oneBad := writeText(t, dir, "one-bad.jsonl", `{"prompt": "a cat"}
{"id": "bad", "prompt": "a dog", "model": "dall-e-3", "n": 2, "size": "1024x1024"}
`)
	mixed := writeText(t, dir, "mixed.jsonl", `{"prompt": "a cat"}
{"prompt": "a hat", "image_urls": ["https://example.com/cat.png"]}
`)
	uploads := writeText(t, dir, "uploads.jsonl", `{"id": "hat", "prompt": "a hat", "images": ["cat.png"]}`+"\n")
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--concurrency", "0", prompts}, []string{"batch: --concurrency 0: must be 1 to 256"}},
		{[]string{"--concurrency", "-3", prompts}, []string{"batch: --concurrency -3: must be 1 to 256"}},
		{[]string{"--concurrency", "257", prompts}, []string{"must be 1 to 256"}},
		{[]string{"--concurrency", "many", prompts}, []string{`batch: --concurrency "many": not a whole number (such as 2)`}},
		{nil, []string{"batch: a batch file is required"}},
		{[]string{prompts, prompts}, []string{"batch: one file expected, got 2"}},
		{[]string{"--file", prompts, prompts}, []string{"give the file once"}},
		{[]string{filepath.Join(dir, "missing.txt")}, []string{"batch: open ", "missing.txt: no such file"}},
		{[]string{"--poll-interval", "1s", prompts}, []string{"--poll-interval applies to --batch-api"}},
		{[]string{"--batch-api", "--poll-interval", "0s", prompts}, []string{"--poll-interval 0s: must be positive"}},
		{[]string{"--batch-api", "--concurrency", "2", prompts}, []string{"--concurrency applies to local runs"}},
		{[]string{"--out-dir", "", prompts}, []string{"--out-dir DIR must not be empty"}},
		{[]string{"--out", "", prompts}, []string{"--out-dir DIR must not be empty"}},
		{[]string{"--model", "dall-e-3", "--n", "2", "--size", "256x256", prompts}, []string{
			"batch: invalid parameters in every item of " + prompts + ", nothing was sent:\n  --n=2: dall-e-3 supports only n=1",
			"\n  --size=256x256: dall-e-3 does not support size 256x256"}},
		{[]string{"--batch-api", "--size", "256x256", oneBad}, []string{
			"invalid parameters in 1 of 2 items, nothing was sent:\n  bad (" + oneBad + ":2): n=2: dall-e-3 supports only n=1",
			"The Batch API takes a batch whole"}},
		{[]string{"--batch-api", mixed}, []string{"has 1 generation and 1 edit", "one endpoint"}},
		{[]string{"--batch-api", uploads}, []string{"hat (" + uploads + ":1) edits local files"}},
		{[]string{"--max-retries", "-1", prompts}, []string{"--max-retries -1: must be 0 or more"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			r := runCLI(t, srv.env, append([]string{"batch", "--out", out}, tc.args...)...)
			if r.code != exitUsage || r.stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing\nstderr: %s", r.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr = %q, want it to contain %q", r.stderr, w)
				}
			}
		})
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

func TestLineAt(t *testing.T) {
	t.Parallel()
	if got := lineAt([]byte("\ufeff{\"a\":1}\nb"), 1); got != `{"a":1}` {
		t.Errorf("lineAt = %q", got)
	}
	if got := lineAt([]byte("a\nb\nc"), 3); got != "c" {
		t.Errorf("lineAt = %q", got)
	}
}

// TestBatchAPIPendingElsewhere checks a pending batch the server does not
// know (submitted again) and one of another server (refused).
func TestBatchAPIPendingElsewhere(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	dir := t.TempDir()
	file := writeText(t, dir, "prompts.txt", "a sea otter\n")
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"batch", "--batch-api", "--poll-interval", "10ms", "--model", "gpt-image-2", "--size", "256x256", "--out", out, file}

	writeText(t, out, pendingBatchName, `{"batch_id": "batch_elsewhere", "base_url": "https://api.openai.com/v1", "items": 1}`)
	r := runCLI(t, srv.env, args...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "names batch batch_elsewhere of https://api.openai.com/v1, not of this server") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if n := srv.countPath("POST", "/v1/files"); n != 0 {
		t.Errorf("%d uploads", n)
	}

	writeText(t, out, pendingBatchName, `{"batch_id": "batch_gone", "base_url": "`+srv.URL+`", "items": 1}`)
	r = runCLI(t, srv.env, args...).mustSucceed(t)
	if !strings.Contains(r.stderr, "resuming batch batch_gone") || !strings.Contains(r.stderr, "batch_gone is not found at "+srv.URL+": submitting the items again") ||
		!strings.Contains(r.stderr, "submitted 1 item as batch") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	checkImageFile(t, filepath.Join(out, itemIDs(t, file, wrapper.GenerateParams{Model: "gpt-image-2", Size: "256x256"})[0]+".png"), "png", 256, 256)
	if _, err := os.Stat(filepath.Join(out, pendingBatchName)); !os.IsNotExist(err) {
		t.Errorf("%s left behind (%v)", pendingBatchName, err)
	}
}

// itemIDs returns the IDs the batch command gives the items of a batch
// file, with d as the flags' parameters.
func itemIDs(t *testing.T, path string, d wrapper.GenerateParams) []string {
	t.Helper()
	items, err := wrapper.ReadBatchFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wrapper.ApplyBatchDefaults(items, d)
	ids, err := wrapper.BatchItemIDs(items)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
