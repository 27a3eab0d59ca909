package imagestest

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Faults by rate and latency for every request, as a server that users of
// other languages can point their retry code at (openai-images serve's
// --latency, --fail, --drop-rate ... flags). They apply to API requests
// (under /v1/, not the emulator's own /v1/emulator/ pages); faults armed
// with InjectFault come first.

// latencyConfig holds WithLatency's delays.
type latencyConfig struct{ firstByte, perPartial time.Duration }

// WithLatency holds every API response back by firstByte before its first
// byte, and each partial image of a stream (Images API and Responses API)
// by perPartial. The waits end early when the client goes away.
func WithLatency(firstByte, perPartial time.Duration) Option {
	return func(e *Emulator) { e.latency = latencyConfig{max(firstByte, 0), max(perPartial, 0)} }
}

// FaultRate is a fault met by a fraction of the requests.
type FaultRate struct {
	// Fault is the failure; its Path, if set, limits it as for InjectFault.
	Fault Fault
	// Rate is the fraction of requests, from 0 to 1.
	Rate float64
}

// StreamCut is a fault that cuts an event stream before its first event,
// after the 200 status and headers: with drop the connection is reset, else
// the stream ends cleanly with no event. A response that is not a stream
// passes untouched.
func StreamCut(drop bool) Fault {
	if drop {
		return Fault{DropAfterEvents: -1}
	}
	return Fault{TruncateAfterEvents: -1}
}

// WithFaultRates makes each API request meet at most one of rates, drawn at
// random (the first rate whose share the draw falls in), from a source
// seeded with seed so that a run can be repeated. Rates should add up to at
// most 1.
func WithFaultRates(seed uint64, rates ...FaultRate) Option {
	return func(e *Emulator) {
		e.random = &randomFaults{rng: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d)), rates: rates}
	}
}

type randomFaults struct {
	mu    sync.Mutex
	rng   *rand.Rand
	rates []FaultRate
}

// pick draws the fault for r, or nil.
func (rf *randomFaults) pick(r *http.Request) *armedFault {
	rf.mu.Lock()
	x := rf.rng.Float64()
	rf.mu.Unlock()
	acc := 0.0
	for _, fr := range rf.rates {
		if fr.Fault.Path != "" && !strings.HasSuffix(r.URL.Path, fr.Fault.Path) {
			continue
		}
		acc += fr.Rate
		if x < acc {
			return &armedFault{Fault: fr.Fault}
		}
	}
	return nil
}

// injectedFault returns the fault r meets: an armed one, else a random one,
// with the configured latency added.
func (e *Emulator) injectedFault(r *http.Request) *armedFault {
	api := strings.HasPrefix(r.URL.Path, "/v1/") && !strings.HasPrefix(r.URL.Path, "/v1/emulator/")
	f := e.takeFault(r)
	if f == nil && api && e.random != nil {
		f = e.random.pick(r)
	}
	if api && e.latency.firstByte > 0 {
		if f == nil {
			f = &armedFault{}
		}
		f.Delay = max(f.Delay, e.latency.firstByte)
	}
	return f
}

// partialPause waits the configured time before a partial image; it
// reports false when the client went away meanwhile.
func (e *Emulator) partialPause(ctx context.Context) bool {
	if e.latency.perPartial <= 0 {
		return ctx.Err() == nil
	}
	return waitOrDone(ctx, e.latency.perPartial)
}
