//go:build unix && !darwin

package protocol

import "golang.org/x/sys/unix"

// syncFD flushes a file's or directory's data and metadata to the device.
func syncFD(fd int) error {
	for {
		err := unix.Fsync(fd)
		if err != unix.EINTR {
			return err
		}
	}
}

// syncBarrier is syncFD: only macOS has a cheaper barrier (see
// sync_darwin.go).
func syncBarrier(fd int) error { return syncFD(fd) }
