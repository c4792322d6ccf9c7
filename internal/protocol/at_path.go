//go:build solaris || illumos || aix

package protocol

import (
	"golang.org/x/sys/unix"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
)

// x/sys/unix has no linkat here: it goes through the directory's path
// (resolve.PathOf), which the directory could be renamed away from in
// between; and where even that is missing (AIX), batches keep no backups
// (see docs/platforms.md).

// linkIn makes to a second name of from, both in the directory dirfd.
func linkIn(dirfd int, from, to string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, from, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err // ENOENT: a new target, which needs no backup
	}
	dir, err := resolve.PathOf(dirfd)
	if err != nil {
		return err
	}
	return link(dir+"/"+from, dir+"/"+to)
}
