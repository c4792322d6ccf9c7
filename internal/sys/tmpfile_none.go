//go:build !linux || atomicwrite_bsd

package sys

// O_TMPFILE is Linux's: elsewhere every file is named from the start.

func OpenUnnamed(dirfd int, perm uint32) (int, error) { return -1, ENOTSUP }

func LinkUnnamed(fd, dirfd int, name string) error { return ENOTSUP }
