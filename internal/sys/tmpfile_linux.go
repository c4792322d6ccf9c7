//go:build !atomicwrite_bsd

package sys

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// OpenUnnamed creates a file with no name in the directory dirfd
// (O_TMPFILE), open for writing. Until it is linked, a crash leaves nothing
// behind: the kernel frees an inode that no name refers to. It fails with
// ENOTSUP where the filesystem or kernel has no O_TMPFILE.
func OpenUnnamed(dirfd int, perm uint32) (int, error) {
	fd, err := IgnoringEINTR(func() (int, error) {
		return unix.Openat(dirfd, ".", unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, perm)
	})
	switch err {
	case unix.EOPNOTSUPP, unix.EISDIR, unix.EINVAL:
		return -1, ENOTSUP
	}
	return fd, err
}

// LinkUnnamed gives the unnamed file open on fd the name name in dirfd.
// The /proc link needs no privilege; AT_EMPTY_PATH, the fallback where
// /proc is not mounted, needs CAP_DAC_READ_SEARCH.
func LinkUnnamed(fd, dirfd int, name string) error {
	err := unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), dirfd, name, unix.AT_SYMLINK_FOLLOW)
	if err == unix.ENOENT {
		err = unix.Linkat(fd, "", dirfd, name, unix.AT_EMPTY_PATH)
	}
	return err
}
