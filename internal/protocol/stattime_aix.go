package protocol

import "golang.org/x/sys/unix"

// statTimes returns a file's modification and change times, in nanoseconds.
func statTimes(st *unix.Stat_t) (mtime, ctime int64) {
	return int64(st.Mtim.Sec)*1e9 + int64(st.Mtim.Nsec), int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec)
}
