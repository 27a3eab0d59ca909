package adversarial

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// A FIFO given as an input image is refused before it is opened (opening
// it would block until some process writes to it, past any deadline), with
// ErrNotRegularFile and nothing sent; a FIFO or a device as the place to
// save to is refused without being opened or replaced.
func TestFIFOsAreRefusedBeforeOpening(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "image.png")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	s := &script{}
	c := scriptedClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for name, call := range map[string]func() error{
		"edit": func() error {
			_, err := c.Edit(ctx, wrapper.EditParams{Model: wrapper.ModelGPTImage15, Prompt: "x", Images: []wrapper.Image{wrapper.ImageFromPath(fifo)}})
			return err
		},
		"edit without validation": func() error {
			_, err := c.Edit(ctx, wrapper.EditParams{Prompt: "x", Images: []wrapper.Image{wrapper.ImageFromPath(fifo)}}, wrapper.WithRequestValidation(false))
			return err
		},
		"variation": func() error {
			_, err := c.Vary(ctx, wrapper.VaryParams{Image: wrapper.ImageFromPath(fifo)}, wrapper.WithRequestValidation(false))
			return err
		},
		"upload": func() error {
			_, err := c.UploadFile(ctx, "vision", wrapper.ImageFromPath(fifo))
			return err
		},
		"probe": func() error {
			_, err := wrapper.ImageFromPath(fifo).Probe()
			return err
		},
	} {
		done := make(chan error, 1)
		go func() { done <- call() }()
		select {
		case err := <-done:
			if !errors.Is(err, wrapper.ErrNotRegularFile) || !strings.Contains(err.Error(), "named pipe") {
				t.Errorf("%s: err = %v, want ErrNotRegularFile", name, err)
			}
		case <-ctx.Done():
			t.Fatalf("%s blocked on the FIFO past the deadline", name)
		}
	}
	if ctx.Err() != nil || s.attempts() != 0 {
		t.Errorf("%d requests sent; deadline passed: %v", s.attempts(), ctx.Err())
	}

	// As the target of Save.
	png := pngImage(t, 4, 4, false)
	ok := &script{steps: []step{respond(200, nil, fmt.Sprintf(`{"created":1,"data":[{"b64_json":%q}]}`, b64(png)))}}
	res, err := scriptedClient(t, ok).Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{fifo, "/dev/null", dir} {
		done := make(chan error, 1)
		go func() { done <- res.Data[0].WriteFile(context.Background(), target) }()
		select {
		case err := <-done:
			if !errors.Is(err, wrapper.ErrNotRegularFile) {
				t.Errorf("Save to %s: err = %v, want ErrNotRegularFile", target, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("Save to %s blocked", target)
		}
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Error("the FIFO was replaced")
	}
}

// Saving over a large file reads none of it, and a saved file gets the
// mode of the file it replaces, or the umask's for a new one; a rerun of a
// batch removes the temporary file a killed run left.
func TestSavedFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no umask")
	}
	png := pngImage(t, 4, 4, false)
	body := fmt.Sprintf(`{"created":1,"data":[{"b64_json":%q}]}`, b64(png))
	s := &script{steps: []step{respond(200, nil, body), respond(200, nil, body)}}
	c := scriptedClient(t, s)
	res, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "big.png")
	f, _ := os.Create(big)
	f.Truncate(2 << 30) // sparse
	f.Close()
	os.Chmod(big, 0o600)
	alloc := allocatedDuring(func() { err = res.Data[0].WriteFile(context.Background(), big) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Save over a 2 GiB file: %d bytes allocated", alloc)
	if alloc > 1<<20 {
		t.Errorf("saving over a 2 GiB file allocated %s", mib(alloc))
	}
	if fi, _ := os.Stat(big); fi.Mode().Perm() != 0o600 || fi.Size() != int64(len(png)) {
		t.Errorf("replaced file: mode %v, %d bytes", fi.Mode().Perm(), fi.Size())
	}

	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	fresh := filepath.Join(dir, "fresh.png")
	if err := res.Data[0].WriteFile(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o600 {
		t.Errorf("new file mode %v under umask 077, want 0600", fi.Mode().Perm())
	}

	// The temporary files of killed runs, one an hour old and one killed a
	// moment ago (Ctrl-C, rerun), are gone after a rerun.
	out := filepath.Join(dir, "out")
	os.MkdirAll(out, 0o755)
	stale := filepath.Join(out, ".item-00001.png.tmp-00112233445566ff")
	os.WriteFile(stale, []byte("half an image"), 0o644)
	hourAgo := time.Now().Add(-time.Hour)
	os.Chtimes(stale, hourAgo, hourAgo)
	justKilled := filepath.Join(out, ".item-00002.png.tmp-00112233445566aa")
	os.WriteFile(justKilled, []byte("half an image"), 0o644)
	if _, err := c.RunBatch(context.Background(), []wrapper.BatchItem{{Generate: &wrapper.GenerateParams{Prompt: "x"}}}, wrapper.RunBatchOptions{OutDir: out}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{stale, justKilled} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("the temporary file %s of a killed run is still there", filepath.Base(f))
		}
	}
}

// Text that is not valid UTF-8 is refused before anything is sent, the
// same way whether the request is JSON or multipart, with validation on or
// off: a *ValidationError naming the field and the offset of the bad byte.
func TestInvalidUTF8IsRefusedTheSameWayEverywhere(t *testing.T) {
	bad := "a red \xff car"
	png := pngImage(t, 8, 8, true)
	s := &script{}
	c := scriptedClient(t, s)
	ctx := context.Background()
	img := wrapper.ImageFromBytes("a.png", png)
	for name, call := range map[string]func(...wrapper.RequestOption) error{
		"generate (JSON)": func(o ...wrapper.RequestOption) error {
			_, err := c.Generate(ctx, wrapper.GenerateParams{Model: wrapper.ModelGPTImage15, Prompt: bad}, o...)
			return err
		},
		"stream (JSON)": func(o ...wrapper.RequestOption) error {
			_, err := c.GenerateStream(ctx, wrapper.GenerateParams{Model: wrapper.ModelGPTImage15, Prompt: bad}, o...)
			return err
		},
		"edit (multipart)": func(o ...wrapper.RequestOption) error {
			_, err := c.Edit(ctx, wrapper.EditParams{Model: wrapper.ModelGPTImage15, Prompt: bad, Images: []wrapper.Image{img}}, o...)
			return err
		},
		"edit (JSON)": func(o ...wrapper.RequestOption) error {
			_, err := c.Edit(ctx, wrapper.EditParams{Model: wrapper.ModelGPTImage15, Prompt: bad, ImageRefs: []wrapper.ImageRef{wrapper.ImageFileID("file-1")}}, o...)
			return err
		},
		"edit stream (multipart)": func(o ...wrapper.RequestOption) error {
			_, err := c.EditStream(ctx, wrapper.EditParams{Model: wrapper.ModelGPTImage15, Prompt: bad, Images: []wrapper.Image{img}}, o...)
			return err
		},
		"session": func(o ...wrapper.RequestOption) error {
			_, err := c.NewEditSession("gpt-5", wrapper.ImageTool{}).Create(ctx, bad, o...)
			return err
		},
		"batch API": func(o ...wrapper.RequestOption) error {
			_, err := c.SubmitBatch(ctx, []wrapper.BatchItem{{Generate: &wrapper.GenerateParams{Prompt: bad}}}, wrapper.SubmitBatchOptions{}, o...)
			return err
		},
	} {
		for _, validate := range []bool{true, false} {
			err := call(wrapper.WithRequestValidation(validate))
			var ve *wrapper.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Field != "prompt" && ve.Problems[0].Field != "input" ||
				!strings.Contains(ve.Problems[0].Rule, "byte 0xff at offset 6") {
				t.Errorf("%s (validation %v): err = %v", name, validate, err)
			}
		}
	}
	// Extra fields and other text fields too, in both bodies.
	for name, call := range map[string]func() error{
		"extra body (JSON)": func() error {
			_, err := c.Generate(ctx, wrapper.GenerateParams{Prompt: "ok"}, wrapper.WithExtraBody("safety_identifier", bad))
			return err
		},
		"extra body (multipart)": func() error {
			_, err := c.Edit(ctx, wrapper.EditParams{Prompt: "ok", Images: []wrapper.Image{img}}, wrapper.WithExtraBody("safety_identifier", bad))
			return err
		},
		"user (multipart)": func() error {
			_, err := c.Vary(ctx, wrapper.VaryParams{Image: img, User: bad})
			return err
		},
	} {
		var ve *wrapper.ValidationError
		if err := call(); !errors.As(err, &ve) || !strings.Contains(err.Error(), "not valid UTF-8") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if s.attempts() != 0 {
		t.Errorf("%d requests sent", s.attempts())
	}
}

// A nil context is an error from every call that takes one, not a panic.
func TestNilContext(t *testing.T) {
	s := &script{}
	c := scriptedClient(t, s)
	img := wrapper.ImageFromBytes("a.png", pngImage(t, 8, 8, true))
	var nilCtx context.Context
	calls := map[string]func() error{
		"Generate": func() error { _, err := c.Generate(nilCtx, wrapper.GenerateParams{Prompt: "x"}); return err },
		"GenerateStream": func() error {
			_, err := c.GenerateStream(nilCtx, streamParams())
			return err
		},
		"Edit": func() error {
			_, err := c.Edit(nilCtx, wrapper.EditParams{Prompt: "x", Images: []wrapper.Image{img}})
			return err
		},
		"EditStream": func() error {
			_, err := c.EditStream(nilCtx, wrapper.EditParams{Model: wrapper.ModelGPTImage15, Prompt: "x", Images: []wrapper.Image{img}})
			return err
		},
		"Vary": func() error {
			_, err := c.Vary(nilCtx, wrapper.VaryParams{Image: img})
			return err
		},
		"session": func() error {
			_, err := c.NewEditSession("gpt-5", wrapper.ImageTool{}).Create(nilCtx, "x")
			return err
		},
		"UploadFile":    func() error { _, err := c.UploadFile(nilCtx, "vision", img); return err },
		"RetrieveBatch": func() error { _, err := c.RetrieveBatch(nilCtx, "batch_1"); return err },
		"WaitBatch":     func() error { _, err := c.WaitBatch(nilCtx, "batch_1", wrapper.WaitBatchOptions{}); return err },
		"SubmitBatch": func() error {
			_, err := c.SubmitBatch(nilCtx, []wrapper.BatchItem{{Generate: &wrapper.GenerateParams{Prompt: "x"}}}, wrapper.SubmitBatchOptions{})
			return err
		},
		"DownloadBatchResults": func() error {
			_, err := c.DownloadBatchResults(nilCtx, &wrapper.Batch{ID: "b", Status: wrapper.BatchCompleted}, t.TempDir())
			return err
		},
		"RunBatch": func() error {
			_, err := c.RunBatch(nilCtx, []wrapper.BatchItem{{Generate: &wrapper.GenerateParams{Prompt: "x"}}}, wrapper.RunBatchOptions{OutDir: t.TempDir()})
			return err
		},
		"Content (URL)": func() error {
			_, err := wrapper.GeneratedImage{URL: "https://example.com/x.png"}.Content(nilCtx)
			return err
		},
		"WriteFile (URL)": func() error {
			return wrapper.GeneratedImage{URL: "https://example.com/x.png"}.WriteFile(nilCtx, filepath.Join(t.TempDir(), "x.png"))
		},
	}
	var mu sync.Mutex
	for name, call := range calls {
		func() {
			defer func() {
				if p := recover(); p != nil {
					mu.Lock()
					t.Errorf("%s panicked: %v", name, p)
					mu.Unlock()
				}
			}()
			if err := call(); err == nil || !strings.Contains(err.Error(), "nil Context") {
				t.Errorf("%s: err = %v", name, err)
			}
		}()
	}
	if s.attempts() != 0 {
		t.Errorf("%d requests sent", s.attempts())
	}
}

// A base URL with a query (an Azure-style api-version) keeps the path it
// names and its query on every request the client sends; a request's own
// query parameters are added to it.
func TestBaseURLQueryKeptOnEveryRequest(t *testing.T) {
	var mu sync.Mutex
	var got []string
	png := pngImage(t, 8, 8, true)
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/responses"):
			fmt.Fprintf(w, `{"id":"resp_1","status":"completed","output":[{"type":"image_generation_call","id":"ig","status":"completed","result":%q}]}`, b64(png))
		case strings.HasSuffix(r.URL.Path, "/files"):
			io.WriteString(w, `{"id":"file-1","object":"file","bytes":1,"created_at":1,"filename":"a.png","purpose":"vision","status":"processed"}`)
		default:
			fmt.Fprintf(w, `{"created":1,"data":[{"b64_json":%q}]}`, b64(png))
		}
	})
	srv := httptest.NewServer(api)
	tr := &http.Transport{}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		srv.Close()
	})
	c, err := wrapper.New(wrapper.WithAPIKey(testKey), wrapper.WithHTTPClient(&http.Client{Transport: tr}),
		wrapper.WithBaseURL(srv.URL+"/openai/deployments/img?api-version=2025-04-01-preview"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	img := wrapper.ImageFromBytes("a.png", png)
	if _, err := c.Generate(ctx, wrapper.GenerateParams{Prompt: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Edit(ctx, wrapper.EditParams{Prompt: "x", Images: []wrapper.Image{img}}, wrapper.WithExtraQuery("trace", "1")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Vary(ctx, wrapper.VaryParams{Image: img}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.NewEditSession("gpt-5", wrapper.ImageTool{}).Create(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadFile(ctx, "vision", img); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"POST /openai/deployments/img/images/generations?api-version=2025-04-01-preview",
		"POST /openai/deployments/img/images/edits?api-version=2025-04-01-preview&trace=1",
		"POST /openai/deployments/img/images/variations?api-version=2025-04-01-preview",
		"POST /openai/deployments/img/responses?api-version=2025-04-01-preview",
		"POST /openai/deployments/img/files?api-version=2025-04-01-preview",
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c.BaseURL() != srv.URL+"/openai/deployments/img?api-version=2025-04-01-preview" {
		t.Errorf("BaseURL() = %q", c.BaseURL())
	}
}
