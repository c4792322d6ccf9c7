//go:build solaris || aix

package sys

import "golang.org/x/sys/unix"

// Readlinkat reads the symlink name in the directory open on dirfd. x/sys/unix
// has no readlinkat here: the read goes through the directory's path, the
// kernel's or dir, the path the walk took to it (readlinkByPath;
// TestReadlinkByPath runs it on Linux).
func Readlinkat(dirfd int, dir, name string, buf []byte) (int, error) {
	return readlinkByPath(dirfd, dir, name, buf, PathOf, unix.Readlink)
}
