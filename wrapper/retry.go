package wrapper

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff between attempts when the server does not say how long to wait:
// 0.5 s doubled each retry, capped at 8 s, less up to 25% jitter so that
// clients that failed together do not retry together.
const (
	initialRetryDelay = 500 * time.Millisecond
	maxRetryDelay     = 8 * time.Second
)

// shouldRetry reports whether a response status is worth another attempt.
// The server's x-should-retry header, when present, decides.
func shouldRetry(resp *http.Response) bool {
	switch strings.ToLower(resp.Header.Get("x-should-retry")) {
	case "true":
		return true
	case "false":
		return false
	}
	switch code := resp.StatusCode; {
	case code == http.StatusRequestTimeout, code == http.StatusConflict, code == http.StatusTooManyRequests:
		return true
	case code >= 500:
		return true
	}
	return false
}

// retryDelay returns the wait before retry number retry (0 for the first
// retry). A server-given Retry-After-Ms, else Retry-After (seconds or an HTTP
// date), is used when it is positive and at most maxAfter; otherwise the
// exponential backoff applies.
func retryDelay(retry int, h http.Header, now time.Time, maxAfter time.Duration) time.Duration {
	if d, ok := serverRetryAfter(h, now); ok && d > 0 && d <= maxAfter {
		return d
	}
	d := initialRetryDelay << min(retry, 10)
	d = min(d, maxRetryDelay)
	jitter := 1 - 0.25*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

func serverRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && ms < 1e12 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 || s > 1e9 {
			return 0, false
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// exceedsDeadline reports whether waiting d would pass ctx's deadline.
func exceedsDeadline(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Now().Add(d).After(deadline)
}
