package wrapper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/imagegen-go/openai-images/gen"
	"github.com/imagegen-go/openai-images/internal/redact"
)

// Version is this module's version, sent in the default User-Agent.
const Version = "0.1.0"

// Client calls the OpenAI Images API. It is safe for concurrent use; create
// one and reuse it.
type Client struct {
	// cfg is behind a pointer so that printing a Client (fmt's %+v, a
	// panic message, slog) shows an address, never the key.
	cfg *config
	// api is the generated client; every API call goes through it. The
	// raw form is used for all calls so that bodies are streamed both
	// ways; JSON responses are parsed with the generated Parse* helpers.
	api *gen.ImagesApi
}

// New returns a client configured by opts. Without options it reads
// OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_PROJECT_ID from
// the environment. A missing key is not an error here (a local
// OpenAI-compatible server may not need one); the server will say so.
func New(opts ...Option) (*Client, error) {
	cfg := config{
		apiKey:          envOr("OPENAI_API_KEY", ""),
		baseURL:         envOr("OPENAI_BASE_URL", DefaultBaseURL),
		organization:    envOr("OPENAI_ORG_ID", ""),
		project:         envOr("OPENAI_PROJECT_ID", ""),
		maxRetries:      DefaultMaxRetries,
		userAgent:       "openai-images-go/" + Version,
		validate:        true,
		maxDownloadSize: DefaultMaxDownloadSize,
		maxResponseSize: DefaultMaxResponseSize,
		headers:         http.Header{},
	}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, fmt.Errorf("openai-images: %w", err)
		}
	}
	if cfg.azureIn != nil {
		if err := cfg.setupAzure(); err != nil {
			return nil, fmt.Errorf("openai-images: %w", err)
		}
	} else if cfg.tokenSource != nil && cfg.apiKeySet {
		return nil, errors.New("openai-images: give WithAPIKey or WithTokenSource, not both")
	}
	base, err := parseBaseURL(cfg.baseURL)
	if err == nil && cfg.azure == nil {
		err = checkBaseURL(base)
	}
	if err != nil {
		return nil, fmt.Errorf("openai-images: base URL: %w", err)
	}
	// The generated client resolves operation paths against the base URL,
	// which would drop a query: it gets the URL without one, and the query
	// (with WithQuery's parameters) is added to every request by authorize.
	cfg.baseQuery = base.Query()
	for k, vs := range cfg.query {
		cfg.baseQuery[k] = vs
	}
	base.RawQuery, base.ForceQuery = "", false
	if cfg.httpClient == nil {
		cfg.httpClient = &http.Client{}
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	cfg.secrets = redact.NewSet(cfg.collectSecrets()...)
	if cfg.tokenSource != nil {
		cfg.tokens = newTokenCache(cfg.tokenSource, cfg.secrets)
	}
	cfg.download = newDownloader(cfg.httpClient, cfg.downloadPolicyFor(base))
	cfg.httpClient = withRedirectPolicy(cfg.httpClient)
	api, err := gen.NewClient(base.String(),
		gen.WithHTTPClient(cfg.httpClient),
		gen.WithRequestEditorFn(cfg.authorize))
	if err != nil {
		return nil, fmt.Errorf("openai-images: %w", err)
	}
	return &Client{cfg: &cfg, api: api}, nil
}

// BaseURL returns the API base URL the client sends requests to, as it was
// given (with its query, if any). With [WithAzure] it is the resource's API
// root, {endpoint}/openai?api-version=V.
func (c *Client) BaseURL() string { return c.cfg.baseURL }

// authorize sets the headers every request carries.
func (cfg *config) authorize(ctx context.Context, req *http.Request) error {
	switch {
	case cfg.tokens != nil:
		tok, err := cfg.tokens.get(ctx)
		if err != nil {
			return cfg.tokenErr(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	case cfg.apiKey != "" && cfg.azure != nil:
		req.Header.Set("api-key", cfg.apiKey)
	case cfg.apiKey != "":
		req.Header.Set("Authorization", "Bearer "+cfg.apiKey)
	}
	if cfg.organization != "" {
		req.Header.Set("OpenAI-Organization", cfg.organization)
	}
	if cfg.project != "" {
		req.Header.Set("OpenAI-Project", cfg.project)
	}
	if cfg.userAgent != "" {
		req.Header.Set("User-Agent", cfg.userAgent)
	}
	for k, vs := range cfg.headers {
		req.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range cfg.secretHeaders {
		req.Header[k] = append([]string(nil), vs...)
	}
	if len(cfg.baseQuery) > 0 {
		q := req.URL.Query()
		for k, vs := range cfg.baseQuery {
			if _, set := q[k]; !set {
				q[k] = append([]string(nil), vs...)
			}
		}
		req.URL.RawQuery = q.Encode()
	}
	return nil
}

func (c *Client) requestConfig(opts []RequestOption) (*requestConfig, error) {
	rc := &requestConfig{}
	for _, opt := range opts {
		if err := opt(rc); err != nil {
			return nil, fmt.Errorf("openai-images: %w", err)
		}
	}
	return rc, nil
}

// prepare applies a call's request options and, unless validation is off
// for it, runs check: the model-aware validation, before anything is sent.
// model is the call's model: one the table does not know is logged (at
// debug level) as checked by the universal rules only.
func (c *Client) prepare(opts []RequestOption, model Model, check func() error) (*requestConfig, error) {
	rc, err := c.requestConfig(opts)
	if err != nil {
		return nil, err
	}
	if az := c.cfg.azure; az != nil {
		if rc.deployment, err = az.route(model, "model"); err != nil {
			return nil, err
		}
		model = az.modelFor(model)
	}
	if c.validating(rc) {
		if err := check(); err != nil {
			return nil, err
		}
		if (model != "" || rc.deployment != "") && lookupModel(model) == nil && c.cfg.logger.Enabled(context.Background(), slog.LevelDebug) {
			c.cfg.logger.Debug("model not in the table: only the checks that hold for every model ran", "model", string(model), "deployment", rc.deployment)
		}
	}
	return rc, nil
}

// policy is what validation needs to know of the client: whether retired
// models are refused (on OpenAI's own API, unless WithRetiredModels says
// otherwise), as of now, and on Azure which model a deployment runs.
func (c *Client) policy() policy {
	refuse := IsOpenAIAPI(c.cfg.baseURL)
	if c.cfg.retired != nil {
		refuse = !*c.cfg.retired
	}
	return policy{refuseRetired: refuse, now: time.Now(), azure: c.cfg.azure}
}

// IsOpenAIAPI reports whether base is a URL of OpenAI's own API:
// api.openai.com or a host under it, such as the data residency hosts
// (eu.api.openai.com, us., jp., ...) and the mTLS ones (mtls.api.openai.com),
// as openai-go v3.100.0 names them (option/data_residency.go,
// option/x509workloadidentity.go). There the client refuses the models
// OpenAI has retired, unless [WithRetiredModels] says otherwise.
func IsOpenAIAPI(base string) bool {
	u, err := url.Parse(base)
	return err == nil && isOpenAIHost(u.Hostname())
}

// isOpenAIHost reports whether host is api.openai.com or a host under it.
func isOpenAIHost(host string) bool {
	host = strings.ToLower(host)
	return host == "api.openai.com" || strings.HasSuffix(host, ".api.openai.com")
}

func (c *Client) validating(rc *requestConfig) bool {
	if rc.validate != nil {
		return *rc.validate
	}
	return c.cfg.validate
}

// editors returns the per-request editors: extra headers and query.
func (rc *requestConfig) editors() []gen.RequestEditorFn {
	if len(rc.headers) == 0 && len(rc.query) == 0 {
		return nil
	}
	return []gen.RequestEditorFn{func(_ context.Context, req *http.Request) error {
		for k, vs := range rc.headers {
			req.Header[k] = append([]string(nil), vs...)
		}
		if len(rc.query) > 0 {
			q := req.URL.Query()
			for k, vs := range rc.query {
				q[k] = append(q[k], vs...)
			}
			req.URL.RawQuery = q.Encode()
		}
		return nil
	}}
}

// timeout is the per-attempt timeout of a call.
func (c *Client) timeout(rc *requestConfig) time.Duration {
	if rc.hasTimeout {
		return rc.timeout
	}
	return c.cfg.timeout
}

// errNilContext is returned for a nil context instead of a panic.
var errNilContext = errors.New("nil Context")

// call is one logical API call, sent in one or more attempts.
type call struct {
	op     string // OpenAPI operation id, used in errors and logs
	path   string // for logs
	stream bool
	// send makes one attempt through the generated client, with a fresh
	// request body.
	send func(ctx context.Context, editors []gen.RequestEditorFn) (*http.Response, error)
	// replayable is false when the body cannot be produced again.
	replayable bool
}

// ErrAttemptTimeout is returned (wrapped) when an attempt ran past the
// per-attempt timeout ([WithTimeout]) and no retry was left. It also
// matches context.DeadlineExceeded.
var ErrAttemptTimeout error = attemptTimeout{}

type attemptTimeout struct{}

func (attemptTimeout) Error() string        { return "attempt timed out" }
func (attemptTimeout) Is(target error) bool { return target == context.DeadlineExceeded }

// timeoutError is an attempt that timed out: its message is short, while
// errors.Is/As still reach ErrAttemptTimeout and the transport's error (err,
// nil when the timeout struck as the response headers arrived).
type timeoutError struct {
	after time.Duration
	// idle names what did not arrive in time once a response had started
	// ("event", "byte"); "" for an attempt that timed out.
	idle string
	err  error
}

func (e *timeoutError) Error() string {
	if e.idle != "" {
		return fmt.Sprintf("no %s received for %v (timeout)", e.idle, e.after)
	}
	return fmt.Sprintf("attempt timed out after %v", e.after)
}
func (e *timeoutError) Unwrap() []error {
	if e.err == nil {
		return []error{ErrAttemptTimeout}
	}
	return []error{ErrAttemptTimeout, e.err}
}

// success handles a 2xx response. It owns resp.Body. For streams it also
// takes over release, which ends the attempt's context; otherwise do calls
// release when success returns.
type success func(ctx context.Context, resp *http.Response, release func()) error

// do runs c with retries. On a 2xx response it calls onSuccess; a failure of
// onSuccess caused by the per-attempt timeout is retried like any timeout.
func (c *Client) do(ctx context.Context, cl call, rc *requestConfig, onSuccess success) error {
	maxRetries := c.cfg.maxRetries
	if rc.maxRetries != nil {
		maxRetries = *rc.maxRetries
	}
	if !cl.replayable {
		maxRetries = 0
	}
	if ctx == nil {
		return opError(cl.op, errNilContext)
	}
	timeout := c.timeout(rc)
	editors := rc.editors()
	if rc.deployment != "" {
		editors = append(editors, c.cfg.azure.pathEditor(rc.deployment))
	}
	// A 401 to a token from the client's token source is answered by
	// fetching a new token and sending again, once per call.
	refreshed := false
	// Checked once, so that a call without debug logging builds no log
	// records or attributes.
	debug := c.cfg.logger.Enabled(ctx, slog.LevelDebug)
	log := c.cfg.logger

	// What the server sends back is scrubbed of every credential of the
	// call before anything reads it.
	scrub := c.cfg.scrubber(rc)

	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return opError(cl.op, err)
		}
		actx, cancel := context.WithCancelCause(ctx)
		var timer *time.Timer
		if timeout > 0 {
			timer = time.AfterFunc(timeout, func() { cancel(ErrAttemptTimeout) })
		}
		release := func() {
			if timer != nil {
				timer.Stop()
			}
			cancel(context.Canceled)
		}
		start := time.Now()
		if debug {
			log.DebugContext(ctx, "request", "op", cl.op, "path", cl.path, "attempt", attempt+1)
		}
		resp, err := cl.send(actx, editors)
		if c.cfg.tokens != nil {
			// The attempt may have fetched a token: scrub it too.
			scrub = c.cfg.secrets.Scrubber()
		}
		if err == nil {
			scrubResponse(scrub, resp)
		}

		var lastErr error
		var header http.Header
		retryable := false
		switch {
		case err != nil:
			timedOut := context.Cause(actx) == ErrAttemptTimeout
			release()
			if ctx.Err() != nil {
				return opError(cl.op, ctx.Err())
			}
			var be *bodyError
			if errors.As(err, &be) {
				return opError(cl.op, be.err)
			}
			var te *TokenError
			if errors.As(err, &te) {
				return opError(cl.op, te)
			}
			err = scrub.Error(redactURLError(err), ErrAttemptTimeout)
			if timedOut {
				err = &timeoutError{after: timeout, err: err}
			}
			lastErr, retryable = opError(cl.op, err), true
			if debug {
				log.DebugContext(ctx, "transport error", "op", cl.op, "attempt", attempt+1, "duration", time.Since(start), "error", lastErr)
			}
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			if debug {
				log.DebugContext(ctx, "response", "op", cl.op, "status", resp.StatusCode, "request_id", resp.Header.Get("x-request-id"), "duration", time.Since(start))
			}
			if cl.stream {
				if timer != nil && !timer.Stop() {
					// The timeout fired as the headers arrived.
					resp.Body.Close()
					release()
					lastErr, retryable = opError(cl.op, &timeoutError{after: timeout}), true
					break
				}
				return onSuccess(actx, resp, release)
			}
			err = onSuccess(actx, resp, func() {})
			timedOut := context.Cause(actx) == ErrAttemptTimeout
			release()
			if err == nil {
				return nil
			}
			if !timedOut || ctx.Err() != nil {
				return err
			}
			lastErr, retryable = err, true
		default:
			apiErr := newAPIError(cl.op, resp)
			resp.Body.Close()
			release()
			if debug {
				log.DebugContext(ctx, "response", "op", cl.op, "status", resp.StatusCode, "request_id", apiErr.RequestID, "duration", time.Since(start))
			}
			lastErr, retryable, header = apiErr, shouldRetry(resp), resp.Header
			// A refused token is dropped, so that the next request fetches
			// another; this call sends again once, if it can.
			if resp.StatusCode == http.StatusUnauthorized && c.cfg.tokens != nil &&
				c.cfg.tokens.invalidate(sentToken(resp)) && !refreshed && cl.replayable {
				refreshed = true
				if debug {
					log.DebugContext(ctx, "401: fetching a new token and sending again", "op", cl.op)
				}
				attempt-- // not a retry: the same attempt with a valid token
				continue
			}
		}

		if !retryable || attempt >= maxRetries {
			return lastErr
		}
		wait := retryDelay(attempt, header, time.Now(), defaultMaxRetryAfter)
		if exceedsDeadline(ctx, wait) {
			if debug {
				log.DebugContext(ctx, "not retrying: wait would pass the deadline", "op", cl.op, "wait", wait)
			}
			return lastErr
		}
		if debug {
			log.DebugContext(ctx, "retry", "op", cl.op, "attempt", attempt+1, "wait", wait, "error", lastErr)
		}
		if err := sleep(ctx, wait); err != nil {
			return opError(cl.op, err)
		}
	}
}

// sentToken returns the bearer token a response's request carried.
func sentToken(resp *http.Response) string {
	if resp.Request == nil {
		return ""
	}
	return bearerToken(resp.Request.Header.Get("Authorization"))
}

// bodyError marks a failure to produce the request body (an unreadable
// image file, say): the caller's to fix, so it is not retried.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }
