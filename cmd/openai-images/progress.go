package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a status line on a terminal ("generate: waiting for the
// API 3.2s", "edit: streaming 5.0s, 2 partial images", "batch: running
// 1.4s, 3/6 done, 1 failed"), redrawn in place
// with \r. It draws nothing when the output is not a terminal. It is safe
// for concurrent use.
type progress struct {
	w     io.Writer
	label string
	start time.Time
	tick  time.Duration

	mu       sync.Mutex
	phase    string
	detail   string // after the time, e.g. "3/6 done, 1 failed"
	partials int
	shown    int // width of the line on screen
	stopped  bool
	done     chan struct{}
	finished chan struct{}
}

// newProgress starts a status line on w when tty is set.
func newProgress(w io.Writer, tty bool, label, phase string) *progress {
	p := &progress{w: w, label: label, start: time.Now(), tick: 100 * time.Millisecond, phase: phase}
	if !tty {
		p.stopped = true
		return p
	}
	p.done, p.finished = make(chan struct{}), make(chan struct{})
	p.mu.Lock()
	p.draw()
	p.mu.Unlock()
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer close(p.finished)
	t := time.NewTicker(p.tick)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
			p.mu.Lock()
			if !p.stopped {
				p.draw()
			}
			p.mu.Unlock()
		}
	}
}

// setPhase changes what the line says is happening.
func (p *progress) setPhase(phase string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phase = phase
	if !p.stopped {
		p.draw()
	}
}

// setDetail changes what the line says after the time elapsed.
func (p *progress) setDetail(detail string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.detail = detail
	if !p.stopped {
		p.draw()
	}
}

// partial counts a partial image received.
func (p *progress) partial() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.partials++
	if !p.stopped {
		p.draw()
	}
}

// above runs print (which writes a line of output) with the status line
// cleared, then draws it again below.
func (p *progress) above(print func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		print()
		return
	}
	p.clear()
	print()
	p.draw()
}

// stop clears the line for good.
func (p *progress) stop() {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	p.clear()
	p.mu.Unlock()
	close(p.done)
	<-p.finished
}

// draw writes the line; the caller holds mu.
func (p *progress) draw() {
	line := fmt.Sprintf("%s: %s %.1fs", p.label, p.phase, time.Since(p.start).Seconds())
	switch p.partials {
	case 0:
	case 1:
		line += ", 1 partial image"
	default:
		line += fmt.Sprintf(", %d partial images", p.partials)
	}
	if p.detail != "" {
		line += ", " + p.detail
	}
	pad := max(p.shown-len(line), 0)
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
	if pad > 0 {
		fmt.Fprintf(p.w, "\r%s", line)
	}
	p.shown = len(line)
}

// clear blanks the line; the caller holds mu.
func (p *progress) clear() {
	if p.shown > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.shown))
		p.shown = 0
	}
}
