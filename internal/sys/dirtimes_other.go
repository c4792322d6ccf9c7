//go:build !linux || atomicwrite_bsd

package sys

// DirTimesTell reports false: only Linux is asked which filesystem holds a
// directory, for the change times of its directories (dirtimes_linux.go).
func DirTimesTell(fd int) bool { return false }

// DirTimeNow returns 0: no directory's times are told (DirTimesTell).
func DirTimeNow() int64 { return 0 }
