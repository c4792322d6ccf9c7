//go:build unix

package protocol

// What the protocol does differently on Unix and Windows (features_windows.go).

// sealKeepsOpen is false: a batch's temps are closed when sealed (see
// BatchSealMode).
const sealKeepsOpen = false

// lockSpansRename is true: a compare-and-swap holds its lock on the target
// through the rename (see version.go).
const lockSpansRename = true

// reopenRenamed returns fd: on Unix a handle follows its directory through
// a rename (see features_windows.go for why Windows differs).
func reopenRenamed(parent int, name string, fd int) (int, error) { return fd, nil }

// unlinkOpen is true: a file open here can be removed, its name gone at
// once (see unmark).
const unlinkOpen = true

// dirLockHeld says, in ErrBusy's text, what kept a directory's lock away.
const dirLockHeld = "held its lock"
