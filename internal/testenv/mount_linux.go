package testenv

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// Tmpfs mounts a tmpfs of the given size (e.g. "64k") on a new directory
// and returns that directory; the test's cleanup unmounts it. A small one is
// a real full disk: writes past its size fail with ENOSPC. It also serves as
// a second filesystem, for what must not cross filesystems.
func Tmpfs(t testing.TB, size string) string {
	t.Helper()
	RequireRoot(t)
	dir, err := os.MkdirTemp("", "atomicwrite-tmpfs-")
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0755"); err != nil {
		os.Remove(dir)
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
		os.Remove(dir)
	})
	return dir
}
