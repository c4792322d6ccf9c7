package sys

import "os"

// ReadDirNames returns the names in the directory open on fd (but "." and
// ".."), through a duplicate of the handle: fd stays the caller's. Each
// call lists from the start (the first query of a new os.File restarts
// the scan).
func ReadDirNames(fd int) ([]string, error) {
	dup, err := Dup(fd)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(dup), ".")
	defer f.Close()
	return f.Readdirnames(-1)
}

// Rewind does nothing: ReadDirNames lists from the start each time.
func Rewind(fd int) error { return nil }
