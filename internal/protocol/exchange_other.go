//go:build unix && !linux && !darwin

package protocol

import "golang.org/x/sys/unix"

// Elsewhere a batch keeps hard-link backups for its undo.
func canExchange(fd int) bool { return false }

func exchange(dirfd int, a, b string) error { return unix.ENOTSUP }

func renameNoReplace(dirfd int, from, to string) error { return unix.ENOTSUP }
