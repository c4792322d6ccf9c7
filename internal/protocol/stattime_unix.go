//go:build unix && !aix

package protocol

import "golang.org/x/sys/unix"

// statTimes returns a file's modification and change times, in nanoseconds.
func statTimes(st *unix.Stat_t) (mtime, ctime int64) {
	return unix.TimespecToNsec(st.Mtim), unix.TimespecToNsec(st.Ctim)
}
