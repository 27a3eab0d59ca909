package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
)

// Pending is a file written under a temporary name in its directory and
// given its final name only when complete, for content whose name depends
// on what it turns out to be (an image's extension, say). Until Commit,
// nothing but the temporary file exists (.HINT.tmp-RANDOM, locked while
// written, as Write's are, so that [RemoveStale] takes one only when its
// process is gone); Abort removes it.
type Pending struct {
	f    *os.File
	perm os.FileMode
	done bool
}

// ErrPendingDone is returned by a Pending already committed or aborted.
var ErrPendingDone = errors.New("atomicfile: pending file already committed or aborted")

// NewPending creates a temporary file in dir, named after hint, with perm
// less the umask (as Write creates its files).
func NewPending(dir, hint string, perm os.FileMode) (*Pending, error) {
	f, err := createTemp(filepath.Join(dir, hint), perm)
	if err != nil {
		return nil, err
	}
	return &Pending{f: f, perm: perm}, nil
}

// Write writes to the temporary file.
func (p *Pending) Write(b []byte) (int, error) {
	if p.done {
		return 0, ErrPendingDone
	}
	return p.f.Write(b)
}

// Name is the temporary file's path.
func (p *Pending) Name() string { return p.f.Name() }

// Commit syncs the file and renames it to path, which must be in the same
// directory, replacing any regular file there (whose permission bits it
// keeps, as Write does; anything else there is refused). On failure the
// temporary file is removed.
func (p *Pending) Commit(path string) (err error) {
	if p.done {
		return ErrPendingDone
	}
	p.done = true
	defer func() {
		if err != nil {
			p.f.Close()
			os.Remove(p.f.Name())
		}
	}()
	if filepath.Dir(path) != filepath.Dir(p.f.Name()) {
		return &os.PathError{Op: "commit", Path: path, Err: errors.New("not in the pending file's directory")}
	}
	mode, err := targetMode(path, p.perm)
	if err != nil {
		return err
	}
	if mode != 0 {
		if err = p.f.Chmod(mode); err != nil {
			return err
		}
	}
	if err = p.f.Sync(); err != nil {
		return err
	}
	if err = p.f.Close(); err != nil { // releases the lock too
		return err
	}
	if err = os.Rename(p.f.Name(), path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// Abort removes the temporary file. It does nothing after Commit.
func (p *Pending) Abort() {
	if p.done {
		return
	}
	p.done = true
	p.f.Close()
	os.Remove(p.f.Name())
}
