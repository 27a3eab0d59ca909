package wrapper

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/imagegen-go/openai-images/internal/redact"
)

// TokenSource supplies bearer tokens for a client: Microsoft Entra ID access
// tokens for Azure OpenAI ([AzureConfig].TokenSource), or the tokens of any
// gateway that takes them ([WithTokenSource]). A client asks it for a token
// before the first request, reuses the token until shortly before it
// expires, and asks again at once when the server answers 401 to it (once
// per call). Token is called from the goroutines that make requests, never
// by two at once for the same client.
//
// The azidentity credentials of the Azure SDK for Go fit in a few lines
// (this package does not depend on it):
//
//	cred, _ := azidentity.NewDefaultAzureCredential(nil)
//	src := wrapper.TokenSourceFunc(func(ctx context.Context) (wrapper.AccessToken, error) {
//		t, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{wrapper.AzureScope}})
//		return wrapper.AccessToken{Token: t.Token, ExpiresOn: t.ExpiresOn, RefreshOn: t.RefreshOn}, err
//	})
type TokenSource interface {
	Token(ctx context.Context) (AccessToken, error)
}

// TokenSourceFunc adapts a function to a [TokenSource].
type TokenSourceFunc func(ctx context.Context) (AccessToken, error)

// Token calls f.
func (f TokenSourceFunc) Token(ctx context.Context) (AccessToken, error) { return f(ctx) }

// AccessToken is a bearer token and when it stops being valid. Its fields
// are those of azcore.AccessToken.
type AccessToken struct {
	// Token is sent as "Authorization: Bearer <Token>". It is a credential:
	// it is cut out of everything a server sends back, like the API key.
	Token string
	// ExpiresOn is when the token expires. When zero, the expiry is read
	// from the token's exp claim if it is a JWT (Entra ID tokens are);
	// a token whose expiry is unknown is used until a server answers 401.
	ExpiresOn time.Time
	// RefreshOn, when set and before ExpiresOn, is when to fetch the next
	// token; otherwise that is 5 minutes before expiry (half the
	// lifetime for tokens that live less than 10 minutes).
	RefreshOn time.Time
}

// AzureScope is the scope of Microsoft Entra ID tokens for Azure OpenAI
// (Azure docs, "Microsoft Entra ID" tabs:
// get_bearer_token_provider(DefaultAzureCredential(),
// "https://cognitiveservices.azure.com/.default")).
const AzureScope = "https://cognitiveservices.azure.com/.default"

// TokenError is returned (wrapped in an *[OperationError]) when the
// [TokenSource] failed to give a token; nothing was sent. It is not
// retried: credential sources have retries of their own.
type TokenError struct {
	Err error
}

func (e *TokenError) Error() string { return "get an access token: " + e.Err.Error() }
func (e *TokenError) Unwrap() error { return e.Err }

// WithTokenSource authenticates every request with a bearer token from src
// ("Authorization: Bearer <token>"), fetched when needed and cached until
// shortly before it expires (see [TokenSource]), instead of a fixed API key:
// for gateways and OpenAI-compatible servers that take rotating tokens, such
// as Azure OpenAI's v1 API with Microsoft Entra ID. For Azure's
// deployment-based API use [AzureConfig].TokenSource. The key from
// OPENAI_API_KEY is then not sent; giving [WithAPIKey] too is an error.
func WithTokenSource(src TokenSource) Option {
	return func(c *config) error {
		if src == nil {
			return errors.New("WithTokenSource: nil TokenSource")
		}
		c.tokenSource = src
		return nil
	}
}

// refreshMargin is how long before expiry a token is replaced (azcore's
// BearerTokenPolicy uses the same 5 minutes).
const refreshMargin = 5 * time.Minute

// tokenCache holds a client's current token. Tokens are fetched by one
// caller at a time; the others wait for it, or, while the current token is
// still valid, go on using that.
type tokenCache struct {
	src     TokenSource
	secrets *redact.Set

	mu        sync.Mutex
	tok       string    // "" when none
	expires   time.Time // zero: unknown
	refreshAt time.Time // zero: never before a 401
	inflight  *tokenFetch
}

type tokenFetch struct {
	done chan struct{}
	tok  string
	err  error
}

func newTokenCache(src TokenSource, secrets *redact.Set) *tokenCache {
	return &tokenCache{src: src, secrets: secrets}
}

// get returns the token to send.
func (tc *tokenCache) get(ctx context.Context) (string, error) {
	for {
		tc.mu.Lock()
		now := time.Now()
		have := tc.tok != "" && (tc.expires.IsZero() || now.Before(tc.expires))
		if have && (tc.refreshAt.IsZero() || now.Before(tc.refreshAt)) {
			tok := tc.tok
			tc.mu.Unlock()
			return tok, nil
		}
		if f := tc.inflight; f != nil {
			if have {
				// Another caller is refreshing; this token still works.
				tok := tc.tok
				tc.mu.Unlock()
				return tok, nil
			}
			tc.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return "", ctx.Err()
			}
			if f.err == nil {
				return f.tok, nil
			}
			if ctx.Err() == nil && isContextErr(f.err) {
				continue // the fetching caller gave up; fetch again
			}
			return "", f.err
		}
		f := &tokenFetch{done: make(chan struct{})}
		tc.inflight = f
		old := ""
		if have {
			old = tc.tok
		}
		tc.mu.Unlock()

		f.tok, f.err = tc.fetch(ctx)
		tc.mu.Lock()
		tc.inflight = nil
		tc.mu.Unlock()
		close(f.done)
		if f.err != nil && old != "" {
			// A refresh ahead of expiry failed: the token in hand is
			// still valid. The next call tries again.
			return old, nil
		}
		return f.tok, f.err
	}
}

// fetch asks the source for a token and stores it.
func (tc *tokenCache) fetch(ctx context.Context) (string, error) {
	t, err := tc.src.Token(ctx)
	if err != nil {
		if t.Token != "" && tc.secrets != nil {
			tc.secrets.Add(t.Token)
		}
		return "", err
	}
	switch {
	case strings.TrimSpace(t.Token) == "":
		return "", errors.New("the token source returned an empty token")
	case strings.ContainsAny(t.Token, "\r\n"):
		return "", errors.New("the token source returned a token with a line break")
	}
	if tc.secrets != nil {
		tc.secrets.Add(t.Token)
	}
	now := time.Now()
	expires := t.ExpiresOn
	if expires.IsZero() {
		expires = jwtExpiry(t.Token)
	}
	var refreshAt time.Time
	switch {
	case expires.IsZero():
	case !t.RefreshOn.IsZero() && t.RefreshOn.Before(expires):
		refreshAt = t.RefreshOn
	default:
		refreshAt = expires.Add(-min(refreshMargin, expires.Sub(now)/2))
	}
	tc.mu.Lock()
	tc.tok, tc.expires, tc.refreshAt = t.Token, expires, refreshAt
	tc.mu.Unlock()
	return t.Token, nil
}

// invalidate drops the token a server refused (answering 401), unless a
// newer one has replaced it already. It reports whether the next request
// can carry another token: false when the refused token was not the
// client's (a header set by hand).
func (tc *tokenCache) invalidate(sent string) bool {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	switch {
	case sent == "":
		return false
	case sent == tc.tok:
		tc.tok, tc.expires, tc.refreshAt = "", time.Time{}, time.Time{}
		return true
	}
	// A newer token is in place, or being fetched.
	return tc.tok != "" || tc.inflight != nil
}

// jwtExpiry reads the exp claim of a JWT, without checking its signature
// (the token is the caller's own; this only decides when to fetch the
// next). It returns zero for anything else.
func jwtExpiry(tok string) time.Time {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == "" {
		return time.Time{}
	}
	secs, err := claims.Exp.Float64()
	if err != nil || secs <= 0 || secs > 1<<40 {
		return time.Time{}
	}
	return time.Unix(int64(secs), 0)
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// bearerToken returns the token of an "Authorization: Bearer" header value.
func bearerToken(v string) string {
	scheme, tok, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// tokenErr wraps a token source's failure, scrubbed of every credential the
// client knows (tokens included).
func (cfg *config) tokenErr(err error) error {
	if s := cfg.secrets.Scrubber(); s != nil {
		err = s.Error(err)
	}
	return &TokenError{Err: err}
}
