package wrapper

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/api.golden")

// TestPublicAPIGolden keeps `go doc -all` of this package in
// testdata/api.golden, so that every change to the public API shows up in
// review as a diff of that file. After an intended change:
//
//	go test ./wrapper -run PublicAPIGolden -update
func TestPublicAPIGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go doc")
	}
	doc, err := exec.Command("go", "doc", "-all", ".").Output()
	if err != nil {
		t.Fatalf("go doc: %v", err)
	}
	// go doc's layout may change between Go releases: the golden file
	// names the release that wrote it, and other releases skip the test.
	header := "# go doc -all, " + goMinor(runtime.Version()) + "\n"
	out := append([]byte(header), doc...)
	const golden = "testdata/api.golden"
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.HasPrefix(want, []byte(header)) {
		t.Skipf("%s was written by another Go release (this is %s)", golden, runtime.Version())
	}
	if !bytes.Equal(out, want) {
		t.Errorf("the public API differs from %s: review the change, then run go test ./wrapper -run PublicAPIGolden -update\n%s", golden, firstDiff(string(want), string(out)))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(a, b string) string {
	al, bl := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) {
			return "line " + strconv.Itoa(i+1) + ":\n- " + string(x) + "\n+ " + string(y)
		}
	}
	return ""
}

// goMinor reduces "go1.26.8" to "go1.26".
func goMinor(v string) string {
	if i := strings.Index(v, "."); i >= 0 {
		if j := strings.Index(v[i+1:], "."); j >= 0 {
			return v[:i+1+j]
		}
	}
	return v
}
