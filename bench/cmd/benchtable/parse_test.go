package main

import (
	"bytes"
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/imagegen-go/openai-images/bench
cpu: Intel(R) Xeon(R) Processor
BenchmarkEditUpload/16x20MiB-500-then-retry/wrapper-2         	       2	 379888536 ns/op	1766.54 MB/s	         2.000 attempts	        16.00 images	         3.187 peak-heap-MiB	 4944144 B/op	    2984 allocs/op
BenchmarkEditUpload/16x20MiB-500-then-retry/openai-go-2       	       2	1755086741 ns/op	 382.37 MB/s	         2.000 attempts	        16.00 images	      1120 peak-heap-MiB	1342888740 B/op	    1237 allocs/op
BenchmarkStreamDecode/64MiB/raw-bufio-2      	       5	 109203033 ns/op	 614.50 MB/s	141583728 B/op	     100 allocs/op
BenchmarkStreamDecode/64MiB/openai-go-2      	       5	  44101540 ns/op	67152412 B/op	     257 allocs/op
BenchmarkStreamDecode/64MiB/wrapper-2        	       5	 709203033 ns/op	  94.63 MB/s	201583728 B/op	     447 allocs/op
BenchmarkStreamDecode/64MiB/wrapper-save-2   	       5	 209203033 ns/op	 320.80 MB/s	 1583728 B/op	     447 allocs/op	         2.5 peak-heap-MiB
BenchmarkSaveConcurrent/batch/wrapper-2   	       3	 209203033 ns/op	 1600.10 MB/s	 1583728 B/op	     447 allocs/op	         16 peak-heap-MiB	2 peak-heap-MiB/worker
BenchmarkGenerateOverhead/raw-net-http-2         	   27181	     42419 ns/op	    8606 B/op	     105 allocs/op
BenchmarkGenerateOverhead/raw-net-http-2         	   27181	     40000 ns/op	    8606 B/op	     105 allocs/op
BenchmarkGenerateOverhead/raw-net-http-2         	   27181	     50000 ns/op	    8606 B/op	     105 allocs/op
BenchmarkGenerateOverhead/wrapper-2              	   24877	     54967 ns/op	   11211 B/op	     153 allocs/op
PASS
`

func TestParseAndRender(t *testing.T) {
	var r run
	if err := r.parse(strings.NewReader(sample), nil); err != nil {
		t.Fatal(err)
	}
	if err := r.parseNotes(strings.NewReader("BenchmarkStreamDecode/64MiB/openai-go\terror: bufio.Scanner: token too long\n")); err != nil {
		t.Fatal(err)
	}
	if r.Env["cpu"] != "Intel(R) Xeon(R) Processor" || r.procs() != 2 {
		t.Errorf("env %v, procs %d", r.Env, r.procs())
	}
	if v, _ := r.metric("BenchmarkEditUpload/16x20MiB-500-then-retry/openai-go", "peak-heap-MiB"); v != 1120 {
		t.Errorf("peak heap %v", v)
	}
	if v, _ := r.metric("BenchmarkGenerateOverhead/raw-net-http", "ns/op"); v != 42419 {
		t.Errorf("median ns/op %v, want 42419", v)
	}
	if r.Notes["BenchmarkStreamDecode/64MiB/openai-go"] != "error: bufio.Scanner: token too long" {
		t.Errorf("notes %v", r.Notes)
	}
	var out bytes.Buffer
	renderUpload(&out, &r)
	renderDownload(&out, &r, "BenchmarkStreamDecode", "event")
	renderSave(&out, &r)
	renderOverhead(&out, &r)
	for _, want := range []string{
		"| 16 x 20 MiB, 500 then one retry (2 x 320 MiB sent) | wrapper | **3.2 MiB** | 380 ms | 1,767 MB/s | 4.7 MiB | 2,984 |",
		"| 16 x 20 MiB, 500 then one retry (2 x 320 MiB sent) | openai-go | 1,120 MiB | 1.76 s |",
		"| 16 x 20 MiB, 500 then one retry (2 x 320 MiB sent) | go-openai | cannot:",
		"| 64 MiB | openai-go, typed | fails after 44.1 ms | — | — | 64 MiB | 1.0x |  | **error: bufio.Scanner: token too long** |",
		"| 64 MiB | wrapper, typed | 709 ms | 95 MB/s | 0.15x | 192 MiB | 3.0x |  | ok |",
		"| 64 MiB | wrapper, saved | 209 ms | 321 MB/s | 0.52x | 1.5 MiB | 0.0x | 2.5 MiB | ok |",
		"| 64 MiB | raw bufio `ReadBytes` (baseline) | 109 ms | 615 MB/s | — |",
		"| local batch: 16 items at concurrency 8 | wrapper `RunBatch` | **16 MiB** | 2.0 MiB | 209 ms | 1,600 MB/s |",
		"| local batch: 16 items at concurrency 8 | openai-go | N/A: no batch runner |",
		"| any | go-openai |",
		"| wrapper | 55.0 µs | +12.5 µs | 153 | +48 | 11,211 B | +2,605 B |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in\n%s", want, out.String())
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{formatInt(1234567.4), "1,234,567"},
		{formatInt(-1234), "-1,234"},
		{formatNs(999), "999 ns"},
		{formatNs(1500), "1.50 µs"},
		{formatNs(2.5e9), "2.50 s"},
		{formatBytes(512), "512 B"},
		{formatBytes(3 << 20), "3.0 MiB"},
		{delta(-5, formatInt), "−5"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
