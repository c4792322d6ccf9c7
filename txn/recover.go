package txn

import "github.com/atomicwrite/atomicwrite/internal/protocol"

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
// writers: it never touches a live writer's files, and waits (up to some
// seconds) for the writers in a directory to finish before it cleans it.
func Recover(dirs ...string) error { return protocol.Recover(dirs) }
