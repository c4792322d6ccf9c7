//go:build unix && !darwin

package sys

import "golang.org/x/sys/unix"

// Fsync flushes a file's or directory's data and metadata to the device.
func Fsync(fd int) error {
	_, err := IgnoringEINTR(func() (struct{}, error) { return struct{}{}, unix.Fsync(fd) })
	return err
}

// FsyncBarrier is Fsync: only macOS has a cheaper barrier (see
// fsync_darwin.go).
func FsyncBarrier(fd int) error { return Fsync(fd) }
