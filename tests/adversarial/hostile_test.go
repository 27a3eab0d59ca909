package adversarial

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// Helpers of the hostile-server tests: the credentials a client carries,
// a check that none of them shows in some text, the CLI built once, and
// measures of memory.

// The credentials of the hostile-server tests, one per way a client can be
// given one. Each is long and unlike the others, so that a leak of any is
// seen.
const (
	apiKeyHeader = "azure-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0" // WithHeader("Api-Key", ...)
	gatewayToken = "gw-token-ZmFrZS10b2tlbi1mb3ItdGVzdHM"       // WithSecretHeader
	requestKey   = "req-key-5551212-per-request-secret"         // WithExtraHeader("X-Api-Key", ...)
	queryKey     = "query-key-8c9d0e1f-in-the-url"              // WithExtraQuery("api_key", ...)
)

var allSecrets = []string{testKey, apiKeyHeader, gatewayToken, requestKey, queryKey}

// secretsIn returns the credentials that show in s, raw or as a long
// piece of one.
func secretsIn(s string) []string {
	var found []string
	for _, sec := range allSecrets {
		if strings.Contains(s, sec) || strings.Contains(s, sec[len(sec)/2:]) || strings.Contains(s, sec[:len(sec)/2]) {
			found = append(found, sec)
		}
	}
	if strings.Contains(s, "Bearer sk-") {
		found = append(found, "Bearer sk-...")
	}
	return found
}

// noSecrets fails the test if a credential shows in text.
func noSecrets(t *testing.T, where, text string) {
	t.Helper()
	if found := secretsIn(text); len(found) > 0 {
		t.Errorf("%s shows %q:\n%s", where, found, text)
	}
}

// credentialOptions configure a client with every kind of credential.
func credentialOptions() []wrapper.Option {
	return []wrapper.Option{
		wrapper.WithAPIKey(testKey),
		wrapper.WithHeader("Api-Key", apiKeyHeader),
		wrapper.WithSecretHeader("X-Gateway-Token", gatewayToken),
	}
}

// perRequest are the per-request credentials.
func perRequest() []wrapper.RequestOption {
	return []wrapper.RequestOption{wrapper.WithExtraHeader("X-Api-Key", requestKey), wrapper.WithExtraQuery("api_key", queryKey)}
}

// echoed is every credential a request carried, as a server that echoes
// its input would quote it.
func echoed(r *http.Request) []string {
	var out []string
	for _, h := range []string{"Authorization", "Api-Key", "X-Gateway-Token", "X-Api-Key"} {
		if v := r.Header.Get(h); v != "" {
			out = append(out, v)
		}
	}
	if v := r.URL.Query().Get("api_key"); v != "" {
		out = append(out, v)
	}
	return out
}

// jsonEscaped writes s with every character as a \u escape, as some JSON
// encoders (and hostile servers) do.
func jsonEscaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// hostileServer starts a loopback server for h under /v1 and a client for
// it carrying every credential; the client's connections are closed when
// the test ends.
func hostileServer(t *testing.T, h http.Handler, opts ...wrapper.Option) (*wrapper.Client, *httptest.Server) {
	t.Helper()
	return newServer(t, h, append(credentialOptions(), append([]wrapper.Option{wrapper.WithMaxRetries(0)}, opts...)...)...)
}

// ---------------------------------------------------------------------------
// The CLI, built once for the tests that run it.

var cli struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// cliBinary returns the path of the openai-images command, built for this
// test run.
func cliBinary(t *testing.T) string {
	t.Helper()
	cli.once.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		cli.dir, cli.err = os.MkdirTemp("", "adversarial-cli-")
		if cli.err != nil {
			return
		}
		cli.path = filepath.Join(cli.dir, "openai-images")
		out, err := exec.Command(goBin, "build", "-o", cli.path, "github.com/imagegen-go/openai-images/cmd/openai-images").CombinedOutput()
		if err != nil {
			cli.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	return cli.path
}

// cliRun is one run of the CLI.
type cliRun struct {
	stdout, stderr string
	exit           int
}

// runCLI runs the CLI against base with the API key testKey, in dir, with
// at most a minute to finish.
func runCLI(t *testing.T, dir, base string, args ...string) cliRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cliBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "OPENAI_API_KEY=" + testKey, "OPENAI_BASE_URL=" + base}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("openai-images %s did not end within a minute", strings.Join(args, " "))
	}
	run := cliRun{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		run.exit = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return run
}

// removeCLI deletes the built CLI; TestMain calls it.
func removeCLI() {
	if cli.dir != "" {
		os.RemoveAll(cli.dir)
	}
}

// ---------------------------------------------------------------------------
// Memory.

// allocatedDuring returns how many bytes were allocated while f ran: an
// upper bound of how much the heap grew, whatever the timing of the
// garbage collector. No other test of this package runs in parallel.
func allocatedDuring(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// gzipped compresses b as one gzip member. Members concatenate: a reader
// decompresses them one after another.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

var bombBlock = sync.OnceValue(func() []byte { return gzipped(bytes.Repeat([]byte("A"), 16<<20)) })

// gzipBomb returns a gzip stream that decompresses to head, n times 16 MiB
// of "A" (valid base64), then tail: about 16 KiB on the wire per 16 MiB.
func gzipBomb(head string, n int, tail string) []byte {
	var b bytes.Buffer
	b.Write(gzipped([]byte(head)))
	for range n {
		b.Write(bombBlock())
	}
	b.Write(gzipped([]byte(tail)))
	return b.Bytes()
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
