package protocol

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
)

var (
	// ErrNotDurable is wrapped by an error after the renames only: the new
	// content is in place, but a directory fsync failed (a power loss may
	// still undo the rename), or something of the write's own is left
	// behind and named (a backup, a journal, a new directory's marker).
	ErrNotDurable = errors.New("new content is in place but may not be durable")

	// ErrNotRegular reports a target that exists but is not a regular file
	// (a FIFO, device or socket). Such a target is never opened.
	ErrNotRegular = errors.New("not a regular file")

	// ErrBusy is wrapped when a lock that another process holds was not let
	// go of within the call's wait: by Recover for a directory (a writer or
	// another recovery holds it), and by a compare-and-swap write for its
	// target (another such writer, or anyone who can open the file, holds
	// it). The error names the path, and says whether it is a file or a
	// directory.
	ErrBusy = errors.New("busy: another process holds its lock")

	// ErrUntrustedSymlink is wrapped when the path holds a symlink owned by
	// a user other than root and the writer: it is not followed. It also
	// matches fs.ErrPermission.
	ErrUntrustedSymlink = resolve.ErrUntrustedSymlink

	// ErrInFlight is wrapped by a consistent read that met a batch
	// committing to its files (or files that kept changing) on every try
	// of its wait: it returns this rather than a set that may be half old,
	// half new.
	ErrInFlight = errors.New("a transaction is committing to the set")

	// ErrNeedsRecovery is wrapped by a consistent read that found the mark
	// of a batch whose writer died mid-commit in a directory of the set:
	// its files may be half a transaction until Recover runs there.
	ErrNeedsRecovery = errors.New("a transaction was interrupted: run Recover on the directory")

	// ErrReadsNotEnabled is wrapped by a consistent read of a directory
	// where consistent reads are not enabled, and that its user may not
	// enable (see EnableReads).
	ErrReadsNotEnabled = errors.New("consistent reads are not enabled in the directory")
)

// busyError is ErrBusy for a file or a directory, with the wait it gave up
// after.
type busyError struct {
	what string // "file" or "directory"
	wait time.Duration
}

func (e busyError) Error() string {
	held := "held its lock"
	if e.what == "directory" {
		held = dirLockHeld
	}
	return fmt.Sprintf("%s is busy: another process %s through all of a %v wait", e.what, held, e.wait)
}
func (e busyError) Is(target error) bool { return target == ErrBusy }

// inPlace wraps the cause of a failure after the renames, when the new
// content is already in place, so that errors.Is matches both ErrNotDurable
// and the cause.
type inPlace struct {
	what  string // ErrNotDurable's text, or a more precise one
	cause error
}

func (e inPlace) Error() string        { return e.what + ": " + e.cause.Error() }
func (e inPlace) Unwrap() error        { return e.cause }
func (e inPlace) Is(target error) bool { return target == ErrNotDurable }

func notDurable(cause error) error { return inPlace{ErrNotDurable.Error(), cause} }

func pathError(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: err}
}
