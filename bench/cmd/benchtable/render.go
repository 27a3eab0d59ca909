package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

const (
	wrapperName = "wrapper"
	openaiName  = "openai-go"
	goopenai    = "go-openai"
)

// uploadCases are the sub-benchmark cases of BenchmarkEditUpload, in order.
var uploadCases = []struct{ name, label string }{
	{"16x20MiB-500-then-retry", "16 x 20 MiB, 500 then one retry (2 x 320 MiB sent)"},
	{"16x20MiB", "16 x 20 MiB, one attempt (320 MiB)"},
	{"1x20MiB", "1 x 20 MiB, one attempt"},
}

// cannot says why a client has no row for an upload case.
func cannotUpload(client, c string) string {
	if client != goopenai {
		return "did not run"
	}
	if strings.Contains(c, "retry") {
		return "cannot: one image per edit (`ImageEditRequest.Image` is one `io.Reader`) and no retries"
	}
	return "cannot: one image per edit (`ImageEditRequest.Image` is one `io.Reader`)"
}

func renderUpload(w io.Writer, r *run) {
	fmt.Fprintln(w, "| upload | client | peak heap | time/op | throughput | allocated/op | allocs/op |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: |")
	for _, c := range uploadCases {
		for _, client := range []string{wrapperName, openaiName, goopenai} {
			name := "BenchmarkEditUpload/" + c.name + "/" + client
			if !r.has(name) {
				fmt.Fprintf(w, "| %s | %s | %s | | | | |\n", c.label, client, cannotUpload(client, c.name))
				continue
			}
			peak, _ := r.max(name, "peak-heap-MiB") // the worst run
			ns, _ := r.metric(name, "ns/op")
			mbs, _ := r.metric(name, "MB/s")
			bop, _ := r.metric(name, "B/op")
			allocs, _ := r.metric(name, "allocs/op")
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s MB/s | %s | %s |\n", c.label, client,
				bold(client, formatMiB(peak)), formatNs(ns), formatInt(mbs), formatBytes(bop), formatInt(allocs))
		}
	}
}

// Rows of the download benchmarks (BenchmarkStreamDecode,
// BenchmarkImagesDecode), in order, with their labels.
var downloadRows = []struct{ name, label string }{
	{"raw-bufio", "raw bufio `ReadBytes` (baseline)"},
	{"wrapper", "wrapper, typed"},
	{"wrapper-files", "wrapper, to a file as it arrives"},
	{"wrapper-save", "wrapper, saved"},
	{"openai-go", "openai-go, typed"},
}

// renderDownload renders a download benchmark: one row per size and client,
// with throughput against the raw baseline of the same size and allocation
// against the body size (unit names it: "event" or "body").
func renderDownload(w io.Writer, r *run, bench, unit string) {
	sizes := map[int]bool{}
	for name := range r.Results {
		rest, ok := strings.CutPrefix(name, bench+"/")
		if !ok {
			continue
		}
		size, _, _ := strings.Cut(rest, "MiB/")
		if n, err := strconv.Atoi(size); err == nil {
			sizes[n] = true
		}
	}
	var order []int
	for n := range sizes {
		order = append(order, n)
	}
	sort.Ints(order)
	fmt.Fprintf(w, "| %s | client | time/op | throughput | vs raw | allocated/op | x the %s | peak heap | result |\n", unit, unit)
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, size := range order {
		rawMBs, hasRaw := r.metric(fmt.Sprintf("%s/%dMiB/raw-bufio", bench, size), "MB/s")
		for _, row := range downloadRows {
			name := fmt.Sprintf("%s/%dMiB/%s", bench, size, row.name)
			if !r.has(name) {
				continue
			}
			ns, _ := r.metric(name, "ns/op")
			bop, _ := r.metric(name, "B/op")
			allocX := bop / float64(size<<20)
			peak := ""
			if v, ok := r.max(name, "peak-heap-MiB"); ok {
				peak = formatMiB(v)
			}
			if note, failed := r.Notes[name]; failed {
				fmt.Fprintf(w, "| %d MiB | %s | fails after %s | — | — | %s | %.1fx | %s | **%s** |\n", size, row.label, formatNs(ns), formatBytes(bop), allocX, peak, note)
				continue
			}
			mbs, _ := r.metric(name, "MB/s")
			ratio := "—"
			if hasRaw && row.name != "raw-bufio" && rawMBs > 0 {
				ratio = fmt.Sprintf("%.2fx", mbs/rawMBs)
			}
			fmt.Fprintf(w, "| %d MiB | %s | %s | %s MB/s | %s | %s | %.1fx | %s | ok |\n", size, row.label, formatNs(ns), formatInt(mbs), ratio, formatBytes(bop), allocX, peak)
		}
	}
	if bench == "BenchmarkStreamDecode" && len(order) > 0 {
		fmt.Fprintln(w, "| any | go-openai | | | | | | | N/A: no image streaming (`ImageRequest` has no `stream` field, no streaming method for /images/generations or /images/edits) |")
	}
}

// saveRows are the cases of BenchmarkSaveConcurrent, in order, with the
// label of each client's way of saving.
var saveRows = []struct {
	name, label string
	clients     map[string]string
}{
	{"stream", "8 streams, one 20 MiB image each", map[string]string{
		wrapperName: "wrapper `WriteFiles` (stream)", openaiName: "openai-go, decode + `os.WriteFile`"}},
	{"generate", "8 generate calls, one 20 MiB image each", map[string]string{
		wrapperName: "wrapper `Generate` + `WriteFile`", "wrapper-files": "wrapper `WithImageFiles`", openaiName: "openai-go, decode + `os.WriteFile`"}},
	{"batch", "local batch: 16 items at concurrency 8", map[string]string{
		wrapperName: "wrapper `RunBatch`"}},
}

func renderSave(w io.Writer, r *run) {
	fmt.Fprintln(w, "| case | client | peak heap | per worker | time/op | throughput | allocated/op | allocs/op |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, c := range saveRows {
		for _, client := range []string{wrapperName, "wrapper-files", openaiName} {
			name := "BenchmarkSaveConcurrent/" + c.name + "/" + client
			label := c.clients[client]
			if label == "" {
				label = client
			}
			if !r.has(name) {
				if client == openaiName && c.name == "batch" {
					fmt.Fprintf(w, "| %s | %s | N/A: no batch runner | | | | | |\n", c.label, client)
				}
				continue
			}
			peak, _ := r.max(name, "peak-heap-MiB")
			ns, _ := r.metric(name, "ns/op")
			mbs, _ := r.metric(name, "MB/s")
			bop, _ := r.metric(name, "B/op")
			allocs, _ := r.metric(name, "allocs/op")
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s MB/s | %s | %s |\n", c.label, label,
				bold(client, formatMiB(peak)), formatMiB(peak/8), formatNs(ns), formatInt(mbs), formatBytes(bop), formatInt(allocs))
		}
	}
}

func renderOverhead(w io.Writer, r *run) {
	const prefix = "BenchmarkGenerateOverhead/"
	rawNs, _ := r.metric(prefix+"raw-net-http", "ns/op")
	rawAllocs, _ := r.metric(prefix+"raw-net-http", "allocs/op")
	rawB, _ := r.metric(prefix+"raw-net-http", "B/op")
	fmt.Fprintln(w, "| client | time/op | vs raw | allocs/op | vs raw | bytes/op | vs raw |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, client := range []string{"raw-net-http", wrapperName, wrapperName + "-novalidate", openaiName, goopenai} {
		name := prefix + client
		if !r.has(name) {
			continue
		}
		ns, _ := r.metric(name, "ns/op")
		allocs, _ := r.metric(name, "allocs/op")
		bop, _ := r.metric(name, "B/op")
		label := client
		switch client {
		case "raw-net-http":
			label = "raw net/http (baseline)"
		case wrapperName + "-novalidate":
			label = "wrapper, WithValidation(false)"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", label,
			formatNs(ns), delta(ns-rawNs, formatNs), formatInt(allocs), delta(allocs-rawAllocs, formatInt),
			formatInt(bop)+" B", delta(bop-rawB, func(v float64) string { return formatInt(v) + " B" }))
	}
}

func delta(d float64, f func(float64) string) string {
	switch {
	case d == 0:
		return "—"
	case d > 0:
		return "+" + f(d)
	default:
		return "−" + f(-d)
	}
}

func bold(client, s string) string {
	if strings.HasPrefix(client, wrapperName) {
		return "**" + s + "**"
	}
	return s
}

func formatMiB(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + " MiB"
	}
	return formatInt(v) + " MiB"
}

func formatBytes(v float64) string {
	switch {
	case v >= 10<<20:
		return formatInt(v/(1<<20)) + " MiB"
	case v >= 1<<20:
		return strconv.FormatFloat(v/(1<<20), 'f', 1, 64) + " MiB"
	case v >= 10<<10:
		return formatInt(v/(1<<10)) + " KiB"
	default:
		return formatInt(v) + " B"
	}
}

func formatNs(ns float64) string {
	switch {
	case ns >= 1e9:
		return strconv.FormatFloat(ns/1e9, 'f', 2, 64) + " s"
	case ns >= 1e6:
		return formatSig(ns/1e6) + " ms"
	case ns >= 1e3:
		return formatSig(ns/1e3) + " µs"
	default:
		return formatInt(ns) + " ns"
	}
}

// formatSig prints v (>= 1) with three significant digits, no exponent.
func formatSig(v float64) string {
	switch {
	case v >= 100:
		return formatInt(v)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// formatInt rounds v and groups thousands with commas.
func formatInt(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
