package protocol

import "github.com/atomicwrite/atomicwrite/internal/sys"

// Windows cannot swap two names: a batch keeps hard-link backups for its
// undo.
func canExchange(fd int) bool { return false }

func exchange(dirfd int, a, b string) error { return sys.ENOTSUP }

// renameNoReplace is MoveFileEx without MOVEFILE_REPLACE_EXISTING, which
// refuses an existing target in the same step as the rename.
func renameNoReplace(dirfd int, from, to string) error {
	return sys.RenameatNoReplace(dirfd, from, dirfd, to)
}
