package sys

import "golang.org/x/sys/unix"

// O_PATH opens a file for lookups, fstat and readlinkat only: it needs no
// permission on the file itself.
const O_PATH = unix.O_PATH

// Fstat is fstatat on the descriptor itself (AT_EMPTY_PATH): the one system
// call that stats a name too, so that a version read through a descriptor
// and one read through a name (see protocol.Version) agree even where a
// layer translates the two calls differently (qemu-user's s390x fstat
// drops the nanoseconds of the times).
func Fstat(fd int, st *Stat_t) error {
	return unix.Fstatat(fd, "", st, unix.AT_EMPTY_PATH)
}
