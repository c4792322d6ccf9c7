package testenv

import (
	"os"
	"testing"

	"golang.org/x/sys/windows"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// Flock takes a lock on the file f, shared or exclusive, as the library
// takes it (LockFileEx, on a byte past any end of file). A directory is
// locked by LockDir.
func Flock(t testing.TB, f *os.File, exclusive bool) {
	t.Helper()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		t.Fatal("testenv.Flock of a directory: use LockDir")
	}
	var flags uint32
	if exclusive {
		flags = windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	ol := windows.Overlapped{Offset: 0xfffffffe, OffsetHigh: 0x7fffffff}
	if err := windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, &ol); err != nil {
		t.Fatal(err)
	}
}

// LockDir locks the directory dir, shared or exclusive, as the library
// locks it (a handle whose share mode stands for the lock: sys.LockDir),
// until the test ends. The handle it locks through shares everything, as
// the library's do: os.Open's, which does not share delete, would itself
// keep the exclusive lock away.
func LockDir(t testing.TB, dir string, exclusive bool) {
	t.Helper()
	fd, err := sys.Open(dir, sys.O_RDONLY|sys.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(fd)
	held, err := sys.LockDir(fd, exclusive)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sys.Close(held) })
}
