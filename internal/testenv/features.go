package testenv

import (
	"errors"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// SkipWithoutExchange skips the test where the filesystem of dir cannot
// swap two names, so that a batch keeps link backups instead.
func SkipWithoutExchange(t testing.TB, dir string) {
	t.Helper()
	if !onDir(t, dir, sys.CanExchange) {
		t.Skip("no exchange of two names here: a batch keeps link backups")
	}
}

// SkipWithKernelPaths skips the test where the system tells the path of
// an open directory (sys.PathOf): everywhere but the BSDs, AIX and Linux
// built with the atomicwrite_bsd personality.
func SkipWithKernelPaths(t testing.TB, dir string) {
	t.Helper()
	if onDir(t, dir, func(fd int) bool { _, err := sys.PathOf(fd); return !errors.Is(err, errors.ErrUnsupported) }) {
		t.Skip("the system tells a directory's path here")
	}
}

// onDir returns what f says of the directory dir, open.
func onDir(t testing.TB, dir string, f func(fd int) bool) bool {
	t.Helper()
	fd, err := sys.Open(dir, sys.O_RDONLY|sys.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(fd)
	return f(fd)
}
