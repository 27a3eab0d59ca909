package main

import (
	"bufio"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// result is one benchmark line of go test output.
type result struct {
	Name    string // without the -GOMAXPROCS suffix
	Procs   int
	N       int
	Metrics map[string]float64 // by unit: ns/op, MB/s, B/op, allocs/op, peak-heap-MiB, ...
}

// run is what one or more go test -bench runs printed.
type run struct {
	Env     map[string]string   // goos, goarch, pkg, cpu
	Results map[string][]result // by name, one per -count
	Notes   map[string]string   // notes (see bench's note) by name
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-(\d+))?\s+(\d+)\s+(.+)$`)

// parse reads go test -bench output into r.
func (r *run) parse(in io.Reader, echo func(line string)) error {
	if r.Env == nil {
		r.Env, r.Results, r.Notes = map[string]string{}, map[string][]result{}, map[string]string{}
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if echo != nil {
			echo(line)
		}
		for _, key := range []string{"goos", "goarch", "pkg", "cpu"} {
			if v, ok := strings.CutPrefix(line, key+": "); ok {
				r.Env[key] = strings.TrimSpace(v)
			}
		}
		if res, ok := parseResult(line); ok {
			r.Results[res.Name] = append(r.Results[res.Name], res)
		}
	}
	return sc.Err()
}

// parseNotes reads the notes file: "name<TAB>text" lines.
func (r *run) parseNotes(in io.Reader) error {
	if r.Notes == nil {
		r.Notes = map[string]string{}
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if name, text, ok := strings.Cut(sc.Text(), "\t"); ok {
			r.Notes[name] = text
		}
	}
	return sc.Err()
}

func parseResult(line string) (result, bool) {
	m := benchLine.FindStringSubmatch(line)
	if m == nil {
		return result{}, false
	}
	n, err := strconv.Atoi(m[3])
	if err != nil {
		return result{}, false
	}
	procs, _ := strconv.Atoi(m[2])
	res := result{Name: m[1], Procs: procs, N: n, Metrics: map[string]float64{}}
	fields := strings.Fields(m[4])
	if len(fields)%2 != 0 {
		return result{}, false
	}
	for i := 0; i < len(fields); i += 2 {
		v, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return result{}, false
		}
		res.Metrics[fields[i+1]] = v
	}
	return res, true
}

// metric returns the median of unit over the runs of name.
func (r *run) metric(name, unit string) (float64, bool) {
	var vs []float64
	for _, res := range r.Results[name] {
		if v, ok := res.Metrics[unit]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, false
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2], true
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2, true
}

// max returns the largest value of unit over the runs of name.
func (r *run) max(name, unit string) (float64, bool) {
	var m float64
	found := false
	for _, res := range r.Results[name] {
		if v, ok := res.Metrics[unit]; ok && (!found || v > m) {
			m, found = v, true
		}
	}
	return m, found
}

// has reports whether name ran.
func (r *run) has(name string) bool { return len(r.Results[name]) > 0 }

// procs is the GOMAXPROCS the benchmarks ran with.
func (r *run) procs() int {
	for _, rs := range r.Results {
		if len(rs) > 0 && rs[0].Procs > 0 {
			return rs[0].Procs
		}
	}
	return 1
}
