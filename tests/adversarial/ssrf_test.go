package adversarial

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// publicAddr is the address a connection to the image host claims: what a
// public name would resolve to. Every server here runs on loopback.
var publicAddr = &net.TCPAddr{IP: net.IPv4(93, 184, 216, 34), Port: 443}

type addrConn struct {
	net.Conn
	remote net.Addr
}

func (c addrConn) RemoteAddr() net.Addr { return c.remote }

// ssrfNet routes the names of an SSRF test: api.test is the API,
// images.test an image host that claims a public address, metadata.test a
// name that resolves to a loopback address (as a rebinding name would).
// Every dial is recorded; a dial anywhere else fails the test.
type ssrfNet struct {
	t                 *testing.T
	api, images       *httptest.Server
	metadata          net.Listener
	metadataBytes     atomic.Int64
	mu                sync.Mutex
	dials             []string
	imageTransportCfg *tls.Config
}

func newSSRFNet(t *testing.T, apiHandler, imageHandler http.Handler) *ssrfNet {
	n := &ssrfNet{t: t}
	n.api = httptest.NewServer(http.StripPrefix("/v1", apiHandler))
	n.images = httptest.NewTLSServer(imageHandler)
	var err error
	n.metadata, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := n.metadata.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				// Should a regression let a connection through, it ends
				// instead of hanging the test.
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				k, _ := io.Copy(io.Discard, c)
				n.metadataBytes.Add(k)
				c.Close()
			})
		}
	})
	t.Cleanup(func() {
		n.api.Close()
		n.images.Close()
		n.metadata.Close()
		wg.Wait()
	})
	return n
}

func (n *ssrfNet) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	n.dials = append(n.dials, addr)
	n.mu.Unlock()
	d := &net.Dialer{}
	switch addr {
	case "api.test:80":
		return d.DialContext(ctx, network, n.api.Listener.Addr().String())
	case "images.test:443":
		c, err := d.DialContext(ctx, network, n.images.Listener.Addr().String())
		if err != nil {
			return nil, err
		}
		return addrConn{c, publicAddr}, nil
	case "metadata.test:443":
		return d.DialContext(ctx, network, n.metadata.Addr().String())
	}
	n.t.Errorf("dial to %s", addr)
	return nil, fmt.Errorf("no route to %s", addr)
}

func (n *ssrfNet) dialed(addr string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Contains(n.dials, addr)
}

// client is a client of the API at http://api.test/v1 (a name: the
// download policy is the strict default) that trusts the image host's
// test certificate.
func (n *ssrfNet) client(t *testing.T, opts ...wrapper.Option) *wrapper.Client {
	pool := x509.NewCertPool()
	pool.AddCert(n.images.Certificate())
	tr := &http.Transport{DialContext: n.dial, TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "example.com"},
		TLSHandshakeTimeout: 5 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := wrapper.New(append([]wrapper.Option{wrapper.WithBaseURL(memBaseURL), wrapper.WithAPIKey(testKey),
		wrapper.WithMaxRetries(0), wrapper.WithHTTPClient(&http.Client{Transport: tr})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// urlsAPI answers every generation with the given image URLs.
func urlsAPI(urls ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"created":1,"data":[`)
		for i, u := range urls {
			if i > 0 {
				fmt.Fprint(w, ",")
			}
			fmt.Fprintf(w, `{"url":%q}`, u)
		}
		fmt.Fprint(w, `]}`)
	})
}

// An image URL that redirects to the cloud metadata address, or is that
// address, or a private or loopback one, is refused before anything is
// dialled; a name that resolves to a loopback address is refused at dial
// time, before a byte is sent. The same client fetches an image from a
// public address.
func TestImageURLsCannotReachInternalAddresses(t *testing.T) {
	png := pngImage(t, 8, 8, false)
	images := http.NewServeMux()
	images.HandleFunc("GET /ok.png", func(w http.ResponseWriter, r *http.Request) { w.Write(png) })
	images.HandleFunc("GET /to-metadata", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/iam/security-credentials/", http.StatusFound)
	})
	images.HandleFunc("GET /to-metadata-https", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://169.254.169.254/latest/meta-data/", http.StatusTemporaryRedirect)
	})
	images.HandleFunc("GET /to-rebinding-name", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://metadata.test/latest/meta-data/", http.StatusFound)
	})
	images.HandleFunc("GET /to-http", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://images.test/ok.png", http.StatusFound)
	})
	urls := []string{
		"https://images.test/ok.png",
		"https://images.test/to-metadata",
		"https://images.test/to-metadata-https",
		"http://169.254.169.254/latest/meta-data/",
		"https://169.254.169.254/latest/meta-data/",
		"https://[::ffff:169.254.169.254]/",
		"https://100.100.100.200/latest/meta-data/",
		"https://127.0.0.1:8443/admin",
		"https://localhost/admin",
		"https://10.0.0.7/internal",
		"https://images.test/to-rebinding-name",
		"https://metadata.test/latest/meta-data/",
		"https://images.test/to-http",
		"file:///etc/passwd",
	}
	n := newSSRFNet(t, urlsAPI(urls...), images)
	c := n.client(t)
	res, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x", ResponseFormat: wrapper.ResponseFormatURL})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := res.Data[0].Content(context.Background()); err != nil || len(b) != len(png) {
		t.Fatalf("the public image: %d bytes, %v", len(b), err)
	}
	dir := t.TempDir()
	for i, img := range res.Data[1:] {
		_, err := img.Content(context.Background())
		var blocked *wrapper.DownloadBlockedError
		if !errors.As(err, &blocked) {
			t.Errorf("%s: err = %v, want a *DownloadBlockedError", urls[i+1], err)
		}
		path := filepath.Join(dir, fmt.Sprintf("%d.png", i))
		if err := img.WriteFile(context.Background(), path); !errors.As(err, &blocked) {
			t.Errorf("%s: Save: %v", urls[i+1], err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s: a file was written", urls[i+1])
		}
	}
	for _, addr := range []string{"169.254.169.254:80", "169.254.169.254:443", "[::ffff:169.254.169.254]:443", "127.0.0.1:8443", "10.0.0.7:443", "100.100.100.200:443", "localhost:443"} {
		if n.dialed(addr) {
			t.Errorf("%s was dialled", addr)
		}
	}
	if !n.dialed("metadata.test:443") {
		t.Error("the rebinding name was never dialled; the dial-time check was not exercised")
	}
	if k := n.metadataBytes.Load(); k != 0 {
		t.Errorf("the address behind the rebinding name received %d bytes", k)
	}
}

// RunBatch, which downloads URL images to disk, writes nothing for an image
// URL that points inside, and reports the item failed.
func TestRunBatchRefusesInternalImageURLs(t *testing.T) {
	n := newSSRFNet(t, urlsAPI("https://images.test/to-metadata"), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	c := n.client(t)
	dir := t.TempDir()
	res, err := c.RunBatch(context.Background(), []wrapper.BatchItem{{ID: "meta", Generate: &wrapper.GenerateParams{Prompt: "x", ResponseFormat: wrapper.ResponseFormatURL}}}, wrapper.RunBatchOptions{OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var blocked *wrapper.DownloadBlockedError
	if res.Failed != 1 || !errors.As(res.Items[0].Err, &blocked) {
		t.Fatalf("result %+v", res.Items)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != wrapper.BatchManifestName {
			t.Errorf("%s was written", e.Name())
		}
	}
	if n.dialed("169.254.169.254:80") {
		t.Error("the metadata address was dialled")
	}
}
