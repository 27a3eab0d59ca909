package imagestest

import (
	"io"
	"net/http"
	"net/http/httptest"
)

// Transport returns an http.RoundTripper that serves every request with the
// emulator in memory, without a socket, whatever host the request names.
// It is for tests inside a testing/synctest bubble, where a loopback server
// cannot run: the emulator's waits (WithLatency, WithBatchDelay, a
// client's polling) then cost no real time. Each response is delivered
// whole once the emulator has written it, so a stream arrives at once.
//
// Use it as the client's transport, with any base URL ending in /v1:
//
//	client, _ := wrapper.New(wrapper.WithBaseURL("http://emulator.test/v1"),
//		wrapper.WithAPIKey("test"), wrapper.WithHTTPClient(&http.Client{Transport: e.Transport()}))
func (e *Emulator) Transport() http.RoundTripper { return memTransport{e} }

// memTransport serves requests with an http.Handler in memory.
type memTransport struct{ h http.Handler }

func (t memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.RequestURI = req.URL.RequestURI()
	r.Host = req.URL.Host
	r.RemoteAddr = "192.0.2.1:1234" // TEST-NET-1: no real peer
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if req.Body != nil {
		// As a RoundTripper must, even when the handler left it unread.
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}
