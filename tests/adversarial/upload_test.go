package adversarial

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/imagegen-go/openai-images/wrapper"
)

// A deadline that passes while a 64 MiB multipart upload is stuck (the
// server stopped reading) returns at the deadline with the context's error,
// sends no retry, and leaves no goroutine behind: not the form writer, not
// the transport's.
func TestDeadlineDuring64MiBUploadReturnsPromptly(t *testing.T) {
	const (
		perImage = 4 << 20 // 16 x 4 MiB = 64 MiB, each under the 50 MB limit
		deadline = 30 * time.Second
		readCap  = 1 << 20 // the server reads this much, then stalls
	)
	head := pngImage(t, 64, 64, false)
	synctest.Test(t, func(t *testing.T) {
		// Goroutines outside this bubble (the test runner's) are not
		// this test's; everything started inside must be gone at the end.
		outside := goleak.IgnoreCurrent()

		var requests, received atomic.Int64
		stalled := make(chan struct{})
		release := make(chan struct{})
		n := newMemNet(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			got, _ := io.Copy(io.Discard, io.LimitReader(r.Body, readCap))
			received.Add(got)
			close(stalled)
			<-release
			got, _ = io.Copy(io.Discard, r.Body) // fails: the client is gone
			received.Add(got)
		}))
		// Let the handler go at the end whatever happens, before the
		// server's shutdown (cleanups run last-registered first).
		unblock := sync.OnceFunc(func() { close(release) })
		t.Cleanup(unblock)
		images := make([]wrapper.Image, 16)
		for i := range images {
			images[i] = wrapper.ImageFromReaderAt("big.png", &paddedImage{head: head, size: perImage, fill: byte(i)}, perImage)
		}
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		start := time.Now()
		_, err := n.client(t).Edit(ctx, wrapper.EditParams{Model: wrapper.ModelGPTImage15, Prompt: "x", Images: images})
		elapsed := time.Since(start)
		synctest.Wait()
		select {
		case <-stalled:
		default:
			t.Fatal("the server never got the start of the upload; the test proves nothing")
		}

		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
		var opErr *wrapper.OperationError
		if !errors.As(err, &opErr) || opErr.Operation != "createImageEdit" {
			t.Errorf("err = %#v, want an *OperationError for createImageEdit", err)
		}
		if elapsed != deadline {
			t.Errorf("returned %v after the call began, want at the %v deadline", elapsed, deadline)
		}
		if requests.Load() != 1 {
			t.Errorf("%d requests, want 1 (no retry past the deadline)", requests.Load())
		}

		// Nothing of the client's is left while the server still holds
		// its end (the server's goroutines are set aside)...
		goleak.VerifyNone(t, outside,
			goleak.IgnoreAnyFunction("net/http.(*Server).Serve"),
			goleak.IgnoreAnyFunction("net/http.(*conn).serve"))
		// ...nor anything at all once the server is gone.
		unblock()
		n.shutdown()
		synctest.Wait()
		if got := received.Load(); got > 2*readCap {
			t.Errorf("the server received %d bytes of the body after it stopped reading at %d", got, readCap)
		}
		goleak.VerifyNone(t, outside)
	})
}

// A context cancelled (or past its deadline) before the call sends nothing:
// no connection is even opened, whichever call it is.
func TestCancelledContextSendsNothing(t *testing.T) {
	img := pngImage(t, 16, 16, true)
	calls := map[string]func(context.Context, *wrapper.Client) error{
		"Generate": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.Generate(ctx, wrapper.GenerateParams{Prompt: "x"})
			return err
		},
		"GenerateStream": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.GenerateStream(ctx, streamParams())
			return err
		},
		"Edit": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.Edit(ctx, wrapper.EditParams{Prompt: "x", Images: []wrapper.Image{wrapper.ImageFromBytes("a.png", img)}})
			return err
		},
		"EditJSON": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.Edit(ctx, wrapper.EditParams{Prompt: "x", ImageRefs: []wrapper.ImageRef{wrapper.ImageFileID("file-1")}})
			return err
		},
		"EditStream": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.EditStream(ctx, wrapper.EditParams{Model: wrapper.ModelGPTImage15, Prompt: "x", Images: []wrapper.Image{wrapper.ImageFromBytes("a.png", img)}})
			return err
		},
		"Vary": func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.Vary(ctx, wrapper.VaryParams{Image: wrapper.ImageFromBytes("a.png", img)})
			return err
		},
	}
	for name, call := range calls {
		synctest.Test(t, func(t *testing.T) {
			n := newMemNet(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				t.Errorf("%s: the server got %s %s", name, r.Method, r.URL)
			}))
			c := n.client(t)

			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := call(ctx, c); !errors.Is(err, context.Canceled) {
				t.Errorf("%s, cancelled: err = %v, want context.Canceled", name, err)
			}
			ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			defer cancel()
			if err := call(ctx, c); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s, past deadline: err = %v, want context.DeadlineExceeded", name, err)
			}
			synctest.Wait()
			if got := n.accepted.Load(); got != 0 {
				t.Errorf("%s: %d connections opened", name, got)
			}
		})
	}
}
