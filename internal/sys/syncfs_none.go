//go:build !linux || atomicwrite_bsd

package sys

// syncfs is Linux's: elsewhere HaveSyncfs is false, and Syncfs is Fsync.

func HaveSyncfs() bool { return false }

func Syncfs(fd int) error { return Fsync(fd) }
