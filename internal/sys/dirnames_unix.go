//go:build unix

package sys

import (
	"io"

	"golang.org/x/sys/unix"
)

// ReadDirNames returns the names in the directory open on fd (but "." and
// ".."), read from fd's offset, which a fresh descriptor has at the start.
func ReadDirNames(fd int) ([]string, error) {
	var names []string
	buf := make([]byte, 4096)
	for {
		n, err := IgnoringEINTR(func() (int, error) { return unix.ReadDirent(fd, buf) })
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}

// Rewind sets the directory open on fd back to its start, for
// ReadDirNames to list it again.
func Rewind(fd int) error {
	_, err := unix.Seek(fd, 0, io.SeekStart)
	return err
}
