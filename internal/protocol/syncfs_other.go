//go:build unix && !linux

package protocol

// syncfs is Linux's: elsewhere batches always sync file by file.
const haveSyncfs = false

func syncfs(fd int) error { return syncFD(fd) }
