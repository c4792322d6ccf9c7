package protocol

import "golang.org/x/sys/unix"

// canExchange reports whether the filesystem holding fd swaps two names in
// one step (renameat2 RENAME_EXCHANGE) and refuses to replace on request
// (RENAME_NOREPLACE). Support is the filesystem's, and an unsupported flag
// is only reported once a rename is under way, past a batch's commit point:
// so the batch asks beforehand, by filesystem type, and keeps hard-link
// backups wherever the answer is not known.
func canExchange(fd int) bool {
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

// exchange swaps the names a and b in the directory dirfd.
func exchange(dirfd int, a, b string) error {
	return unix.Renameat2(dirfd, a, dirfd, b, unix.RENAME_EXCHANGE)
}

// renameNoReplace renames from to to in dirfd, unless to exists.
func renameNoReplace(dirfd int, from, to string) error {
	return unix.Renameat2(dirfd, from, dirfd, to, unix.RENAME_NOREPLACE)
}
