package imagestest

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RateLimiter limits the image requests reaching a handler, as the API's
// requests-per-minute limit does. Make one with [RateLimit].
type RateLimiter struct {
	next  http.Handler
	rate  float64 // tokens per second
	burst float64

	mu       sync.Mutex
	tokens   float64
	last     time.Time
	accepted int
	limited  int
}

// RateLimit wraps next (an [Emulator], say) so that the image endpoints
// (POST /v1/images/...) accept perSecond requests per second on average,
// and up to burst at once: a token bucket, full at the start. A request over
// the limit is answered 429 with the API's rate-limit error and headers
// saying when the next request will be accepted: Retry-After-Ms (in
// milliseconds with a fraction, rounded up to the microsecond), Retry-After
// (whole seconds, rounded up). Every answer of an image endpoint carries the
// API's x-ratelimit-limit-requests (per minute), x-ratelimit-remaining-requests
// and x-ratelimit-reset-requests (until the bucket is full again). Other
// requests pass untouched; the 429 answers do not spend tokens.
//
//	e, _ := imagestest.New()
//	srv := httptest.NewServer(imagestest.RateLimit(e, 100, 1))
func RateLimit(next http.Handler, perSecond float64, burst int) *RateLimiter {
	if perSecond <= 0 || math.IsNaN(perSecond) || math.IsInf(perSecond, 0) {
		panic(fmt.Sprintf("imagestest: RateLimit: rate %v is not a positive number", perSecond))
	}
	burst = max(burst, 1)
	return &RateLimiter{next: next, rate: perSecond, burst: float64(burst), tokens: float64(burst)}
}

// Stats returns the number of image requests let through and answered 429.
func (l *RateLimiter) Stats() (accepted, limited int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.accepted, l.limited
}

// take spends a token if there is one; otherwise it returns the wait until
// there will be.
func (l *RateLimiter) take(now time.Time) (wait, full time.Duration, remaining int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
	if l.tokens >= 1 {
		l.tokens--
		l.accepted++
		return 0, l.untilFull(), int(l.tokens), true
	}
	l.limited++
	return time.Duration(math.Ceil((1 - l.tokens) / l.rate * float64(time.Second))), l.untilFull(), 0, false
}

// untilFull is the time until the bucket is full again; l.mu is held.
func (l *RateLimiter) untilFull() time.Duration {
	return time.Duration(math.Ceil((l.burst - l.tokens) / l.rate * float64(time.Second)))
}

func (l *RateLimiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.Contains(r.URL.Path, "/images/") {
		l.next.ServeHTTP(w, r)
		return
	}
	wait, full, remaining, ok := l.take(time.Now())
	h := w.Header()
	h.Set("x-ratelimit-limit-requests", strconv.Itoa(int(math.Round(l.rate*60))))
	h.Set("x-ratelimit-remaining-requests", strconv.Itoa(remaining))
	// The API's x-ratelimit-reset-requests is the time until the limit is
	// back to its initial state: here, until the bucket is full.
	h.Set("x-ratelimit-reset-requests", millis(full)+"ms")
	if ok {
		l.next.ServeHTTP(w, r)
		return
	}
	ms := millis(wait)
	h.Set("Retry-After-Ms", ms)
	h.Set("Retry-After", strconv.FormatInt(int64(math.Ceil(wait.Seconds())), 10))
	apiError(w, http.StatusTooManyRequests, "requests", "", "rate_limit_exceeded",
		fmt.Sprintf("Rate limit reached for images: limit %g requests per second. Please try again in %sms.", l.rate, ms))
}

// millis formats d in milliseconds to the microsecond, rounded up: at
// hundreds of requests a second, whole milliseconds would be 10% off.
func millis(d time.Duration) string {
	return strconv.FormatFloat(math.Ceil(float64(d)/float64(time.Microsecond))/1000, 'f', -1, 64)
}
