//go:build solaris || illumos || aix

package protocol

import "golang.org/x/sys/unix"

// x/sys/unix has no linkat or readlinkat here: both go through the
// directory's path (dirPath), which the directory could be renamed away
// from in between; and where even that is missing (AIX), links are not
// followed and batches keep no backups (see docs/platforms.md).

// linkIn makes to a second name of from, both in the directory dirfd.
func linkIn(dirfd int, from, to string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, from, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err // ENOENT: a new target, which needs no backup
	}
	dir, err := dirPath(dirfd)
	if err != nil {
		return err
	}
	return link(dir+"/"+from, dir+"/"+to)
}

func readlinkatBuf(dirfd int, name string, buf []byte) (int, error) {
	dir, err := dirPath(dirfd)
	if err != nil {
		return 0, err
	}
	return unix.Readlink(dir+"/"+name, buf)
}
