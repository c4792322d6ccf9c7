package protocol

import "github.com/atomicwrite/atomicwrite/internal/sys"

// syncFD flushes a file's data and metadata (FlushFileBuffers). On a
// directory it does nothing: the rename that changed it was made with
// MOVEFILE_WRITE_THROUGH and is durable when it returns.
func syncFD(fd int) error { return sys.Fsync(fd) }

// syncBarrier is syncFD: Windows has no cheaper barrier.
func syncBarrier(fd int) error { return syncFD(fd) }
