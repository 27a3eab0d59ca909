package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Policy says which URLs may be fetched. The zero Policy allows https URLs
// of public addresses only.
type Policy struct {
	// AllowHTTP allows plain-http URLs.
	AllowHTTP bool
	// AllowPrivate allows every address, public or not.
	AllowPrivate bool
}

// ForBase returns the policy for URLs a server at base hands out: a
// loopback base (an address or localhost) allows http and every address,
// another non-public address allows every address, and anything else
// (a public address or a name) allows neither.
func ForBase(base *url.URL) Policy {
	host := base.Hostname()
	if localName(host) {
		return Policy{AllowHTTP: true, AllowPrivate: true}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return Policy{}
	}
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		return Policy{AllowHTTP: true, AllowPrivate: true}
	case !Public(ip):
		return Policy{AllowPrivate: true}
	}
	return Policy{}
}

// Error is a URL or address the policy refused. It names the scheme and
// host only, never the path or query (a signed URL's query is a credential).
type Error struct {
	// URL is the refused URL's scheme and host.
	URL string
	// Reason says why, e.g. "169.254.169.254 is a link-local address".
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("refused to fetch %s: %s", e.URL, e.Reason)
}

func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// CheckURL checks u before it is requested: its scheme, and its host when
// that is an IP address or a local name. Other names are checked when
// dialled.
func (p Policy) CheckURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !p.AllowHTTP {
			return &Error{URL: origin(u), Reason: "plain http (only https image URLs are fetched unless the API itself is on a loopback address)"}
		}
	default:
		return &Error{URL: origin(u), Reason: fmt.Sprintf("scheme %q (only https, and http where allowed)", u.Scheme)}
	}
	if u.Host == "" || u.User != nil {
		return &Error{URL: origin(u), Reason: "no host, or credentials in the URL"}
	}
	if p.AllowPrivate {
		return nil
	}
	host := u.Hostname()
	if localName(host) {
		return &Error{URL: origin(u), Reason: host + " is this machine"}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return p.checkAddr(origin(u), ip)
	}
	if numericHost(host) {
		return &Error{URL: origin(u), Reason: "a numeric host that is no plain IP address"}
	}
	return nil
}

func (p Policy) checkAddr(where string, ip netip.Addr) error {
	if p.AllowPrivate || Public(ip) {
		return nil
	}
	return &Error{URL: where, Reason: fmt.Sprintf("%s is %s", ip, describe(ip))}
}

// CheckRedirect is an http.Client CheckRedirect that applies the policy to
// every redirect and stops after 10.
func (p Policy) CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return p.CheckURL(req.URL)
}

// localName reports host names that always mean this machine.
func localName(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	return h == "localhost" || strings.HasSuffix(h, ".localhost") || h == "ip6-localhost" || h == "ip6-loopback"
}

// numericHost reports a host made only of numeric labels (0x7f.1,
// 2130706433, 0177.0.0.1): some resolvers read such names as IPv4
// addresses, so they cannot be judged without dialling.
func numericHost(host string) bool {
	for _, label := range strings.Split(strings.TrimSuffix(host, "."), ".") {
		l := strings.ToLower(label)
		if l == "" {
			return false
		}
		digits := strings.TrimPrefix(l, "0x")
		hex := digits != l
		for _, c := range digits {
			if !(c >= '0' && c <= '9' || hex && c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

var special4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (carrier NAT; Alibaba Cloud metadata)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
}

var special6 = []netip.Prefix{
	netip.MustParsePrefix("::/96"),          // IPv4-compatible (deprecated)
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("100::/64"),       // discard
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("fec0::/10"),      // site-local (deprecated)
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// Public reports whether ip is a globally routable unicast address.
func Public(ip netip.Addr) bool {
	return describe(ip) == ""
}

// describe names the kind of non-public address ip is, or "" when it is
// public.
func describe(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "no valid address"
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate():
		return "a private address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address (cloud metadata endpoints live there)"
	case ip.IsUnspecified():
		return "the unspecified address"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "a multicast address"
	}
	if ip.Is4() {
		for _, p := range special4 {
			if p.Contains(ip) {
				return "a reserved or shared address"
			}
		}
		return ""
	}
	for _, p := range special6 {
		if p.Contains(ip) {
			return "a reserved address"
		}
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		if d := describe(netip.AddrFrom4([4]byte(b[12:16]))); d != "" {
			return "a NAT64 address of " + d
		}
	case sixToFour.Contains(ip):
		if d := describe(netip.AddrFrom4([4]byte(b[2:6]))); d != "" {
			return "a 6to4 address of " + d
		}
	}
	return ""
}

// Transport returns rt with the policy enforced when connecting, and
// reports whether it could be: rt must be an *http.Transport (nil means
// http.DefaultTransport). The returned transport is a clone that keeps no
// idle connections (it serves occasional downloads; nothing is left open
// after one). Any other RoundTripper is returned as it is.
func (p Policy) Transport(rt http.RoundTripper) (http.RoundTripper, bool) {
	if rt == nil {
		rt = http.DefaultTransport
	}
	base, ok := rt.(*http.Transport)
	if !ok {
		return rt, false
	}
	t := base.Clone()
	t.DisableKeepAlives = true
	if p.AllowPrivate {
		return t, true
	}
	g := &guard{p: p}
	if proxy := t.Proxy; proxy != nil {
		t.Proxy = func(req *http.Request) (*url.URL, error) {
			u, err := proxy(req)
			if u != nil {
				g.proxies.Store(canonicalAddr(u), true)
			}
			return u, err
		}
	}
	dial := t.DialContext
	if dial == nil && t.Dial == nil { //nolint:staticcheck // Dial is honoured by net/http
		// The standard dialer, with the check between name resolution
		// and connect: no connection is ever opened to a refused address.
		d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
		guarded := &net.Dialer{Timeout: d.Timeout, KeepAlive: d.KeepAlive, Control: g.control}
		t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if g.isProxy(addr) {
				return d.DialContext(ctx, network, addr)
			}
			return guarded.DialContext(ctx, network, addr)
		}
	} else {
		if dial == nil {
			legacy := t.Dial //nolint:staticcheck
			dial = func(_ context.Context, network, addr string) (net.Conn, error) { return legacy(network, addr) }
			t.Dial = nil //nolint:staticcheck
		}
		t.DialContext = g.wrap(dial)
	}
	if t.DialTLSContext != nil {
		t.DialTLSContext = g.wrap(t.DialTLSContext)
	}
	return t, true
}

type guard struct {
	p       Policy
	proxies sync.Map // host:port of the proxies requests were sent to
}

func (g *guard) isProxy(addr string) bool {
	_, ok := g.proxies.Load(strings.ToLower(addr))
	return ok
}

// control runs after name resolution, before connect, with the address
// about to be connected to.
func (g *guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &Error{URL: address, Reason: "an address that cannot be checked"}
	}
	return g.p.checkAddr(address, ap.Addr())
}

// wrap guards a custom dial function: an address given as an IP is
// checked before dialling, and the address actually connected to is
// checked before any byte is sent.
func (g *guard) wrap(dial func(context.Context, string, string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if g.isProxy(addr) {
			return dial(ctx, network, addr)
		}
		if ap, err := netip.ParseAddrPort(addr); err == nil {
			if err := g.p.checkAddr(addr, ap.Addr()); err != nil {
				return nil, err
			}
		}
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		var remote netip.Addr
		switch ra := conn.RemoteAddr().(type) {
		case *net.TCPAddr:
			remote, _ = netip.AddrFromSlice(ra.IP)
		default:
			if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
				remote = ap.Addr()
			}
		}
		if !remote.IsValid() {
			// Not an IP connection (an in-memory pipe, a unix socket):
			// the dial function chose where it goes.
			return conn, nil
		}
		if err := g.p.checkAddr(addr, remote); err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	}
}

// canonicalAddr is the host:port net/http dials for a proxy URL.
func canonicalAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "socks5", "socks5h":
			port = "1080"
		default:
			port = "80"
		}
	}
	return strings.ToLower(net.JoinHostPort(u.Hostname(), port))
}
