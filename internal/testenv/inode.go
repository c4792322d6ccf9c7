package testenv

import (
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// Inode returns the inode number (on Windows, the file index) of path
// itself, as the library reads it.
func Inode(t testing.TB, path string) uint64 {
	t.Helper()
	var st sys.Stat_t
	if err := sys.Lstat(path, &st); err != nil {
		t.Fatal(err)
	}
	return uint64(st.Ino)
}

// Device returns the device number (on Windows, the volume serial number)
// of path itself, as the library reads it.
func Device(t testing.TB, path string) uint64 {
	t.Helper()
	var st sys.Stat_t
	if err := sys.Lstat(path, &st); err != nil {
		t.Fatal(err)
	}
	return uint64(st.Dev)
}
