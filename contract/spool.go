package contract

import (
	"bytes"
	"errors"
	"io"
	"os"
	"sync"
)

// spool keeps a copy of a body being validated: in memory up to a limit,
// then in a temporary file.
type spool struct {
	limit int64
	mem   bytes.Buffer
	file  *os.File
	err   error // first write error
}

// newSpool returns a spool that keeps up to limit bytes in memory. size is
// the body's length if known (Content-Length), else -1: a body that fits
// is then held in one allocation of its size.
func newSpool(limit, size int64) *spool {
	s := &spool{limit: limit}
	if size > 0 && size <= limit {
		s.mem.Grow(int(size))
	}
	return s
}

// Write implements io.Writer. A failure to spool is remembered, not
// returned, so that validation goes on; it surfaces when the copy is read.
func (s *spool) Write(p []byte) (int, error) {
	if s.err != nil {
		return len(p), nil
	}
	if s.file == nil && int64(s.mem.Len()+len(p)) > s.limit {
		f, err := os.CreateTemp("", "contract-body-*")
		if err != nil {
			s.err = err
			return len(p), nil
		}
		s.file = f
		if _, err := f.Write(s.mem.Bytes()); err != nil {
			s.err = err
			return len(p), nil
		}
		s.mem = bytes.Buffer{}
	}
	if s.file != nil {
		if _, err := s.file.Write(p); err != nil {
			s.err = err
		}
		return len(p), nil
	}
	return s.mem.Write(p)
}

// body returns the spooled bytes as a body, followed by readErr (the error
// that cut the original body short, if any). Closing it removes the file.
func (s *spool) body(readErr error) io.ReadCloser {
	var r io.Reader
	closer := func() error { return nil }
	switch {
	case s.err != nil:
		s.discard()
		r = &errReader{errors.Join(errors.New("contract: spooling the body"), s.err)}
	case s.file != nil:
		f := s.file
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			s.discard()
			r = &errReader{err}
			break
		}
		r = f
		closer = func() error {
			err := f.Close()
			if rerr := os.Remove(f.Name()); err == nil {
				err = rerr
			}
			return err
		}
	default:
		r = bytes.NewReader(s.mem.Bytes())
	}
	if readErr != nil {
		r = io.MultiReader(r, &errReader{readErr})
	}
	return &spooledBody{Reader: r, close: closer}
}

func (s *spool) discard() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
		s.file = nil
	}
}

type spooledBody struct {
	io.Reader
	once  sync.Once
	close func() error
	err   error
}

func (b *spooledBody) Close() error {
	b.once.Do(func() { b.err = b.close() })
	return b.err
}

type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }

// tee reads a body for validation while copying it to a spool.
type tee struct {
	src io.Reader
	sp  *spool
	err error // first read error other than io.EOF
	eof bool  // src is read to its end
}

func newTee(src io.Reader, sp *spool) *tee { return &tee{src: src, sp: sp} }

func (t *tee) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	if t.eof {
		return 0, io.EOF
	}
	n, err := t.src.Read(p)
	if n > 0 {
		t.sp.Write(p[:n])
	}
	switch {
	case err == io.EOF:
		t.eof = true
	case err != nil:
		t.err = err
	}
	return n, err
}

// readAll reads the body to its end into the spool and returns it when it
// fits in the spool's memory, so that it can be decoded in one go. A larger
// body is not read to its end: rest then reads the whole body, what was
// read from memory and the remainder through the tee (into the spool's
// file). After a read error, rest returns that error.
func (t *tee) readAll() (body []byte, rest io.Reader) {
	sp := t.sp
	for t.err == nil && !t.eof {
		room := sp.limit - int64(sp.mem.Len())
		if sp.file != nil || sp.err != nil || room <= 0 {
			return nil, io.MultiReader(bytes.NewReader(sp.mem.Bytes()), t)
		}
		// Read straight into the spool's buffer, growing it as
		// bytes.Buffer does.
		sp.mem.Grow(int(min(room, 512)))
		free := sp.mem.AvailableBuffer()
		free = free[:min(int64(cap(free)), room)]
		n, err := t.src.Read(free)
		sp.mem.Write(free[:n])
		switch {
		case err == io.EOF:
			t.eof = true
		case err != nil:
			t.err = err
		}
	}
	if t.err != nil {
		return nil, t
	}
	return sp.mem.Bytes(), nil
}

// finish copies what validation left unread to the spool, closes the
// original body and returns the copy.
func (t *tee) finish(orig io.ReadCloser) io.ReadCloser {
	if t.err == nil && !t.eof {
		io.Copy(io.Discard, t)
	}
	orig.Close()
	return t.sp.body(t.err)
}
