package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
func LoopExt4(t testing.TB, size string) string { return loopExt4(t, size, false) }

// DiskExt4 is LoopExt4 with the loop device doing direct I/O: the host's
// page cache does not absorb its flushes, which then cost what they cost
// the disk below. For benchmarks that price a commit on disk.
func DiskExt4(t testing.TB, size string) string { return loopExt4(t, size, true) }

func loopExt4(t testing.TB, size string, direct bool) string {
	t.Helper()
	RequireRoot(t)
	if _, err := exec.LookPath("mkfs.ext4"); err != nil {
		t.Skipf("no mkfs.ext4 (e2fsprogs): %v", err)
	}
	image := filepath.Join(t.TempDir(), "ext4.img")
	dir := t.TempDir()
	run := func(cmd ...string) string {
		t.Helper()
		out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", cmd, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("truncate", "-s", size, image)
	run("mkfs.ext4", "-q", "-F", image)
	if direct {
		dev := run("losetup", "--direct-io=on", "--show", "-f", image)
		t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })
		run("mount", dev, dir)
	} else {
		run("mount", "-o", "loop", image, dir)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", dir, err, out)
		}
	})
	return dir
}
