package txn

import (
	"context"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// ErrBusy is wrapped when a lock that another process holds is not let go
// of within the call's wait, which counts all its waits together: by
// Recover for a directory that writers (or another recovery) hold, after
// 10 seconds at most in all, however many directories and journals it
// meets (such a directory is left as it is); and by a Commit with a
// compare-and-swap entry (WithVersion) for a target whose lock is held,
// after 10 seconds at most in all (nothing is then written). The error
// names the path, and says whether it is a file or a directory. It is
// atomic.ErrBusy.
var ErrBusy = protocol.ErrBusy

// Recover cleans up after writers that died, in each of dirs: it finishes
// every transaction that had passed its commit point (its intent journal is
// there, and one of its renames was made), so that its files are all new,
// and rolls back one that was turning back or had made no rename; then it
// removes the temp files and backups that dead writers of this package or
// of package atomic left behind.
//
// Call it at start-up on every directory that holds journals (the first
// entry's directory of each transaction, or the WithJournalDir directory)
// or may hold temp files:
//
//	if err := txn.Recover(configDir); err != nil { ... }
//
// It is idempotent and safe to run concurrently with itself and with live
// writers: it never touches a live writer's files, and waits for the
// writers in a directory to finish before it cleans it (see ErrBusy). A
// directory that does not exist has nothing to recover: no error, so the
// call works on a first run.
//
// Everything it finds is untrusted input: it acts only on a journal that
// is the live record of an interrupted transaction of the calling user
// (effective uid): a regular file of that user's, found under the name, in
// the directory and with the inode the journal records for itself (a
// journal renamed, linked or copied is removed unread), whose entries name
// only plain file names and the library's own temp and backup names, in
// directories that are still the ones the journal recorded (by device and
// inode; another directory at a recorded path is an error, and nothing in
// it is touched). Another user's journals, temps and directories are
// ignored, and nothing another user can make (files at temp names, names
// taken) leads it to turn a set back or remove anything. A set it cannot
// finish is reported, naming the path in the way, and left with its
// journal for a later run; every other journal and directory is recovered
// all the same, and the errors are combined. docs/security.md has the
// whole trust model.
func Recover(dirs ...string) error { return protocol.Recover(context.Background(), dirs) }

// RecoverContext is Recover with a bound of the caller's on its waits for
// locks, all together: they end once ctx is done (ErrBusy for each
// directory still held then), or, if ctx has no deadline, after 10 seconds
// in all, as Recover's. A context that is already done makes Recover wait
// for nothing: it recovers what no live writer holds, and reports the rest
// busy. The work itself is not cut short by ctx.
func RecoverContext(ctx context.Context, dirs ...string) error { return protocol.Recover(ctx, dirs) }
