package txn

import "github.com/atomicwrite/atomicwrite/internal/protocol"

// ErrBusy is wrapped by Recover for a directory that writers (or another
// recovery) did not let go of in time: Recover waits 10 seconds at most in
// all, however many directories and journals it meets, then leaves such a
// directory as it is.
var ErrBusy = protocol.ErrBusy

// Recover cleans up after writers that died, in each of dirs: it finishes
// every transaction that had passed its commit point (its intent journal is
// there), so that its files are all new, and rolls back one that was
// turning back; then it removes the temp files and backups that dead
// writers of this package or of package atomic left behind.
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
// Everything it finds is untrusted input: it acts only on journals that
// are regular files owned by the calling user (effective uid), whose
// entries name only plain file names and the library's own temp and backup
// names, in directories that are still the ones the journal recorded (by
// device and inode; another directory at a recorded path is an error, and
// nothing in it is touched). Another user's journal or temp file is
// ignored. docs/security.md has the whole trust model.
func Recover(dirs ...string) error { return protocol.Recover(dirs) }
