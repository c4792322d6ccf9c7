// Package protocol is the one implementation of the atomic write protocol.
//
// Package atomic runs it with one entry and package txn with many; neither
// has a copy of its own. single.go is the whole of a single write, top to
// bottom; batch.go is what a batch adds (backups or exchanges, the intent
// journal, the undo); recover.go finishes a batch a crash interrupted. The
// steps they share:
//
//   - Resolve (target.go, with package resolve): follow the target's
//     symlinks to the directory entry finally written, and open the
//     directory that holds it. Every later step works relative to that
//     handle, so a path component swapped by someone else cannot redirect
//     the write.
//   - Stage and Seal (entry.go): create a unique temp next to the target
//     (O_EXCL|O_NOFOLLOW), write the content, then give it its owner and
//     mode. How Seal leaves the temp (SealMode) decides how it is synced.
//   - sync.go: make temps and directories durable.
//
// docs/protocol.md says why each step exists.
package protocol
