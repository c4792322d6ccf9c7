//go:build unix && !solaris && !illumos && !aix

package protocol

import "golang.org/x/sys/unix"

// linkIn makes to a second name of from, both in the directory dirfd.
func linkIn(dirfd int, from, to string) error {
	return unix.Linkat(dirfd, from, dirfd, to, 0)
}

func flock(fd, how int) error { return unix.Flock(fd, how) }
