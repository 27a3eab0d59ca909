package adversarial

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// The backoff used when the server gives no wait: 0.5 s less up to 25%
// jitter for the first retry (package doc: "0.5 s doubled per retry ...
// with jitter").
const (
	firstBackoffMin = 375 * time.Millisecond
	firstBackoffMax = 500 * time.Millisecond
)

// 429 with Retry-After: 2 waits exactly 2 s and retries.
func TestRetryAfterSecondsIsHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{
			respond(429, http.Header{"Retry-After": {"2"}}, `{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}`),
			ok(),
		}}
		start := time.Now()
		res, err := scriptedClient(t, s).Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Data) != 1 {
			t.Errorf("data = %d images", len(res.Data))
		}
		if g := s.gaps(); len(g) != 1 || g[0] != 2*time.Second {
			t.Errorf("waits between attempts = %v, want [2s]", g)
		}
		if d := time.Since(start); d != 2*time.Second {
			t.Errorf("call took %v, want 2s", d)
		}
	})
}

// Retry-After-Ms takes precedence over Retry-After, both when it is shorter
// and when it is longer.
func TestRetryAfterMsTakesPrecedence(t *testing.T) {
	for _, tc := range []struct {
		retryAfter, retryAfterMs string
		want                     time.Duration
	}{
		{"5", "1500", 1500 * time.Millisecond},
		{"1", "3250", 3250 * time.Millisecond},
		{"2", "0.5", 500 * time.Microsecond},
	} {
		synctest.Test(t, func(t *testing.T) {
			s := &script{steps: []step{
				respond(429, http.Header{"Retry-After": {tc.retryAfter}, "Retry-After-Ms": {tc.retryAfterMs}}, `{}`),
				ok(),
			}}
			if _, err := scriptedClient(t, s).Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"}); err != nil {
				t.Fatal(err)
			}
			if g := s.gaps(); len(g) != 1 || g[0] != tc.want {
				t.Errorf("Retry-After %s, Retry-After-Ms %s: waits = %v, want [%v]", tc.retryAfter, tc.retryAfterMs, g, tc.want)
			}
		})
	}
}

// A Retry-After longer than what is left of the context's deadline returns
// the 429 at once instead of sleeping into the deadline.
func TestRetryAfterPastDeadlineReturnsAtOnce(t *testing.T) {
	for _, h := range []http.Header{
		{"Retry-After": {"30"}},
		{"Retry-After-Ms": {"30000"}},
	} {
		synctest.Test(t, func(t *testing.T) {
			s := &script{steps: []step{
				respond(429, h, `{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}`),
				ok(),
			}}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			_, err := scriptedClient(t, s).Generate(ctx, wrapper.GenerateParams{Prompt: "x"})
			var apiErr *wrapper.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Code != "rate_limit_exceeded" {
				t.Fatalf("%v: err = %v, want the 429", h, err)
			}
			if apiErr.Header.Get("Retry-After")+apiErr.Header.Get("Retry-After-Ms") == "" {
				t.Errorf("the 429's headers are not kept: %v", apiErr.Header)
			}
			if d := time.Since(start); d != 0 {
				t.Errorf("%v: returned after %v, want at once", h, d)
			}
			if n := s.attempts(); n != 1 {
				t.Errorf("%v: attempts = %d, want 1", h, n)
			}
		})
	}
	// The same wait within the deadline is taken.
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{respond(429, http.Header{"Retry-After": {"3"}}, `{}`), ok()}}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := scriptedClient(t, s).Generate(ctx, wrapper.GenerateParams{Prompt: "x"}); err != nil {
			t.Fatal(err)
		}
		if g := s.gaps(); len(g) != 1 || g[0] != 3*time.Second {
			t.Errorf("waits = %v, want [3s]", g)
		}
	})
}

// x-should-retry decides over the status: true retries a 400, false stops a
// 500; without it a 400 is final and a 500 is retried.
func TestXShouldRetryDecides(t *testing.T) {
	for _, tc := range []struct {
		status      int
		shouldRetry string
		attempts    int
	}{
		{400, "", 1},
		{400, "true", 2},
		{400, "TRUE", 2},
		{500, "", 2},
		{500, "false", 1},
		{500, "False", 1},
	} {
		synctest.Test(t, func(t *testing.T) {
			h := http.Header{}
			if tc.shouldRetry != "" {
				h.Set("x-should-retry", tc.shouldRetry)
			}
			s := &script{steps: []step{respond(tc.status, h, `{"error":{"message":"m"}}`), ok()}}
			_, err := scriptedClient(t, s).Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
			if n := s.attempts(); n != tc.attempts {
				t.Errorf("%d with x-should-retry %q: attempts = %d, want %d", tc.status, tc.shouldRetry, n, tc.attempts)
			}
			var apiErr *wrapper.APIError
			switch {
			case tc.attempts == 2 && err != nil:
				t.Errorf("%d with x-should-retry %q: err = %v after the retry succeeded", tc.status, tc.shouldRetry, err)
			case tc.attempts == 1 && (!errors.As(err, &apiErr) || apiErr.StatusCode != tc.status):
				t.Errorf("%d with x-should-retry %q: err = %v, want the %d", tc.status, tc.shouldRetry, err, tc.status)
			}
			if g := s.gaps(); len(g) == 1 && (g[0] < firstBackoffMin || g[0] > firstBackoffMax) {
				t.Errorf("wait = %v, want the first backoff", g[0])
			}
		})
	}
}

// paddedImage is a ReaderAt of size bytes: head, then a byte pattern. It
// stands for a large image without holding it in memory.
type paddedImage struct {
	head []byte
	size int64
	fill byte
}

func (p *paddedImage) ReadAt(b []byte, off int64) (int, error) {
	if off >= p.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(b) && off < p.size {
		if off < int64(len(p.head)) {
			c := copy(b[n:], p.head[off:])
			n += c
			off += int64(c)
			continue
		}
		b[n] = p.fill + byte(off%251)
		n++
		off++
	}
	if off >= p.size {
		return n, io.EOF
	}
	return n, nil
}

// 500 then 200 on a 16-image edit: the retry sends byte-identical bodies
// (same boundary, same parts, every image re-read in full from each kind of
// source). When every source's size is known the body carries an exact
// Content-Length on both attempts; with an opener (size unknown) it is
// streamed with none.
func TestRetryOf16ImageEditResendsIdenticalBytes(t *testing.T) {
	for _, withOpener := range []bool{false, true} {
		dir := t.TempDir()
		var sources [][]byte
		var images []wrapper.Image
		for i := range 16 {
			data := append(pngImage(t, 32+i, 32+i, i%2 == 0), bytes.Repeat([]byte{byte(i)}, 20_000+i)...)
			sources = append(sources, data)
			name := filepath.Join(dir, "in"+string(rune('a'+i))+".png")
			kind := i % 5
			if kind == 3 && !withOpener {
				kind = 0
			}
			switch kind {
			case 0:
				images = append(images, wrapper.ImageFromBytes(filepath.Base(name), data))
			case 1:
				images = append(images, wrapper.ImageFromReaderAt(filepath.Base(name), bytes.NewReader(data), int64(len(data))))
			case 2:
				images = append(images, wrapper.ImageFromReader(filepath.Base(name), bytes.NewReader(data)))
			case 3:
				images = append(images, wrapper.ImageFromOpener(filepath.Base(name), func() (io.ReadCloser, error) {
					return io.NopCloser(bytes.NewReader(data)), nil
				}))
			case 4:
				if err := os.WriteFile(name, data, 0o644); err != nil {
					t.Fatal(err)
				}
				images = append(images, wrapper.ImageFromPath(name))
			}
		}
		synctest.Test(t, func(t *testing.T) {
			var lengths [2]int64
			var n atomic.Int32
			record := func(next step) step {
				return func(r *http.Request) (*http.Response, error) {
					lengths[n.Add(1)-1] = r.ContentLength
					return next(r)
				}
			}
			s := &script{steps: []step{record(respond(500, nil, `{"error":{"message":"boom","type":"server_error"}}`)), record(ok())}}
			_, err := scriptedClient(t, s).Edit(context.Background(), wrapper.EditParams{
				Model: wrapper.ModelGPTImage15, Prompt: "combine them", Images: images,
			})
			if err != nil {
				t.Fatal(err)
			}
			if s.attempts() != 2 {
				t.Fatalf("attempts = %d, want 2", s.attempts())
			}
			if !bytes.Equal(s.bodies[0], s.bodies[1]) {
				t.Fatalf("the retry's body differs from the first (%d vs %d bytes)", len(s.bodies[0]), len(s.bodies[1]))
			}
			if s.headers[0].Get("Content-Type") != s.headers[1].Get("Content-Type") {
				t.Errorf("content types differ: %q, %q", s.headers[0].Get("Content-Type"), s.headers[1].Get("Content-Type"))
			}
			// http.Request.ContentLength 0 with a body means unknown.
			want := int64(len(s.bodies[0]))
			if withOpener {
				want = 0
			}
			if lengths[0] != want || lengths[1] != want {
				t.Errorf("opener %v: ContentLength %d, %d; want %d for a %d-byte body", withOpener, lengths[0], lengths[1], want, len(s.bodies[0]))
			}
			parts := parseForm(t, s.headers[1].Get("Content-Type"), s.bodies[1])
			var files []formPart
			for _, p := range parts {
				if p.filename != "" {
					files = append(files, p)
				}
			}
			if len(files) != 16 {
				t.Fatalf("%d file parts, want 16", len(files))
			}
			for i, f := range files {
				if f.name != "image[]" || f.contentType != "image/png" || !bytes.Equal(f.data, sources[i]) {
					t.Errorf("part %d: name %q, type %q, %d bytes (want image[], image/png, the %d source bytes)", i, f.name, f.contentType, len(f.data), len(sources[i]))
				}
			}
		})
	}
}

// A connection reset before any response header is retried; without
// retries it is a transport error wrapped with the operation.
func TestResetBeforeHeadersIsRetried(t *testing.T) {
	for _, retries := range []int{0, 2} {
		var attempts atomic.Int32
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if attempts.Add(1) == 1 {
				if conn, _ := hijack(t, w, r); conn != nil {
					reset(t, conn)
				}
				return
			}
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, okJSON)
		})
		c, _ := newServer(t, handler, wrapper.WithMaxRetries(retries))
		res, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
		if retries == 0 {
			var opErr *wrapper.OperationError
			var apiErr *wrapper.APIError
			if !errors.As(err, &opErr) || opErr.Operation != "createImage" || errors.As(err, &apiErr) {
				t.Errorf("without retries: err = %#v, want a transport error wrapped with the operation", err)
			}
			if n := attempts.Load(); n != 1 {
				t.Errorf("without retries: %d attempts", n)
			}
			continue
		}
		if err != nil {
			t.Fatalf("with retries: %v", err)
		}
		if n := attempts.Load(); n != 2 || len(res.Data) != 1 {
			t.Errorf("with retries: %d attempts, %d images; want 2 attempts and the image", n, len(res.Data))
		}
	}
}

// An attempt that stalls before the response hits the per-attempt timeout
// (WithTimeout) and is retried after the backoff. The stall is on a real
// http.Transport over an in-memory connection: the timeout must cancel the
// request, which closes the connection the server is stalled on.
func TestStalledAttemptTimesOutAndIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var attempts atomic.Int32
		var arrivals [2]time.Time
		var stallEnded time.Duration
		start := time.Now()
		n := newMemNet(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			i := attempts.Add(1)
			io.Copy(io.Discard, r.Body)
			if i <= 2 {
				arrivals[i-1] = time.Now()
			}
			if i == 1 {
				<-r.Context().Done() // stall until the client gives up
				stallEnded = time.Since(start)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, okJSON)
		}))
		c := n.client(t, wrapper.WithTimeout(5*time.Second))
		res, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if attempts.Load() != 2 || len(res.Data) != 1 {
			t.Fatalf("%d attempts, %d images", attempts.Load(), len(res.Data))
		}
		if stallEnded != 5*time.Second {
			t.Errorf("the stalled attempt was abandoned after %v, want the 5s timeout", stallEnded)
		}
		if g := arrivals[1].Sub(arrivals[0]); g < 5*time.Second+firstBackoffMin || g > 5*time.Second+firstBackoffMax {
			t.Errorf("second attempt %v after the first, want the timeout plus the first backoff", g)
		}
	})
	// Every attempt stalls: the error says the attempt timed out, after
	// 1 + retries attempts.
	synctest.Test(t, func(t *testing.T) {
		var attempts atomic.Int32
		n := newMemNet(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			attempts.Add(1)
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}))
		_, err := n.client(t, wrapper.WithTimeout(time.Second), wrapper.WithMaxRetries(1)).Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
		var opErr *wrapper.OperationError
		if !errors.As(err, &opErr) {
			t.Fatalf("err = %#v, want an *OperationError", err)
		}
		if errors.Is(err, context.Canceled) {
			t.Errorf("err = %v matches context.Canceled: a timeout is not the caller's cancellation", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "timed out") {
			t.Errorf("err = %q, want it to say the attempt timed out", msg)
		}
		if attempts.Load() != 2 {
			t.Errorf("attempts = %d, want 2", attempts.Load())
		}
	})
}

// For a stream the per-attempt timeout bounds each wait for an event, not
// the whole stream: a stream that takes far longer than the timeout, with
// its events closer together than it, is not cut.
func TestAttemptTimeoutDoesNotCutAStartedStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		img := pngImage(t, 4, 4, false)
		n := newMemNet(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/event-stream")
			for i := range 3 {
				io.WriteString(w, partialEvent(i, img))
				w.(http.Flusher).Flush()
				time.Sleep(4 * time.Second)
			}
			io.WriteString(w, completedEvent(img))
		}))
		start := time.Now()
		s, err := n.client(t, wrapper.WithTimeout(5*time.Second)).GenerateStream(context.Background(), streamParams())
		if err != nil {
			t.Fatal(err)
		}
		events, err := collect(s)
		if err != nil || len(events) != 4 {
			t.Fatalf("events = %d, err = %v", len(events), err)
		}
		if d := time.Since(start); d != 12*time.Second {
			t.Errorf("the stream took %v, want 12s", d)
		}
	})
}
