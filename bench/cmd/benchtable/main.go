// Command benchtable runs the side-by-side benchmarks of the bench module
// (the wrapper, openai-go v3 and go-openai against one local server) and
// prints the results as markdown tables.
//
//	cd bench && go run ./cmd/benchtable
//
// It builds the test binary once and runs it once per table, each run with
// its own -benchtime. Progress goes to stderr (the raw go test
// output too with -v); the tables go to stdout.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

const benchModule = "github.com/imagegen-go/openai-images/bench"

func main() {
	if err := benchtable(); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func benchtable() error {
	uploadN := flag.Int("upload-n", 5, "operations per upload benchmark (-benchtime=Nx)")
	uploadCount := flag.Int("upload-count", 3, "-count of the upload benchmarks (median times; worst peak heap)")
	downloadTime := flag.String("download-time", "1s", "-benchtime of the stream and images (download) benchmarks")
	downloadCount := flag.Int("download-count", 3, "-count of the download benchmarks (the median is shown)")
	saveN := flag.Int("save-n", 3, "operations per concurrent-save benchmark (-benchtime=Nx)")
	saveCount := flag.Int("save-count", 1, "-count of the concurrent-save benchmarks (median times; worst peak heap)")
	overheadTime := flag.String("overhead-time", "1s", "-benchtime of the per-request overhead benchmarks")
	overheadCount := flag.Int("overhead-count", 5, "-count of the overhead benchmarks (the median is shown)")
	only := flag.String("only", "", "run one table only: upload, stream, images, save or overhead")
	verbose := flag.Bool("v", false, "echo the raw go test output to stderr")
	rawOut := flag.String("raw", "", "also write the raw go test output to this file")
	prebuilt := flag.String("bin", "", "run this benchmark binary (go test -c of the bench module, say of an older commit) instead of building one")
	flag.Parse()

	if err := checkDir(); err != nil {
		return err
	}
	// On Ctrl-C the benchmark binary, in the same process group, gets the
	// signal too and removes its temp files; this process only has to
	// outlive it to remove its own.
	signal.Notify(make(chan os.Signal, 1), os.Interrupt, syscall.SIGTERM)
	tmp, err := os.MkdirTemp("", "benchtable-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := *prebuilt
	if bin == "" {
		bin = filepath.Join(tmp, "bench.test")
		progress("building the benchmark binary")
		if out, err := exec.Command("go", "test", "-c", "-o", bin, ".").CombinedOutput(); err != nil {
			return fmt.Errorf("go test -c: %v\n%s", err, out)
		}
	}

	notes := filepath.Join(tmp, "notes.txt")
	var raw bytes.Buffer
	var r run
	groups := []struct {
		key, bench string
		args       []string
	}{
		{"upload", "^BenchmarkEditUpload$", []string{fmt.Sprintf("-test.benchtime=%dx", *uploadN), fmt.Sprintf("-test.count=%d", *uploadCount)}},
		{"stream", "^BenchmarkStreamDecode$", []string{"-test.benchtime=" + *downloadTime, fmt.Sprintf("-test.count=%d", *downloadCount)}},
		{"images", "^BenchmarkImagesDecode$", []string{"-test.benchtime=" + *downloadTime, fmt.Sprintf("-test.count=%d", *downloadCount)}},
		{"save", "^BenchmarkSaveConcurrent$", []string{fmt.Sprintf("-test.benchtime=%dx", *saveN), fmt.Sprintf("-test.count=%d", *saveCount)}},
		{"overhead", "^BenchmarkGenerateOverhead$", []string{"-test.benchtime=" + *overheadTime, fmt.Sprintf("-test.count=%d", *overheadCount)}},
	}
	start := time.Now()
	loadStart := loadAverage()
	for _, g := range groups {
		if *only != "" && *only != g.key {
			continue
		}
		args := append([]string{"-test.run=^$", "-test.bench=" + g.bench}, g.args...)
		progress("running %s %s", g.bench, strings.Join(g.args, " "))
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "BENCHTABLE_NOTES="+notes)
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		err := cmd.Run()
		raw.Write(out.Bytes())
		var echo func(string)
		if *verbose || err != nil {
			echo = func(line string) { fmt.Fprintln(os.Stderr, line) }
		}
		if perr := r.parse(bytes.NewReader(out.Bytes()), echo); perr != nil {
			return perr
		}
		if err != nil {
			return fmt.Errorf("%s: %v", g.bench, err)
		}
	}
	if f, err := os.Open(notes); err == nil {
		err = r.parseNotes(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	elapsed := time.Since(start).Round(time.Second)
	progress("done in %s", elapsed)
	if *rawOut != "" {
		if err := os.WriteFile(*rawOut, raw.Bytes(), 0o644); err != nil {
			return err
		}
	}
	render(os.Stdout, &r, settings{*uploadN, *uploadCount, *downloadTime, *downloadCount, *saveN, *saveCount, *overheadTime, *overheadCount}, *only)
	fmt.Printf("\nBenchmarks took %s; load average (1 min) %s at the start, %s at the end.\n", elapsed, loadStart, loadAverage())
	return nil
}

// settings are the run lengths, for the table headings.
type settings struct {
	uploadN, uploadCount int
	downloadTime         string
	downloadCount        int
	saveN, saveCount     int
	overheadTime         string
	overheadCount        int
}

func render(w io.Writer, r *run, s settings, only string) {
	fmt.Fprintf(w, "Ran `cd bench && go run ./cmd/benchtable` on %s: %s/%s, %s, GOMAXPROCS=%d, %s.\n",
		time.Now().UTC().Format("2006-01-02"), r.Env["goos"], r.Env["goarch"], cpuName(r), r.procs(), runtime.Version())
	fmt.Fprintf(w, "Peers: %s.\n\n", peerVersions())
	if only == "" || only == "upload" {
		fmt.Fprintf(w, "### Edit upload: multipart from files on disk (-benchtime=%dx, -count=%d: median time, worst peak heap)\n\n", s.uploadN, s.uploadCount)
		renderUpload(w, r)
		fmt.Fprintln(w)
	}
	if only == "" || only == "stream" {
		fmt.Fprintf(w, "### Stream decode: one image_generation.completed event (-benchtime=%s, median of %d)\n\n", s.downloadTime, s.downloadCount)
		renderDownload(w, r, "BenchmarkStreamDecode", "event")
		fmt.Fprintln(w)
	}
	if only == "" || only == "images" {
		fmt.Fprintf(w, "### Images response decode: one JSON body (-benchtime=%s, median of %d)\n\n", s.downloadTime, s.downloadCount)
		renderDownload(w, r, "BenchmarkImagesDecode", "body")
		fmt.Fprintln(w)
	}
	if only == "" || only == "save" {
		fmt.Fprintf(w, "### Saving 20 MiB images 8 at a time (-benchtime=%dx, -count=%d: median time, worst peak heap)\n\n", s.saveN, s.saveCount)
		renderSave(w, r)
		fmt.Fprintln(w)
	}
	if only == "" || only == "overhead" {
		fmt.Fprintf(w, "### Per-request overhead: small generate call (-benchtime=%s, median of %d)\n\n", s.overheadTime, s.overheadCount)
		renderOverhead(w, r)
	}
}

func cpuName(r *run) string {
	if c := r.Env["cpu"]; c != "" {
		return c
	}
	return "cpu unknown"
}

// loadAverage is the 1-minute load average, or "unknown" off Linux.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

// peerVersions lists the versions go.mod selects for the peers.
func peerVersions() string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Path}} {{.Version}}",
		"github.com/openai/openai-go/v3", "github.com/sashabaranov/go-openai").Output()
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Split(strings.TrimSpace(string(out)), "\n"), ", ")
}

// checkDir makes sure the current directory is the bench module.
func checkDir() error {
	b, err := os.ReadFile("go.mod")
	if err != nil || !bytes.Contains(b, []byte("module "+benchModule+"\n")) {
		return fmt.Errorf("run from the bench module's directory: cd bench && go run ./cmd/benchtable")
	}
	return nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchtable: "+format+"\n", args...)
}
