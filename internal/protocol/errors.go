package protocol

import (
	"errors"
	"io/fs"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
)

var (
	// ErrNotDurable is wrapped by an error from the last step only, the
	// directory fsync: the new content is in place, but a power loss may still
	// undo the rename.
	ErrNotDurable = errors.New("new content is in place but may not be durable")

	// ErrNotRegular reports a target that exists but is not a regular file
	// (a FIFO, device or socket). Such a target is never opened.
	ErrNotRegular = errors.New("not a regular file")

	// ErrBusy is wrapped by Recover for a directory whose writers (or
	// another recovery) did not let go of it before Recover's deadline.
	ErrBusy = errors.New("directory is busy: a writer or another recovery holds its lock")

	// ErrUntrustedSymlink is wrapped when the path holds a symlink owned by
	// a user other than root and the writer: it is not followed. It also
	// matches fs.ErrPermission.
	ErrUntrustedSymlink = resolve.ErrUntrustedSymlink
)

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
