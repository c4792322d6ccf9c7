package protocol

// haveSyncfs is false: Windows has no syncfs. Batches keep each temp open
// to its FlushFileBuffers (see sealKeepsOpen).
func haveSyncfs() bool { return false }

func syncfs(fd int) error { return syncFD(fd) }

// sealKeepsOpen: on Windows a batch's temps stay open from Seal to their
// flush. FlushFileBuffers needs a handle open for writing, and a temp sealed
// read-only (a mode without the owner's write bit) cannot be opened for
// writing again. Windows has no small per-process handle limit to spare.
const sealKeepsOpen = true
