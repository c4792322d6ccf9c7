package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
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

// LoopExt4 makes an ext4 filesystem of the given size (e.g. "64M") in an
// image file, mounts it through a loop device on a new directory and
// returns that directory: a real disk filesystem, with its journal and
// its own flushes, whatever the machine's own are. The test's cleanup
// unmounts it. It skips the test without root or mkfs.ext4.
func LoopExt4(t testing.TB, size string) string {
	t.Helper()
	RequireRoot(t)
	if _, err := exec.LookPath("mkfs.ext4"); err != nil {
		t.Skipf("no mkfs.ext4 (e2fsprogs): %v", err)
	}
	image := filepath.Join(t.TempDir(), "ext4.img")
	dir := t.TempDir()
	for _, cmd := range [][]string{{"truncate", "-s", size, image}, {"mkfs.ext4", "-q", "-F", image}, {"mount", "-o", "loop", image, dir}} {
		if out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", cmd, err, out)
		}
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", dir, err, out)
		}
	})
	return dir
}
