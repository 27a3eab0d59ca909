package bench

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
)

// These tests prove the harness: every client path of every benchmark runs
// once against the shared server, and the server checks what arrived.

func TestEditUploadSmoke(t *testing.T) {
	paths := imageFiles(t)
	s := sharedServer()
	s.inspect.Store(true)
	defer s.inspect.Store(false)
	for _, c := range uploadCases {
		ups := uploaders(t, s, c, paths)
		for _, client := range []string{cWrapper, cOpenAI, cGoOpenAI} {
			up, ok := ups[client]
			if !ok {
				continue
			}
			t.Run(c.name+"/"+client, func(t *testing.T) {
				s.takeForms(client, c.mode())
				before, beforeBytes := s.counts(client, c.mode())
				if err := up(); err != nil {
					t.Fatal(err)
				}
				after, afterBytes := s.counts(client, c.mode())
				if got := after - before; got != c.attempts() {
					t.Fatalf("server saw %d attempts, want %d", got, c.attempts())
				}
				forms := s.takeForms(client, c.mode())
				if int64(len(forms)) != c.attempts() {
					t.Fatalf("%d multipart bodies recorded, want %d", len(forms), c.attempts())
				}
				for i, form := range forms {
					var files int
					var fileBytes int64
					names := map[string]int{}
					for _, p := range form {
						if p.FileName == "" {
							continue
						}
						files++
						fileBytes += p.Bytes
						names[p.Name]++
						if p.Bytes != imageSize {
							t.Errorf("attempt %d: part %q (%s) has %d bytes, want %d", i+1, p.Name, p.FileName, p.Bytes, imageSize)
						}
					}
					if files != c.images || fileBytes != int64(c.images)*imageSize {
						t.Errorf("attempt %d: %d image parts, %d bytes; want %d parts, %d bytes", i+1, files, fileBytes, c.images, int64(c.images)*imageSize)
					}
					t.Logf("attempt %d: %d image parts (%v), %d MiB of images, %d MiB body", i+1, files, names, fileBytes/mib, (afterBytes-beforeBytes)/c.attempts()/mib)
				}
				if client == cWrapper && c.images > 1 {
					// The wrapper names several images image[], as the
					// official SDKs and the API reference do.
					for _, p := range forms[0] {
						if p.FileName != "" && p.Name != "image[]" {
							t.Errorf("wrapper sent image part %q, want image[]", p.Name)
						}
					}
				}
			})
		}
	}

	// go-openai does not retry: the 500 is its answer.
	t.Run("1x20MiB-500/go-openai-no-retry", func(t *testing.T) {
		gc := newGoOpenAI(s.baseURL(cGoOpenAI, "retry"))
		before, _ := s.counts(cGoOpenAI, "retry")
		if before%2 != 0 {
			t.Fatalf("odd attempt count %d before the test", before)
		}
		err := uploadGoOpenAI(gc, paths)
		after, _ := s.counts(cGoOpenAI, "retry")
		if err == nil || after-before != 1 {
			t.Fatalf("go-openai: err %v after %d attempts; want the 500 after 1 attempt", err, after-before)
		}
		t.Logf("go-openai after a 500: %v (1 attempt, no retry)", err)
		// Leave the counter even for the benchmarks.
		if err := uploadGoOpenAI(gc, paths); err != nil {
			t.Fatal(err)
		}
	})
}

func TestStreamSmoke(t *testing.T) {
	s := sharedServer()
	for _, size := range []int{1, 64} {
		p := eventPayload(size * mib)
		sts := streamers(t, s, p)
		for _, client := range streamRows {
			t.Run(fmt.Sprintf("%dMiB/%s", size, client), func(t *testing.T) {
				n, err := sts[client]()
				switch {
				case client == cOpenAI && size > 32:
					// openai-go reads lines with a bufio.Scanner capped at
					// 32 MiB: record what it does, whatever it is.
					t.Logf("openai-go, %d MiB event: b64_json %d bytes, error: %v", size, n, err)
				case err != nil:
					t.Fatal(err)
				case n != p.b64Len():
					t.Fatalf("b64_json of %d bytes, want %d", n, p.b64Len())
				}
			})
		}
	}
}

func TestImagesSmoke(t *testing.T) {
	s := sharedServer()
	for _, size := range []int{1, 64} {
		p := jsonPayload(size * mib)
		decs := imagesDecoders(t, s, p)
		for _, client := range imagesRows {
			t.Run(fmt.Sprintf("%dMiB/%s", size, client), func(t *testing.T) {
				n, err := decs[client]()
				if err != nil {
					t.Fatal(err)
				}
				if n != p.b64Len() {
					t.Fatalf("b64_json of %d bytes, want %d", n, p.b64Len())
				}
			})
		}
	}
}

func TestSaveSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("writes about 1 GiB of images")
	}
	s := sharedServer()
	for _, c := range saveCases {
		p := imagePayload(c.format, saveImageSize)
		for client, save := range savers(t, s, c) {
			t.Run(c.name+"/"+client, func(t *testing.T) {
				paths, err := save(t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				if len(paths) != c.images {
					t.Fatalf("%d files, want %d", len(paths), c.images)
				}
				for _, path := range paths {
					if err := checkFile(path, p); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	}
}

func TestGenerateSmoke(t *testing.T) {
	s := sharedServer()
	gens := generators(t, s)
	for _, client := range overheadClients {
		t.Run(client, func(t *testing.T) {
			before, _ := s.counts(client, "ok")
			if err := gens[client](); err != nil {
				t.Fatal(err)
			}
			if after, _ := s.counts(client, "ok"); after-before != 1 {
				t.Fatalf("server saw %d requests, want 1", after-before)
			}
		})
	}
}

// TestPayloads checks the bodies the server generates: sizes, framing, and
// a base64 image that decodes to imageBytes.
func TestPayloads(t *testing.T) {
	for _, p := range []payload{
		eventPayload(mib), eventPayload(31 * mib), jsonPayload(mib), jsonPayload(8 * mib),
		imagePayload("sse", 20*mib), imagePayload("json", 1), imagePayload("json", rawBlock+2),
	} {
		t.Run(p.mode(), func(t *testing.T) {
			body := p.bytes()
			if int64(len(body)) != p.size() {
				t.Fatalf("body of %d bytes, size says %d", len(body), p.size())
			}
			// (Images of a fraction of a MiB have no mode of their own.)
			if q, err := parsePayload(p.mode()); (err != nil || q != p) && p.image > 2*rawBlock {
				t.Fatalf("mode %q parses to %+v, %v", p.mode(), q, err)
			}
			var e struct {
				Type    string `json:"type"`
				B64JSON string `json:"b64_json"`
				Data    []struct {
					B64JSON string `json:"b64_json"`
				} `json:"data"`
			}
			data := body
			if p.format == "sse" {
				var ok bool
				data, ok = bytes.CutPrefix(body, []byte("event: image_generation.completed\ndata: "))
				if !ok || !bytes.HasSuffix(data, []byte("\n\n")) || bytes.Count(data, []byte("\n")) != 2 {
					t.Fatal("not one SSE event with one data line")
				}
			}
			if err := json.Unmarshal(data, &e); err != nil {
				t.Fatal(err)
			}
			b64 := e.B64JSON
			if p.format == "json" {
				if len(e.Data) != 1 {
					t.Fatalf("%d images", len(e.Data))
				}
				b64 = e.Data[0].B64JSON
			} else if e.Type != "image_generation.completed" {
				t.Fatalf("type %q", e.Type)
			}
			if len(b64) != p.b64Len() {
				t.Fatalf("b64_json of %d bytes, want %d", len(b64), p.b64Len())
			}
			img, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(img, imageBytes(p.image)) {
				t.Fatal("the image is not imageBytes")
			}
			if p.image > 8 && !bytes.HasPrefix(img, []byte("\x89PNG\r\n\x1a\n")) {
				t.Fatal("the image is not a PNG")
			}
		})
	}
	if p := eventPayload(31 * mib); p.size() >= 32*mib || p.size() < 31*mib-3 {
		t.Errorf("the 31 MiB event is %d bytes: not just under openai-go's 32 MiB line limit", p.size())
	}
}
