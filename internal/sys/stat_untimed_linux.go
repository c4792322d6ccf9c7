package sys

import "golang.org/x/sys/unix"

// statxUntimed is what FstatatUntimed asks statx for: everything of a
// Stat_t the protocol reads but the times.
const statxUntimed = unix.STATX_TYPE | unix.STATX_MODE | unix.STATX_NLINK | unix.STATX_UID | unix.STATX_GID | unix.STATX_INO | unix.STATX_SIZE

// FstatatUntimed is Fstatat without the file's times: it fills the
// device, inode number, mode, link count, owner and size, and leaves the
// rest zero (where statx is refused, it is Fstatat itself). Since Linux
// 6.13 a file whose change or modification time was read takes a
// fine-grained time at its next change (multigrain timestamps), and on
// ext4 and xfs a temp statted with its times between its write and its
// fchmod makes a single write about 45 µs slower: whatever the protocol
// stats and then changes (a target, a temp, a journal, a mark, a
// directory it adds names to or renames in) is statted with this, or with
// LstatUntimed.
func FstatatUntimed(dirfd int, name string, st *Stat_t, flags int) error {
	var sx unix.Statx_t
	err := unix.Statx(dirfd, name, flags|unix.AT_STATX_SYNC_AS_STAT, statxUntimed, &sx)
	if err == unix.ENOSYS || err == unix.EPERM {
		// Before Linux 4.11, or a seccomp filter that does not know statx.
		return Fstatat(dirfd, name, st, flags)
	}
	if err != nil {
		return err
	}
	*st = Stat_t{Ino: sx.Ino, Mode: uint32(sx.Mode), Uid: sx.Uid, Gid: sx.Gid, Size: int64(sx.Size)}
	// Of a type that differs between architectures (mips: a 32-bit Dev).
	setUint(&st.Dev, unix.Mkdev(sx.Dev_major, sx.Dev_minor))
	setUint(&st.Nlink, uint64(sx.Nlink))
	return nil
}

// FstatUntimed is FstatatUntimed on the descriptor itself.
func FstatUntimed(fd int, st *Stat_t) error {
	return FstatatUntimed(fd, "", st, unix.AT_EMPTY_PATH)
}

// LstatUntimed is Lstat without the file's times (see FstatatUntimed).
func LstatUntimed(path string, st *Stat_t) error {
	return FstatatUntimed(unix.AT_FDCWD, path, st, unix.AT_SYMLINK_NOFOLLOW)
}

func setUint[T ~uint32 | ~uint64](dst *T, v uint64) { *dst = T(v) }
