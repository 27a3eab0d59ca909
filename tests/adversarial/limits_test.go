package adversarial

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// serveBytes answers every request with status, the headers and body.
func serveBytes(status int, header http.Header, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		w.Write(body)
	})
}

var gzipJSON = http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}

// A gzip bomb (1 MiB on the wire, 1 GiB once decompressed) as a JSON
// response fails with a *TooLargeError naming the limit and the option,
// and costs no more memory than the configured cap: reading stops at the
// cap, and nothing read is copied on the way.
func TestGzipBombResponse(t *testing.T) {
	const limit = 32 << 20
	bomb := gzipBomb(`{"created":1,"data":[{"b64_json":"`, 64, `"}]}`)
	if len(bomb) > 2<<20 {
		t.Fatalf("the bomb is %d bytes on the wire", len(bomb))
	}
	c, _ := newServer(t, serveBytes(200, gzipJSON, bomb), wrapper.WithMaxResponseSize(limit), wrapper.WithMaxRetries(0))
	var err error
	alloc := allocatedDuring(func() {
		_, err = c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
	})
	var tl *wrapper.TooLargeError
	if !errors.As(err, &tl) || tl.Limit != limit || tl.Option != "WithMaxResponseSize" || !strings.Contains(err.Error(), "WithMaxResponseSize") {
		t.Fatalf("err = %v, want a *TooLargeError naming the limit and WithMaxResponseSize", err)
	}
	t.Logf("1 GiB bomb against a %s cap: %s allocated", mib(limit), mib(alloc))
	if alloc >= limit+1<<20 {
		t.Errorf("reading the bomb allocated %s, over the %s cap (plus 1 MiB for buffers)", mib(alloc), mib(limit))
	}
}

// The same bomb as an error body, or as one stream event, is bounded too:
// error bodies are read up to 64 KiB, events up to WithMaxEventSize.
func TestGzipBombErrorAndStream(t *testing.T) {
	errBomb := gzipBomb(`{"error":{"message":"`, 64, `"}}`)
	c, _ := newServer(t, serveBytes(500, gzipJSON, errBomb), wrapper.WithMaxRetries(0))
	var err error
	alloc := allocatedDuring(func() {
		_, err = c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
	})
	var apiErr *wrapper.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || len(apiErr.Body) > 64<<10 {
		t.Fatalf("err = %v", err)
	}
	t.Logf("1 GiB error body: %s allocated", mib(alloc))
	if alloc > 2<<20 {
		t.Errorf("an error body bomb allocated %s", mib(alloc))
	}

	const eventLimit = 16 << 20
	sse := http.Header{"Content-Type": {"text/event-stream"}, "Content-Encoding": {"gzip"}}
	streamBomb := gzipBomb(`data: {"type":"image_generation.completed","b64_json":"`, 64, "\"}\n\n")
	c, _ = newServer(t, serveBytes(200, sse, streamBomb), wrapper.WithMaxEventSize(eventLimit), wrapper.WithMaxRetries(0))
	alloc = allocatedDuring(func() {
		var s *wrapper.ImageStream
		s, err = c.GenerateStream(context.Background(), streamParams())
		if err == nil {
			_, err = collect(s)
		}
	})
	var tl *wrapper.TooLargeError
	var tooLarge *wrapper.EventTooLargeError
	if !errors.As(err, &tl) || tl.Option != "WithMaxEventSize" || !errors.As(err, &tooLarge) {
		t.Fatalf("err = %v, want a *TooLargeError naming WithMaxEventSize", err)
	}
	t.Logf("1 GiB stream event against a %s cap: %s allocated", mib(eventLimit), mib(alloc))
	if alloc > 3*eventLimit {
		t.Errorf("a stream bomb allocated %s", mib(alloc))
	}
}

// An image downloaded through Bytes (RunBatch's path) costs its size, not
// a multiple of it, and a download over the limit costs at most the limit,
// with or without a Content-Length, compressed or not.
func TestImageDownloadMemory(t *testing.T) {
	const size = 24 << 20
	img := append(pngImage(t, 4, 4, false), bytes.Repeat([]byte{0}, size)...)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sized.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(img)))
		w.Write(img)
	})
	mux.HandleFunc("GET /chunked.png", func(w http.ResponseWriter, r *http.Request) {
		for b := img; len(b) > 0; b = b[min(len(b), 1<<20):] {
			w.Write(b[:min(len(b), 1<<20)])
			w.(http.Flusher).Flush()
		}
	})
	bomb := gzipBomb("\x89PNG\r\n\x1a\n", 64, "")
	mux.HandleFunc("GET /bomb.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	})
	mux.HandleFunc("POST /images/generations", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"created":1,"data":[{"url":"http://%[1]s/v1/sized.png"},{"url":"http://%[1]s/v1/chunked.png"},{"url":"http://%[1]s/v1/bomb.png"}]}`, r.Host)
	})
	const limit = 32 << 20
	c, _ := newServer(t, mux, wrapper.WithMaxDownloadSize(limit))
	res, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x", ResponseFormat: wrapper.ResponseFormatURL})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"with Content-Length", "chunked"} {
		var got []byte
		alloc := allocatedDuring(func() { got, err = res.Data[i].Content(context.Background()) })
		if err != nil || !bytes.Equal(got, img) {
			t.Fatalf("%s: %d bytes, %v", name, len(got), err)
		}
		t.Logf("Bytes of a %s image, %s: %s allocated", mib(uint64(len(img))), name, mib(alloc))
		bound := uint64(len(img)) + 1<<20 // one buffer of the image's size
		if name == "chunked" {
			// Chunks (the last up to 4 MiB too large), then one copy.
			bound = 2*uint64(len(img)) + 5<<20
		}
		if alloc > bound {
			t.Errorf("%s: %s allocated for a %s image", name, mib(alloc), mib(uint64(len(img))))
		}
	}
	alloc := allocatedDuring(func() { _, err = res.Data[2].Content(context.Background()) })
	var tl *wrapper.TooLargeError
	if !errors.As(err, &tl) || tl.Option != "WithMaxDownloadSize" || tl.Limit != limit {
		t.Fatalf("bomb: err = %v", err)
	}
	t.Logf("Bytes of a 1 GiB bomb against a %s cap: %s allocated", mib(limit), mib(alloc))
	if alloc >= limit+1<<20 {
		t.Errorf("the download bomb allocated %s", mib(alloc))
	}
	path := filepath.Join(t.TempDir(), "bomb.png")
	if err := res.Data[2].WriteFile(context.Background(), path); !errors.As(err, &tl) {
		t.Errorf("Save of the bomb: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("Save of the bomb left a file")
	}
}

// A stream whose server sends only keep-alive comments (or empty events)
// ends once no event has come for the timeout (WithTimeout), instead of
// never; the error says so and matches context.DeadlineExceeded.
func TestKeepAlivesCannotHoldAStream(t *testing.T) {
	for name, keepAlive := range map[string]string{"comments": ": keep-alive\n\n", "empty events": "data:\n\n"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				img := pngImage(t, 4, 4, false)
				n := newMemNet(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					io.Copy(io.Discard, r.Body)
					w.Header().Set("Content-Type", "text/event-stream")
					io.WriteString(w, partialEvent(0, img))
					w.(http.Flusher).Flush()
					for r.Context().Err() == nil {
						if _, err := io.WriteString(w, keepAlive); err != nil {
							return
						}
						w.(http.Flusher).Flush()
						select {
						case <-time.After(500 * time.Millisecond):
						case <-r.Context().Done():
						}
					}
				}))
				start := time.Now()
				s, err := n.client(t, wrapper.WithTimeout(2*time.Second)).GenerateStream(context.Background(), streamParams())
				if err != nil {
					t.Fatal(err)
				}
				events, err := collect(s)
				if len(events) != 1 || !errors.Is(err, wrapper.ErrAttemptTimeout) || !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("%d events, err = %v", len(events), err)
				}
				if !strings.Contains(err.Error(), "no event received for 2s") {
					t.Errorf("err = %q", err)
				}
				if d := time.Since(start); d != 2*time.Second {
					t.Errorf("the stream ended after %v, want 2s after its last event", d)
				}
			})
		})
	}
}

// The CLI's --stream --timeout 2s against a server that sends only
// keep-alive comments ends, with a timeout error, instead of hanging.
func TestCLIStreamTimeoutWithKeepAlives(t *testing.T) {
	_, srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		for r.Context().Err() == nil {
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(200 * time.Millisecond):
			case <-r.Context().Done():
			}
		}
	}))
	start := time.Now()
	run := runCLI(t, t.TempDir(), srv.URL+"/v1", "generate", "--model", "gpt-image-1.5", "--stream", "--timeout", "2s", "--max-retries", "0", "a lighthouse")
	t.Logf("the CLI ended after %v: %s", time.Since(start).Round(10*time.Millisecond), strings.TrimSpace(run.stderr))
	if run.exit == 0 || !strings.Contains(run.stderr, "no event received for 2s") {
		t.Errorf("exit %d\n%s%s", run.exit, run.stdout, run.stderr)
	}
}

// An image download that stalls after its headers fails once no byte has
// come for the timeout.
func TestStalledDownloadEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		img := pngImage(t, 4, 4, false)
		n := newMemNet(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			if r.Method == http.MethodPost {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"created":1,"data":[{"url":"http://api.test/img.png"}]}`)
				return
			}
			w.Header().Set("Content-Length", "100000")
			w.Write(img[:20])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}))
		c := n.client(t, wrapper.WithTimeout(3*time.Second), wrapper.WithDownloadPolicy(wrapper.DownloadPolicy{AllowHTTP: true}))
		res, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x", ResponseFormat: wrapper.ResponseFormatURL})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = res.Data[0].Content(context.Background())
		if !errors.Is(err, wrapper.ErrAttemptTimeout) || time.Since(start) != 3*time.Second {
			t.Errorf("after %v: err = %v", time.Since(start), err)
		}
	})
}
