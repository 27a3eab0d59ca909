package wrapper

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/imagegen-go/openai-images/internal/atomicfile"
)

// ErrNotRegularFile is returned (in an *fs.PathError) for an input path, or
// a path to save to, that is not a regular file: a FIFO, a device, a socket
// or a directory. An input is refused before it is opened (opening a FIFO
// blocks until another process writes to it, past any deadline), and a
// target is never opened, read or replaced. Send a pipe with
// [ImageFromReader].
var ErrNotRegularFile = atomicfile.ErrNotRegular

// statRegular returns the size of the regular file at path, or an error
// naming what else is there.
func statRegular(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return -1, err
	}
	if !fi.Mode().IsRegular() {
		return -1, notRegular(path, fi.Mode())
	}
	return fi.Size(), nil
}

// openRegular opens the regular file at path for reading. The path is
// checked before it is opened, and opened so that it cannot block should
// it have been swapped for a FIFO in between (see openNoBlock).
func openRegular(path string) (*os.File, error) {
	if _, err := statRegular(path); err != nil {
		return nil, err
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, notRegular(path, fi.Mode())
	}
	return f, nil
}

func notRegular(path string, m fs.FileMode) error {
	what := "mode " + m.String()
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	return &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w (%s; use ImageFromReader for pipes)", ErrNotRegularFile, what)}
}
