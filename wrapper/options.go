package wrapper

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// DefaultBaseURL is used when neither [WithBaseURL] nor OPENAI_BASE_URL is set.
const DefaultBaseURL = "https://api.openai.com/v1"

// Defaults of the client's options.
const (
	DefaultMaxRetries      = 2
	DefaultMaxDownloadSize = 256 << 20 // image downloads by URL
	defaultMaxRetryAfter   = 60 * time.Second
)

type config struct {
	apiKey          string
	baseURL         string
	organization    string
	project         string
	httpClient      *http.Client
	maxRetries      int
	timeout         time.Duration
	userAgent       string
	logger          *slog.Logger
	validate        bool
	maxDownloadSize int64
	maxEventSize    int
	headers         http.Header
	// retired overrides the refusal of retired models (nil: refuse them on
	// OpenAI's own API only).
	retired *bool
}

// Option configures a [Client] in [New]. Each option checks its value.
type Option func(*config) error

// WithAPIKey sets the API key sent as a bearer token. The default is the
// OPENAI_API_KEY environment variable. The key never appears in errors or logs.
func WithAPIKey(key string) Option {
	return func(c *config) error {
		if strings.TrimSpace(key) == "" {
			return errors.New("WithAPIKey: empty key")
		}
		if strings.ContainsAny(key, "\r\n") {
			return errors.New("WithAPIKey: key contains a line break")
		}
		c.apiKey = key
		return nil
	}
}

// WithBaseURL sets the API's base URL, such as https://api.openai.com/v1 or
// the URL of any OpenAI-compatible server. The default is OPENAI_BASE_URL,
// else [DefaultBaseURL].
func WithBaseURL(base string) Option {
	return func(c *config) error {
		if err := checkBaseURL(base); err != nil {
			return fmt.Errorf("WithBaseURL: %w", err)
		}
		c.baseURL = base
		return nil
	}
}

func checkBaseURL(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return errors.New("invalid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", redactURL(u))
	}
	if u.User != nil {
		return errors.New("URL must not carry credentials")
	}
	return nil
}

// WithOrganization sets the OpenAI-Organization header (default OPENAI_ORG_ID).
func WithOrganization(id string) Option {
	return func(c *config) error {
		if strings.ContainsAny(id, "\r\n") {
			return errors.New("WithOrganization: id contains a line break")
		}
		c.organization = id
		return nil
	}
}

// WithProject sets the OpenAI-Project header (default OPENAI_PROJECT_ID).
func WithProject(id string) Option {
	return func(c *config) error {
		if strings.ContainsAny(id, "\r\n") {
			return errors.New("WithProject: id contains a line break")
		}
		c.project = id
		return nil
	}
}

// WithHTTPClient sets the HTTP client used for API calls and image downloads.
// Its Timeout, if any, bounds each attempt including reading the body; prefer
// [WithTimeout], which streams are exempt from once they have started.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithMaxRetries sets how many times a failed request is retried (default 2).
// Zero disables retries.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("WithMaxRetries: %d is negative", n)
		}
		c.maxRetries = n
		return nil
	}
}

// WithTimeout bounds each attempt: sending the request, waiting for the
// response and, except for streams, reading it. A timed-out attempt is
// retried. The default is no limit: gpt-image edits can take 60-150 s. For
// streams the limit covers the wait for the response headers only.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("WithTimeout: %v is negative", d)
		}
		c.timeout = d
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if strings.ContainsAny(ua, "\r\n") {
			return errors.New("WithUserAgent: value contains a line break")
		}
		c.userAgent = ua
		return nil
	}
}

// WithLogger logs requests, retries and timings at debug level. Keys and
// authentication headers are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithValidation turns the model-aware parameter validation on (the default)
// or off for every call of the client.
func WithValidation(on bool) Option {
	return func(c *config) error {
		c.validate = on
		return nil
	}
}

// WithRetiredModels sends (true) or refuses (false) models OpenAI has
// retired on its own API, such as dall-e-3 (retired 2026-05-12) and
// gpt-image-1 (shut down 2026-10-23), and the retired variations endpoint.
// By default they are refused before anything is sent when the base URL is
// OpenAI's own API (api.openai.com), with the retirement date and the
// suggested replacement, and sent with their old rules to any other base
// URL, since OpenAI-compatible servers may still serve them.
func WithRetiredModels(send bool) Option {
	return func(c *config) error {
		c.retired = &send
		return nil
	}
}

// WithMaxDownloadSize caps the size of an image downloaded from a returned
// URL (default 256 MiB).
func WithMaxDownloadSize(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxDownloadSize: %d is not positive", n)
		}
		c.maxDownloadSize = n
		return nil
	}
}

// WithMaxEventSize caps the size of one server-sent event of a stream
// (default 256 MiB); a larger event fails the stream with a typed error.
func WithMaxEventSize(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxEventSize: %d is not positive", n)
		}
		c.maxEventSize = n
		return nil
	}
}

// WithHeader adds a header to every request. Authorization cannot be set
// this way (use [WithAPIKey]).
func WithHeader(key, value string) Option {
	return func(c *config) error {
		if err := checkHeader(key, value); err != nil {
			return fmt.Errorf("WithHeader: %w", err)
		}
		c.headers.Add(key, value)
		return nil
	}
}

func checkHeader(key, value string) error {
	if key == "" || strings.ContainsAny(key, " :\r\n") {
		return fmt.Errorf("invalid header name %q", key)
	}
	if strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("header %s: value contains a line break", key)
	}
	if http.CanonicalHeaderKey(key) == "Authorization" {
		return errors.New("set the key with WithAPIKey, not a header")
	}
	return nil
}

// RequestOption adjusts one call.
type RequestOption func(*requestConfig) error

type requestConfig struct {
	headers    http.Header
	query      url.Values
	body       map[string]any
	timeout    time.Duration
	hasTimeout bool
	validate   *bool
	maxRetries *int
}

// WithExtraHeader adds a header to this request.
func WithExtraHeader(key, value string) RequestOption {
	return func(r *requestConfig) error {
		if err := checkHeader(key, value); err != nil {
			return fmt.Errorf("WithExtraHeader: %w", err)
		}
		if r.headers == nil {
			r.headers = http.Header{}
		}
		r.headers.Add(key, value)
		return nil
	}
}

// WithExtraQuery adds a query parameter to this request's URL.
func WithExtraQuery(key, value string) RequestOption {
	return func(r *requestConfig) error {
		if key == "" {
			return errors.New("WithExtraQuery: empty name")
		}
		if r.query == nil {
			r.query = url.Values{}
		}
		r.query.Add(key, value)
		return nil
	}
}

// WithExtraBody sets a body field the vendored spec may not know yet, such as
// quality "xhigh" or safety_identifier. In a JSON body it is merged at the
// top level, replacing a field of the same name; in a multipart body it is
// added as a form field (strings as they are, other values as JSON).
func WithExtraBody(key string, value any) RequestOption {
	return func(r *requestConfig) error {
		if key == "" {
			return errors.New("WithExtraBody: empty name")
		}
		if strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return fmt.Errorf("WithExtraBody: name %q contains a control character", key)
		}
		if r.body == nil {
			r.body = map[string]any{}
		}
		r.body[key] = value
		return nil
	}
}

// WithRequestTimeout overrides [WithTimeout] for this request.
func WithRequestTimeout(d time.Duration) RequestOption {
	return func(r *requestConfig) error {
		if d < 0 {
			return fmt.Errorf("WithRequestTimeout: %v is negative", d)
		}
		r.timeout, r.hasTimeout = d, true
		return nil
	}
}

// WithRequestMaxRetries overrides [WithMaxRetries] for this request.
func WithRequestMaxRetries(n int) RequestOption {
	return func(r *requestConfig) error {
		if n < 0 {
			return fmt.Errorf("WithRequestMaxRetries: %d is negative", n)
		}
		r.maxRetries = &n
		return nil
	}
}

// WithRequestValidation turns model-aware validation on or off for this
// request, overriding [WithValidation].
func WithRequestValidation(on bool) RequestOption {
	return func(r *requestConfig) error {
		r.validate = &on
		return nil
	}
}

func envOr(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return fallback
}

// withRedirectPolicy returns a copy of hc whose redirects never carry the
// credentials to another origin. net/http already drops Authorization when
// the host name changes, but keeps it for subdomains and other ports; this
// drops it (and the organization and project headers) whenever scheme, host
// or port differ from the original request. The caller's CheckRedirect, if
// any, still decides whether to follow.
func withRedirectPolicy(hc *http.Client) *http.Client {
	c := *hc
	next := hc.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && !sameOrigin(req.URL, via[0].URL) {
			for _, h := range []string{"Authorization", "OpenAI-Organization", "OpenAI-Project"} {
				req.Header.Del(h)
			}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && portOf(a) == portOf(b)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}
