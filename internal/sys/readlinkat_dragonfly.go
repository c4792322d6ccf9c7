package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Readlinkat is readlinkat(2), which DragonFly has and x/sys/unix does
// not wrap there. dir is unused (see readlinkat_path.go).
func Readlinkat(dirfd int, dir, name string, buf []byte) (int, error) {
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return 0, err
	}
	var b unsafe.Pointer
	if len(buf) > 0 {
		b = unsafe.Pointer(&buf[0])
	}
	n, _, errno := unix.Syscall6(unix.SYS_READLINKAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(b), uintptr(len(buf)), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}
