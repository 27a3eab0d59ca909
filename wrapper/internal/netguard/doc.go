// Package netguard decides which URLs a client may fetch when a server
// chose them (an image URL in an API response, a redirect from one), so
// that a hostile or compromised server cannot point the client at the
// machine's own services or its cloud provider's metadata endpoint
// (server-side request forgery).
//
// A [Policy] is enforced in three places:
//
//   - before a request, on the URL: the scheme (https, plain http only when
//     allowed) and a host given as an IP address or a local name;
//   - on every redirect, the same way, before anything is dialled;
//   - at dial time, on the address actually connected to, after name
//     resolution: a public-looking name that resolves to a private address
//     (DNS rebinding included) is refused before the connection is made.
//
// Dial-time enforcement needs the transport to be an *http.Transport (the
// default): [Policy.Transport] clones it and wraps its dialer. Connections to
// a configured proxy are exempt: the proxy dials the target, and is the
// user's own choice. Any other http.RoundTripper is trusted to route where
// it says, and only the URL and redirect checks apply.
//
// An address is public when it is globally routable unicast: not loopback,
// private (RFC 1918, unique local), link-local (169.254.0.0/16 holds the
// metadata endpoints of AWS, GCP and Azure), shared (100.64.0.0/10, where
// Alibaba Cloud's is), unspecified, multicast, reserved or documentation
// space, including such IPv4 addresses embedded in IPv6 (mapped, NAT64,
// 6to4).
package netguard
