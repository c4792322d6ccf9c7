package sys

// StatTimes returns a file's modification and change times, in nanoseconds.
func StatTimes(st *Stat_t) (mtime, ctime int64) {
	return int64(st.Mtim.Sec)*1e9 + int64(st.Mtim.Nsec), int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec)
}
