//go:build unix && !solaris && !aix

package sys

import "golang.org/x/sys/unix"

// Link makes to a second name of the file from, both in the directory open
// on dirfd. dir is a path that led to that directory when it was opened, or
// "": only systems without linkat need it (see link_path.go).
func Link(dirfd int, dir, from, to string) error {
	return unix.Linkat(dirfd, from, dirfd, to, 0)
}
