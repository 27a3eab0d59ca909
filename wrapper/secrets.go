package wrapper

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/imagegen-go/openai-images/internal/redact"
)

// A client's credentials are the API key ([WithAPIKey]), the headers set
// with [WithSecretHeader], and the headers and query parameters whose names
// say they carry one ([WithHeader], [WithExtraHeader], [WithExtraQuery] and
// the base URL's query: api-key, x-api-key, *token*, *secret*, ...). Every
// credential is cut out of everything a server sends back before any of it
// is parsed, returned, logged or written: response headers (x-request-id,
// Content-Type, ...), bodies (JSON, escaped forms, stream events, Batch API
// files, error bodies) and transport errors. None is sent to another origin
// on a redirect.

// credentialWords mark a header or query parameter name as carrying a
// credential.
var credentialWords = []string{"key", "token", "secret", "auth", "password", "passwd", "credential", "cookie", "session", "signature"}

// credentialQueryNames are query parameter names that carry credentials
// though no word above says so (SAS and function keys).
var credentialQueryNames = []string{"sig", "code"}

// credentialName reports whether a header or query parameter name says it
// carries a credential.
func credentialName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range credentialWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// secrets collects the credentials of the client's configuration.
func (cfg *config) collectSecrets() []string {
	out := []string{cfg.apiKey}
	for k, vs := range cfg.headers {
		if credentialName(k) {
			out = append(out, vs...)
		}
	}
	for _, vs := range cfg.secretHeaders {
		out = append(out, vs...)
	}
	for k, vs := range cfg.baseQuery {
		if credentialName(k) || containsFold(credentialQueryNames, k) {
			out = append(out, vs...)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// scrubber returns the scrubber of one call: the client's credentials and
// those of its request options. A credential given with a request becomes
// one of the client's (the 32 most recent are kept), so that whatever
// quotes it later, such as an image URL downloaded after the call, is
// scrubbed too.
func (cfg *config) scrubber(rc *requestConfig) *redact.Scrubber {
	if rc == nil {
		return cfg.secrets.Scrubber()
	}
	var extra []string
	for k, vs := range rc.headers {
		if credentialName(k) {
			extra = append(extra, vs...)
		}
	}
	for k, vs := range rc.query {
		if credentialName(k) || containsFold(credentialQueryNames, k) {
			extra = append(extra, vs...)
		}
	}
	if len(extra) > 0 {
		cfg.secrets.Add(extra...)
	}
	return cfg.secrets.Scrubber()
}

// scrubResponse cuts the credentials out of a response's headers and, as
// it is read, its body.
func scrubResponse(s *redact.Scrubber, resp *http.Response) {
	if s == nil {
		return
	}
	resp.Header = s.Header(resp.Header)
	resp.Body = struct {
		io.Reader
		io.Closer
	}{s.Reader(resp.Body), resp.Body}
}

// scrubErr removes the credentials from the server-supplied text of an
// APIError or StreamError anywhere in err's chain. Server text is scrubbed
// as it arrives; this covers errors built from text that did not come
// through a response.
func (cfg *config) scrubErr(err error) error {
	s := cfg.secrets.Scrubber()
	if s == nil || err == nil {
		return err
	}
	var se *StreamError
	if errors.As(err, &se) {
		se.Type, se.Code, se.Param, se.Message = s.String(se.Type), s.String(se.Code), s.String(se.Param), s.String(se.Message)
		se.Raw = s.Bytes(se.Raw)
	}
	var ae *APIError
	if errors.As(err, &ae) {
		scrubAPIError(s, ae)
	}
	return err
}

func scrubAPIError(s *redact.Scrubber, e *APIError) {
	e.Type, e.Code, e.Param, e.Message = s.String(e.Type), s.String(e.Code), s.String(e.Param), s.String(e.Message)
	e.RequestID = s.String(e.RequestID)
	e.Body = s.Bytes(e.Body)
	e.Header = s.Header(e.Header)
}

// redirectSafeHeaders are the request headers kept on a redirect to
// another origin; every other header (the key, api-key and the like, the
// organization and project, anything the caller set) is dropped.
var redirectSafeHeaders = map[string]bool{
	"Accept": true, "Accept-Encoding": true, "Content-Type": true, "Content-Length": true,
	"User-Agent": true, "Referer": true,
}

// withRedirectPolicy returns a copy of hc whose redirects never carry a
// credential to another origin. net/http already drops Authorization when
// the host name changes, but keeps it for subdomains and other ports, and
// keeps every other header; this keeps only redirectSafeHeaders whenever
// scheme, host or port differ from the original request. The caller's
// CheckRedirect, if any, still decides whether to follow.
func withRedirectPolicy(hc *http.Client) *http.Client {
	c := *hc
	next := hc.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && !sameOrigin(req.URL, via[0].URL) {
			for k := range req.Header {
				if !redirectSafeHeaders[http.CanonicalHeaderKey(k)] {
					delete(req.Header, k)
				}
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
