//go:build unix && !dragonfly && !solaris && !illumos && !aix

package resolve

import "golang.org/x/sys/unix"

func readlinkatBuf(dirfd int, name string, buf []byte) (int, error) {
	return unix.Readlinkat(dirfd, name, buf)
}
