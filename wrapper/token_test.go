package wrapper

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// tokenServer is an Azure resource in memory: it accepts the tokens it has
// not revoked, until they expire, and records the token of every request.
type tokenServer struct {
	mu      sync.Mutex
	expires map[string]time.Time
	revoked map[string]bool
	// refuseAll answers 401 to every token.
	refuseAll bool
	seen      []string
	status    []int
}

func (s *tokenServer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	tok := bearerToken(r.Header.Get("Authorization"))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, tok)
	exp, known := s.expires[tok]
	if !known || s.refuseAll || s.revoked[tok] || !time.Now().Before(exp) {
		s.status = append(s.status, 401)
		// Azure's answer to a bad token; this server also echoes it.
		return respond(401, http.Header{"apim-request-id": {"apim-" + tok}},
			`{"statusCode":401,"message":"Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired: `+tok+`"}`)(r)
	}
	s.status = append(s.status, 200)
	return respond(200, nil, `{"created":1,"data":[{"b64_json":"`+pngB64+`"}]}`)(r)
}

func (s *tokenServer) revoke(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked[tok] = true
}

func (s *tokenServer) log() ([]string, []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...), append([]int(nil), s.status...)
}

// issuer is a token source whose tokens live an hour; the server learns
// each token it issues.
type issuer struct {
	mu       sync.Mutex
	srv      *tokenServer
	n        int
	lifetime time.Duration
	delay    time.Duration
	err      error
}

func (is *issuer) Token(ctx context.Context) (AccessToken, error) {
	if is.delay > 0 {
		select {
		case <-time.After(is.delay):
		case <-ctx.Done():
			return AccessToken{}, ctx.Err()
		}
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.err != nil {
		return AccessToken{}, is.err
	}
	is.n++
	tok := fmt.Sprintf("entra-token-%04d-abcdefghijklmnop", is.n)
	exp := time.Now().Add(is.lifetime)
	is.srv.mu.Lock()
	is.srv.expires[tok] = exp
	is.srv.mu.Unlock()
	return AccessToken{Token: tok, ExpiresOn: exp}, nil
}

func (is *issuer) fetched() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.n
}

func tokenClient(t *testing.T, src TokenSource, rt http.RoundTripper, logs io.Writer) *Client {
	t.Helper()
	clearEnv(t)
	c, err := New(WithAzure(AzureConfig{Endpoint: "https://res.openai.azure.com", APIVersion: "2025-04-01-preview", TokenSource: src}),
		WithHTTPClient(&http.Client{Transport: rt}), WithMaxRetries(0),
		WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func tokName(n int) string { return fmt.Sprintf("entra-token-%04d-abcdefghijklmnop", n) }

// A token is fetched once and reused, fetched again shortly before it
// expires, and again at once when the server answers 401 to it (once per
// call); no token reaches an error or a log line.
func TestTokenRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &tokenServer{expires: map[string]time.Time{}, revoked: map[string]bool{}}
		src := &issuer{srv: srv, lifetime: time.Hour}
		var logs bytes.Buffer
		c := tokenClient(t, src, srv, &logs)
		ctx := context.Background()
		gen := func() error {
			_, err := c.Generate(ctx, GenerateParams{Model: "img", Prompt: "an otter"})
			return err
		}
		var errs []string
		check := func(step string, wantFetched int, wantSeen ...string) {
			t.Helper()
			if got := src.fetched(); got != wantFetched {
				t.Errorf("%s: %d tokens fetched, want %d", step, got, wantFetched)
			}
			seen, _ := srv.log()
			if tail := seen[len(seen)-len(wantSeen):]; strings.Join(tail, " ") != strings.Join(wantSeen, " ") {
				t.Errorf("%s: requests carried %v, want %v", step, tail, wantSeen)
			}
		}

		if err := gen(); err != nil {
			t.Fatal(err)
		}
		check("first call", 1, tokName(1))
		if err := gen(); err != nil {
			t.Fatal(err)
		}
		check("second call", 1, tokName(1))

		time.Sleep(54 * time.Minute) // 6 minutes before expiry: still good
		if err := gen(); err != nil {
			t.Fatal(err)
		}
		check("after 54 minutes", 1, tokName(1))

		time.Sleep(2 * time.Minute) // 4 minutes before expiry: refreshed
		if err := gen(); err != nil {
			t.Fatal(err)
		}
		check("after 56 minutes", 2, tokName(2))

		// The server stops taking token 2 before it expires: one 401, a
		// new token, the same request again, success.
		srv.revoke(tokName(2))
		if err := gen(); err != nil {
			t.Fatalf("after a 401 and a refresh: %v", err)
		}
		check("after a 401", 3, tokName(2), tokName(3))

		// A server that refuses every token: one refresh, then the 401.
		srv.mu.Lock()
		srv.refuseAll = true
		srv.mu.Unlock()
		err := gen()
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
			t.Fatalf("refused token: %v", err)
		}
		check("refused twice", 4, tokName(3), tokName(4))
		errs = append(errs, err.Error(), string(apiErr.Body), apiErr.RequestID, apiErr.Message)

		// The refused token is dropped: a body that cannot be sent twice
		// gets a fresh token, and no second attempt.
		_, err = c.Edit(ctx, EditParams{Model: "img", Prompt: "x", Images: []Image{ImageFromReader("a.png", io.MultiReader(bytes.NewReader(testPNG(t, 8, 8, false))))}},
			WithRequestValidation(false))
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
			t.Fatalf("unreplayable edit: %v", err)
		}
		check("unreplayable", 5, tokName(5))
		if seen, st := srv.log(); len(seen) != 9 || st[len(st)-1] != 401 {
			t.Errorf("%d requests (want 9, the last one refused): %v", len(seen), st)
		}
		errs = append(errs, err.Error())

		for _, s := range append(errs, logs.String()) {
			for n := 1; n <= src.fetched(); n++ {
				if strings.Contains(s, tokName(n)) {
					t.Errorf("token %d leaked: %s", n, s)
				}
			}
		}
		if !strings.Contains(logs.String(), "401: fetching a new token") {
			t.Errorf("the refresh is not logged:\n%s", logs.String())
		}
	})
}

// Concurrent calls with no token wait for one fetch; while a valid token
// is being replaced, other calls go on with it.
func TestTokenFetchedOnceForConcurrentCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &tokenServer{expires: map[string]time.Time{}, revoked: map[string]bool{}}
		src := &issuer{srv: srv, lifetime: time.Hour, delay: time.Second}
		c := tokenClient(t, src, srv, io.Discard)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := c.Generate(context.Background(), GenerateParams{Model: "img", Prompt: "x"}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := src.fetched(); n != 1 {
			t.Errorf("%d fetches for 8 concurrent calls", n)
		}

		time.Sleep(57 * time.Minute) // in the refresh window
		start := time.Now()
		for range 8 {
			wg.Go(func() {
				if _, err := c.Generate(context.Background(), GenerateParams{Model: "img", Prompt: "x"}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := src.fetched(); n != 2 {
			t.Errorf("%d fetches after the refresh window opened, want 2", n)
		}
		seen, _ := srv.log()
		old := 0
		for _, s := range seen[8:] {
			if s == tokName(1) {
				old++
			}
		}
		if old != 7 || time.Since(start) != time.Second {
			t.Errorf("%d calls used the valid token while one refreshed (want 7), took %v", old, time.Since(start))
		}
	})
}

// A failing token source fails the call at once, without a request or a
// retry, in a *TokenError that quotes no token; a refresh that fails while
// the token still works leaves the call on that token.
func TestTokenSourceErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &tokenServer{expires: map[string]time.Time{}, revoked: map[string]bool{}}
		src := &issuer{srv: srv, lifetime: time.Hour}
		c := tokenClient(t, src, srv, io.Discard)
		if _, err := c.Generate(context.Background(), GenerateParams{Model: "img", Prompt: "x"}); err != nil {
			t.Fatal(err)
		}
		src.mu.Lock()
		src.err = errors.New("credential unavailable (last token " + tokName(1) + ")")
		src.mu.Unlock()
		time.Sleep(58 * time.Minute)
		if _, err := c.Generate(context.Background(), GenerateParams{Model: "img", Prompt: "x"}); err != nil {
			t.Errorf("refresh failed while the token was valid: %v", err)
		}
		time.Sleep(3 * time.Minute) // expired
		n := len(srv.seen)
		_, err := c.Generate(context.Background(), GenerateParams{Model: "img", Prompt: "x"}, WithRequestMaxRetries(3))
		var te *TokenError
		var oe *OperationError
		if !errors.As(err, &te) || !errors.As(err, &oe) || oe.Operation != "createImage" {
			t.Fatalf("%v (%T)", err, err)
		}
		if len(srv.seen) != n {
			t.Error("a request was sent without a token")
		}
		if strings.Contains(err.Error(), tokName(1)) || !strings.Contains(err.Error(), "credential unavailable") {
			t.Errorf("error: %v", err)
		}
	})
}

// Tokens without an expiry are read as JWTs; others are kept until a 401.
func TestTokenExpiryFromJWT(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	jwt := enc(`{"alg":"RS256"}`) + "." + enc(`{"aud":"https://cognitiveservices.azure.com","exp":1900000000}`) + ".c2ln"
	if got := jwtExpiry(jwt); !got.Equal(time.Unix(1900000000, 0)) {
		t.Errorf("exp %v", got)
	}
	for _, tok := range []string{"opaque-token-1234", "a.b.c", enc("x") + "." + enc(`{"exp":"soon"}`) + ".x", enc("x") + "." + enc(`{}`) + ".x"} {
		if got := jwtExpiry(tok); !got.IsZero() {
			t.Errorf("%s: exp %v", tok, got)
		}
	}
	synctest.Test(t, func(t *testing.T) {
		exp := time.Now().Add(30 * time.Minute)
		tok := enc(`{"alg":"none"}`) + "." + enc(fmt.Sprintf(`{"exp":%d}`, exp.Unix())) + ".sig"
		n := 0
		tc := newTokenCache(TokenSourceFunc(func(context.Context) (AccessToken, error) { n++; return AccessToken{Token: tok}, nil }), nil)
		tc.get(context.Background())
		time.Sleep(24 * time.Minute)
		tc.get(context.Background())
		time.Sleep(2 * time.Minute) // 4 minutes before exp
		tc.get(context.Background())
		if n != 2 {
			t.Errorf("%d fetches, want 2 (refreshed 5 minutes before the JWT's exp)", n)
		}
	})
	for _, bad := range []AccessToken{{Token: " "}, {Token: "line\nbreak-token"}} {
		tc := newTokenCache(TokenSourceFunc(func(context.Context) (AccessToken, error) { return bad, nil }), nil)
		if _, err := tc.get(context.Background()); err == nil {
			t.Errorf("%q accepted", bad.Token)
		}
	}
}

// WithTokenSource authenticates any base URL with bearer tokens.
func TestWithTokenSource(t *testing.T) {
	clearEnv(t)
	t.Setenv("OPENAI_API_KEY", testAPIKey)
	var got []string
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = append(got, r.Header.Get("Authorization"))
		return respond(200, nil, `{"created":1,"data":[{"b64_json":"`+pngB64+`"}]}`)(r)
	})
	c, err := New(WithBaseURL("https://r.openai.azure.com/openai/v1"), WithHTTPClient(&http.Client{Transport: rt}),
		WithTokenSource(TokenSourceFunc(func(context.Context) (AccessToken, error) {
			return AccessToken{Token: "gateway-token-0123456789", ExpiresOn: time.Now().Add(time.Hour)}, nil
		})))
	if err != nil {
		t.Fatal(err)
	}
	c.Generate(context.Background(), GenerateParams{Model: ModelGPTImage15, Prompt: "x"})
	if len(got) != 1 || got[0] != "Bearer gateway-token-0123456789" {
		t.Errorf("Authorization %v (the environment's key must not be sent)", got)
	}
	if err := WithTokenSource(nil)(&config{}); err == nil {
		t.Error("nil token source accepted")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
