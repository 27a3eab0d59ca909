package imagestest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		served := 0
		l := RateLimit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served++ }), 10, 2)
		send := func(method, path string) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			l.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader("{}")))
			return rec
		}
		// Every answer says how many requests remain and when the bucket
		// is full again (x-ratelimit-reset-requests: until the limit is
		// back to its initial state).
		for i, want := range []struct{ remaining, reset string }{{"1", "100ms"}, {"0", "200ms"}} {
			rec := send("POST", "/v1/images/generations")
			if h := rec.Header(); rec.Code != 200 || h.Get("x-ratelimit-remaining-requests") != want.remaining || h.Get("x-ratelimit-reset-requests") != want.reset {
				t.Fatalf("request %d of the burst: %d %v", i, rec.Code, h)
			}
		}
		rec := send("POST", "/v1/images/edits")
		h := rec.Header()
		if rec.Code != 429 || h.Get("Retry-After-Ms") != "100" || h.Get("Retry-After") != "1" || h.Get("x-ratelimit-reset-requests") != "200ms" ||
			h.Get("x-ratelimit-limit-requests") != "600" || h.Get("x-ratelimit-remaining-requests") != "0" ||
			!strings.Contains(rec.Body.String(), `"code":"rate_limit_exceeded"`) {
			t.Fatalf("over the limit: %d %v %s", rec.Code, h, rec.Body)
		}
		// Other endpoints are not limited.
		if rec := send("GET", "/v1/files/file-1"); rec.Code != 200 {
			t.Errorf("files: %d", rec.Code)
		}
		time.Sleep(40 * time.Millisecond)
		if rec := send("POST", "/v1/images/generations"); rec.Code != 429 || rec.Header().Get("Retry-After-Ms") != "60" {
			t.Errorf("40 ms later: %d, Retry-After-Ms %s", rec.Code, rec.Header().Get("Retry-After-Ms"))
		}
		time.Sleep(60 * time.Millisecond)
		if rec := send("POST", "/v1/images/generations"); rec.Code != 200 {
			t.Errorf("100 ms later: %d", rec.Code)
		}
		if a, r := l.Stats(); a != 3 || r != 2 || served != 4 {
			t.Errorf("stats %d accepted, %d limited; %d served", a, r, served)
		}
		// A long pause refills the burst, no more.
		time.Sleep(time.Hour)
		codes := []int{send("POST", "/v1/images/generations").Code, send("POST", "/v1/images/generations").Code, send("POST", "/v1/images/generations").Code}
		if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
			t.Errorf("after an hour: %v", codes)
		}
	})
}

func TestRateLimitRejectsBadRate(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for rate 0")
		}
	}()
	RateLimit(http.NotFoundHandler(), 0, 1)
}
