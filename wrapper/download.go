package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/imagegen-go/openai-images/internal/imagecheck"
	"github.com/imagegen-go/openai-images/internal/redact"
	"github.com/imagegen-go/openai-images/wrapper/internal/netguard"
)

// DownloadPolicy says which image URLs a client fetches: the URLs returned
// with response_format=url, and every redirect from them. A server chooses
// these URLs, so by default the client fetches only https URLs of public
// addresses, checked before the request, on each redirect and, with the
// default transport (or any *http.Transport), at dial time on the address
// actually connected to: a URL or redirect to 169.254.169.254 (cloud
// metadata), a loopback or a private address, or a name resolving to one,
// is refused before anything is sent. A custom http.RoundTripper is trusted
// to route where it says; only the URL and redirect checks apply to it.
//
// Without [WithDownloadPolicy] the policy follows the API's own base URL:
// a loopback base URL (an address or localhost: a local emulator or test
// server) allows plain http and every address, and another non-public
// address (a server on the local network) allows every address.
type DownloadPolicy struct {
	// AllowHTTP allows plain-http image URLs.
	AllowHTTP bool
	// AllowPrivateNetworks allows image URLs on, and redirects to,
	// loopback, private, link-local and other non-public addresses.
	AllowPrivateNetworks bool
}

// WithDownloadPolicy sets which image URLs the client fetches, in place of
// the policy derived from the base URL (see [DownloadPolicy]); for example
// AllowPrivateNetworks for a gateway on the local network reached by name.
func WithDownloadPolicy(p DownloadPolicy) Option {
	return func(c *config) error {
		c.downloadPolicy = &p
		return nil
	}
}

// DownloadBlockedError is an image URL, or a redirect from one, that the
// client's [DownloadPolicy] refused. It names the scheme and host only.
type DownloadBlockedError = netguard.Error

func (cfg *config) downloadPolicyFor(base *url.URL) netguard.Policy {
	if p := cfg.downloadPolicy; p != nil {
		return netguard.Policy{AllowHTTP: p.AllowHTTP, AllowPrivate: p.AllowPrivateNetworks}
	}
	return netguard.ForBase(base)
}

// downloader fetches image URLs under a policy, with its own HTTP client:
// no cookies, no credentials, the policy's redirect checks and dialer.
type downloader struct {
	hc     *http.Client
	policy netguard.Policy
}

func newDownloader(hc *http.Client, p netguard.Policy) *downloader {
	rt, _ := p.Transport(hc.Transport)
	next := hc.CheckRedirect
	return &downloader{policy: p, hc: &http.Client{
		Transport: rt,
		Timeout:   hc.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if err := p.CheckRedirect(req, via); err != nil {
				return err
			}
			if next != nil {
				return next(req, via)
			}
			return nil
		},
	}}
}

// defaultDownloader serves images not tied to a client (a GeneratedImage
// made by hand): the default transport, https and public addresses only.
var defaultDownloader = sync.OnceValue(func() *downloader {
	return newDownloader(&http.Client{}, netguard.Policy{})
})

// download is one image download under way.
type download struct {
	resp   *http.Response
	body   io.Reader // idle-limited
	limit  int64
	format string // the format the image must be in ("" for any image)
	cancel context.CancelCauseFunc
}

func (d *download) close() {
	d.resp.Body.Close()
	d.cancel(context.Canceled)
}

// startDownload requests the image URL and returns the download once a
// 200 response has arrived.
func (img GeneratedImage) startDownload(ctx context.Context) (*download, error) {
	const op = "download"
	if ctx == nil {
		return nil, opError(op, errNilContext)
	}
	d, limit, timeout := defaultDownloader(), int64(DefaultMaxDownloadSize), time.Duration(0)
	var scrub *redact.Scrubber
	if c := img.client; c != nil {
		d, limit, timeout, scrub = c.cfg.download, c.cfg.maxDownloadSize, c.cfg.timeout, c.cfg.secrets.Scrubber()
	}
	u, err := url.Parse(img.URL)
	if err != nil {
		return nil, opError(op, errors.New("invalid image URL"))
	}
	if err := d.policy.CheckURL(u); err != nil {
		return nil, opError(op, err)
	}
	dctx, cancel := context.WithCancelCause(ctx)
	req, err := http.NewRequestWithContext(dctx, http.MethodGet, u.String(), nil)
	if err != nil {
		cancel(context.Canceled)
		return nil, opError(op, errors.New("invalid image URL"))
	}
	req.Header.Set("Accept", "image/*")
	var timer *time.Timer
	if timeout > 0 {
		timer = time.AfterFunc(timeout, func() { cancel(ErrAttemptTimeout) })
	}
	resp, err := d.hc.Do(req)
	if timer != nil {
		timer.Stop()
	}
	if err != nil {
		timedOut := context.Cause(dctx) == ErrAttemptTimeout
		cancel(context.Canceled)
		if ctx.Err() != nil {
			return nil, opError(op, ctx.Err())
		}
		err = scrub.Error(redactURLError(err), ErrAttemptTimeout)
		if timedOut {
			err = &timeoutError{after: timeout, err: err}
		}
		return nil, opError(op, err)
	}
	scrubResponse(scrub, resp)
	dl := &download{resp: resp, limit: limit, format: string(img.format), cancel: cancel}
	if resp.StatusCode != http.StatusOK {
		e := newAPIError(op, resp)
		dl.close()
		return nil, e
	}
	if resp.ContentLength > limit {
		dl.close()
		return nil, &TooLargeError{Operation: op, What: "image download", Limit: limit, Size: resp.ContentLength, Option: "WithMaxDownloadSize"}
	}
	if dl.format == "" {
		// Nothing declared by the API: the download's own image type, if
		// it names one, is what the bytes must be.
		if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); strings.HasPrefix(mt, "image/") {
			dl.format = strings.TrimPrefix(mt, "image/")
		}
	}
	dl.body = newIdleReader(resp.Body, timeout, "byte", func() { cancel(ErrAttemptTimeout) })
	return dl, nil
}

// download streams the image at the URL to w (WriteFile's path): at most the
// client's download limit, and only if it is the declared image format.
func (img GeneratedImage) download(ctx context.Context, w io.Writer) error {
	d, err := img.startDownload(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	fw := newFormatWriter(w, d.format)
	n, err := io.Copy(fw, io.LimitReader(d.body, d.limit+1))
	if err != nil {
		return opError("download", err)
	}
	if n > d.limit {
		return &TooLargeError{Operation: "download", What: "image download", Limit: d.limit, Size: -1, Option: "WithMaxDownloadSize"}
	}
	return fw.Close()
}

// fetch returns the image at the URL (Content's path): read into one buffer
// of its declared size, or in chunks never past the limit, so a download
// costs its size in memory, not a multiple of it.
func (img GeneratedImage) fetch(ctx context.Context) ([]byte, error) {
	d, err := img.startDownload(ctx)
	if err != nil {
		return nil, err
	}
	defer d.close()
	hint := d.resp.ContentLength
	if d.resp.Uncompressed {
		hint = -1
	}
	b, err := readCapped(d.body, d.limit, hint, "image download", "WithMaxDownloadSize")
	if err != nil {
		var tl *TooLargeError
		if errors.As(err, &tl) {
			tl.Operation = "download"
			return nil, tl
		}
		return nil, opError("download", err)
	}
	data := b.bytes()
	if err := checkWhole(data, d.format); err != nil {
		return nil, err
	}
	return data, nil
}

// ImageFormatError is returned instead of image bytes that are not the
// image format the response declared (or the request asked for), or, when
// nothing was declared, not an image at all (an error page, JSON, text).
// Nothing is written: a server cannot get other content saved as an image.
type ImageFormatError struct {
	// Declared is the declared format ("png", "jpeg", "webp", ...), or ""
	// when none was.
	Declared string
	// Detected is the type the bytes were sniffed as, such as "image/jpeg"
	// or "text/html; charset=utf-8".
	Detected string
	// Reason, when set, says why a GIF or an SVG of the right format is
	// broken: cut off, or not well-formed (see [CheckImageFormat]).
	Reason string
}

func (e *ImageFormatError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("openai-images: the %s image data is broken: %s", e.Detected, e.Reason)
	}
	if e.Declared == "" {
		return fmt.Sprintf("openai-images: the image data is %s, not an image", e.Detected)
	}
	return fmt.Sprintf("openai-images: the image data is %s, not the %s image declared", e.Detected, e.Declared)
}

// sniffLen is how much of an image is looked at to check its format: the
// magic bytes of a raster image, or the prolog of an SVG document (an XML
// declaration, comments, a doctype) before its <svg> element.
const sniffLen = 4096

// checkImageFormat checks the first bytes of an image against the declared
// format. A raster format this version knows (png, jpeg, webp, gif) must
// match the magic bytes, and svg must be an SVG document. A format it does
// not know yet (a model released later) is accepted unless the bytes are
// text (HTML, JSON, plain text). With no declaration the bytes must be one
// of the known raster formats: SVG, which is markup (and may hold scripts),
// is taken only when declared.
func checkImageFormat(head []byte, declared string) error {
	head = head[:min(len(head), sniffLen)]
	want := strings.ToLower(declared)
	switch want {
	case "jpg":
		want = "jpeg"
	case "svg+xml":
		want = "svg"
	}
	got := formatOf(sniffContentType(head))
	switch {
	case want == "svg":
		if isSVG(head) {
			return nil
		}
	case want == "png", want == "jpeg", want == "webp", want == "gif":
		if got == want {
			return nil
		}
	case want != "":
		if got != "" || !isText(head) {
			return nil
		}
	default:
		if got != "" {
			return nil
		}
	}
	detected := http.DetectContentType(head)
	if isSVG(head) {
		detected = "image/svg+xml"
	}
	return &ImageFormatError{Declared: declared, Detected: detected}
}

// isSVG reports whether head starts an SVG document: after an optional
// byte order mark, white space, XML declaration, comments and doctype, an
// <svg> element.
func isSVG(head []byte) bool { return imagecheck.LooksLikeSVG(head) }

func isText(head []byte) bool {
	ct := http.DetectContentType(head)
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "xml")
}

// formatWriter passes an image through to w once its first bytes have
// been checked; Close checks a shorter image. Nothing reaches w before the
// check has passed.
type formatWriter struct {
	w        io.Writer
	declared string
	head     []byte
	decided  bool
	// structure keeps a GIF or an SVG whole, for Close to check it.
	structure structureWriter
}

func newFormatWriter(w io.Writer, declared string) *formatWriter {
	return &formatWriter{w: w, declared: declared}
}

func (f *formatWriter) Write(p []byte) (int, error) {
	if f.decided {
		f.structure.add(p)
		return f.w.Write(p)
	}
	take := min(sniffLen-len(f.head), len(p))
	f.head = append(f.head, p[:take]...)
	if len(f.head) < sniffLen {
		return len(p), nil
	}
	if err := f.decide(); err != nil {
		return 0, err
	}
	f.structure.add(p[take:])
	n, err := f.w.Write(p[take:])
	return take + n, err
}

func (f *formatWriter) decide() error {
	f.decided = true
	if err := checkImageFormat(f.head, f.declared); err != nil {
		return err
	}
	f.structure.start(f.head)
	_, err := f.w.Write(f.head)
	f.head = nil
	return err
}

// Close checks an image shorter than the sniffing window, and the
// structure of a GIF or an SVG (the caller discards what reached w when it
// fails).
func (f *formatWriter) Close() error {
	if !f.decided {
		if err := f.decide(); err != nil {
			return err
		}
	}
	return f.structure.check(f.declared)
}

// checkedImage returns b after checking that it is an image of the
// declared format.
func checkedImage(b []byte, err error, declared OutputFormat) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	if err := checkWhole(b, string(declared)); err != nil {
		return nil, err
	}
	return b, nil
}
