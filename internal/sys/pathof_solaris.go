//go:build solaris || illumos

package sys

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// PathOf returns the path of the directory open on fd, as the kernel keeps
// it in /proc/self/path: for a journal, since a recovery in another process
// has only paths.
func PathOf(fd int) (string, error) {
	path := "/proc/self/path/" + strconv.Itoa(fd)
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlink(path, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}
