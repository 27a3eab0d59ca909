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

	// render, when set, makes the whole line (the batch's meter).
	render func(label, phase string, elapsed time.Duration) string

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

// redraw draws the line again (after what render shows changed).
func (p *progress) redraw() {
	p.mu.Lock()
	defer p.mu.Unlock()
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
	if p.render != nil {
		p.show(p.render(p.label, p.phase, time.Since(p.start)))
		return
	}
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
	p.show(line)
}

// show writes line over the one shown; the caller holds mu.
func (p *progress) show(line string) {
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

// meter counts a batch's items for its progress: done of all (the items
// done by an earlier run included), as a percentage, with the rate of this
// run and the time left at that rate.
type meter struct {
	total, skipped    int
	succeeded, failed int
	start             time.Time // when this run's requests began; zero before
	now               func() time.Time
}

func newMeter(total, skipped int, now func() time.Time) *meter {
	return &meter{total: total, skipped: skipped, now: now}
}

// begin marks the start of this run's requests.
func (m *meter) begin() { m.start = m.now() }

// update sets the items this run finished.
func (m *meter) update(succeeded, failed int) { m.succeeded, m.failed = succeeded, failed }

func (m *meter) done() int { return m.skipped + m.succeeded + m.failed }

// percent is the share done, rounded down: 100 only when all are.
func (m *meter) percent() int {
	if m.total == 0 {
		return 100
	}
	return m.done() * 100 / m.total
}

// String is the status line's account: "138/200 (69%), 67 skipped,
// 1 failed, 2.1 items/s, ETA 30s".
func (m *meter) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d (%d%%)", m.done(), m.total, m.percent())
	if m.skipped > 0 {
		fmt.Fprintf(&b, ", %d skipped", m.skipped)
	}
	if m.failed > 0 {
		fmt.Fprintf(&b, ", %d failed", m.failed)
	}
	b.WriteString(m.tail())
	return b.String()
}

// itemLine is the count before an item's line: "[138/200 69%]".
func (m *meter) itemLine() string {
	return fmt.Sprintf("[%d/%d %d%%]", m.done(), m.total, m.percent())
}

// tail is the rate and the time left, ", 2.1 items/s, ETA 30s", once this
// run has finished an item ("" before).
func (m *meter) tail() string {
	ran := m.succeeded + m.failed
	elapsed := m.now().Sub(m.start)
	if ran == 0 || m.start.IsZero() || elapsed <= 0 {
		return ""
	}
	rate := float64(ran) / elapsed.Seconds()
	var s string
	if rate >= 1 {
		s = fmt.Sprintf(", %.1f items/s", rate)
	} else {
		s = fmt.Sprintf(", %.1f items/min", rate*60)
	}
	if left := m.total - m.done(); left > 0 {
		s += ", ETA " + formatETA(time.Duration(float64(left)/rate*float64(time.Second)))
	}
	return s
}

// formatETA renders a time left in whole seconds: 45s, 4m05s, 1h02m.
func formatETA(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	switch {
	case secs < 60:
		return fmt.Sprintf("%ds", secs)
	case secs < 3600:
		return fmt.Sprintf("%dm%02ds", secs/60, secs%60)
	default:
		return fmt.Sprintf("%dh%02dm", secs/3600, secs%3600/60)
	}
}
