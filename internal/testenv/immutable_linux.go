package testenv

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// fsImmutableFL is FS_IMMUTABLE_FL from linux/fs.h.
const fsImmutableFL = 0x10

// SetImmutable sets the immutable attribute (chattr +i) on path, and clears
// it in the test's cleanup. In an immutable directory no entry can be
// created, removed or renamed, not even by root: a real EPERM.
func SetImmutable(t testing.TB, path string) {
	t.Helper()
	RequireRoot(t)
	if err := setFlag(path, fsImmutableFL, true); err != nil {
		t.Skipf("chattr +i is not supported on %s: %v", path, err)
	}
	t.Cleanup(func() { ClearImmutable(t, path) })
}

// ClearImmutable clears the immutable attribute of path.
func ClearImmutable(t testing.TB, path string) {
	t.Helper()
	if err := setFlag(path, fsImmutableFL, false); err != nil {
		t.Errorf("chattr -i %s: %v", path, err)
	}
}

func setFlag(path string, flag int, on bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fd := int(f.Fd())
	flags, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	if err != nil {
		return err
	}
	if on {
		flags |= uint32(flag)
	} else {
		flags &^= uint32(flag)
	}
	v := int(flags)
	return unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, v)
}
