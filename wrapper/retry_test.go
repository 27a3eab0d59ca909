package wrapper

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// script answers attempt i with steps[i] and records when each attempt
// arrived and what body it carried.
type script struct {
	mu     sync.Mutex
	steps  []func(*http.Request) (*http.Response, error)
	times  []time.Time
	bodies [][]byte
}

func (s *script) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	i := len(s.times)
	s.times = append(s.times, time.Now())
	s.bodies = append(s.bodies, body)
	s.mu.Unlock()
	if i >= len(s.steps) {
		return nil, errors.New("script: unexpected attempt")
	}
	return s.steps[i](r)
}

func (s *script) attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.times)
}

func respond(status int, header http.Header, body string) func(*http.Request) (*http.Response, error) {
	return func(r *http.Request) (*http.Response, error) {
		h := http.Header{"Content-Type": {"application/json"}}
		for k, v := range header {
			h[k] = v
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
}

const okBody = `{"created":1,"data":[{"b64_json":"aGk="}]}`

func ok() func(*http.Request) (*http.Response, error) { return respond(200, nil, okBody) }

func fail(err error) func(*http.Request) (*http.Response, error) {
	return func(*http.Request) (*http.Response, error) { return nil, err }
}

func scriptedClient(t *testing.T, s *script, opts ...Option) *Client {
	t.Helper()
	c, err := New(append([]Option{WithBaseURL("http://api.test/v1"), WithAPIKey(testAPIKey), WithHTTPClient(&http.Client{Transport: s})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func gaps(s *script) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(s.times); i++ {
		out = append(out, s.times[i].Sub(s.times[i-1]))
	}
	return out
}

func TestRetryAfterSeconds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: [](func(*http.Request) (*http.Response, error)){
			respond(429, http.Header{"Retry-After": {"2"}}, `{"error":{"message":"slow down","type":"rate_limit_error"}}`),
			ok(),
		}}
		c := scriptedClient(t, s)
		if _, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"}); err != nil {
			t.Fatal(err)
		}
		if g := gaps(s); len(g) != 1 || g[0] != 2*time.Second {
			t.Errorf("waits = %v, want [2s]", g)
		}
	})
}

func TestRetryAfterMsTakesPrecedence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: [](func(*http.Request) (*http.Response, error)){
			respond(429, http.Header{"Retry-After": {"5"}, "Retry-After-Ms": {"1500"}}, `{}`),
			ok(),
		}}
		if _, err := scriptedClient(t, s).Generate(context.Background(), GenerateParams{Prompt: "x"}); err != nil {
			t.Fatal(err)
		}
		if g := gaps(s); len(g) != 1 || g[0] != 1500*time.Millisecond {
			t.Errorf("waits = %v, want [1.5s]", g)
		}
	})
}

func TestRetryAfterHTTPDate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		when := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
		s := &script{steps: [](func(*http.Request) (*http.Response, error)){
			respond(503, http.Header{"Retry-After": {when}}, `{}`),
			ok(),
		}}
		if _, err := scriptedClient(t, s).Generate(context.Background(), GenerateParams{Prompt: "x"}); err != nil {
			t.Fatal(err)
		}
		// HTTP dates have whole seconds; the fake clock starts on one.
		if g := gaps(s); len(g) != 1 || g[0] <= 2*time.Second || g[0] > 3*time.Second {
			t.Errorf("waits = %v, want about 3s", g)
		}
	})
}

// A Retry-After past the context deadline returns the error at once.
func TestRetryAfterBeyondDeadlineReturnsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: [](func(*http.Request) (*http.Response, error)){
			respond(429, http.Header{"Retry-After": {"30"}}, `{"error":{"message":"slow down","type":"rate_limit_error","code":"rate_limit_exceeded"}}`),
			ok(),
		}}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := scriptedClient(t, s).Generate(ctx, GenerateParams{Prompt: "x"})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Code != "rate_limit_exceeded" {
			t.Fatalf("err = %v, want the 429", err)
		}
		if elapsed := time.Since(start); elapsed != 0 {
			t.Errorf("returned after %v, want at once", elapsed)
		}
		if s.attempts() != 1 {
			t.Errorf("attempts = %d", s.attempts())
		}
	})
}

// Without server guidance: 0.5 s, then 1 s, each less up to 25% jitter.
func TestExponentialBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: [](func(*http.Request) (*http.Response, error)){
			respond(500, nil, `{}`), respond(502, nil, `{}`), respond(500, nil, `{}`), ok(),
		}}
		if _, err := scriptedClient(t, s, WithMaxRetries(3)).Generate(context.Background(), GenerateParams{Prompt: "x"}); err != nil {
			t.Fatal(err)
		}
		g := gaps(s)
		if len(g) != 3 {
			t.Fatalf("waits = %v", g)
		}
		for i, base := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second} {
			if g[i] < base*3/4 || g[i] > base {
				t.Errorf("wait %d = %v, want within [%v, %v]", i, g[i], base*3/4, base)
			}
		}
	})
}

func TestBackoffIsCapped(t *testing.T) {
	for retry := range 40 {
		d := retryDelay(retry, nil, time.Now(), time.Minute)
		if d <= 0 || d > maxRetryDelay {
			t.Fatalf("retry %d: delay %v outside (0, %v]", retry, d, maxRetryDelay)
		}
	}
	// A server wait over the cap falls back to the backoff.
	if d := retryDelay(0, http.Header{"Retry-After": {"3600"}}, time.Now(), time.Minute); d > initialRetryDelay {
		t.Errorf("hour-long Retry-After gave %v", d)
	}
	for _, v := range []string{"-1", "soon", "NaN", "1e400"} {
		if d := retryDelay(0, http.Header{"Retry-After": {v}}, time.Now(), time.Minute); d > initialRetryDelay || d <= 0 {
			t.Errorf("Retry-After %q gave %v", v, d)
		}
	}
}

func TestWhichStatusesAreRetried(t *testing.T) {
	cases := []struct {
		status      int
		shouldRetry string
		retried     bool
	}{
		{400, "", false}, {401, "", false}, {403, "", false}, {404, "", false}, {422, "", false},
		{408, "", true}, {409, "", true}, {429, "", true}, {500, "", true}, {502, "", true}, {503, "", true},
		{400, "true", true}, {500, "false", false}, {429, "false", false},
	}
	for _, tc := range cases {
		synctest.Test(t, func(t *testing.T) {
			h := http.Header{}
			if tc.shouldRetry != "" {
				h.Set("x-should-retry", tc.shouldRetry)
			}
			s := &script{steps: [](func(*http.Request) (*http.Response, error)){respond(tc.status, h, `{}`), ok()}}
			_, err := scriptedClient(t, s).Generate(context.Background(), GenerateParams{Prompt: "x"})
			if got := s.attempts() == 2; got != tc.retried {
				t.Errorf("status %d x-should-retry=%q: retried = %v, want %v (err %v)", tc.status, tc.shouldRetry, got, tc.retried, err)
			}
		})
	}
}

func TestMaxRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		steps := make([](func(*http.Request) (*http.Response, error)), 10)
		for i := range steps {
			steps[i] = respond(500, nil, `{"error":{"message":"boom"}}`)
		}
		s := &script{steps: steps}
		c := scriptedClient(t, s) // default: 2 retries
		_, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
			t.Fatalf("err = %v", err)
		}
		if s.attempts() != 3 {
			t.Errorf("attempts = %d, want 3", s.attempts())
		}
		s2 := &script{steps: steps}
		scriptedClient(t, s2).Generate(context.Background(), GenerateParams{Prompt: "x"}, WithRequestMaxRetries(0))
		if s2.attempts() != 1 {
			t.Errorf("per-request 0 retries: attempts = %d", s2.attempts())
		}
	})
}

func TestConnectionErrorIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reset := errors.New("connection reset by peer")
		s := &script{steps: [](func(*http.Request) (*http.Response, error)){fail(reset), ok()}}
		if _, err := scriptedClient(t, s).Generate(context.Background(), GenerateParams{Prompt: "x"}); err != nil {
			t.Fatal(err)
		}
		if s.attempts() != 2 {
			t.Errorf("attempts = %d", s.attempts())
		}
		s = &script{steps: [](func(*http.Request) (*http.Response, error)){fail(reset), fail(reset), fail(reset)}}
		_, err := scriptedClient(t, s).Generate(context.Background(), GenerateParams{Prompt: "x"})
		var opErr *OperationError
		if !errors.Is(err, reset) || !errors.As(err, &opErr) || opErr.Operation != "createImage" {
			t.Errorf("err = %v, want the reset wrapped with the operation", err)
		}
	})
}

// A stalled attempt hits the per-attempt timeout and is retried.
func TestAttemptTimeoutIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stall := func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}
		s := &script{steps: [](func(*http.Request) (*http.Response, error)){stall, ok()}}
		c := scriptedClient(t, s, WithTimeout(5*time.Second))
		start := time.Now()
		if _, err := c.Generate(context.Background(), GenerateParams{Prompt: "x"}); err != nil {
			t.Fatal(err)
		}
		if s.attempts() != 2 {
			t.Errorf("attempts = %d", s.attempts())
		}
		if g := gaps(s); g[0] < 5*time.Second || g[0] > 5*time.Second+initialRetryDelay {
			t.Errorf("second attempt after %v, want timeout + backoff", g[0])
		}
		_ = start

		// Every attempt stalls: the error says it timed out.
		s = &script{steps: [](func(*http.Request) (*http.Response, error)){stall, stall}}
		_, err := scriptedClient(t, s, WithTimeout(time.Second), WithMaxRetries(1)).Generate(context.Background(), GenerateParams{Prompt: "x"})
		if !errors.Is(err, ErrAttemptTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want a timeout matching ErrAttemptTimeout and context.DeadlineExceeded", err)
		}
		if want := "openai-images: createImage: attempt timed out after 1s"; err == nil || err.Error() != want {
			t.Errorf("message = %q, want %q", err, want)
		}
	})
}

// A body that stalls mid-read is covered by the per-attempt timeout too.
func TestAttemptTimeoutCoversBody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stallBody := func(r *http.Request) (*http.Response, error) {
			pr, pw := io.Pipe()
			go func() {
				pw.Write([]byte(`{"created":1,`))
				<-r.Context().Done()
				pw.CloseWithError(r.Context().Err())
			}()
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: pr, Request: r}, nil
		}
		s := &script{steps: [](func(*http.Request) (*http.Response, error)){stallBody, ok()}}
		res, err := scriptedClient(t, s, WithTimeout(2*time.Second)).Generate(context.Background(), GenerateParams{Prompt: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if s.attempts() != 2 || len(res.Data) != 1 {
			t.Errorf("attempts = %d, data = %d", s.attempts(), len(res.Data))
		}
	})
}

// 500 then 200 on a 16-image edit: the retry carries identical bytes.
func TestRetryResendsIdenticalMultipartBytes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: [](func(*http.Request) (*http.Response, error)){respond(500, nil, `{}`), ok()}}
		var images []Image
		for i := range 16 {
			data := bytes.Repeat([]byte{byte(i)}, 10_000+i)
			copy(data, testPNG(t, 8+i, 8+i, false))
			switch i % 4 {
			case 0:
				images = append(images, ImageFromBytes("b.png", data))
			case 1:
				images = append(images, ImageFromReaderAt("ra.png", bytes.NewReader(data), int64(len(data))))
			case 2:
				images = append(images, ImageFromReader("r.png", bytes.NewReader(data))) // ReaderAt: replayable
			case 3:
				images = append(images, ImageFromOpener("o.png", func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }))
			}
		}
		if _, err := scriptedClient(t, s).Edit(context.Background(), EditParams{Images: images, Prompt: "x"}); err != nil {
			t.Fatal(err)
		}
		if s.attempts() != 2 {
			t.Fatalf("attempts = %d", s.attempts())
		}
		if !bytes.Equal(s.bodies[0], s.bodies[1]) || len(s.bodies[0]) < 16*10_000 {
			t.Errorf("retry body differs or is short (%d vs %d bytes)", len(s.bodies[0]), len(s.bodies[1]))
		}
	})
}

// A one-shot reader is sent once: no retry.
func TestOneShotReaderIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: [](func(*http.Request) (*http.Response, error)){respond(500, nil, `{}`), ok()}}
		img := ImageFromReader("x.png", io.MultiReader(bytes.NewReader(testPNG(t, 4, 4, false))))
		_, err := scriptedClient(t, s).Edit(context.Background(), EditParams{Images: []Image{img}, Prompt: "x"})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || s.attempts() != 1 {
			t.Errorf("err = %v, attempts = %d; want the 500 after one attempt", err, s.attempts())
		}
	})
}

func TestCancelledContextSendsNothing(t *testing.T) {
	s := &script{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := scriptedClient(t, s).Generate(ctx, GenerateParams{Prompt: "x"})
	if !errors.Is(err, context.Canceled) || s.attempts() != 0 {
		t.Errorf("err = %v, attempts = %d", err, s.attempts())
	}
}

// Cancelling during a retry wait returns promptly with the context error.
func TestCancelDuringRetryWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: [](func(*http.Request) (*http.Response, error)){respond(429, http.Header{"Retry-After": {"20"}}, `{}`), ok()}}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(3*time.Second, cancel)
		start := time.Now()
		_, err := scriptedClient(t, s).Generate(ctx, GenerateParams{Prompt: "x"})
		if !errors.Is(err, context.Canceled) || time.Since(start) != 3*time.Second || s.attempts() != 1 {
			t.Errorf("err = %v after %v with %d attempts", err, time.Since(start), s.attempts())
		}
	})
}
