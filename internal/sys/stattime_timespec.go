//go:build unix && !aix

package sys

import "golang.org/x/sys/unix"

// StatTimes returns a file's modification and change times, in nanoseconds.
func StatTimes(st *Stat_t) (mtime, ctime int64) {
	return unix.TimespecToNsec(st.Mtim), unix.TimespecToNsec(st.Ctim)
}
