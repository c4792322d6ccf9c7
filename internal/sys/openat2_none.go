//go:build unix && (!linux || atomicwrite_bsd)

package sys

// OpenNoSymlinks is Linux's openat2: elsewhere it fails with ENOSYS, and
// paths are walked a component at a time.
func OpenNoSymlinks(at int, path string, flags int) (int, error) { return -1, ENOSYS }
