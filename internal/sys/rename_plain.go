//go:build (unix && !linux && !darwin) || (linux && atomicwrite_bsd)

package sys

// Here rename(2) has no flags: it cannot swap two names, nor refuse to
// replace one.

func CanExchange(fd int) bool { return false }

func Exchange(dirfd int, a, b string) error { return ENOTSUP }

func RenameNoReplace(dirfd int, from, to string) error { return ENOTSUP }
