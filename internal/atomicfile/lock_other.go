//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package atomicfile

import (
	"os"
	"time"
)

// lock is a no-op where flock is not available; removeIfAbandoned then
// goes by age alone.
func lock(*os.File) (busy bool) { return false }

func removeIfAbandoned(path string, mod time.Time) bool {
	if time.Since(mod) < unlockedGrace {
		return false
	}
	return os.Remove(path) == nil
}

func syncDir(string) {}
