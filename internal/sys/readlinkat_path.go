//go:build solaris || aix

package sys

import "golang.org/x/sys/unix"

// x/sys/unix has no readlinkat here: it goes through the directory's path
// (PathOf), which the directory could be renamed away from in between; and
// where even that is missing (AIX), links are not followed (see
// docs/platforms.md).
func Readlinkat(dirfd int, name string, buf []byte) (int, error) {
	dir, err := PathOf(dirfd)
	if err != nil {
		return 0, err
	}
	return unix.Readlink(dir+"/"+name, buf)
}
