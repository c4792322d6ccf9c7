//go:build unix

package protocol

// reopenRenamed returns fd: on Unix a handle follows its directory through
// a rename (see handles_windows.go for why Windows differs).
func reopenRenamed(parent int, name string, fd int) (int, error) { return fd, nil }

// lockSpansRename is true: a compare-and-swap holds its lock on the target
// through the rename (see version.go).
const lockSpansRename = true
