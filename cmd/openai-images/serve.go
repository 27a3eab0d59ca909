package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
)

// defaultServeAddr is where serve listens unless --addr says otherwise.
const defaultServeAddr = "127.0.0.1:8089"

// defaultBatchDelay makes each status of a batch last long enough for a
// client polling it to see validating, in_progress and finalizing.
const defaultBatchDelay = 500 * time.Millisecond

// failFlag is --fail STATUS=RATE, repeatable.
type failFlag map[int]float64

func (f *failFlag) String() string { return "" }

func (f *failFlag) Set(v string) error {
	code, rate, ok := strings.Cut(v, "=")
	status, err := strconv.Atoi(code)
	if !ok || err != nil || status < 400 || status > 599 {
		return fmt.Errorf("want STATUS=RATE with STATUS from 400 to 599, such as 500=0.1")
	}
	var r rateFlag
	if err := r.Set(rate); err != nil {
		return err
	}
	(*f)[status] = float64(r)
	return nil
}

// rates returns the faults in status order, so that a seed repeats a run.
func (f failFlag) rates() []imagestest.FaultRate {
	var out []imagestest.FaultRate
	for _, status := range slices.Sorted(maps.Keys(f)) {
		fault := imagestest.ServerError(status)
		if status == http.StatusTooManyRequests {
			fault = imagestest.RateLimited(time.Second)
		}
		out = append(out, imagestest.FaultRate{Fault: fault, Rate: f[status]})
	}
	return out
}

// deploymentsFlag is --azure-deployment NAME=MODEL, repeatable.
type deploymentsFlag map[string]string

func (f *deploymentsFlag) String() string { return "" }

func (f *deploymentsFlag) Set(v string) error {
	name, model, ok := strings.Cut(v, "=")
	if !ok || name == "" || model == "" || strings.ContainsAny(name, "/?# ") {
		return fmt.Errorf("want NAME=MODEL, such as images=gpt-image-1.5")
	}
	(*f)[name] = model
	return nil
}

// rateFlag is a fraction from 0 to 1.
type rateFlag float64

func (r *rateFlag) String() string { return strconv.FormatFloat(float64(*r), 'g', -1, 64) }

func (r *rateFlag) Set(v string) error {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x < 0 || x > 1 || math.IsNaN(x) {
		return fmt.Errorf("want a rate from 0 to 1, such as 0.1")
	}
	*r = rateFlag(x)
	return nil
}

func runServe(ctx context.Context, inv *invocation, args []string) error {
	addr := defaultServeAddr
	var quiet, allowRetired, refuseRetired bool
	var rpm, burst, seed int
	logSize := imagestest.DefaultRequestLog
	batchDelay := defaultBatchDelay
	var latency, partialLatency time.Duration
	var dropRate, dropStreamRate, truncateRate float64
	fails := failFlag{}
	var azure bool
	deployments := deploymentsFlag{}
	c := newFlags("serve", "serve [--addr HOST:PORT] [--rpm N] [--latency D] [--fail STATUS=RATE] ... [--quiet]",
		"Run the offline emulator of the Images API on a loopback address until\n"+
			"interrupted (Ctrl-C or SIGTERM). It prints OPENAI_BASE_URL=http://HOST:PORT/v1\n"+
			"on stdout: point any OpenAI SDK, or this command, at it, with any API key\n"+
			"(one must be sent; "+imagestest.InvalidAPIKey+" is refused as a wrong key is). Requests are logged\n"+
			"on stderr; http://HOST:PORT/ shows them in a browser, with thumbnails of\n"+
			"the images returned, and GET /v1/emulator/requests returns them as JSON\n"+
			"(DELETE empties the log).\n\n"+
			"The flags below make the emulator slow, rate-limited or failing, to\n"+
			"exercise a client's retries: each failure is drawn at random per request\n"+
			"(repeatable with --seed).",
		`openai-images serve`,
		`openai-images serve --addr 127.0.0.1:0    # any free port`,
		`openai-images serve --rpm 60 --burst 5 --fail 500=0.1 --fail 429=0.05 --latency 200ms`,
		`OPENAI_BASE_URL=http://127.0.0.1:8089/v1 OPENAI_API_KEY=any openai-images generate "a cat"`,
		`openai-images serve --azure --azure-deployment images=gpt-image-1.5    # an Azure OpenAI resource`,
	)
	c.str(&addr, "addr", "HOST:PORT", "loopback address to listen on: 127.0.0.1, ::1 or localhost; port 0 picks a free one (default "+defaultServeAddr+")")
	c.boolean(&quiet, "quiet", "do not log requests on stderr")
	c.integer(&logSize, "log-size", "N", fmt.Sprintf("requests kept for the inspector and GET /v1/emulator/requests (default %d)", imagestest.DefaultRequestLog))
	c.boolean(&allowRetired, "allow-retired", "serve the models OpenAI has retired (dall-e-2, dall-e-3, gpt-image-1) with their old rules, and the retired variations endpoint, as an OpenAI-compatible server may; by default they are answered as the API answers them now (400 model_not_found with the date and the replacements)")
	// Deprecated: refusing retired models is the default now. Accepted,
	// and left out of the help, so that scripts using it keep working.
	c.fs.BoolVar(&refuseRetired, "refuse-retired", false, "")
	c.section("Azure OpenAI")
	c.boolean(&azure, "azure", "answer as an Azure OpenAI resource instead: /openai/deployments/NAME/images/..., api-version required, the api-key header (any key) or an Entra ID token; prints AZURE_OPENAI_ENDPOINT")
	c.value(&deployments, "azure-deployment", "NAME=MODEL", "with --azure: a deployment and the model it runs; repeatable (default: every model is a deployment named after it)")
	c.section("Rate limit")
	c.integer(&rpm, "rpm", "N", "image requests per minute (POST /v1/images/...), answered 429 with Retry-After and x-ratelimit-* headers beyond it (default 0: no limit)")
	c.integer(&burst, "burst", "N", "requests accepted at once under --rpm (default 1)")
	c.section("Latency")
	c.duration(&latency, "latency", "D", "time before the first byte of every API response, such as 300ms")
	c.duration(&partialLatency, "partial-latency", "D", "time before each partial image of a stream")
	c.section("Failures")
	c.value(&fails, "fail", "STATUS=RATE", "answer this fraction of API requests with an error status, such as 500=0.1 or 429=0.05 (429 carries Retry-After: 1); repeatable")
	c.value((*rateFlag)(&dropRate), "drop-rate", "RATE", "fraction of API requests whose connection is reset before any response")
	c.value((*rateFlag)(&dropStreamRate), "drop-stream-rate", "RATE", "fraction of API requests whose event stream is reset after the 200 status, before its first event")
	c.value((*rateFlag)(&truncateRate), "truncate-stream-rate", "RATE", "fraction of API requests whose event stream ends cleanly with no event (no completed event)")
	c.integer(&seed, "seed", "N", "seed of the random draws of the failures (default 0)")
	c.section("Batches")
	c.duration(&batchDelay, "batch-delay", "D", "time each Batch API batch spends validating, in progress at least, and finalizing (default "+defaultBatchDelay.String()+"; 0: as fast as its requests run)")
	rest, err := c.parse(inv, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("serve: unexpected argument %q", rest[0])
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("serve: --addr %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usagef("serve: --addr %s is not a loopback address: the emulator listens only on 127.0.0.1, ::1 or localhost", addr)
	}
	rates := fails.rates()
	if dropRate > 0 {
		rates = append(rates, imagestest.FaultRate{Fault: imagestest.Fault{DropConnection: true}, Rate: dropRate})
	}
	if dropStreamRate > 0 {
		rates = append(rates, imagestest.FaultRate{Fault: imagestest.StreamCut(true), Rate: dropStreamRate})
	}
	if truncateRate > 0 {
		rates = append(rates, imagestest.FaultRate{Fault: imagestest.StreamCut(false), Rate: truncateRate})
	}
	var total float64
	for _, r := range rates {
		total += r.Rate
	}
	switch {
	case total > 1:
		return usagef("serve: the failure rates add up to %g, more than 1", total)
	case rpm < 0:
		return usagef("serve: --rpm %d: want 0 (no limit) or more", rpm)
	case burst < 0 || (burst > 0 && rpm == 0):
		return usagef("serve: --burst needs --rpm and a positive value")
	case latency < 0 || partialLatency < 0 || batchDelay < 0:
		return usagef("serve: --latency, --partial-latency and --batch-delay must not be negative")
	case logSize < 1:
		return usagef("serve: --log-size %d: want at least 1", logSize)
	}
	opts := []imagestest.Option{
		imagestest.WithRequestLog(logSize), imagestest.WithBatchDelay(batchDelay),
		imagestest.WithLatency(latency, partialLatency),
	}
	if len(rates) > 0 {
		opts = append(opts, imagestest.WithFaultRates(uint64(seed), rates...))
	}
	switch {
	case allowRetired && refuseRetired:
		return usagef("serve: --allow-retired and --refuse-retired contradict each other")
	case allowRetired:
		opts = append(opts, imagestest.AllowRetiredModels())
	case refuseRetired:
		fmt.Fprintln(inv.stderr, "openai-images: serve: --refuse-retired is deprecated: retired models are refused by default (--allow-retired serves them)")
	}
	if len(deployments) > 0 && !azure {
		return usagef("serve: --azure-deployment needs --azure")
	}
	if azure {
		a := imagestest.Azure{}
		if len(deployments) > 0 {
			a.Deployments = deployments
		}
		opts = append(opts, imagestest.WithAzure(a))
	}
	emu, err := imagestest.New(opts...)
	if err != nil {
		return err
	}
	defer emu.Close()
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		return usagef("serve: %s resolved to %v, which is not a loopback address", addr, ln.Addr())
	}
	base := fmt.Sprintf("http://%s/v1", tcp.String())

	var handler http.Handler = emu
	if rpm > 0 {
		handler = imagestest.RateLimit(emu, float64(rpm)/60, max(burst, 1))
	}
	if !quiet {
		handler = logRequests(inv, emu)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 30 * time.Second}
	srv.RegisterOnShutdown(emu.Close) // ends the inspector's event streams
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	if azure {
		endpoint := "http://" + tcp.String()
		fmt.Fprintf(inv.stdout, "AZURE_OPENAI_ENDPOINT=%s\n", endpoint)
		fmt.Fprintf(inv.stderr, "openai-images: emulator serving Azure OpenAI's Images API at %s/openai/deployments/NAME/... (offline; send any api-key and an api-version); Ctrl-C stops it\n", endpoint)
	} else {
		fmt.Fprintf(inv.stdout, "OPENAI_BASE_URL=%s\n", base)
		fmt.Fprintf(inv.stderr, "openai-images: emulator serving the Images API at %s (offline; send any API key); Ctrl-C stops it\n", base)
	}
	fmt.Fprintf(inv.stderr, "openai-images: requests are shown at http://%s/\n", tcp.String())

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close() // streams still open after the grace period
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(inv.stderr, "openai-images: emulator stopped")
	return nil
}

// logRequests logs one line per request on stderr: method, path, status
// and duration.
func logRequests(inv *invocation, next http.Handler) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(inv.stderr, "%s %s %s %d %s\n", start.Format("15:04:05"), r.Method, r.URL.Path, rec.status,
			time.Since(start).Round(100*time.Microsecond))
	})
}

// statusRecorder remembers the status written. Unwrap lets
// http.ResponseController reach the connection for flushing streams.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(p)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
