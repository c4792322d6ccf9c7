package protocol

import "github.com/atomicwrite/atomicwrite/internal/sys"

// reopenRenamed returns a handle on the directory open on fd, which was
// just renamed to name in parent, and closes fd. On Windows a name in a
// directory is looked up from the directory's path (sys.PathOf), and wine
// reports the path a handle was opened by, not its name since: the
// directory is opened again by its new name.
func reopenRenamed(parent int, name string, fd int) (int, error) {
	sys.Close(fd)
	return sys.Openat(parent, name, sys.O_RDONLY|sys.O_DIRECTORY|sys.O_NOFOLLOW, 0)
}

// lockSpansRename is false: a rename cannot replace a file that any handle
// holds open (MoveFileEx; NTFS's POSIX-semantics rename can, but not every
// filesystem or Windows version has it), so a compare-and-swap lets go of
// its lock on the target just before the rename (see version.go).
const lockSpansRename = false
