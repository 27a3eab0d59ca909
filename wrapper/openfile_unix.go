//go:build unix

package wrapper

import (
	"os"
	"syscall"
)

// openNoBlock opens path read-only without blocking: opening a FIFO for
// reading otherwise waits for a writer. Reads of a regular file are not
// affected by the flag.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
