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

	"github.com/imagegen-go/openai-images/internal/redact"
)

// DefaultBaseURL is used when neither [WithBaseURL] nor OPENAI_BASE_URL is set.
const DefaultBaseURL = "https://api.openai.com/v1"

// Defaults of the client's options.
const (
	DefaultMaxRetries      = 2
	DefaultMaxDownloadSize = 256 << 20 // image downloads by URL
	// DefaultMaxResponseSize caps a JSON response body after
	// decompression: ten 3840x2160 PNG images of pure noise, the largest
	// the API can return in one response, take about 450 MB as base64.
	DefaultMaxResponseSize = 512 << 20
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
	maxResponseSize int64
	maxEventSize    int
	headers         http.Header
	// secretHeaders are headers whose values are credentials
	// (WithSecretHeader).
	secretHeaders http.Header
	// baseQuery is the base URL's query, added to every request.
	baseQuery url.Values
	// secrets are every credential of the client, scrubbed from what
	// servers send back.
	secrets *redact.Set
	// download fetches image URLs under the download policy.
	download       *downloader
	downloadPolicy *DownloadPolicy // set by WithDownloadPolicy
	// retired overrides the refusal of retired models (nil: refuse them on
	// OpenAI's own API only).
	retired *bool
	// query holds the parameters set with WithQuery, added to the base
	// URL's.
	query url.Values
	// tokenSource, when set, authenticates requests instead of the key;
	// tokens caches its tokens (set by New).
	tokenSource TokenSource
	tokens      *tokenCache
	// azureIn is WithAzure's config, checked by New into azure (nil: the
	// OpenAI API or a compatible server).
	azureIn *AzureConfig
	azure   *azureConfig
	// Which options were given, as opposed to read from the environment.
	baseURLSet, apiKeySet, orgSet, projectSet bool
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
		c.apiKey, c.apiKeySet = key, true
		return nil
	}
}

// WithBaseURL sets the API's base URL, such as https://api.openai.com/v1 or
// the URL of any OpenAI-compatible server. The default is OPENAI_BASE_URL,
// else [DefaultBaseURL]. A query in it (api-version=... for a gateway) is
// sent with every request; parameters in it whose names say they carry a
// credential are scrubbed like the key. A URL the client cannot use is
// refused with the reason: user info, a fragment, https://api.openai.com
// without /v1, an operation's URL (.../images/generations) instead of the
// API's root, and an Azure OpenAI resource outside its v1 API (use
// [WithAzure]). An error never quotes the value given (a key pasted in the
// wrong place stays out of it).
func WithBaseURL(base string) Option {
	return func(c *config) error {
		u, err := parseBaseURL(base)
		if err == nil {
			err = checkBaseURL(u)
		}
		if err != nil {
			return fmt.Errorf("WithBaseURL: %w", err)
		}
		c.baseURL, c.baseURLSet = base, true
		return nil
	}
}

// WithQuery sets a query parameter sent with every request, for an
// OpenAI-compatible server or gateway that needs one (a version, a tenant);
// it replaces a parameter of the same name in the base URL's query. As
// there, a parameter whose name says it carries a credential (api_key,
// token, sig, code, ...) is scrubbed like the key. For a single request
// use [WithExtraQuery].
func WithQuery(key, value string) Option {
	return func(c *config) error {
		if key == "" {
			return errors.New("WithQuery: empty name")
		}
		if strings.ContainsFunc(key+value, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return fmt.Errorf("WithQuery: parameter %q: control character", key)
		}
		if c.query == nil {
			c.query = url.Values{}
		}
		c.query.Set(key, value)
		return nil
	}
}

// checkBaseURL refuses base URLs that parse but cannot work, saying why.
// Its errors never quote the URL.
func checkBaseURL(u *url.URL) error {
	host := strings.ToLower(u.Hostname())
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	n := len(segs)
	switch {
	case isOpenAIHost(host) && strings.Trim(u.Path, "/") == "":
		// Every operation path is under /v1: /images/generations alone
		// is 404 "Invalid URL".
		return errors.New("OpenAI's API is at https://" + host + "/v1 (the path /v1 is missing)")
	case n >= 2 && segs[n-2] == "images" && (segs[n-1] == "generations" || segs[n-1] == "edits" || segs[n-1] == "variations"):
		return fmt.Errorf("the base URL is the API's root, not an operation's URL: drop the trailing /images/%s (requests would go to .../images/%s/images/...)", segs[n-1], segs[n-1])
	case isAzureHost(host) && !(n >= 2 && segs[0] == "openai" && segs[1] == "v1"):
		// Azure's deployment API needs a deployment in the path of image
		// calls and api-version on every request: WithAzure does both.
		// Its v1 API (/openai/v1) is OpenAI-compatible and taken as is.
		return errors.New("this is an Azure OpenAI resource: use WithAzure(AzureConfig{Endpoint: ..., APIVersion: ..., Deployment: ...}), which routes each call to its deployment with the api-version query (or WithBaseURL with its v1 API, https://RESOURCE.openai.azure.com/openai/v1)")
	}
	return nil
}

// isAzureHost reports whether host is an Azure OpenAI resource's.
func isAzureHost(host string) bool {
	return strings.HasSuffix(host, ".openai.azure.com") || strings.HasSuffix(host, ".cognitiveservices.azure.com")
}

// parseBaseURL checks a base URL. Its errors never quote it.
func parseBaseURL(base string) (*url.URL, error) {
	u, err := url.Parse(base)
	switch {
	case err != nil:
		return nil, errors.New("not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		hint := " (give scheme and host, like https://api.openai.com/v1)"
		if strings.HasPrefix(strings.TrimSpace(base), "sk-") {
			hint = " (it looks like an API key: set that with WithAPIKey or OPENAI_API_KEY)"
		}
		return nil, errors.New("not an absolute http(s) URL" + hint)
	case u.User != nil:
		return nil, errors.New("the URL must not carry credentials")
	case u.Fragment != "" || strings.Contains(base, "#"):
		return nil, errors.New("the URL has a fragment, which would never be sent")
	}
	return u, nil
}

// WithOrganization sets the OpenAI-Organization header (default OPENAI_ORG_ID).
func WithOrganization(id string) Option {
	return func(c *config) error {
		if strings.ContainsAny(id, "\r\n") {
			return errors.New("WithOrganization: id contains a line break")
		}
		c.organization, c.orgSet = id, true
		return nil
	}
}

// WithProject sets the OpenAI-Project header (default OPENAI_PROJECT_ID).
func WithProject(id string) Option {
	return func(c *config) error {
		if strings.ContainsAny(id, "\r\n") {
			return errors.New("WithProject: id contains a line break")
		}
		c.project, c.projectSet = id, true
		return nil
	}
}

// WithHTTPClient sets the HTTP client used for API calls and image downloads.
// Its Timeout, if any, bounds each attempt including reading the body; prefer
// [WithTimeout], which bounds a stream's waits for events rather than the
// whole stream. Image downloads use a copy of the client without its
// cookie jar, under the [DownloadPolicy]: when its Transport is an
// *http.Transport (or nil), a clone of it that checks every address it
// connects to and keeps no idle connections.
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
// streams the limit covers the wait for the response headers, then each
// wait for the next event (keep-alive comments do not count as events, so
// a server sending only those cannot hold a stream open); Batch API file
// downloads and image downloads fail when no byte arrives for that long.
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
// OpenAI's own API (api.openai.com and its regional hosts: [IsOpenAIAPI]),
// with the retirement date and the
// suggested replacement, and sent with their old rules to any other base
// URL, since OpenAI-compatible servers may still serve them.
func WithRetiredModels(send bool) Option {
	return func(c *config) error {
		c.retired = &send
		return nil
	}
}

// WithMaxDownloadSize caps the size of an image downloaded from a returned
// URL (default 256 MiB), through Content, WriteFile and Decode alike. A larger
// image fails with a *[TooLargeError].
func WithMaxDownloadSize(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxDownloadSize: %d is not positive", n)
		}
		c.maxDownloadSize = n
		return nil
	}
}

// WithMaxResponseSize caps the size of a JSON response body, counted after
// decompression (default [DefaultMaxResponseSize]), and of one line of a
// Batch API result file. A larger body fails with a *[TooLargeError]
// before it is parsed; reading one costs at most about n bytes of memory,
// however well it compresses.
func WithMaxResponseSize(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxResponseSize: %d is not positive", n)
		}
		c.maxResponseSize = n
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
// this way (use [WithAPIKey]). A header whose name says it carries a
// credential (api-key, x-api-key, or any name with key, token, secret,
// auth, password, credential, cookie, session or signature in it) is
// treated as one, like a header set with [WithSecretHeader].
func WithHeader(key, value string) Option {
	return func(c *config) error {
		if err := checkHeader(key, value); err != nil {
			return fmt.Errorf("WithHeader: %w", err)
		}
		c.headers.Add(key, value)
		return nil
	}
}

// WithSecretHeader adds a header whose value is a credential to every
// request, such as Azure OpenAI's api-key or a gateway's token. Like the
// API key, its value is cut out of everything a server sends back (errors,
// logs, request IDs, bodies, files), it is never sent to another origin on
// a redirect, and it is never logged.
func WithSecretHeader(key, value string) Option {
	return func(c *config) error {
		if err := checkHeader(key, value); err != nil {
			return fmt.Errorf("WithSecretHeader: %w", err)
		}
		if strings.TrimSpace(value) == "" {
			return fmt.Errorf("WithSecretHeader: header %s: empty value", key)
		}
		if c.secretHeaders == nil {
			c.secretHeaders = http.Header{}
		}
		c.secretHeaders.Add(key, value)
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
	files      *imageFiles // WithImageFiles
	// deployment is the Azure deployment an image call goes to ("" for
	// other calls and off Azure).
	deployment string
}

// WithExtraHeader adds a header to this request. As with [WithHeader], a
// header whose name says it carries a credential is scrubbed from the
// response and dropped on a redirect to another origin.
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

// WithExtraQuery adds a query parameter to this request's URL. A value
// whose name says it is a credential (api_key, token, sig, code, ...) is
// scrubbed from the response like the key.
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
