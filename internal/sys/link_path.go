//go:build solaris || aix

package sys

// Link makes to a second name of the file from, both in the directory open
// on dirfd. x/sys/unix has no linkat here: the link goes through the
// directory's path (linkByPath).
func Link(dirfd int, dir, from, to string) error {
	return linkByPath(dirfd, dir, from, to, PathOf, link)
}
