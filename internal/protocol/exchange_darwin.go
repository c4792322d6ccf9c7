package protocol

import "golang.org/x/sys/unix"

// canExchange reports whether the filesystem holding fd swaps two names in
// one step (renameatx_np RENAME_SWAP) and refuses to replace on request
// (RENAME_EXCL). As on Linux, the answer is asked beforehand, by filesystem
// type: a flag the filesystem lacks is reported only at the rename itself,
// past a batch's commit point. APFS has both; elsewhere (HFS+, network and
// FAT mounts) a batch keeps hard-link backups.
func canExchange(fd int) bool {
	var st unix.Statfs_t
	if unix.Fstatfs(fd, &st) != nil {
		return false
	}
	return unix.ByteSliceToString(st.Fstypename[:]) == "apfs"
}

// exchange swaps the names a and b in the directory dirfd.
func exchange(dirfd int, a, b string) error {
	return unix.RenameatxNp(dirfd, a, dirfd, b, unix.RENAME_SWAP)
}

// renameNoReplace renames from to to in dirfd, unless to exists.
func renameNoReplace(dirfd int, from, to string) error {
	return unix.RenameatxNp(dirfd, from, dirfd, to, unix.RENAME_EXCL)
}
