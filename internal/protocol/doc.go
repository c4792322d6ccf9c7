// Package protocol is the one implementation of the atomic write protocol.
//
// Package atomic runs it with one entry and package txn with many; neither
// has a copy of its own. The files, in the order a reader needs them:
//
//   - single.go: a single write, its steps in order, and the Entry whose
//     methods make them: create a unique temp next to the target
//     (O_EXCL|O_NOFOLLOW), write the content, give it its owner and mode
//     (Seal), make it durable (sync), rename it over the target, and fsync
//     the directory (syncDir). How Seal leaves the temp (SealMode) decides
//     how it is synced.
//   - dir.go: resolve the target (with package resolve), following its
//     symlinks to the directory entry finally written, and open and lock
//     the directory that holds it, once per set. Every later step works
//     relative to that handle, so a path component swapped by someone else
//     cannot redirect the write.
//   - batch.go: what a batch adds, in the order of its steps: the marks
//     readers wait for, backups or exchanges, the intent journal written,
//     the renames, the end, and the undo.
//   - journal.go: the journal's format, and how a recovery reads it;
//     recover.go finishes or undoes a batch a crash interrupted, and
//     sweep.go removes what dead writers left.
//   - One file per policy: version.go (compare-and-swap), noreplace.go
//     (create-only), mkdir.go (new directories), remove.go (removals),
//     commitmark.go and readset.go (consistent reads of a set: enabling
//     them, a batch's mark files, and the reader).
//
// Every system call goes through package sys. docs/protocol.md says why
// each step exists.
package protocol
