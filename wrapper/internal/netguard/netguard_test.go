package netguard

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "1.1.1.1": true, "2606:4700:4700::1111": true, "20.1.2.3": true,
		"127.0.0.1": false, "127.9.9.9": false, "::1": false,
		"10.0.0.1": false, "172.16.5.4": false, "192.168.1.1": false, "fd00:ec2::254": false,
		"169.254.169.254": false, "fe80::1": false,
		"100.100.100.200": false, "0.0.0.0": false, "::": false, "0.1.2.3": false,
		"224.0.0.1": false, "ff02::1": false, "255.255.255.255": false, "240.1.1.1": false,
		"192.0.0.192": false, "198.18.0.1": false, "192.0.2.1": false, "2001:db8::1": false,
		"::ffff:169.254.169.254": false, "::ffff:8.8.8.8": true,
		"64:ff9b::a9fe:a9fe": false, "64:ff9b::808:808": true,
		"2002:a9fe:a9fe::1": false, "2002:808:808::1": true,
		"::127.0.0.1": false, "fec0::1": false,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	strict, loop := Policy{}, Policy{AllowHTTP: true, AllowPrivate: true}
	for _, c := range []struct {
		p   Policy
		url string
		ok  bool
	}{
		{strict, "https://oaidalleapiprodscus.blob.core.windows.net/private/img.png?sig=x", true},
		{strict, "https://8.8.8.8/x", true},
		{strict, "http://example.com/x.png", false},
		{strict, "ftp://example.com/x.png", false},
		{strict, "file:///etc/passwd", false},
		{strict, "https://169.254.169.254/latest/meta-data/", false},
		{strict, "https://[::ffff:a9fe:a9fe]/", false},
		{strict, "https://127.0.0.1:8443/", false},
		{strict, "https://localhost/", false},
		{strict, "https://api.localhost./", false},
		{strict, "https://0x7f.1/", false},
		{strict, "https://2130706433/", false},
		{strict, "https://0177.0.0.1/", false},
		{strict, "https://10.1.2.3/", false},
		{strict, "https://user:pw@example.com/", false},
		{strict, "https://cafe.example/", true},
		{loop, "http://127.0.0.1:8080/v1/emulator/images/1", true},
		{loop, "http://169.254.169.254/", true},
		{Policy{AllowPrivate: true}, "http://10.0.0.1/", false},
	} {
		u, _ := url.Parse(c.url)
		err := c.p.CheckURL(u)
		if (err == nil) != c.ok {
			t.Errorf("%+v CheckURL(%s) = %v, want ok %v", c.p, c.url, err, c.ok)
		}
		var ge *Error
		if err != nil && (!errors.As(err, &ge) || strings.Contains(err.Error(), "sig=") || strings.Contains(err.Error(), "pw")) {
			t.Errorf("CheckURL(%s) error %q", c.url, err)
		}
	}
}

func TestForBase(t *testing.T) {
	for base, want := range map[string]Policy{
		"https://api.openai.com/v1":      {},
		"http://127.0.0.1:4010/v1":       {AllowHTTP: true, AllowPrivate: true},
		"http://[::1]:8080/v1":           {AllowHTTP: true, AllowPrivate: true},
		"http://localhost:8080/v1":       {AllowHTTP: true, AllowPrivate: true},
		"http://192.168.1.10:8080/v1":    {AllowPrivate: true},
		"https://llm.corp.internal/v1":   {},
		"https://my.openai.azure.com/v1": {},
	} {
		u, _ := url.Parse(base)
		if got := ForBase(u); got != want {
			t.Errorf("ForBase(%s) = %+v, want %+v", base, got, want)
		}
	}
}

// countingServer counts the connections it accepts.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "admin secret")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// A name that resolves to a loopback address is refused between resolution
// and connect: the server never sees a connection.
func TestTransportRefusesAtDial(t *testing.T) {
	srv, conns := countingServer(t)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	rt, enforced := Policy{AllowHTTP: true}.Transport(&http.Transport{})
	if !enforced {
		t.Fatal("not enforced on an *http.Transport")
	}
	// RoundTrip skips CheckURL: this is what a public-looking name that
	// resolves to a private address meets.
	req, _ := http.NewRequest(http.MethodGet, "http://localhost:"+port+"/", nil)
	resp, err := rt.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("the request reached a loopback address")
	}
	var ge *Error
	if !errors.As(err, &ge) {
		t.Errorf("err = %v, want *Error", err)
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("the server saw %d connections", n)
	}
	// The same transport with the policy that allows it connects.
	rt, _ = Policy{AllowHTTP: true, AllowPrivate: true}.Transport(&http.Transport{})
	resp, err = rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// A custom dial function is checked on the address it connected to.
func TestTransportChecksCustomDial(t *testing.T) {
	srv, _ := countingServer(t)
	dials := 0
	base := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		dials++
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}}
	rt, _ := Policy{AllowHTTP: true}.Transport(base)
	req, _ := http.NewRequest(http.MethodGet, "http://images.example.com/x.png", nil)
	if resp, err := rt.RoundTrip(req); err == nil {
		resp.Body.Close()
		t.Fatal("a connection to a loopback address was used")
	}
	// An IP literal is refused before the dial function runs.
	req, _ = http.NewRequest(http.MethodGet, "http://169.254.169.254/latest/meta-data/", nil)
	dials = 0
	if resp, err := rt.RoundTrip(req); err == nil {
		resp.Body.Close()
		t.Fatal("the metadata address was fetched")
	}
	if dials != 0 {
		t.Errorf("%d dials to the metadata address", dials)
	}
}

// Requests sent through a proxy dial the proxy, whatever its address: the
// proxy is the user's configuration, not the server's choice.
func TestTransportExemptsProxy(t *testing.T) {
	var proxied atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Store(r.URL.String())
		io.WriteString(w, "image")
	}))
	defer proxy.Close()
	pu, _ := url.Parse(proxy.URL)
	rt, _ := Policy{AllowHTTP: true}.Transport(&http.Transport{Proxy: http.ProxyURL(pu)})
	req, _ := http.NewRequest(http.MethodGet, "http://images.example.com/x.png", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if proxied.Load() != "http://images.example.com/x.png" {
		t.Errorf("the proxy saw %v", proxied.Load())
	}
}

type fakeRT struct{}

func (fakeRT) RoundTrip(*http.Request) (*http.Response, error) { return nil, errors.New("x") }

func TestTransportOther(t *testing.T) {
	rt, enforced := Policy{}.Transport(fakeRT{})
	if enforced || rt != (fakeRT{}) {
		t.Error("a custom RoundTripper was replaced")
	}
}
