//go:build unix && !dragonfly && !solaris && !aix

package sys

import "golang.org/x/sys/unix"

// Readlinkat reads the symlink name in the directory open on dirfd. dir,
// the path that led to the directory, serves only where there is no
// readlinkat (see readlinkat_path.go).
func Readlinkat(dirfd int, dir, name string, buf []byte) (int, error) {
	return unix.Readlinkat(dirfd, name, buf)
}
