//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package atomicfile

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// lock takes an exclusive advisory lock on a new temporary file for as long
// as it is open; the system drops it when the process dies. It reports
// whether another process holds the lock (a cleaner about to remove the
// file). Where the file system has no locks the file goes unlocked, and a
// cleaner cannot lock it either.
func lock(f *os.File) (busy bool) {
	return errors.Is(syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB), syscall.EWOULDBLOCK)
}

// removeIfAbandoned removes path if no process holds its lock.
func removeIfAbandoned(path string, _ time.Time) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return false // a live writer holds it
	}
	return os.Remove(path) == nil
}

// syncDir flushes a directory entry change (a rename) to disk.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	d.Close()
}
