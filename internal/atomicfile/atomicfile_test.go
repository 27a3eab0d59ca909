package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.yaml")
	for _, content := range []string{"one", "two", "two"} {
		if err := WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("content = %q, %v; want %q", got, err, content)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	if err := WriteFile(filepath.Join(dir, "missing", "x"), []byte("x"), 0o644); err == nil {
		t.Error("write into a missing directory succeeded")
	}
}

// A failing writer leaves the old file intact and no temporary file behind.
func TestWriteFailureKeepsOldContent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "img.png")
	if err := WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, 0o600, func(w io.Writer) error {
		if _, err := w.Write([]byte("half")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("content = %q, want old", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

// Replacing a 2 GiB file reads none of it: the write allocates a few KiB,
// whatever the size of the file it replaces.
func TestTargetNeverRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil { // sparse
		t.Skip("truncate:", err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := WriteFile(path, []byte("small"), 0o644); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Errorf("replacing a 2 GiB file allocated %d bytes", n)
	}
	if got, _ := os.ReadFile(path); string(got) != "small" {
		t.Errorf("content = %q", got)
	}
}

// A symbolic link at the target is replaced; the file it pointed to is left.
func TestSymlinkReplaced(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.png")
	os.WriteFile(real, []byte("real"), 0o644)
	link := filepath.Join(dir, "link.png")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("symlink:", err)
	}
	if err := WriteFile(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(real); string(got) != "real" {
		t.Errorf("the link's target was written: %q", got)
	}
	if fi, _ := os.Lstat(link); !fi.Mode().IsRegular() {
		t.Error("the link was not replaced by a file")
	}
}

// RemoveStale removes the temporary files of killed writes, including one
// killed a moment ago where files can be locked, and nothing else: not a
// write under way, not other dot files.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * unlockedGrace)
	mk := func(name string, age time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, age, age)
		return p
	}
	killed := mk(".img.png.tmp-0123456789abcdef", old)
	legacy := mk(".img.png.tmp1234567", old)
	fresh := mk(".b.png.tmp-00000000000000ff", time.Now())
	mk(".gitignore", old)
	mk(".notes.tmp", old)
	mk("img.png", old)

	// A write under way: its temporary file is locked while open.
	live, err := createTemp(filepath.Join(dir, "c.png"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	os.Chtimes(live.Name(), old, old)

	n, err := RemoveStale(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	gone := []string{filepath.Base(killed), filepath.Base(legacy)}
	keep := []string{".gitignore", ".notes.tmp", "img.png"}
	if lockable() {
		// The lock tells a live write from a dead one, whatever their age.
		gone = append(gone, filepath.Base(fresh))
		keep = append(keep, filepath.Base(live.Name()))
	} else {
		// Without locks, only age does: the old "live" file is taken.
		gone = append(gone, filepath.Base(live.Name()))
		keep = append(keep, filepath.Base(fresh))
	}
	for _, g := range gone {
		if slices.Contains(left, g) {
			t.Errorf("%s was not removed", g)
		}
	}
	for _, k := range keep {
		if !slices.Contains(left, k) {
			t.Errorf("%s was removed", k)
		}
	}
	if n != len(gone) {
		t.Errorf("removed %d files, want %d (left %v)", n, len(gone), left)
	}
}

// A writer whose new temporary file a cleaner took before the writer
// locked it does not write into it: claim fails, and createTemp takes
// another name.
func TestClaim(t *testing.T) {
	dir := t.TempDir()
	f, err := createTemp(filepath.Join(dir, "a.png"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !claim(f, f.Name()) {
		t.Fatal("a writer cannot claim its own locked file")
	}
	// taken creates a temporary file, unlocked, and removes it from its
	// name, as a cleaner would before its writer locks it.
	taken := func(name string) *os.File {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		os.Remove(f.Name())
		return f
	}
	// Removed before the lock: not the file at the name.
	if g := taken(".b.png.tmp-00000000000000aa"); claim(g, g.Name()) {
		t.Error("claimed a file that is no longer at its name")
	}
	// Replaced at the name by another file.
	h := taken(".c.png.tmp-00000000000000bb")
	os.WriteFile(h.Name(), []byte("other"), 0o644)
	if claim(h, h.Name()) {
		t.Error("claimed a name that leads to another file")
	}
}

func lockable() bool {
	switch runtime.GOOS {
	case "linux", "darwin", "freebsd", "netbsd", "openbsd", "dragonfly":
		return true
	}
	return false
}

func TestPending(t *testing.T) {
	dir := t.TempDir()
	p, err := NewPending(dir, "image", 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || !isTemp(entries[0].Name()) || entries[0].Name()[:7] != ".image." {
		t.Fatalf("while pending: %v (a temporary file RemoveStale knows)", entries)
	}
	path := filepath.Join(dir, "out.png")
	if err := p.Commit(path); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "hello" {
		t.Fatalf("content %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("after commit: %v", entries)
	}
	if _, err := p.Write([]byte("x")); !errors.Is(err, ErrPendingDone) {
		t.Errorf("write after commit: %v", err)
	}
	p.Abort() // does nothing now
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}

	// Abort leaves nothing; a commit elsewhere fails and leaves nothing.
	p, _ = NewPending(dir, "image", 0o644)
	p.Write([]byte("x"))
	p.Abort()
	p2, _ := NewPending(dir, "image", 0o644)
	if err := p2.Commit(filepath.Join(t.TempDir(), "x")); err == nil {
		t.Error("commit into another directory succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
}
