//go:build !atomicwrite_bsd

package sys

import "golang.org/x/sys/unix"

// DirTimesTell reports whether the filesystem holding fd gives a directory
// a new change time with each entry made, removed or renamed in it, and
// reports it to every stat as it is: a local filesystem's way, which a
// network or FUSE filesystem need not keep (attributes cached, times set
// by a server).
func DirTimesTell(fd int) bool {
	var st unix.Statfs_t
	if unix.Fstatfs(fd, &st) != nil {
		return false
	}
	switch uint32(st.Type) { // as in CanExchange
	case unix.EXT4_SUPER_MAGIC, unix.XFS_SUPER_MAGIC, unix.BTRFS_SUPER_MAGIC,
		unix.TMPFS_MAGIC, unix.F2FS_SUPER_MAGIC:
		return true
	}
	return false
}

// DirTimeNow returns the clock a directory's times are taken from, now, in
// nanoseconds: the kernel's coarse clock (CLOCK_REALTIME_COARSE), which
// lags the real time by a tick or more, and which a change made after
// this call stamps with this time or a later one.
func DirTimeNow() int64 {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_REALTIME_COARSE, &ts) != nil {
		return 0
	}
	return ts.Nano()
}
