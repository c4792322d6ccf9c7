package atomic

import "github.com/atomicwrite/atomicwrite/internal/protocol"

var (
	// ErrNotDurable is wrapped by an error from after the rename of a
	// write, when the new content is already in place (readers see it):
	// from the fsync of the target's directory, when a power loss may still
	// bring back the old content (do not assume either), or from the
	// removal of a marker of a directory the write made (WithMkdirAll),
	// which the error names and Recover removes.
	ErrNotDurable = protocol.ErrNotDurable

	// ErrNotRegular is wrapped when the target exists but is not a regular
	// file (a FIFO, device or socket). Such a target is left untouched; it is
	// never opened.
	ErrNotRegular = protocol.ErrNotRegular

	// ErrUntrustedSymlink is wrapped when the path holds a symlink that
	// belongs to neither root nor the writing process's effective user.
	// Such a link is not followed: it could have been planted to redirect
	// the write. It also matches fs.ErrPermission.
	ErrUntrustedSymlink = protocol.ErrUntrustedSymlink

	// ErrChanged is wrapped when a write made with WithVersion finds its
	// target no longer at that version (changed, replaced, removed, or
	// created when it was absent): nothing is written. The error names the
	// file.
	ErrChanged = protocol.ErrChanged

	// ErrBusy is wrapped when a write made with WithVersion gives up on the
	// lock of its target, which another process held through all of the
	// write's wait (10 seconds in all, however many locks it takes):
	// nothing is written. The error names the file. txn.ErrBusy is the
	// same error.
	ErrBusy = protocol.ErrBusy
)
