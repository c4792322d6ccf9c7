//go:build !atomicwrite_bsd

package sys

import (
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// HaveSyncfs reports whether Syncfs reports the write-back errors of the
// files it flushes: only since Linux 5.8 does it, and before, a failed
// write-back would go unseen. Asked once.
var HaveSyncfs = sync.OnceValue(func() bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	return kernelAtLeast(unix.ByteSliceToString(u.Release[:]), 5, 8)
})

// kernelAtLeast reports whether the kernel release (uname -r) is at least
// major.minor.
func kernelAtLeast(release string, major, minor int) bool {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return false
	}
	maj, err1 := strconv.Atoi(parts[0])
	digits := parts[1]
	if i := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		digits = digits[:i]
	}
	min, err2 := strconv.Atoi(digits)
	if err1 != nil || err2 != nil {
		return false
	}
	return maj > major || maj == major && min >= minor
}

// Syncfs flushes the whole filesystem that holds fd, and reports write-back
// errors of any file there since fd was opened.
func Syncfs(fd int) error {
	_, err := IgnoringEINTR(func() (struct{}, error) { return struct{}{}, unix.Syncfs(fd) })
	return err
}
