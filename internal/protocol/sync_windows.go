package protocol

import "github.com/atomicwrite/atomicwrite/internal/sys"

// syncFD flushes a file's data and metadata (FlushFileBuffers). A
// directory is flushed only where the filesystem takes it (see sys.Fsync):
// the rename that changed it was made write-through.
func syncFD(fd int) error { return sys.Fsync(fd) }

// syncBarrier is syncFD: Windows has no cheaper barrier.
func syncBarrier(fd int) error { return syncFD(fd) }
