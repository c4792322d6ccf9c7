package testenv

import (
	"os"
	"testing"
)

// Flock skips the test: AIX has no flock.
func Flock(t testing.TB, f *os.File, exclusive bool) {
	t.Helper()
	t.Skip("no flock on AIX")
}

// LockDir skips the test: AIX has no flock.
func LockDir(t testing.TB, dir string, exclusive bool) {
	t.Helper()
	t.Skip("no flock on AIX")
}
