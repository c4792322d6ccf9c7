//go:build solaris || illumos

package protocol

import (
	"strconv"

	"golang.org/x/sys/unix"
)

func link(from, to string) error { return unix.Link(from, to) }

func flock(fd, how int) error { return unix.Flock(fd, how) }

// dirPath returns the path of the directory open on fd, as the kernel
// keeps it in /proc/self/path.
func dirPath(fd int) (string, error) {
	return readlinkPath("/proc/self/path/" + strconv.Itoa(fd))
}

func readlinkPath(path string) (string, error) {
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
