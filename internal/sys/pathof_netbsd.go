package sys

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fGetpath is fcntl's F_GETPATH, from NetBSD's <fcntl.h> (NetBSD 10 and
// later; x/sys does not have it), which fills a buffer of MAXPATHLEN.
const fGetpath = 15

// kernelPath asks the kernel for the path of the file open on fd
// (F_GETPATH).
func kernelPath(fd int) (string, error) {
	buf := make([]byte, unix.PathMax)
	_, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), fGetpath, uintptr(unsafe.Pointer(&buf[0])))
	if errno != 0 {
		return "", errno
	}
	return unix.ByteSliceToString(buf), nil
}
