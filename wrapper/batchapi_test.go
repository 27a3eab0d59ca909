package wrapper_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

// inMemory returns an emulator and a client talking to it in memory.
func inMemory(t *testing.T, emuOpts []imagestest.Option, opts ...wrapper.Option) (*imagestest.Emulator, *wrapper.Client) {
	t.Helper()
	e, err := imagestest.New(emuOpts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, v := range e.Violations() {
			t.Errorf("emulator response broke the spec: %v", v)
		}
	})
	c, err := wrapper.New(append([]wrapper.Option{
		wrapper.WithBaseURL("http://emulator.test/v1"), wrapper.WithAPIKey("sk-emulator"),
		wrapper.WithHTTPClient(&http.Client{Transport: e.Transport()}),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return e, c
}

func gen256(prompt string) *wrapper.GenerateParams {
	return &wrapper.GenerateParams{Prompt: prompt, Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(256, 256)}
}

func imagePaths(e *imagestest.Emulator) (n int) {
	for _, r := range e.Requests() {
		if strings.HasPrefix(r.Path, "/v1/images/") {
			n++
		}
	}
	return n
}

func TestBatchAPIRoundTrip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, c := inMemory(t, []imagestest.Option{imagestest.WithBatchDelay(10 * time.Second)})
		ctx := context.Background()
		items := []wrapper.BatchItem{
			{ID: "otter", Generate: gen256("a sea otter")},
			{ID: "fox", Generate: gen256("a red fox")},
			// n is at most 10 per the spec: the emulator's contract check
			// rejects the line, which lands in the error file.
			{ID: "too-many", Generate: &wrapper.GenerateParams{Prompt: "owls", Model: wrapper.ModelDallE2, N: 20}},
			{Generate: gen256("a heron")}, // keyed by its content
		}
		ids, err := wrapper.BatchItemIDs(items)
		if err != nil {
			t.Fatal(err)
		}
		// Validation off, or SubmitBatch would refuse the bad item.
		b, err := c.SubmitBatch(ctx, items, wrapper.SubmitBatchOptions{Metadata: map[string]string{"job": "test"}},
			wrapper.WithRequestValidation(false))
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != wrapper.BatchValidating || b.Endpoint != "/v1/images/generations" || b.Metadata["job"] != "test" || b.InputFileID == "" {
			t.Fatalf("created batch = %+v", b)
		}
		if n := imagePaths(e); n != 0 {
			t.Fatalf("%d image requests sent directly; a batch sends none", n)
		}
		checkInputFile(t, e, b.InputFileID, ids)

		var seen []wrapper.BatchStatus
		var polls []time.Time
		done, err := c.WaitBatch(ctx, b.ID, wrapper.WaitBatchOptions{PollInterval: time.Second, MaxPollInterval: 8 * time.Second,
			OnPoll: func(b *wrapper.Batch) {
				polls = append(polls, time.Now())
				if len(seen) == 0 || seen[len(seen)-1] != b.Status {
					seen = append(seen, b.Status)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		want := []wrapper.BatchStatus{wrapper.BatchValidating, wrapper.BatchInProgress, wrapper.BatchFinalizing, wrapper.BatchCompleted}
		if !slices.Equal(seen, want) {
			t.Errorf("statuses seen = %v, want %v", seen, want)
		}
		if done.Err() != nil || done.Total != 4 || done.Completed != 3 || done.Failed != 1 || done.OutputFileID == "" || done.ErrorFileID == "" {
			t.Fatalf("done batch = %+v (err %v)", done, done.Err())
		}
		if done.CompletedAt.Sub(done.CreatedAt) != 30*time.Second {
			t.Errorf("created %v, completed %v: want 3 x 10 s", done.CreatedAt, done.CompletedAt)
		}
		// Each wait is within 10% of 1 s doubled while nothing moves,
		// back to 1 s when the status changes, at most 8 s.
		for i := 1; i < len(polls); i++ {
			if g := polls[i].Sub(polls[i-1]); g < 900*time.Millisecond || g > 8800*time.Millisecond {
				t.Errorf("poll gap %d = %v", i, g)
			}
		}

		dir := t.TempDir()
		res, err := c.DownloadBatchResults(ctx, done, dir)
		if err != nil {
			t.Fatal(err)
		}
		if res.Succeeded != 3 || res.Failed != 1 || res.Skipped != 0 || res.NotRun != 0 || len(res.Items) != 4 {
			t.Fatalf("result counts: %+v", res)
		}
		for i, it := range res.Items {
			if it.Index != i || it.ID != ids[i] {
				t.Errorf("result %d = %+v: not in input order", i, it)
			}
		}
		for _, i := range []int{0, 1, 3} {
			it := res.Items[i]
			if it.Err != nil || len(it.Files) != 1 || it.Files[0] != filepath.Join(dir, it.ID+".png") || it.RequestID == "" {
				t.Fatalf("item %s: %+v", it.ID, it)
			}
			checkPNG(t, it.Files[0], 256, 256)
		}
		// The same prompt generated directly gives the same image: the
		// results are mapped to the right items.
		direct, err := c.Generate(ctx, *gen256("a red fox"))
		if err != nil {
			t.Fatal(err)
		}
		want0, _ := direct.Data[0].Bytes(ctx)
		if got, _ := os.ReadFile(res.Items[1].Files[0]); !bytes.Equal(got, want0) {
			t.Error("fox.png is not the fox")
		}

		var apiErr *wrapper.APIError
		if bad := res.Items[2]; !errors.As(bad.Err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Param != "n" || apiErr.Operation != "createImage" || bad.Files != nil {
			t.Fatalf("failed item: %+v (%v)", bad, bad.Err)
		}
		entries, err := wrapper.ReadBatchManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 4 || entries[2].Status != "error" || entries[2].StatusCode != 400 || entries[0].BatchID != b.ID || entries[0].Files[0] != "otter.png" {
			t.Fatalf("manifest = %+v", entries)
		}

		// Downloading again skips what is saved; the failure is read again.
		again, err := c.DownloadBatchResults(ctx, done, dir)
		if err != nil {
			t.Fatal(err)
		}
		if again.Skipped != 3 || again.Failed != 1 || again.Succeeded != 0 {
			t.Errorf("second download: %+v", again)
		}
	})
}

// checkInputFile checks the uploaded JSONL input: one request per item,
// custom_id = item ID, the generations endpoint.
func checkInputFile(t *testing.T, e *imagestest.Emulator, id string, ids []string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/v1/files/"+id+"/content", nil)
	req.Header.Set("Authorization", "Bearer sk-emulator")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("input file: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSuffix(rec.Body.String(), "\n"), "\n")
	if len(lines) != len(ids) {
		t.Fatalf("input file has %d lines, want %d", len(lines), len(ids))
	}
	for i, line := range lines {
		var l struct {
			CustomID string         `json:"custom_id"`
			Method   string         `json:"method"`
			URL      string         `json:"url"`
			Body     map[string]any `json:"body"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		if l.CustomID != ids[i] || l.Method != "POST" || l.URL != "/v1/images/generations" || l.Body["prompt"] == nil {
			t.Errorf("input line %d = %s", i+1, line)
		}
	}
}

func checkPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil || format != "png" || cfg.Width != w || cfg.Height != h {
		t.Fatalf("%s: %s %dx%d (%v), want png %dx%d", path, format, cfg.Width, cfg.Height, err, w, h)
	}
}

func TestBatchAPIEditsWithUploadedImage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := inMemory(t, nil)
		ctx := context.Background()
		src := image.NewNRGBA(image.Rect(0, 0, 64, 64))
		for i := range src.Pix {
			src.Pix[i] = 0xff
		}
		src.Set(1, 1, color.NRGBA{R: 200, A: 255})
		var buf bytes.Buffer
		png.Encode(&buf, src)
		f, err := c.UploadFile(ctx, "vision", wrapper.ImageFromBytes("white.png", buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if f.ID == "" || f.Purpose != "vision" || f.Bytes != int64(buf.Len()) || f.Filename != "white.png" {
			t.Fatalf("uploaded file = %+v", f)
		}
		edit := func(prompt string) *wrapper.EditParams {
			return &wrapper.EditParams{Prompt: prompt, Model: wrapper.ModelGPTImage1Mini, Size: wrapper.Size1024x1024,
				Quality: wrapper.QualityLow, ImageRefs: []wrapper.ImageRef{wrapper.ImageFileID(f.ID)}}
		}
		// One item: a 1024x1024 edit is the smallest JSON edit, and slow
		// to render under the race detector.
		b, err := c.SubmitBatch(ctx, []wrapper.BatchItem{{ID: "hat", Edit: edit("add a hat")}}, wrapper.SubmitBatchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if b.Endpoint != "/v1/images/edits" {
			t.Fatalf("endpoint %q", b.Endpoint)
		}
		b, err = c.WaitBatch(ctx, b.ID, wrapper.WaitBatchOptions{})
		if err != nil || b.Err() != nil {
			t.Fatal(err, b.Err())
		}
		res, err := c.DownloadBatchResults(ctx, b, t.TempDir())
		if err != nil || res.Err() != nil {
			t.Fatal(err, res.Err())
		}
		for _, it := range res.Items {
			checkPNG(t, it.Files[0], 1024, 1024)
		}
	})
}

func TestBatchAPICancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, c := inMemory(t, []imagestest.Option{imagestest.WithBatchDelay(time.Minute)})
		ctx := context.Background()
		b, err := c.SubmitBatch(ctx, []wrapper.BatchItem{{Generate: gen256("a")}, {Generate: gen256("b")}}, wrapper.SubmitBatchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if b, err = c.CancelBatch(ctx, b.ID); err != nil || b.Status != wrapper.BatchCancelling || b.CancellingAt.IsZero() {
			t.Fatalf("cancel: %+v, %v", b, err)
		}
		if b, err = c.WaitBatch(ctx, b.ID, wrapper.WaitBatchOptions{}); err != nil || b.Status != wrapper.BatchCancelled {
			t.Fatalf("wait: %+v, %v", b, err)
		}
		if b.Err() == nil {
			t.Error("a cancelled batch has no error")
		}
		res, err := c.DownloadBatchResults(ctx, b, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if res.NotRun != 2 || !errors.Is(res.Items[0].Err, wrapper.ErrBatchItemNotRun) {
			t.Errorf("result of a batch cancelled before it ran: %+v", res)
		}
		if n := imagePaths(e); n != 0 {
			t.Errorf("%d image requests", n)
		}
		// Cancelling a done batch is refused.
		var apiErr *wrapper.APIError
		if _, err := c.CancelBatch(ctx, b.ID); !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
			t.Errorf("cancel of a cancelled batch: %v", err)
		}
	})
}

func TestSubmitBatchRefusesBeforeSending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, c := inMemory(t, nil)
		ctx := context.Background()
		ref := []wrapper.ImageRef{wrapper.ImageURL("https://example.com/a.png")}
		cases := map[string][]wrapper.BatchItem{
			"mixed endpoints":  {{Generate: gen256("a")}, {Edit: &wrapper.EditParams{Prompt: "b", ImageRefs: ref}}},
			"uploaded image":   {{Edit: &wrapper.EditParams{Prompt: "b", Images: []wrapper.Image{wrapper.ImageFromBytes("a.png", []byte("x"))}}}},
			"invalid item":     {{Generate: gen256("a")}, {Generate: &wrapper.GenerateParams{Prompt: "b", Model: wrapper.ModelDallE3, N: 2}}},
			"duplicate IDs":    {{ID: "a", Generate: gen256("a")}, {ID: "A", Generate: gen256("b")}},
			"unsafe ID":        {{ID: "../a", Generate: gen256("a")}},
			"neither nor both": {{}},
			"none":             {},
		}
		for name, items := range cases {
			if _, err := c.SubmitBatch(ctx, items, wrapper.SubmitBatchOptions{}); err == nil {
				t.Errorf("%s: no error", name)
			}
		}
		if n := len(e.Requests()); n != 0 {
			t.Errorf("%d requests sent", n)
		}
	})
}

// A batch whose input file has bad lines fails as a whole, its errors naming
// the lines.
func TestBatchInputErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, c := inMemory(t, nil)
		ctx := context.Background()
		input := `{"custom_id":"a","method":"POST","url":"/v1/images/generations","body":{"prompt":"x"}}
{"custom_id":"a","method":"POST","url":"/v1/images/generations","body":{"prompt":"y"}}
{"custom_id":"b","method":"POST","url":"/v1/images/edits","body":{"prompt":"z"}}
not json
`
		f, err := c.UploadFile(ctx, "batch", wrapper.ImageFromBytes("in.jsonl", []byte(input)))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", "http://emulator.test/v1/batches",
			strings.NewReader(`{"input_file_id":"`+f.ID+`","endpoint":"/v1/images/generations","completion_window":"24h"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer sk-emulator")
		resp, err := (&http.Client{Transport: e.Transport()}).Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("create: %v %v", resp.Status, err)
		}
		var created struct{ ID string }
		json.NewDecoder(resp.Body).Decode(&created)
		b, err := c.WaitBatch(ctx, created.ID, wrapper.WaitBatchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != wrapper.BatchFailed || len(b.Errors) != 3 || b.FailedAt.IsZero() {
			t.Fatalf("batch = %+v", b)
		}
		lines := []int{b.Errors[0].Line, b.Errors[1].Line, b.Errors[2].Line}
		if !slices.Equal(lines, []int{2, 3, 4}) || b.Errors[0].Code != "duplicate_custom_id" {
			t.Errorf("errors = %+v", b.Errors)
		}
		if err := b.Err(); err == nil || !strings.Contains(err.Error(), "line 3: mismatched_endpoint") {
			t.Errorf("Err() = %v", err)
		}
	})
}
