// Package atomicfile writes files so that readers see either the old content
// or the complete new content, never a partial file: data goes to a temporary
// file in the same directory, is synced, and is renamed over the target.
//
// The target is never opened or read. Only its metadata is looked at: a
// file it replaces keeps its permission bits, and a target that is not a
// regular file (a FIFO, a device, a socket, a directory) is refused before
// anything is written, so a write can neither block on it nor replace it.
// A symbolic link at the target is replaced by the new file, not followed.
// A new file gets the permissions asked for less the process umask, as
// os.OpenFile gives them.
//
// Temporary files are named .NAME.tmp-RANDOM. One left behind by a killed
// process is removed by [RemoveStale]; while a write is under way its
// temporary file is locked (where the system has flock), so a cleaner
// never takes a file that is still being written.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNotRegular is returned (in an *fs.PathError) when the target exists
// and is not a regular file or a symbolic link.
var ErrNotRegular = errors.New("not a regular file")

// tmpMarker separates a target's name from the random suffix of its
// temporary files.
const tmpMarker = ".tmp-"

// Write creates or replaces path with what fill writes. If fill fails, the
// target is left as it was and the temporary file is removed.
func Write(path string, perm os.FileMode, fill func(w io.Writer) error) (err error) {
	mode, err := targetMode(path, perm)
	if err != nil {
		return err
	}
	tmp, err := createTemp(path, perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if mode != 0 {
		// Keep the mode of the file being replaced.
		if err = tmp.Chmod(mode); err != nil {
			return err
		}
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil { // releases the lock too
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// WriteFile creates or replaces path with data.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// targetMode returns the permission bits of the regular file at path, 0
// when there is none (or a symbolic link), and an error when something
// else is there.
func targetMode(path string, perm os.FileMode) (os.FileMode, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, nil
	case err != nil:
		return 0, err
	case fi.Mode().IsRegular():
		return fi.Mode().Perm(), nil
	case fi.Mode()&fs.ModeSymlink != 0:
		return 0, nil
	}
	return 0, &fs.PathError{Op: "write", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, describe(fi.Mode()))}
}

func describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// createTemp creates and locks a new temporary file beside path, with perm
// less the umask.
func createTemp(path string, perm os.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for range 10 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		name := filepath.Join(dir, "."+base+tmpMarker+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !claim(f, name) {
			// A cleaner took the file between its creation and its lock:
			// it is gone, or about to be. Take another name.
			f.Close()
			continue
		}
		return f, nil
	}
	return nil, &fs.PathError{Op: "createtemp", Path: path, Err: fs.ErrExist}
}

// claim locks a new temporary file and reports whether it is still the
// file at name: a cleaner ([RemoveStale]) removes any temporary file it
// can lock, and can lock a new one in the instant before its writer does.
// Once the writer holds the lock and the name still leads to its file, no
// cleaner can take it.
func claim(f *os.File, name string) bool {
	if lock(f) {
		return false
	}
	mine, err := f.Stat()
	if err != nil {
		return false
	}
	there, err := os.Lstat(name)
	return err == nil && os.SameFile(mine, there)
}

// unlockedGrace applies where files cannot be locked: a temporary file not
// written to for this long is taken for abandoned.
const unlockedGrace = time.Hour

// RemoveStale removes the temporary files that writes into dir left behind
// when their process was killed, and returns how many it removed; a write
// killed a moment ago counts. A file being written (locked, or where there
// are no locks, written to in the last hour) is left alone.
func RemoveStale(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTemp(e.Name()) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if removeIfAbandoned(path, fi.ModTime()) {
			removed++
		}
	}
	return removed, nil
}

// isTemp reports whether name is a temporary file of this package: the
// current .NAME.tmp-HEX, or the .NAME.tmpDIGITS of earlier versions.
func isTemp(name string) bool {
	if !strings.HasPrefix(name, ".") {
		return false
	}
	i := strings.LastIndex(name, ".tmp")
	if i <= 1 {
		return false
	}
	suffix := name[i+len(".tmp"):]
	if strings.HasPrefix(suffix, "-") {
		suffix = suffix[1:]
		if len(suffix) != 16 {
			return false
		}
		_, err := hex.DecodeString(suffix)
		return err == nil
	}
	if suffix == "" {
		return false
	}
	for _, c := range suffix {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
