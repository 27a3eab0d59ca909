//go:build unix

package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A new file gets the permissions asked for less the umask; a replaced file
// keeps its own mode.
func TestModes(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.png")
	if err := WriteFile(fresh, []byte("x"), 0o666); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o640 {
		t.Errorf("new file mode = %v, want 0640 (0666 less umask 027)", fi.Mode().Perm())
	}
	private := filepath.Join(dir, "private.png")
	if err := os.WriteFile(private, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(private, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(private, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(private); fi.Mode().Perm() != 0o600 {
		t.Errorf("replaced file mode = %v, want its old 0600", fi.Mode().Perm())
	}
	wide := filepath.Join(dir, "wide.png")
	os.WriteFile(wide, nil, 0o644)
	os.Chmod(wide, 0o664)
	if err := WriteFile(wide, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(wide); fi.Mode().Perm() != 0o664 {
		t.Errorf("replaced file mode = %v, want its old 0664", fi.Mode().Perm())
	}
}

// A FIFO, a directory or a device at the target is refused at once: it is
// neither opened (a FIFO would block) nor replaced.
func TestTargetNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.png")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	for _, path := range []string{fifo, sub, "/dev/null"} {
		done := make(chan error, 1)
		go func() { done <- WriteFile(path, []byte("x"), 0o644) }()
		select {
		case err := <-done:
			var pe *fs.PathError
			if !errors.Is(err, ErrNotRegular) || !errors.As(err, &pe) || pe.Path != path {
				t.Errorf("%s: err = %v, want ErrNotRegular for the path", path, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the write blocked", path)
		}
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Error("the FIFO was replaced")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// A new temporary file locked by a cleaner (about to remove it) is not
// claimed by its writer.
func TestClaimLockedByCleaner(t *testing.T) {
	if !lockable() {
		t.Skip("no flock here")
	}
	dir := t.TempDir()
	name := filepath.Join(dir, ".d.png.tmp-00000000000000cc")
	w, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cleaner, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(cleaner.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if claim(w, name) {
		t.Error("claimed a file a cleaner holds")
	}
	cleaner.Close()
	// And a file its writer holds is left alone by a cleaner.
	f, err := createTemp(filepath.Join(dir, "e.png"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if removeIfAbandoned(f.Name(), time.Now()) {
		t.Error("a cleaner removed a file being written")
	}
}
