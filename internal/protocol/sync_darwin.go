package protocol

import "golang.org/x/sys/unix"

// syncFD flushes a file's or directory's data and metadata to the device.
//
// On macOS a plain fsync only hands the data to the drive, whose cache may
// still lose it on power loss; F_FULLFSYNC asks the drive to flush too.
// Filesystems that do not support it (some network and FAT mounts) answer
// ENOTSUP, and there fsync is the best on offer.
func syncFD(fd int) error {
	for {
		_, err := unix.FcntlInt(uintptr(fd), unix.F_FULLFSYNC, 0)
		switch err {
		case unix.EINTR:
			continue
		case unix.ENOTSUP, unix.ENOTTY, unix.EINVAL:
			return unix.Fsync(fd)
		}
		return err
	}
}
