package sys

import (
	"encoding/binary"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// From FreeBSD's <fcntl.h> and <sys/user.h> (x/sys has neither): fcntl's
// F_KINFO (FreeBSD 13.1 and later) fills a struct kinfo_file, of the size
// its first field gives, whose last field is kf_path[PATH_MAX].
const (
	fKinfo        = 22
	kinfoFileSize = 1392
	kinfoPathAt   = kinfoFileSize - 1024
)

// kernelPath asks the kernel for the path of the file open on fd
// (F_KINFO).
func kernelPath(fd int) (string, error) {
	var kf [kinfoFileSize / 8]uint64 // aligned as the struct is
	b := unsafe.Slice((*byte)(unsafe.Pointer(&kf[0])), kinfoFileSize)
	binary.NativeEndian.PutUint32(b, kinfoFileSize) // kf_structsize
	_, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), fKinfo, uintptr(unsafe.Pointer(&kf[0])))
	if errno != 0 {
		return "", errno
	}
	return unix.ByteSliceToString(b[kinfoPathAt:]), nil
}
