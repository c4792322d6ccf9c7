//go:build (unix && !linux && !darwin) || windows

package protocol

// fsid gives no filesystem ID here, where batches keep no journal.
func fsid(fd int) uint64 { return 0 }
