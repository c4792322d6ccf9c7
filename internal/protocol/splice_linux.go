package protocol

import (
	"os"

	"golang.org/x/sys/unix"
)

// spliceFrom moves everything src holds into the file fd with splice(2), if
// src is a pipe: the pages go from the pipe to the file without a copy
// through user space (os's own ReadFrom only splices from sockets). It
// reports whether it handled the copy; if not, nothing was read.
func spliceFrom(fd int, src *os.File) (int64, bool, error) {
	var st unix.Stat_t
	sc, err := src.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	var n int64
	handled := false
	var serr error
	cerr := sc.Read(func(sfd uintptr) bool {
		if unix.Fstat(int(sfd), &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
			return true
		}
		for {
			m, err := unix.Splice(int(sfd), nil, fd, nil, 1<<20, unix.SPLICE_F_MOVE|unix.SPLICE_F_MORE)
			switch {
			case err == unix.EINTR:
				continue
			case err == unix.EAGAIN:
				return false // wait until the pipe is readable, then go on
			case err == unix.EINVAL && !handled:
				return true // this pair cannot splice: the caller copies
			case err != nil:
				handled, serr = true, err
				return true
			case m == 0:
				handled = true
				return true
			}
			handled = true
			n += m
		}
	})
	if serr == nil && handled {
		serr = cerr
	}
	return n, handled, serr
}
