//go:build unix && !dragonfly && !solaris && !aix

package sys

import "golang.org/x/sys/unix"

func Readlinkat(dirfd int, name string, buf []byte) (int, error) {
	return unix.Readlinkat(dirfd, name, buf)
}
