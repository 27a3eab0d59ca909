package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
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
	for _, size := range []int{8, 64} {
		mode := fmt.Sprintf("sse-%d", size)
		want := b64Len(size * mib)
		sts := streamers(t, s, mode)
		for _, client := range []string{cWrapper, cOpenAI} {
			t.Run(fmt.Sprintf("%dMiB/%s", size, client), func(t *testing.T) {
				n, err := sts[client]()
				switch {
				case client == cOpenAI && size > 32:
					// openai-go reads lines with a bufio.Scanner capped at
					// 32 MiB: record what it does, whatever it is.
					t.Logf("openai-go, %d MiB event: b64_json %d bytes, error: %v", size, n, err)
				case err != nil:
					t.Fatal(err)
				case n != want:
					t.Fatalf("b64_json of %d bytes, want %d", n, want)
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

func TestCompletedEvent(t *testing.T) {
	for _, size := range []int{1, 8, 31, 64} {
		total := size * mib
		ev := completedEvent(total)
		if len(ev) > total || len(ev) < total-3 {
			t.Errorf("%d MiB: event of %d bytes", size, len(ev))
		}
		data, ok := bytes.CutPrefix(ev, []byte("event: image_generation.completed\ndata: "))
		if !ok || !bytes.HasSuffix(data, []byte("\n\n")) {
			t.Fatalf("%d MiB: not one SSE event", size)
		}
		var e struct {
			Type    string `json:"type"`
			B64JSON string `json:"b64_json"`
		}
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatal(err)
		}
		if e.Type != "image_generation.completed" || len(e.B64JSON) != b64Len(total) {
			t.Errorf("%d MiB: type %q, b64_json %d bytes, want %d", size, e.Type, len(e.B64JSON), b64Len(total))
		}
		if size == 31 && len(data)+len("data: ") >= 32*mib {
			t.Errorf("the 31 MiB event's data line is not under openai-go's 32 MiB limit")
		}
		if strings.Count(string(data), "\n") != 2 {
			t.Errorf("%d MiB: data spans several lines", size)
		}
	}
}
