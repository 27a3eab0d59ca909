// Package redact cuts secrets (API keys, tokens, credential headers) out of
// text that came from a server: response headers, bodies read as a stream,
// error messages. A server that echoes a request back, a proxy that quotes
// its headers in an error page, or a gateway that puts them in a JSON error
// must not get a credential into an error, a log line, a file or a terminal.
//
// # What is recognised
//
// A secret is found in its raw form and in the forms a server's encoder
// produces for text it quotes, in any per-character mixture:
//
//   - JSON and JavaScript escapes: \u0073, \x73 and \/, behind any run of
//     backslashes (JSON quoted inside JSON, at any depth);
//   - percent-encoding: %73;
//   - HTML numeric character references: &#115; and &#x73;.
//
// Escaped forms are recognised for the ASCII characters of a secret (API
// keys and tokens are ASCII); other bytes are matched raw or
// percent-encoded. A secret that itself contains \, % or & is always found
// raw, and escaped only where its escapes read unambiguously. Secrets
// shorter than [MinLen] bytes are ignored: they are placeholders, not
// credentials, and would match ordinary text.
//
// Each occurrence is replaced by a marker, "[redacted]" unless a secret
// contains one of its characters (then another bracket pair is used), so
// that a replacement can never join the surrounding text into a new
// occurrence.
//
// # Streams
//
// [Scrubber.Reader] scrubs a body as it is read. It holds back only the
// bytes that could still start an occurrence (at most the longest encoded
// form of a secret), and never the end of a line: a secret cannot contain
// a line break, so an event or line that ends in one is passed on at once.
//
// A [Set] holds the secrets of a client and can grow while it is used (a
// rotating token is added when it is fetched); [Set.Scrubber] is a snapshot.
package redact
