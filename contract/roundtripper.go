package contract

import (
	"net/http"
)

// RoundTripper returns an http.RoundTripper that checks the requests a
// client sends and the responses it gets, for client-side tests. base sends
// the requests; nil means http.DefaultTransport.
//
// A request that violates the spec is not sent: RoundTrip returns the
// violation (an *Error, which http.Client wraps in a *url.Error). The request
// body is read, and spooled (see WithBodyMemoryLimit), before it is sent;
// the caller's *http.Request is not modified.
//
// A JSON response is read, checked and given back with an equivalent body; a
// violation is returned instead of the response. A text/event-stream response
// is returned at once, with a body that checks each event as it is read and
// hands an event's bytes to the caller only once it has been checked: a
// violating event surfaces as the *Error of a Read, before its bytes.
func (v *Validator) RoundTripper(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &roundTripper{v: v, base: base}
}

type roundTripper struct {
	v    *Validator
	base http.RoundTripper
}

func (t *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context()) // RoundTrip must not modify req
	route, err := t.v.validateRequest(out)
	if err != nil {
		if out.Body != nil {
			out.Body.Close()
		}
		return nil, err
	}
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	mt, mediaType, err := t.v.responseMedia(route, out, resp.StatusCode, resp.Header)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	if mt != nil && isSSE(mediaType) {
		sv := t.v.newStreamValidator(route.Operation.OperationID, eventSchema(mt))
		resp.Body = newSSEBody(resp.Body, sv)
		return resp, nil
	}
	if err := t.v.validateResponse(route, out, resp); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}
