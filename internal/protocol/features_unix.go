//go:build unix

package protocol

import "github.com/atomicwrite/atomicwrite/internal/sys"

// What the protocol does differently on Unix and Windows (features_windows.go).

// sealKeepsOpen is false: a batch's temps are closed when sealed (see
// BatchSealMode).
const sealKeepsOpen = false

// lockTarget opens e's target and takes its compare-and-swap lock (see
// version.go): an exclusive flock on it, which a rename over the file does
// not end.
func (e *Entry) lockTarget() error {
	if err := e.openTarget(); err != nil {
		return err
	}
	if err := lock(e.lockFD, true, e.Dir.waits, casLockWait); err != nil {
		return pathError("lock", e.Name, err)
	}
	return nil
}

// beforeRename lets go of what a rename of e cannot replace: nothing on
// Unix.
func (e *Entry) beforeRename() {}

// unlockTarget lets go of e's compare-and-swap lock.
func (e *Entry) unlockTarget() {
	if e.lockFD >= 0 {
		sys.Close(e.lockFD)
	}
}

// reopenRenamed returns fd: on Unix a handle follows its directory through
// a rename (see features_windows.go for why Windows differs).
func reopenRenamed(parent int, name string, fd int) (int, error) { return fd, nil }

// modeMarks is true: a batch's mark is its idle mark file's mode (see
// commitmark.go).
const modeMarks = true

// unlinkOpen is true: a file open here can be removed, its name gone at
// once (see unmark).
const unlinkOpen = true

// dirLockHeld says, in ErrBusy's text, what kept a directory's lock away.
const dirLockHeld = "held its lock"

// holdsDirs is true: a read holds each marks directory it opens until it
// returns, and a Reads keeps directories between reads (see
// features_windows.go for why Windows differs).
const holdsDirs = true
