package prism

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	openaiimages "github.com/imagegen-go/openai-images"
)

// suite is the state shared by the tests that need Prism. One Prism, on the
// derived spec, serves them all: started by the first test that needs it,
// stopped (with its process group) by TestMain.
var suite struct {
	once    sync.Once
	dir     string  // temporary directory for spec files
	bin     string  // the Prism executable, "" when not found
	missing error   // why bin is ""
	setup   error   // a failure other than a missing Prism
	server  *Server // Prism serving the derived spec
}

func TestMain(m *testing.M) {
	code := m.Run()
	if suite.server != nil {
		if code != 0 {
			fmt.Fprintf(os.Stderr, "--- prism output (tail) ---\n%s\n", tail(suite.server.Log(), 8000))
		}
		suite.server.Stop()
	}
	if suite.dir != "" {
		os.RemoveAll(suite.dir)
	}
	os.Exit(code)
}

// startSuite finds Prism, derives the spec and starts Prism on it.
func startSuite() {
	if suite.bin, suite.missing = Binary(); suite.missing != nil {
		return
	}
	out, _, err := Derive(openaiimages.EffectiveSpec())
	if err != nil {
		suite.setup = fmt.Errorf("derive the Prism spec: %w", err)
		return
	}
	if suite.dir, err = os.MkdirTemp("", "prism-spec-"); err != nil {
		suite.setup = err
		return
	}
	derived := filepath.Join(suite.dir, "openapi.prism.yaml")
	if err := os.WriteFile(derived, out, 0o644); err != nil {
		suite.setup = err
		return
	}
	suite.server, suite.setup = Start(suite.bin, derived)
}

// needPrism returns the suite's Prism, skipping the test when Prism is not
// installed (failing instead under CI=true or PRISM_REQUIRED=1).
func needPrism(t *testing.T) *Server {
	t.Helper()
	suite.once.Do(startSuite)
	if suite.missing != nil {
		if Required() {
			t.Fatalf("Prism is required here (CI=true or PRISM_REQUIRED=1) but %v: %s", suite.missing, InstallHint)
		}
		t.Skipf("Prism not installed (%v); %s; CI runs these tests", suite.missing, InstallHint)
	}
	if suite.setup != nil {
		t.Fatalf("Prism setup: %v", suite.setup)
	}
	if err := suite.server.Ping(t.Context()); err != nil {
		t.Fatalf("Prism is not serving: %v; its output:\n%s", err, tail(suite.server.Log(), 4000))
	}
	return suite.server
}

// violationChecker is an http.RoundTripper that records the sl-violations
// header Prism adds to a response whenever the request or its own response
// broke the spec, even at warning level.
type violationChecker struct {
	t    *testing.T
	base http.RoundTripper
}

func (v violationChecker) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := v.base.RoundTrip(req)
	if err == nil {
		if h := resp.Header.Get("sl-violations"); h != "" {
			v.t.Errorf("Prism reports violations for %s %s: %s", req.Method, req.URL.Path, h)
		}
	}
	return resp, err
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "...\n" + s
}
