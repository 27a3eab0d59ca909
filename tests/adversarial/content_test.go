package adversarial

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/wrapper"
)

func jpegImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.White)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Bytes that are not the image format the response declared, or not an
// image at all, are an *ImageFormatError from Bytes, Save and the stream
// events, and nothing is written. A format this version does not know yet
// is taken as long as the bytes are not text.
func TestImageBytesMustBeTheDeclaredFormat(t *testing.T) {
	png, jpg := pngImage(t, 4, 4, false), jpegImage(t)
	binary := append([]byte("\x00\x00\x00\x1cftypavif"), bytes.Repeat([]byte{1, 2, 3}, 40)...)
	html := []byte("<html><body>admin secret</body></html>")
	for _, c := range []struct {
		name, format string
		data         []byte
		ok           bool
	}{
		{"png declared png", "png", png, true},
		{"jpeg declared jpeg", "jpeg", jpg, true},
		{"nothing declared, png", "", png, true},
		{"html declared png", "png", html, false},
		{"html, nothing declared", "", html, false},
		{"json, nothing declared", "", []byte(`{"secret":"x"}`), false},
		{"jpeg declared png", "png", jpg, false},
		{"png declared webp", "webp", png, false},
		{"a format from tomorrow", "avif", binary, true},
		{"text as a format from tomorrow", "avif", html, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := fmt.Sprintf(`{"created":1,"data":[{"b64_json":%q}]`, b64(c.data))
			if len(c.data) == 0 {
				body = `{"created":1,"data":[{"b64_json":"","url":""}]`
			}
			if c.format != "" {
				body += fmt.Sprintf(`,"output_format":%q`, c.format)
			}
			s := &script{steps: []step{respond(200, nil, body+"}")}}
			res, err := scriptedClient(t, s).Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := res.Data[0].Content(context.Background())
			path := filepath.Join(t.TempDir(), "img")
			saveErr := res.Data[0].WriteFile(context.Background(), path)
			if c.ok {
				if err != nil || saveErr != nil || !bytes.Equal(got, c.data) {
					t.Fatalf("Bytes: %v, Save: %v", err, saveErr)
				}
				return
			}
			var fe *wrapper.ImageFormatError
			if len(c.data) > 0 && (!errors.As(err, &fe) || !errors.As(saveErr, &fe)) {
				t.Errorf("Bytes: %v, Save: %v; want *ImageFormatError", err, saveErr)
			}
			if err == nil || saveErr == nil {
				t.Errorf("accepted: Bytes %v, Save %v", err, saveErr)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Error("a file was written")
			}
		})
	}

	// An entry whose image is empty is no image: with no other image in
	// the response, the call fails (TestSuccessWithoutImagesIsAnError).
	s := &script{steps: []step{respond(200, nil, `{"created":1,"data":[{"b64_json":"","url":""}],"output_format":"png"}`)}}
	if _, err := scriptedClient(t, s).Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"}); !errors.Is(err, wrapper.ErrNoImages) {
		t.Errorf("an empty image: err = %v, want ErrNoImages", err)
	}

	// The format the request asked for counts when the response does not
	// say.
	s = &script{steps: []step{respond(200, nil, fmt.Sprintf(`{"created":1,"data":[{"b64_json":%q}]}`, b64(png)))}}
	res, err := scriptedClient(t, s).Generate(context.Background(), wrapper.GenerateParams{Model: wrapper.ModelGPTImage15, Prompt: "x", OutputFormat: wrapper.OutputFormatJPEG})
	if err != nil {
		t.Fatal(err)
	}
	var fe *wrapper.ImageFormatError
	if _, err := res.Data[0].Content(context.Background()); !errors.As(err, &fe) || fe.Declared != "jpeg" {
		t.Errorf("png bytes for a jpeg request: %v", err)
	}

	// Stream events: a completed event whose data is not an image.
	events, err := streamOf(t, partialEvent(0, html)+completedEvent(png))
	if err != nil || len(events) != 2 {
		t.Fatalf("%d events, %v", len(events), err)
	}
	if _, err := events[0].(*wrapper.PartialImageEvent).Content(context.Background()); !errors.As(err, &fe) {
		t.Errorf("partial image of HTML: %v", err)
	}
	if _, err := events[1].(*wrapper.CompletedEvent).Content(context.Background()); err != nil {
		t.Errorf("completed png: %v", err)
	}
}

// The CLI does not save a page that is not an image (it used to write an
// "admin secret" page as .bin and exit 0): it exits non-zero and writes no
// file.
func TestCLIRefusesNonImageDownload(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /images/generations", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"created":1,"data":[{"url":"http://%s/v1/admin"}]}`, r.Host)
	})
	mux.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		io.WriteString(w, "admin secret: hunter2\n")
	})
	_, srv := newServer(t, mux)
	dir := t.TempDir()
	run := runCLI(t, dir, srv.URL+"/v1", "generate", "--model", "dall-e-2", "--response-format", "url", "--out", "out", "x")
	if run.exit == 0 || !strings.Contains(run.stderr, "not an image") {
		t.Errorf("exit %d\n%s%s", run.exit, run.stdout, run.stderr)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "out"))
	for _, e := range entries {
		t.Errorf("%s was written", e.Name())
	}
}

// A 200 whose data is null, empty or missing is a *NoImagesError (and
// ErrNoImages), not a success with nothing in it; it is not retried.
func TestSuccessWithoutImagesIsAnError(t *testing.T) {
	for _, body := range []string{`{"created":1,"data":null}`, `{"created":1,"data":[]}`, `{"created":1}`,
		`{"created":1,"data":[{}]}`, `{"created":1,"data":[{"revised_prompt":"x"}]}`, `{"created":1,"data":[{"b64_json":""},{"url":""}]}`} {
		s := &script{steps: []step{respond(200, http.Header{"x-request-id": {"req_empty"}}, body), ok()}}
		c := scriptedClient(t, s)
		_, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
		var ne *wrapper.NoImagesError
		if !errors.As(err, &ne) || !errors.Is(err, wrapper.ErrNoImages) || ne.RequestID != "req_empty" {
			t.Errorf("%s: err = %v", body, err)
		}
		if s.attempts() != 1 {
			t.Errorf("%s: %d attempts", body, s.attempts())
		}
		s = &script{steps: []step{respond(200, nil, body)}}
		_, err = scriptedClient(t, s).Edit(context.Background(), wrapper.EditParams{Prompt: "x", ImageRefs: []wrapper.ImageRef{wrapper.ImageFileID("file-1")}})
		if !errors.Is(err, wrapper.ErrNoImages) {
			t.Errorf("edit, %s: err = %v", body, err)
		}
		// The same when the images go straight to files (RunBatch, the CLI).
		s = &script{steps: []step{respond(200, nil, body)}}
		_, err = scriptedClient(t, s).Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"}, wrapper.WithImageFiles(t.TempDir(), func(f wrapper.ImageFile) string { return fmt.Sprintf("%d.png", f.Index) }))
		if !errors.Is(err, wrapper.ErrNoImages) {
			t.Errorf("to files, %s: err = %v", body, err)
		}
	}
	// One image among empty entries is a success.
	s := &script{steps: []step{respond(200, nil, `{"created":1,"data":[{},{"url":"https://example.com/a.png"}]}`)}}
	res, err := scriptedClient(t, s).Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
	if err != nil || len(res.Data) != 2 {
		t.Errorf("one image of two entries: %v", err)
	}
}
