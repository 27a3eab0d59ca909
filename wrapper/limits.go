package wrapper

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// TooLargeError is returned when something a server sends is larger than
// the client allows: a JSON response body or a line of a Batch API file
// ([WithMaxResponseSize]), an image downloaded from a URL
// ([WithMaxDownloadSize]) or one stream event ([WithMaxEventSize]). Sizes
// are counted after decompression, as the bytes are read, so a small
// compressed body cannot expand past the limit in memory.
type TooLargeError struct {
	// Operation is the call, such as "createImage" or "download".
	Operation string
	// What is what was too large: "response body", "image download",
	// "Batch API file line" or "stream event".
	What string
	// Limit is the limit in bytes; Size the size the server declared
	// (Content-Length), or -1 when it was found by reading.
	Limit, Size int64
	// Option is the client option that raises the limit.
	Option string

	err error // the decoder's own error, for stream events
}

func (e *TooLargeError) Error() string {
	size := "over"
	if e.Size >= 0 {
		size = formatBytes(e.Size) + ", over"
	}
	return fmt.Sprintf("openai-images: %s: the %s is %s the %s limit (raise it with %s)", e.Operation, e.What, size, formatBytes(e.Limit), e.Option)
}

func (e *TooLargeError) Unwrap() error { return e.err }

// body is a response body read into memory in chunks, never more than its
// limit: no chunk is allocated past it, and none is copied while reading,
// so a body cut off at the limit has cost at most the limit.
type body struct {
	chunks [][]byte
	size   int64
}

// readCapped reads r to its end, failing with a *TooLargeError (with
// Operation unset) once it yields more than limit bytes. hint is the
// declared size, or -1.
func readCapped(r io.Reader, limit, hint int64, what, option string) (*body, error) {
	tooLarge := func(size int64) error {
		return &TooLargeError{What: what, Limit: limit, Size: size, Option: option}
	}
	if hint > limit {
		return nil, tooLarge(hint)
	}
	b := &body{}
	next := int64(32 << 10)
	if hint > 0 {
		next = hint // usually all of it in one chunk
	}
	for {
		room := limit - b.size
		if room == 0 || b.size == hint {
			// At the limit, or at the declared size: one more byte says
			// whether there is more.
			var one [1]byte
			k, err := io.ReadFull(r, one[:])
			switch {
			case k == 0 && err == io.EOF:
				return b, nil
			case k == 0:
				return nil, err
			case room == 0:
				return nil, tooLarge(-1)
			}
			// More than declared: go on reading.
			b.chunks = append(b.chunks, one[:])
			b.size++
			hint = -1
			continue
		}
		chunk := make([]byte, min(next, room))
		k, err := io.ReadFull(r, chunk)
		if k > 0 {
			b.chunks = append(b.chunks, chunk[:k])
			b.size += int64(k)
		}
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return b, nil
		case err != nil:
			return nil, err
		}
		next = min(max(next, 32<<10)*2, 4<<20)
	}
}

// bytes returns the body as one slice.
func (b *body) bytes() []byte {
	if len(b.chunks) == 1 {
		return b.chunks[0]
	}
	out := make([]byte, 0, b.size)
	for i, c := range b.chunks {
		out = append(out, c...)
		b.chunks[i] = nil
	}
	return out
}

// reader returns a reader over the body that lets go of each chunk once
// it has been read, so that a parser copying the body into its own buffer
// does not hold two copies of it for long.
func (b *body) reader() io.ReadCloser { return &chunkReader{chunks: b.chunks} }

type chunkReader struct{ chunks [][]byte }

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.chunks) > 0 && len(r.chunks[0]) == 0 {
		r.chunks[0] = nil
		r.chunks = r.chunks[1:]
	}
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	r.chunks[0] = r.chunks[0][n:]
	return n, nil
}

func (r *chunkReader) Close() error { r.chunks = nil; return nil }

// idleReader fails a read that waits longer than d for its first byte:
// a server that stops sending cannot hold a download open forever. When
// the timer fires, abort is called (it must make the pending read return,
// for example by cancelling the request).
type idleReader struct {
	r       io.Reader
	d       time.Duration
	abort   func()
	what    string
	timer   *time.Timer
	mu      sync.Mutex
	expired atomic.Bool
}

func newIdleReader(r io.Reader, d time.Duration, what string, abort func()) io.Reader {
	if d <= 0 {
		return r
	}
	return &idleReader{r: r, d: d, abort: abort, what: what}
}

func (r *idleReader) Read(p []byte) (int, error) {
	if r.expired.Load() {
		return 0, &timeoutError{after: r.d, idle: r.what}
	}
	r.mu.Lock()
	if r.timer == nil {
		r.timer = time.AfterFunc(r.d, r.fire)
	} else {
		r.timer.Reset(r.d)
	}
	r.mu.Unlock()
	n, err := r.r.Read(p)
	r.mu.Lock()
	stopped := r.timer.Stop()
	r.mu.Unlock()
	if !stopped && r.expired.Load() {
		return n, &timeoutError{after: r.d, idle: r.what, err: err}
	}
	return n, err
}

func (r *idleReader) fire() {
	r.expired.Store(true)
	r.abort()
}

// eventDeadline bounds each wait of a stream for its next event: a server
// that sends only keep-alive comments or empty events is cut off after d,
// like one that sends nothing. expire must make the pending read return
// (it cancels the request).
type eventDeadline struct {
	d      time.Duration
	expire func()
	timer  *time.Timer
	fired  atomic.Bool
}

// arm starts the wait for an event.
func (e *eventDeadline) arm() {
	if e == nil || e.d <= 0 {
		return
	}
	if e.timer == nil {
		e.timer = time.AfterFunc(e.d, func() {
			e.fired.Store(true)
			e.expire()
		})
		return
	}
	e.timer.Reset(e.d)
}

// disarm ends the wait: an event arrived, or the stream ended.
func (e *eventDeadline) disarm() {
	if e != nil && e.timer != nil {
		e.timer.Stop()
	}
}

// err is the error of a stream whose deadline passed, or nil.
func (e *eventDeadline) err() error {
	if e == nil || !e.fired.Load() {
		return nil
	}
	return &timeoutError{after: e.d, idle: "event"}
}
