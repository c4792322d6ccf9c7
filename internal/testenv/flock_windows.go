package testenv

import (
	"os"
	"testing"

	"golang.org/x/sys/windows"
)

// Flock takes a lock on f, shared or exclusive, as the library takes it
// (LockFileEx, on a byte past any end of file). The library locks a
// directory by share modes (sys.LockDir), not on a handle like f: the
// test is skipped.
func Flock(t testing.TB, f *os.File, exclusive bool) {
	t.Helper()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		t.Skip("a directory is locked by share modes on Windows, not by LockFileEx")
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
