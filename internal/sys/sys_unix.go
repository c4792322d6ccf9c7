//go:build unix

package sys

import "golang.org/x/sys/unix"

// On Unix every name is x/sys/unix's own.

type Stat_t = unix.Stat_t

const (
	AT_FDCWD            = unix.AT_FDCWD
	AT_REMOVEDIR        = unix.AT_REMOVEDIR
	AT_SYMLINK_NOFOLLOW = unix.AT_SYMLINK_NOFOLLOW

	O_RDONLY    = unix.O_RDONLY
	O_WRONLY    = unix.O_WRONLY
	O_RDWR      = unix.O_RDWR
	O_CREAT     = unix.O_CREAT
	O_EXCL      = unix.O_EXCL
	O_NONBLOCK  = unix.O_NONBLOCK
	O_DIRECTORY = unix.O_DIRECTORY
	O_NOFOLLOW  = unix.O_NOFOLLOW
	O_CLOEXEC   = unix.O_CLOEXEC

	S_IFMT       = unix.S_IFMT
	S_IFREG      = unix.S_IFREG
	S_IFDIR      = unix.S_IFDIR
	S_IFLNK      = unix.S_IFLNK
	S_ISUID      = unix.S_ISUID
	S_ISGID      = unix.S_ISGID
	S_ISVTX      = unix.S_ISVTX
	S_IWOTH      = unix.S_IWOTH
	LOCK_SH      = unix.LOCK_SH
	LOCK_EX      = unix.LOCK_EX
	LOCK_NB      = unix.LOCK_NB
	LOCK_UN      = unix.LOCK_UN
	ENOENT       = unix.ENOENT
	EEXIST       = unix.EEXIST
	EINTR        = unix.EINTR
	EISDIR       = unix.EISDIR
	ENOTDIR      = unix.ENOTDIR
	ELOOP        = unix.ELOOP
	EPERM        = unix.EPERM
	EACCES       = unix.EACCES
	EINVAL       = unix.EINVAL
	ENOTSUP      = unix.ENOTSUP
	ENOTEMPTY    = unix.ENOTEMPTY
	EWOULDBLOCK  = unix.EWOULDBLOCK
	ENAMETOOLONG = unix.ENAMETOOLONG
	ENOSYS       = unix.ENOSYS
	EXDEV        = unix.EXDEV
)

func Open(path string, flags int, mode uint32) (int, error) { return unix.Open(path, flags, mode) }

func Openat(dirfd int, name string, flags int, mode uint32) (int, error) {
	return unix.Openat(dirfd, name, flags, mode)
}

func Close(fd int) error                  { return unix.Close(fd) }
func Dup(fd int) (int, error)             { return unix.Dup(fd) }
func CloseOnExec(fd int)                  { unix.CloseOnExec(fd) }
func Write(fd int, p []byte) (int, error) { return unix.Write(fd, p) }
func Read(fd int, p []byte) (int, error)  { return unix.Read(fd, p) }
func Ftruncate(fd int, size int64) error  { return unix.Ftruncate(fd, size) }
func Lstat(path string, st *Stat_t) error { return unix.Lstat(path, st) }

func Fstatat(dirfd int, name string, st *Stat_t, flags int) error {
	return unix.Fstatat(dirfd, name, st, flags)
}

// Links returns the number of names the file open on fd has.
func Links(fd int) (uint64, error) {
	var st Stat_t
	err := unix.Fstat(fd, &st)
	return uint64(st.Nlink), err
}

// UnlinkOpen removes name from dirfd, the name of the file open on fd,
// and reports whether that file keeps a name all the same: another
// process renamed or linked it (a name gone already is no success), which
// the descriptor tells.
func UnlinkOpen(dirfd int, name string, fd int) (kept bool, err error) {
	err = unix.Unlinkat(dirfd, name, 0)
	if err != nil && err != ENOENT {
		return false, err
	}
	n, err := Links(fd)
	return n > 0, err
}

func Fchmod(fd int, mode uint32) error                 { return unix.Fchmod(fd, mode) }
func Fchown(fd, uid, gid int) error                    { return unix.Fchown(fd, uid, gid) }
func Geteuid() int                                     { return unix.Geteuid() }
func Unlinkat(dirfd int, name string, flags int) error { return unix.Unlinkat(dirfd, name, flags) }

func Mkdirat(dirfd int, name string, mode uint32) error { return unix.Mkdirat(dirfd, name, mode) }

func Renameat(fromfd int, from string, tofd int, to string) error {
	return unix.Renameat(fromfd, from, tofd, to)
}

// LockDir takes the shared or the exclusive flock of the directory open on
// fd, without waiting (EWOULDBLOCK if another holds it), and returns -1:
// the lock is fd's own, let go when fd is closed.
func LockDir(fd int, exclusive bool) (int, error) {
	how := LOCK_SH
	if exclusive {
		how = LOCK_EX
	}
	return -1, Flock(fd, how|LOCK_NB)
}
