package wrapper

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveAndDecodeB64(t *testing.T) {
	data := testPNG(t, 12, 7, false)
	img := GeneratedImage{B64JSON: b64(data)}
	got, err := img.Bytes(context.Background())
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Bytes = %d bytes, %v", len(got), err)
	}
	path := filepath.Join(t.TempDir(), "out.png")
	if err := img.Save(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	if onDisk, _ := os.ReadFile(path); !bytes.Equal(onDisk, data) {
		t.Error("saved file differs")
	}
	m, format, err := img.Decode(context.Background())
	if err != nil || format != "png" || m.Bounds().Dx() != 12 || m.Bounds().Dy() != 7 {
		t.Errorf("Decode = %v %q %v", m.Bounds(), format, err)
	}
}

// A bad image leaves an existing file untouched and no temporary file.
func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.png")
	os.WriteFile(path, []byte("previous"), 0o644)
	bad := GeneratedImage{B64JSON: b64(testPNG(t, 50, 50, false))[:200] + "!!!not base64"}
	if err := bad.Save(context.Background(), path); err == nil {
		t.Fatal("corrupt base64 saved")
	}
	if got, _ := os.ReadFile(path); string(got) != "previous" {
		t.Errorf("file = %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	if err := (GeneratedImage{}).Save(context.Background(), path); err != ErrNoImageData {
		t.Errorf("empty image: %v", err)
	}
}

func TestSaveDownloadsURLWithoutCredentials(t *testing.T) {
	data := testPNG(t, 9, 9, false)
	c, mux, srv := setup(t, WithMaxDownloadSize(int64(len(data))))
	var auth string
	mux.HandleFunc("GET /files/img.png", func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.Write(data)
	})
	mux.HandleFunc("GET /files/big.png", func(w http.ResponseWriter, r *http.Request) {
		w.Write(append(data, 0)) // one byte over the limit, no Content-Length known up front
		w.(http.Flusher).Flush()
	})
	mux.HandleFunc("GET /files/gone.png", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "expired", http.StatusForbidden)
	})
	mux.HandleFunc("POST /images/generations", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"created":1,"data":[{"url":"`+srv.URL+`/v1/files/img.png"},{"url":"`+srv.URL+`/v1/files/big.png"},{"url":"`+srv.URL+`/v1/files/gone.png"}]}`)
	})
	res, err := c.Generate(context.Background(), GenerateParams{Prompt: "x", ResponseFormat: ResponseFormatURL})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := res.Data[0].Save(context.Background(), filepath.Join(dir, "a.png")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.png")); !bytes.Equal(got, data) {
		t.Error("downloaded file differs")
	}
	if auth != "" {
		t.Error("image download carried the API key")
	}
	if err := res.Data[1].Save(context.Background(), filepath.Join(dir, "b.png")); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized download: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "b.png")); !os.IsNotExist(err) {
		t.Error("partial download left a file")
	}
	if err := res.Data[2].Save(context.Background(), filepath.Join(dir, "c.png")); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("expired URL: %v", err)
	}
}

func TestSaveAll(t *testing.T) {
	p := testPNG(t, 3, 3, false)
	j := testJPEG(t, 3, 3)
	res := &ImagesResponse{Data: []GeneratedImage{{B64JSON: b64(p)}, {B64JSON: b64(j)}}}
	dir := filepath.Join(t.TempDir(), "nested")
	paths, err := res.SaveAll(context.Background(), dir, "otter")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "otter-1.png"), filepath.Join(dir, "otter-2.jpg")}
	if len(paths) != 2 || paths[0] != want[0] || paths[1] != want[1] {
		t.Fatalf("paths = %v, want %v", paths, want)
	}
	f, _ := os.Open(paths[0])
	defer f.Close()
	if _, err := png.DecodeConfig(f); err != nil {
		t.Error(err)
	}
}
