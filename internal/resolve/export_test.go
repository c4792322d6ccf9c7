//go:build unix

package resolve

// DirByWalk is Dir without its one-call path (openat2), which a kernel
// without openat2 (or qemu-user) never takes: the walk alone.
func (w *Walk) DirByWalk(at int, path string) (int, error) {
	fd, _, _, err := w.walk(at, path, nil)
	return fd, err
}
