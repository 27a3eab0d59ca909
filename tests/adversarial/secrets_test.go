package adversarial

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// syncBuffer is a log sink safe for the goroutines a client logs from.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// debugLogger captures every record at debug level, with source locations.
func debugLogger() (*slog.Logger, *syncBuffer) {
	var buf syncBuffer
	return slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug, AddSource: true})), &buf
}

// leaks reports where the key (or its bearer form) shows in s.
func leaks(s string) bool {
	return strings.Contains(s, testKey) || strings.Contains(s, "Bearer sk-") ||
		strings.Contains(s, testKey[len(testKey)/2:]) // any long tail of it
}

// errorViews renders err every way a caller might print, log or panic
// with it (a panic prints the error's Error()).
func errorViews(err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v\n%+v\n%#v\n%s\n%q\n", err, err, err, err, err)
	for e := err; e != nil; e = errors.Unwrap(e) {
		b.WriteString(e.Error() + "\n")
	}
	return b.String()
}

// The key appears in no error string (however printed), no log line of the
// client's debug logger and no panic, across every way a call can fail:
// API errors, retries, transport errors, per-attempt timeouts, stream
// errors, validation errors and option errors.
func TestKeyNeverLeaks(t *testing.T) {
	logger, logs := debugLogger()
	var errs []error
	img := pngImage(t, 16, 16, true)

	synctest.Test(t, func(t *testing.T) {
		steps := []step{
			ok(),
			respond(401, nil, `{"error":{"message":"Incorrect API key provided: sk-adver*****************-KEY. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","code":"invalid_api_key"}}`),
			respond(500, http.Header{"Retry-After-Ms": {"10"}}, `{"error":{"message":"boom","type":"server_error"}}`),
			respond(500, nil, `<html>oops</html>`),
			func(*http.Request) (*http.Response, error) { return nil, errors.New("dial tcp: connection refused") },
			func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset by peer") },
			func(r *http.Request) (*http.Response, error) { <-r.Context().Done(); return nil, r.Context().Err() },
			func(r *http.Request) (*http.Response, error) { <-r.Context().Done(); return nil, r.Context().Err() },
			sseStep(partialEvent(0, img) + `data: {"error":{"message":"refused","code":"moderation_blocked"}}` + "\n\n"),
			sseStep("data: {not json\n\n"),
			sseStep(partialEvent(0, img)),
			respond(200, http.Header{"Content-Type": {"text/plain"}}, "not a stream"),
			respond(200, nil, `{"created":1,"data":[{"b64_json":"!!!"}]}`),
		}
		s := &script{steps: steps}
		c := scriptedClient(t, s, wrapper.WithLogger(logger), wrapper.WithMaxRetries(1),
			wrapper.WithOrganization("org-1"), wrapper.WithProject("proj-1"), wrapper.WithTimeout(time.Second))
		ctx := context.Background()
		q := wrapper.WithExtraQuery("q", "1")

		_, err := c.Generate(ctx, wrapper.GenerateParams{Prompt: "ok"}, q)
		if err != nil {
			t.Fatalf("first call: %v", err)
		}
		_, err = c.Generate(ctx, wrapper.GenerateParams{Prompt: "401"}, q)
		errs = append(errs, err)
		_, err = c.Generate(ctx, wrapper.GenerateParams{Prompt: "500 twice"}, q)
		errs = append(errs, err)
		_, err = c.Generate(ctx, wrapper.GenerateParams{Prompt: "transport errors"}, q)
		errs = append(errs, err)
		_, err = c.Generate(ctx, wrapper.GenerateParams{Prompt: "timeouts"}, q)
		errs = append(errs, err)
		for range 3 {
			st, err := c.GenerateStream(ctx, streamParams(), q)
			if err == nil {
				_, err = collect(st)
			}
			errs = append(errs, err)
		}
		_, err = c.GenerateStream(ctx, streamParams(), q)
		errs = append(errs, err)
		res, err := c.Generate(ctx, wrapper.GenerateParams{Prompt: "bad b64"}, q)
		if err == nil && len(res.Data) == 1 {
			_, err = res.Data[0].Content(ctx)
		}
		errs = append(errs, err)
		if s.attempts() != len(steps) {
			t.Errorf("%d attempts for %d scripted answers", s.attempts(), len(steps))
		}
	})

	// Errors before any request.
	none := &script{}
	c := scriptedClient(t, none, wrapper.WithLogger(logger))
	_, err := c.Generate(context.Background(), wrapper.GenerateParams{Model: wrapper.ModelDallE3, Prompt: "x", N: 2})
	errs = append(errs, err)
	for _, opts := range [][]wrapper.Option{
		{wrapper.WithAPIKey(testKey + "\n")},
		{wrapper.WithAPIKey(testKey), wrapper.WithBaseURL("https://user:" + testKey + "@api.test/v1")},
		{wrapper.WithAPIKey(testKey), wrapper.WithBaseURL("ftp://api.test/v1?key=" + testKey)},
		{wrapper.WithAPIKey(testKey), wrapper.WithBaseURL("http://api.test/v1\x7f" + testKey)},
		{wrapper.WithAPIKey(testKey), wrapper.WithHeader("Authorization", "Bearer "+testKey)},
		{wrapper.WithAPIKey(testKey), wrapper.WithHeader("X-Key", testKey+"\r\n")},
	} {
		_, err := wrapper.New(opts...)
		errs = append(errs, err)
	}
	_, err = c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"}, wrapper.WithExtraHeader("Authorization", testKey))
	errs = append(errs, err)
	if none.attempts() != 0 {
		t.Errorf("%d requests sent for calls that should fail before sending", none.attempts())
	}

	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		if v := errorViews(err); leaks(v) {
			t.Errorf("case %d: the key leaks through the error:\n%s", i, v)
		}
	}
	out := logs.String()
	if !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, "retry") || !strings.Contains(out, "status=500") {
		t.Errorf("the debug log lacks the request, response and retry lines:\n%s", out)
	}
	if leaks(out) {
		t.Errorf("the key leaks into the log:\n%s", out)
	}
}

// A query string a caller adds (some OpenAI-compatible gateways take the key
// as ?api_key=) is cut from every URL an error or log line shows, as
// OperationError promises, including when the attempt timed out.
func TestQueryNeverEchoedInErrors(t *testing.T) {
	logger, logs := debugLogger()
	synctest.Test(t, func(t *testing.T) {
		stall := func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, context.Cause(r.Context())
		}
		fail := func(*http.Request) (*http.Response, error) { return nil, errors.New("connection refused") }
		s := &script{steps: []step{fail, stall, stall}}
		c := scriptedClient(t, s, wrapper.WithLogger(logger), wrapper.WithMaxRetries(0), wrapper.WithTimeout(time.Second))
		q := wrapper.WithExtraQuery("api_key", testKey)
		for i := range 3 {
			var err error
			if i < 2 {
				_, err = c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"}, q)
			} else {
				_, err = c.GenerateStream(context.Background(), streamParams(), q)
			}
			if err == nil {
				t.Fatalf("attempt %d: no error", i+1)
			}
			if v := errorViews(err); leaks(v) {
				t.Errorf("attempt %d: the query leaks through the error:\n%s", i+1, v)
			}
		}
		if out := logs.String(); leaks(out) {
			t.Errorf("the query leaks into the log:\n%s", out)
		}
	})
}

// A hostile or buggy server (or proxy) that echoes the request's
// Authorization header back, in an error body, a response header or a
// stream error event, does not get the key into the error strings or the
// log: the package doc promises "No error, and no log line, ever contains
// the API key".
func TestKeyEchoedByServerStaysOutOfErrors(t *testing.T) {
	logger, logs := debugLogger()
	echo := func(status int) step {
		return func(r *http.Request) (*http.Response, error) {
			auth := r.Header.Get("Authorization")
			body := fmt.Sprintf(`{"error":{"message":"Invalid token %s","type":"%s","code":"%s","param":"%s"}}`, auth, auth, auth, auth)
			return respond(status, http.Header{"X-Echo": {auth}, "x-request-id": {"req_1"}}, body)(r)
		}
	}
	echoStream := func(r *http.Request) (*http.Response, error) {
		return sseStep(`data: {"error":{"message":"bad key ` + r.Header.Get("Authorization") + `"}}` + "\n\n")(r)
	}
	echoHTML := func(r *http.Request) (*http.Response, error) {
		return respond(502, http.Header{"Content-Type": {"text/html"}}, "<html>"+r.Header.Get("Authorization")+"</html>")(r)
	}
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: []step{echo(401), echo(500), echo(500), echoHTML, echoStream}}
		c := scriptedClient(t, s, wrapper.WithLogger(logger), wrapper.WithMaxRetries(1))
		var errs []error
		_, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
		errs = append(errs, err)
		_, err = c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"})
		errs = append(errs, err)
		_, err = c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"}, wrapper.WithRequestMaxRetries(0))
		errs = append(errs, err)
		st, err := c.GenerateStream(context.Background(), streamParams())
		if err == nil {
			_, err = collect(st)
		}
		errs = append(errs, err)
		for i, err := range errs {
			if err == nil {
				t.Fatalf("case %d: no error", i)
			}
			if v := errorViews(err); leaks(v) {
				t.Errorf("case %d: the echoed key leaks through the error:\n%s", i, v)
			}
		}
		if out := logs.String(); leaks(out) {
			t.Errorf("the echoed key leaks into the log:\n%s", out)
		}
	})
}

// Printing the client, as a panic message, a crash report or a log line
// might (fmt's %v, %+v, %#v; slog's text and JSON handlers), does not show
// the key.
func TestClientFormattingHidesKey(t *testing.T) {
	c, err := wrapper.New(wrapper.WithAPIKey(testKey), wrapper.WithBaseURL(memBaseURL))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%v %+v %#v\n", c, c, c)
	fmt.Fprintf(&b, "%v %+v %#v\n", *c, *c, *c)
	logger := slog.New(slog.NewTextHandler(&b, nil))
	logger.Info("client", "client", c)
	slog.New(slog.NewJSONHandler(&b, nil)).Info("client", "client", c)
	func() {
		defer func() {
			fmt.Fprintf(&b, "%v\n", recover())
		}()
		panic(fmt.Sprintf("unexpected state: %+v", c))
	}()
	if leaks(b.String()) {
		t.Errorf("the key shows when the client is printed:\n%s", b.String())
	}
}

// hostRouter is a transport that resolves every host name to one of two
// loopback servers: the API host to api, every other host to other.
type hostRouter struct {
	apiHost    string // host:port of the API
	api, other *httptest.Server
}

func (h *hostRouter) transport() *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		target := h.other.Listener.Addr().String()
		if addr == h.apiHost {
			target = h.api.Listener.Addr().String()
		}
		return (&net.Dialer{}).DialContext(ctx, network, target)
	}}
}

// seen is what the other host received.
type seen struct {
	mu   sync.Mutex
	reqs []string // whole requests, headers and body
	auth []string
}

func (s *seen) record(r *http.Request) {
	dump, _ := httputil.DumpRequest(r, true)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, string(dump))
	s.auth = append(s.auth, r.Header.Get("Authorization"))
}

// redirectSetup starts an API that redirects every request to location, and
// the other host, which answers with an image.
func redirectSetup(t *testing.T, status int, location string) (*wrapper.Client, *seen, *seen) {
	t.Helper()
	var atAPI, atOther seen
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		atAPI.record(r)
		http.Redirect(w, r, location, status)
	}))
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		atOther.record(r)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, okJSON)
	}))
	router := &hostRouter{apiHost: "api.test:80", api: api, other: other}
	tr := router.transport()
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		api.Close()
		other.Close()
	})
	c, err := wrapper.New(wrapper.WithBaseURL(memBaseURL), wrapper.WithAPIKey(testKey),
		wrapper.WithHTTPClient(&http.Client{Transport: tr}), wrapper.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	return c, &atAPI, &atOther
}

func checkNoKeyAtOther(t *testing.T, atAPI, atOther *seen) {
	t.Helper()
	atAPI.mu.Lock()
	defer atAPI.mu.Unlock()
	atOther.mu.Lock()
	defer atOther.mu.Unlock()
	if len(atAPI.auth) == 0 || atAPI.auth[0] != "Bearer "+testKey {
		t.Fatalf("the API got Authorization %q; the test proves nothing", atAPI.auth)
	}
	if len(atOther.reqs) == 0 {
		t.Fatal("the redirect was not followed; the test proves nothing")
	}
	for i, req := range atOther.reqs {
		if atOther.auth[i] != "" || leaks(req) {
			t.Errorf("the other host got the key:\n%s", req)
		}
	}
}

// A redirect to another host never carries Authorization (or the key in
// any other form), whatever the redirect status and whether the body is
// JSON or a multipart upload.
func TestRedirectToAnotherHostDropsAuthorization(t *testing.T) {
	img := pngImage(t, 16, 16, true)
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			c, atAPI, atOther := redirectSetup(t, status, "http://other.test/v1/images/generations")
			if _, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"}); err != nil {
				t.Fatal(err)
			}
			checkNoKeyAtOther(t, atAPI, atOther)

			// A multipart body cannot be replayed by http.Client, so 307
			// and 308 come back unfollowed; the others turn into a GET.
			c, atAPI, atOther = redirectSetup(t, status, "http://other.test/v1/images/edits")
			_, err := c.Edit(context.Background(), wrapper.EditParams{Prompt: "x", Images: []wrapper.Image{wrapper.ImageFromBytes("a.png", img)}})
			if status == 307 || status == 308 {
				atOther.mu.Lock()
				n := len(atOther.reqs)
				atOther.mu.Unlock()
				if n != 0 {
					t.Errorf("the multipart body was replayed to the other host")
				}
				if err == nil {
					t.Error("an unfollowed redirect was taken for success")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkNoKeyAtOther(t, atAPI, atOther)
		})
	}
}

// "Another host" includes a subdomain of the API's host and the same host
// on another port: both are other origins, and neither is where the key
// was meant to go.
func TestRedirectToSubdomainOrOtherPortDropsAuthorization(t *testing.T) {
	for _, location := range []string{
		"http://evil.api.test/v1/images/generations",
		"http://api.test:8443/v1/images/generations",
	} {
		t.Run(location, func(t *testing.T) {
			c, atAPI, atOther := redirectSetup(t, http.StatusTemporaryRedirect, location)
			if _, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"}); err != nil {
				t.Fatal(err)
			}
			checkNoKeyAtOther(t, atAPI, atOther)
		})
	}
}

// An image returned as a URL is downloaded without the API's credentials,
// on another host or on the API's own.
func TestImageDownloadCarriesNoAuthorization(t *testing.T) {
	for _, host := range []string{"files.test", "api.test"} {
		t.Run(host, func(t *testing.T) {
			var downloads seen
			img := pngImage(t, 4, 4, false)
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					downloads.record(r)
					w.Header().Set("Content-Type", "image/png")
					w.Write(img)
					return
				}
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"created":1,"data":[{"url":"http://%s/files/img.png?sig=abc"}]}`, host)
			}))
			router := &hostRouter{apiHost: "api.test:80", api: api, other: api}
			tr := router.transport()
			t.Cleanup(func() {
				tr.CloseIdleConnections()
				api.Close()
			})
			// The test's hosts all live on loopback servers, so the
			// download policy must allow that.
			c, err := wrapper.New(wrapper.WithBaseURL(memBaseURL), wrapper.WithAPIKey(testKey), wrapper.WithHTTPClient(&http.Client{Transport: tr}),
				wrapper.WithDownloadPolicy(wrapper.DownloadPolicy{AllowHTTP: true, AllowPrivateNetworks: true}))
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x", ResponseFormat: wrapper.ResponseFormatURL})
			if err != nil {
				t.Fatal(err)
			}
			got, err := res.Data[0].Content(context.Background())
			if err != nil || !bytes.Equal(got, img) {
				t.Fatalf("download: %d bytes, %v", len(got), err)
			}
			downloads.mu.Lock()
			defer downloads.mu.Unlock()
			if len(downloads.reqs) != 1 || downloads.auth[0] != "" || leaks(downloads.reqs[0]) {
				t.Errorf("the download carried the key:\n%s", downloads.reqs)
			}
		})
	}
}
