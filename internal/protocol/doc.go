// Package protocol is the one implementation of the atomic write protocol.
//
// Package atomic runs it with one entry and package txn with many; neither
// has a copy of its own. The phases, in order:
//
//  1. Resolve: follow the target's symlinks to the directory entry that is
//     finally written, and open that directory. Every later step works
//     relative to this handle (openat, renameat, fsync of the same fd), so a
//     path component swapped by someone else cannot redirect the write.
//  2. Stage: create a unique temp file next to the target (O_EXCL|O_NOFOLLOW),
//     write the content, then set owner and mode on the descriptor.
//  3. Commit: fsync every temp, rename each over its target in order (with an
//     undo for batches), and fsync each distinct directory once.
//
// See docs/protocol.md for why each step exists.
package protocol
