//go:build unix && !aix

package testenv

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// Flock takes a flock on f (a directory, say), shared or exclusive, as
// another process holding it would.
func Flock(t testing.TB, f *os.File, exclusive bool) {
	t.Helper()
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		t.Fatal(err)
	}
}

// LockDir flocks the directory dir, shared or exclusive, as the library
// locks it, until the test ends.
func LockDir(t testing.TB, dir string, exclusive bool) {
	t.Helper()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	Flock(t, f, exclusive)
}
