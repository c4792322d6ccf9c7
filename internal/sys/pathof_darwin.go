package sys

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PathOf returns the path of the directory open on fd, as the kernel knows
// it now: for a journal, since a recovery in another process has only
// paths.
func PathOf(fd int) (string, error) {
	buf := make([]byte, unix.PathMax)
	_, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETPATH, uintptr(unsafe.Pointer(&buf[0])))
	if errno != 0 {
		return "", errno
	}
	return unix.ByteSliceToString(buf), nil
}
