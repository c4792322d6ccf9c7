package sys

import "golang.org/x/sys/unix"

// CanExchange reports whether the filesystem holding fd swaps two names in
// one step (renameatx_np RENAME_SWAP) and refuses to replace on request
// (RENAME_EXCL). As on Linux, the answer is asked beforehand, by filesystem
// type: a flag the filesystem lacks is reported only by the rename itself.
// APFS has both; HFS+, network and FAT mounts do not.
func CanExchange(fd int) bool {
	var st unix.Statfs_t
	if unix.Fstatfs(fd, &st) != nil {
		return false
	}
	return unix.ByteSliceToString(st.Fstypename[:]) == "apfs"
}

// Exchange swaps the names a and b in the directory dirfd.
func Exchange(dirfd int, a, b string) error {
	return unix.RenameatxNp(dirfd, a, dirfd, b, unix.RENAME_SWAP)
}

// RenameNoReplace renames from to to in dirfd, unless to exists (EEXIST).
// It fails with ENOTSUP or EINVAL where the filesystem cannot tell.
func RenameNoReplace(dirfd int, from, to string) error {
	return unix.RenameatxNp(dirfd, from, dirfd, to, unix.RENAME_EXCL)
}
