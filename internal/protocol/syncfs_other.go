//go:build unix && !linux

package protocol

// haveSyncfs is false: syncfs is Linux's, and elsewhere batches sync file
// by file.
func haveSyncfs() bool { return false }

func syncfs(fd int) error { return syncFD(fd) }

// sealKeepsOpen is false: a batch's temps are closed when sealed (see
// BatchSealMode).
const sealKeepsOpen = false
