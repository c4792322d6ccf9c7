//go:build unix && !solaris && !aix

package sys

import "golang.org/x/sys/unix"

func Linkat(fromfd int, from string, tofd int, to string, flags int) error {
	return unix.Linkat(fromfd, from, tofd, to, flags)
}
