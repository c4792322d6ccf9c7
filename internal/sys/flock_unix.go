//go:build unix && !aix

package sys

import "golang.org/x/sys/unix"

// FlocksDirs is true: a directory takes a flock as a file does.
const FlocksDirs = true

// Flock takes or releases (how) the advisory lock of the file open on fd.
func Flock(fd, how int) error {
	_, err := IgnoringEINTR(func() (struct{}, error) { return struct{}{}, unix.Flock(fd, how) })
	return err
}
