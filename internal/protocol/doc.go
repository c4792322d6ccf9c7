// Package protocol is the one implementation of the atomic write protocol.
//
// Package atomic runs it with one entry and package txn with many; neither
// has a copy of its own. single.go is a single write, its steps in order,
// each one call; batch.go is what a batch adds (backups or exchanges, the
// intent journal, the undo); recover.go finishes a batch a crash
// interrupted, sweep.go removes what dead writers left. The steps they
// share:
//
//   - Resolve (target.go, dir.go, with package resolve): follow the
//     target's symlinks to the directory entry finally written, and open
//     and lock the directory that holds it. Every later step works
//     relative to that handle, so a path component swapped by someone else
//     cannot redirect the write.
//   - The Entry (entry.go): create a unique temp next to the target
//     (O_EXCL|O_NOFOLLOW), write the content, give it its owner and mode
//     (Seal), make it durable (sync), and its rename (syncDir). How Seal
//     leaves the temp (SealMode) decides how it is synced.
//
// Every system call goes through package sys. docs/protocol.md says why
// each step exists.
package protocol
