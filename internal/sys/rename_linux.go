//go:build !atomicwrite_bsd

package sys

import "golang.org/x/sys/unix"

// CanExchange reports whether the filesystem holding fd swaps two names in
// one step (renameat2 RENAME_EXCHANGE) and refuses to replace on request
// (RENAME_NOREPLACE). Support is the filesystem's, and an unsupported flag
// is reported only by the rename itself: a caller that cannot fall back
// then asks beforehand, by filesystem type.
func CanExchange(fd int) bool {
	var st unix.Statfs_t
	if unix.Fstatfs(fd, &st) != nil {
		return false
	}
	// uint32: f_type is 32 bits wide on 32-bit platforms, and the magic
	// numbers fit in 32 bits.
	switch uint32(st.Type) {
	case unix.EXT4_SUPER_MAGIC, unix.XFS_SUPER_MAGIC, unix.BTRFS_SUPER_MAGIC,
		unix.TMPFS_MAGIC, unix.F2FS_SUPER_MAGIC:
		return true
	}
	return false
}

// Exchange swaps the names a and b in the directory dirfd.
func Exchange(dirfd int, a, b string) error {
	return unix.Renameat2(dirfd, a, dirfd, b, unix.RENAME_EXCHANGE)
}

// RenameNoReplace renames from to to in dirfd, unless to exists (EEXIST).
// It fails with ENOTSUP or EINVAL where the filesystem cannot tell.
func RenameNoReplace(dirfd int, from, to string) error {
	return unix.Renameat2(dirfd, from, dirfd, to, unix.RENAME_NOREPLACE)
}
