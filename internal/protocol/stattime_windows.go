package protocol

import "github.com/atomicwrite/atomicwrite/internal/sys"

// statTimes returns a file's modification and change times, in nanoseconds.
func statTimes(st *sys.Stat_t) (mtime, ctime int64) { return st.Mtim, st.Ctim }
