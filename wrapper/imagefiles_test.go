package wrapper

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func serveJSON(mux *http.ServeMux, path, body string) {
	mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-request-id", "req_files")
		fmt.Fprint(w, body)
	})
}

func TestWithImageFilesGenerate(t *testing.T) {
	c, mux, _ := setup(t)
	p, j := testPNG(t, 3, 3, false), testJPEG(t, 3, 3)
	serveJSON(mux, "POST /images/generations", `{"created":1,"data":[{"b64_json":"`+b64(p)+`","revised_prompt":"r1"},{"url":"https://example.com/x.png"},{"b64_json":"`+
		strings.ReplaceAll(b64(j), "/", `\/`)+`"}],"usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3}}`)
	dir := filepath.Join(t.TempDir(), "new")
	var infos []ImageFile
	res, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"}, WithImageFiles(dir, func(f ImageFile) string {
		infos = append(infos, f)
		return fmt.Sprintf("img-%d-of-%d%s", f.Index+1, f.Count, f.Ext)
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, dir); strings.Join(got, ",") != "img-1-of-3.png,img-3-of-3.jpg" {
		t.Fatalf("files %v", got)
	}
	want := []ImageFile{{Index: 0, Count: 3, ContentType: "image/png", Ext: ".png"}, {Index: 2, Count: 3, ContentType: "image/jpeg", Ext: ".jpg"}}
	if fmt.Sprint(infos) != fmt.Sprint(want) {
		t.Errorf("name called with %+v, want %+v", infos, want)
	}
	d := res.Data
	if d[0].Path != filepath.Join(dir, "img-1-of-3.png") || d[0].B64JSON != "" || d[0].RevisedPrompt != "r1" ||
		d[1].Path != "" || d[1].URL == "" || d[2].Path != filepath.Join(dir, "img-3-of-3.jpg") {
		t.Fatalf("data %+v", d)
	}
	if res.RequestID != "req_files" || res.Usage == nil || res.Usage.TotalTokens != 3 {
		t.Errorf("response %+v", res)
	}
	// Content, WriteFile and Decode read the file.
	if b, err := d[2].Content(context.Background()); err != nil || !bytes.Equal(b, j) {
		t.Errorf("Bytes: %v", err)
	}
	copyPath := filepath.Join(t.TempDir(), "copy.png")
	if err := d[0].WriteFile(context.Background(), copyPath); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(copyPath); !bytes.Equal(b, p) {
		t.Error("WriteFile of a saved image differs")
	}
	if _, format, err := d[0].Decode(context.Background()); err != nil || format != "png" {
		t.Errorf("Decode: %s, %v", format, err)
	}
}

// An invalid image fails the call with Bytes' error and keeps no file of the
// response; so does a name that is not a plain file name.
func TestWithImageFilesFailures(t *testing.T) {
	c, mux, _ := setup(t)
	good := b64(testPNG(t, 2, 2, false))
	serveJSON(mux, "POST /images/generations", `{"created":1,"data":[{"b64_json":"`+good+`"},{"b64_json":"aGk"}]}`)
	serveJSON(mux, "POST /images/edits", `{"created":1,"data":[{"b64_json":"`+good+`"}]}`)
	dir := t.TempDir()
	name := func(f ImageFile) string { return fmt.Sprint(f.Index, f.Ext) }
	_, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"}, WithImageFiles(dir, name))
	var corrupt base64.CorruptInputError
	if !errors.As(err, &corrupt) || !strings.Contains(err.Error(), "decode b64_json") {
		t.Errorf("err = %v, want a base64 error", err)
	}
	if got := dirNames(t, dir); len(got) != 0 {
		t.Errorf("files left: %v", got)
	}

	// Bytes that are not the declared format: Content's error, no file.
	serveJSON(mux, "POST /images/variations", `{"created":1,"output_format":"jpeg","data":[{"b64_json":"`+good+`"}]}`)
	_, err = c.Vary(context.Background(), VaryParams{Image: ImageFromBytes("x.png", testPNG(t, 4, 4, false))}, WithImageFiles(dir, name))
	var formatErr *ImageFormatError
	if !errors.As(err, &formatErr) || formatErr.Declared != "jpeg" {
		t.Errorf("a PNG declared jpeg: %v", err)
	}
	if got := dirNames(t, dir); len(got) != 0 {
		t.Errorf("files left: %v", got)
	}

	for _, bad := range []string{"", "../x.png", "a/b.png", "."} {
		_, err := c.Edit(context.Background(), EditParams{Prompt: "x", ImageRefs: []ImageRef{ImageFileID("file-1")}},
			WithImageFiles(dir, func(ImageFile) string { return bad }))
		if err == nil || !strings.Contains(err.Error(), "invalid file name") {
			t.Errorf("name %q: err = %v", bad, err)
		}
	}
	if got := dirNames(t, dir); len(got) != 0 {
		t.Errorf("files left: %v", got)
	}

	for _, opt := range []RequestOption{WithImageFiles("", name), WithImageFiles(dir, nil)} {
		if _, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"}, opt); err == nil {
			t.Error("a bad WithImageFiles was accepted")
		}
	}

	// A directory that cannot be written: the error is the file system's.
	ro := filepath.Join(t.TempDir(), "ro")
	os.Mkdir(ro, 0o500)
	if os.Getuid() != 0 {
		_, err = c.Generate(context.Background(), GenerateParams{Prompt: "x"}, WithImageFiles(ro, name))
		if !errors.Is(err, os.ErrPermission) {
			t.Errorf("read-only directory: %v", err)
		}
	}
}

// Streams with WithImageFiles, and WriteFiles, write images as they arrive:
// events carry the path; partial images of the next final image get its
// index.
func TestStreamImageFiles(t *testing.T) {
	c, mux, _ := setup(t)
	img := testPNG(t, 4, 4, false)
	ev := func(typ string, idx int) string {
		// Members in the order a Go map marshals them: the image before
		// the type.
		return fmt.Sprintf(`data: {"b64_json":%q,"created_at":1,"output_format":"png","partial_image_index":%d,"type":%q}`+"\n\n", b64(img), idx, typ)
	}
	body := ev("image_generation.partial_image", 0) + ev("image_generation.completed", 0) + ev("image_generation.partial_image", 0) + ev("image_generation.completed", 0) +
		"data: {\"type\":\"image_generation.sparkles\",\"b64_json\":\"aGk=\"}\n\n"
	serveSSE(t, mux, "POST /images/generations", []byte(body))

	dir := t.TempDir()
	s, err := c.GenerateStream(context.Background(), GenerateParams{Prompt: "x"}, WithImageFiles(dir, func(f ImageFile) string {
		return fmt.Sprintf("n%d-p%v%d%s", f.Index, f.Partial, f.PartialIndex, f.Ext)
	}))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for ev, err := range s.All() {
		if err != nil {
			t.Fatal(err)
		}
		switch ev := ev.(type) {
		case *PartialImageEvent:
			paths = append(paths, filepath.Base(ev.Path))
			if b, _ := ev.Content(context.Background()); ev.B64JSON != "" || !bytes.Equal(b, img) {
				t.Errorf("partial %+v", ev)
			}
		case *CompletedEvent:
			paths = append(paths, filepath.Base(ev.Path))
		case *UnknownEvent:
			if string(ev.Raw) != `{"type":"image_generation.sparkles","b64_json":""}` {
				t.Errorf("unknown event's Raw %s: the image is left out in file mode", ev.Raw)
			}
		}
	}
	want := "n0-ptrue0.png,n0-pfalse0.png,n1-ptrue0.png,n1-pfalse0.png"
	if strings.Join(paths, ",") != want || strings.Join(dirNames(t, dir), ",") != "n0-pfalse0.png,n0-ptrue0.png,n1-pfalse0.png,n1-ptrue0.png" {
		t.Errorf("paths %v, files %v; want %v", paths, dirNames(t, dir), want)
	}

	// WriteFiles names them its way; a bad image stops the stream with Bytes'
	// error, after what came before.
	c2, mux2, _ := setup(t)
	serveSSE(t, mux2, "POST /images/generations", []byte(ev("image_generation.partial_image", 0)+ev("image_generation.completed", 0)+
		`data: {"type":"image_generation.completed","b64_json":"aGk"}`+"\n\n"))
	s2, _ := c2.GenerateStream(context.Background(), GenerateParams{Prompt: "x"})
	dir2 := t.TempDir()
	got, err := s2.WriteFiles(dir2, "otter", nil)
	var corrupt base64.CorruptInputError
	if !errors.As(err, &corrupt) || len(got) != 2 || strings.Join(dirNames(t, dir2), ",") != "otter-partial-0.png,otter.png" {
		t.Errorf("WriteFiles = %v, %v; files %v", got, err, dirNames(t, dir2))
	}
}

// A session's streamed turn, saved: partial images and the turn's image.
func TestSessionStreamWriteFiles(t *testing.T) {
	c, mux, _ := setup(t)
	var api fakeResponses
	api.serve(t, mux)
	s := c.NewEditSession("gpt-5", ImageTool{Model: ModelGPTImage1, PartialImages: Ptr(2)})
	stream, err := s.CreateStream(context.Background(), "Generate an image: a cat")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths, err := stream.WriteFiles(dir, "cat", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(dirNames(t, dir), ","); got != "cat-partial-0.png,cat-partial-1.png,cat.png" || len(paths) != 3 {
		t.Errorf("files %s, paths %v", got, paths)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "cat-partial-1.png")); !bytes.Equal(b, partialImage(t, 1)) {
		t.Errorf("partial 1 holds %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "cat.png")); !bytes.Equal(b, turnImage(t, 1)) {
		t.Errorf("the turn's image holds %q", b)
	}
	if s.ResponseID() == "" {
		t.Error("the session did not advance")
	}

	// A turn with WithImageFiles.
	turn, err := s.Edit(context.Background(), "Edit the image: a hat", WithImageFiles(dir, func(f ImageFile) string { return fmt.Sprint("turn-", f.Index, "-of-", f.Count, f.Ext) }))
	if err != nil {
		t.Fatal(err)
	}
	img, _ := turn.Image()
	if b, err := img.Content(context.Background()); err != nil || img.B64JSON != "" || img.Path != filepath.Join(dir, "turn-0-of-1.png") || !bytes.Equal(b, turnImage(t, 2)) {
		t.Errorf("turn image %+v: %v", img, err)
	}
}

func TestWriteFilesDecodesIntoFiles(t *testing.T) {
	res := &ImagesResponse{Data: []GeneratedImage{{B64JSON: b64(testPNG(t, 2, 2, false))}, {B64JSON: "aGk"}}}
	dir := t.TempDir()
	paths, err := res.WriteFiles(context.Background(), dir, "x")
	var corrupt base64.CorruptInputError
	if !errors.As(err, &corrupt) || len(paths) != 1 || strings.Join(dirNames(t, dir), ",") != "x-1.png" {
		t.Errorf("WriteFiles = %v, %v; files %v", paths, err, dirNames(t, dir))
	}
}
