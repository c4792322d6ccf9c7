// Package atomic replaces files atomically and durably.
//
// A write either fully succeeds or leaves the previous content intact: a
// reader that opens the file sees the complete old content or the complete
// new content, never a mix, and once a write has returned nil a power loss
// cannot bring the old content back.
//
// Each write stages the new content in a temp file next to the target,
// fsyncs it, renames it over the target and fsyncs the directory. If any
// step fails, the temp file is removed and the target is left as it was.
// The one exception is a failure after the rename (the directory fsync, or
// the removal of the marker of a directory the write made): the new content
// is then in place, and the error wraps ErrNotDurable.
//
// Every error is, or wraps, an *fs.PathError whose Path is the name the
// caller gave.
//
// A target that is a symlink (or a chain of them) is written through: the
// file the chain finally names gets the new content, and the links stay
// links. To replace several files as one transaction, see package txn.
//
// Options make a write create-only (WithNoReplace), conditional on the
// file not having changed since ReadFile read it (WithVersion), able to
// make the directories its path lacks (WithMkdirAll), cancellable
// (WithContext), or set its mode (WithMode, or WithPerm for os.WriteFile's
// perm).
//
// The package's name is also sync/atomic's: the examples import it under
// another, which a file that uses both needs:
//
//	import aw "github.com/atomicwrite/atomicwrite/atomic"
package atomic
