package testenv

import (
	"io/fs"
	"os"
	"testing"
)

// Symlink makes the symlink newname to oldname, or skips the test where
// none can be made: on Windows without the privilege to make links, and
// under wine, whose CreateSymbolicLinkW reports success and makes nothing.
func Symlink(t testing.TB, oldname, newname string) {
	t.Helper()
	if err := os.Symlink(oldname, newname); err != nil {
		if symlinksOptional {
			t.Skipf("no symlinks here: %v", err)
		}
		t.Fatal(err)
	}
	if fi, err := os.Lstat(newname); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Skipf("os.Symlink made no link (%v): wine cannot show this", err)
	}
}
