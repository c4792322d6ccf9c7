//go:build windows

package atomic_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	aw "github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// The Windows contract, run as a Windows binary (under wine in CI): what
// Windows adds to the Unix tests, and what it does differently.

// Replacing a file that readers open, read and close in a loop (as
// testenv.ReadFile does), from goroutines and from another process: os.Open on Windows does not share
// delete, so a rename over the file fails while a reader holds it. Each
// write goes through by trying again (sys.Renameat), and the readers only
// ever see a whole version.
func TestWindowsReplaceWhileRead(t *testing.T) {
	dir := testenv.TempDir(t)
	path := filepath.Join(dir, "target")
	if err := aw.WriteFile(path, testenv.Payload(0, 0)); err != nil {
		t.Fatal(err)
	}
	const readFor = 3 * time.Second
	child := testenv.Child(t, "reader", path, strconv.Itoa(int(readFor/time.Millisecond)))
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	var reads atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { reads.Add(int64(testenv.ReadUntil(t, path, stop))) })
	}
	writes := 0
	for end := time.Now().Add(readFor); time.Now().Before(end); writes++ {
		if err := aw.WriteFile(path, testenv.Payload(0, writes+1)); err != nil {
			t.Errorf("write %d: %v", writes+1, err)
			break
		}
	}
	close(stop)
	wg.Wait()
	report, _ := readAll(out)
	if err := child.Wait(); err != nil {
		t.Errorf("reader process: %v", err)
	}
	t.Logf("%d writes; %d reads in goroutines; reader process: %s", writes, reads.Load(), report)
	if writes < 2 || reads.Load() == 0 {
		t.Errorf("%d writes and %d reads: the two did not overlap", writes, reads.Load())
	}
	testenv.DirHolds(t, dir, "target")
}

func readAll(r interface{ Read([]byte) (int, error) }) (string, error) {
	var b []byte
	buf := make([]byte, 512)
	for {
		n, err := r.Read(buf)
		b = append(b, buf[:n]...)
		if err != nil {
			return string(b), err
		}
	}
}

// A target held open without sharing delete for longer than the retries
// last: the write fails with an error that names the path, and the old
// content stays, with no temp left.
func TestWindowsHeldTargetFails(t *testing.T) {
	dir := testenv.TempDir(t)
	path := filepath.Join(dir, "target")
	testenv.WriteFile(t, path, []byte("old"), 0o644)
	f, err := os.Open(path) // shares read and write, not delete
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = aw.WriteFile(path, []byte("new"))
	waited := time.Since(start)
	f.Close()
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != path || !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("write over a held target: %v, want an *fs.PathError for %s matching fs.ErrPermission", err, path)
	}
	if waited < time.Second {
		t.Errorf("failed after %v: the rename was not tried again", waited)
	}
	testenv.FileHolds(t, path, []byte("old"))
	testenv.DirHolds(t, dir, "target")
}

// Another process holds the target's directory locked as Recover locks it
// (share modes, sys.LockDir) and does not let go: a writer waits for the
// lock 2 s at most, then writes without it.
func TestWindowsLockedDirectoryDoesNotStopWriters(t *testing.T) {
	dir := testenv.TempDir(t)
	holder := testenv.Child(t, "lock-dir", dir)
	stdin := testenv.StartReady(t, holder, "locked")
	start := time.Now()
	err := aw.WriteString(filepath.Join(dir, "target"), "new")
	waited := time.Since(start)
	// Listed once the holder is gone: Go's os.Open of a directory does not
	// share delete, which the exclusive lock refuses.
	stdin.Close()
	if werr := holder.Wait(); werr != nil {
		t.Fatalf("holder: %v", werr)
	}
	if err != nil {
		t.Fatalf("write under a held lock: %v", err)
	}
	if waited < time.Second {
		t.Errorf("the write did not wait for the lock (%v): it was not held", waited)
	}
	testenv.FileHolds(t, filepath.Join(dir, "target"), []byte("new"))
	testenv.DirHolds(t, dir, "target")
}

// Modes: the owner's write bit is the read-only attribute. A read-only
// target is replaced (as on Unix, where a rename ignores the target's
// mode), and keeps being read-only unless the write asks for another mode.
func TestWindowsModes(t *testing.T) {
	dir := testenv.TempDir(t)
	path := filepath.Join(dir, "f")
	steps := []struct {
		data     string
		opts     []aw.Option
		readOnly bool
	}{
		{"a", nil, false},
		{"b", []aw.Option{aw.WithMode(0o444)}, true},
		{"c", nil, true}, // the target's mode is kept
		{"d", []aw.Option{aw.WithMode(0o644)}, false},
		{"e", []aw.Option{aw.WithPerm(0o400)}, false}, // WithPerm keeps an existing file's mode
	}
	for i, s := range steps {
		if err := aw.WriteString(path, s.data, s.opts...); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		testenv.FileHolds(t, path, []byte(s.data))
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm()&0o200 == 0; got != s.readOnly {
			t.Errorf("step %d: mode %v, want read-only %v", i, fi.Mode(), s.readOnly)
		}
	}
	testenv.DirHolds(t, dir, "f")
}

// Errors are *fs.PathError naming the caller's path, and errors.Is
// matches the fs errors.
func TestWindowsErrors(t *testing.T) {
	dir := testenv.TempDir(t)
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path string
		opts []aw.Option
		want error
	}{
		{filepath.Join(dir, "missing", "f"), nil, fs.ErrNotExist},
		{sub, nil, nil}, // a directory: any error, naming it
		{filepath.Join(dir, "new"), []aw.Option{aw.WithNoReplace()}, nil},
		{filepath.Join(dir, "new"), []aw.Option{aw.WithNoReplace()}, fs.ErrExist},
	}
	for i, c := range cases {
		err := aw.WriteString(c.path, "x", c.opts...)
		switch {
		case i == 2:
			if err != nil {
				t.Errorf("create-only write of a new file: %v", err)
			}
			continue
		case err == nil:
			t.Errorf("%s: no error", c.path)
			continue
		}
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Path != c.path {
			t.Errorf("%s: %v, want an *fs.PathError naming it", c.path, err)
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.path, err, c.want)
		}
	}
	testenv.DirHolds(t, dir, "new", "sub")
	testenv.DirHolds(t, sub)
}

// A symlink target is written through: the link stays, the file it names
// gets the content (skipped where no link can be made: see
// testenv.Symlink).
func TestWindowsSymlinkWrittenThrough(t *testing.T) {
	dir := testenv.TempDir(t)
	real := filepath.Join(dir, "real")
	testenv.WriteFile(t, real, []byte("old"), 0o644)
	link := filepath.Join(dir, "link")
	testenv.Symlink(t, real, link)
	if err := aw.WriteString(link, "new"); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, real, []byte("new"))
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link is now %v (%v)", fi.Mode(), err)
	}
	testenv.DirHolds(t, dir, "link", "real")
}

// Missing directories are made, and removed again if the write does not
// commit.
func TestWindowsMkdirAll(t *testing.T) {
	dir := testenv.TempDir(t)
	path := filepath.Join(dir, "a", "b", "f")
	f, err := aw.Create(path, aw.WithMkdirAll(0o755))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("x")
	f.Close()
	testenv.DirHolds(t, dir)
	if err := aw.WriteString(path, "x", aw.WithMkdirAll(0o755)); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, path, []byte("x"))
	testenv.DirHolds(t, dir, "a")
	testenv.DirHolds(t, filepath.Join(dir, "a"), "b")
	testenv.DirHolds(t, filepath.Join(dir, "a", "b"), "f")
}
