package sys

import (
	"os"

	"golang.org/x/sys/windows"
)

// ReadDirNames returns the names in the directory open on fd (but "." and
// ".."), through a duplicate of the handle: fd stays the caller's.
func ReadDirNames(fd int) ([]string, error) {
	dup, err := Dup(fd)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(dup), ".")
	defer f.Close()
	return f.Readdirnames(-1)
}

// Rewind fails: a handle on a directory, listed once, does not list it
// again from its start under wine, so no one lists one twice here (see
// the protocol's holdsDirs).
func Rewind(fd int) error { return windows.ERROR_NOT_SUPPORTED }
