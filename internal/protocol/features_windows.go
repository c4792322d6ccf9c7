package protocol

import (
	"fmt"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// What the protocol does differently on Windows (see features_unix.go).

// sealKeepsOpen: on Windows a batch's temps stay open from Seal to their
// flush. FlushFileBuffers needs a handle open for writing, and a temp sealed
// read-only (a mode without the owner's write bit) cannot be opened for
// writing again. Windows has no small per-process handle limit to spare.
const sealKeepsOpen = true

// lockTarget takes e's compare-and-swap lock (see version.go), then opens
// its target. A rename cannot replace a file that any handle holds open
// (NTFS's POSIX-semantics rename can, but not every filesystem or Windows
// version has it), so the lock is not on the target: it is a
// lock that every process shares, named after the file expected (writers
// that can both pass the check expect the same file), held from the check
// through the rename. The target is opened only once it is held, and
// closed once checked (beforeRename): a writer waiting for the lock holds
// no handle that would fail the holder's rename, and the holder none that
// would fail its own.
func (e *Entry) lockTarget() error {
	name := fmt.Sprintf("atomicwrite-version-%x-%x", e.settings.Expect.Dev, e.settings.Expect.Ino)
	err := e.Dir.waits.take(casLockWait, "file", func() (err error) {
		e.lockName, err = sys.LockNamed(name)
		return err
	})
	if err != nil {
		return pathError("lock", e.Name, err)
	}
	return e.openTarget()
}

// beforeRename closes the handle on e's target that the check used: a
// rename cannot replace the file while it is open.
func (e *Entry) beforeRename() {
	if e.locked && e.lockFD >= 0 {
		sys.Close(e.lockFD)
		e.lockFD = -1
	}
}

// unlockTarget lets go of e's compare-and-swap lock.
func (e *Entry) unlockTarget() {
	e.beforeRename()
	if e.lockName != 0 {
		sys.UnlockNamed(e.lockName)
		e.lockName = 0
	}
}

// modeMarks is false: a mode holds nothing but a read-only bit here, so a
// batch's mark is a name (see commitmark.go).
const modeMarks = false

// unlinkOpen is false: a file removed while a handle holds it open keeps
// its name until the handle is closed (without POSIX delete semantics), so
// that its directory cannot be removed. A batch closes its mark before it
// removes it: a reader that finds it unlocked looks again a moment later
// (see checkMarks) before it takes it for a dead batch's.
const unlinkOpen = false

// reopenRenamed returns a handle on the directory open on fd, which was
// just renamed to name in parent, and closes fd. On Windows a name in a
// directory is looked up from the directory's path (sys.PathOf), and wine
// reports the path a handle was opened by, not its name since: the
// directory is opened again by its new name.
func reopenRenamed(parent int, name string, fd int) (int, error) {
	sys.Close(fd)
	return sys.Openat(parent, name, sys.O_RDONLY|sys.O_DIRECTORY|sys.O_NOFOLLOW, 0)
}

// dirLockHeld says, in ErrBusy's text, what kept a directory's lock away:
// on Windows also an open of it that does not share delete, which a
// process's working directory is (see sys.LockDir).
const dirLockHeld = "held its lock, or had it open without sharing delete (as its working directory, say),"

// holdsDirs is false: a read opens its marks directories anew at each
// look, and a Reads keeps nothing. A directory held open here cannot be
// removed, nor renamed by a handle that does not share delete, so a
// reader that held the directories of its sets would hold their writers
// back; and a handle on a directory, listed once, does not list it again
// from its start under wine.
const holdsDirs = false
