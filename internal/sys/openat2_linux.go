//go:build !atomicwrite_bsd

package sys

import "golang.org/x/sys/unix"

// OpenNoSymlinks opens path relative to at with flags, refusing every
// symlink on the path (openat2 RESOLVE_NO_SYMLINKS: ELOOP). It fails with
// ENOSYS before Linux 5.6, and EPERM where a seccomp profile filters it.
func OpenNoSymlinks(at int, path string, flags int) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags), Resolve: unix.RESOLVE_NO_SYMLINKS}
	return IgnoringEINTR(func() (int, error) { return unix.Openat2(at, path, &how) })
}
