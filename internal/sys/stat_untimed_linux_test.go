package sys

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// FstatatUntimed gives what Fstatat gives, but for the times, which it
// must not have asked for (so they are zero): of a file with two links, a
// directory and a symlink not followed, by name, by descriptor and by
// path (LstatUntimed).
func TestFstatUntimed(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("content"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(file, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("file", filepath.Join(dir, "symlink")); err != nil {
		t.Fatal(err)
	}
	dirfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dirfd)
	for _, name := range []string{"file", ".", "symlink"} {
		var want, got Stat_t
		if err := Fstatat(dirfd, name, &want, AT_SYMLINK_NOFOLLOW); err != nil {
			t.Fatal(err)
		}
		if err := FstatatUntimed(dirfd, name, &got, AT_SYMLINK_NOFOLLOW); err != nil {
			t.Fatal(err)
		}
		checkUntimed(t, name, &got, &want)
		fd, err := unix.Open(filepath.Join(dir, name), unix.O_PATH|unix.O_NOFOLLOW, 0)
		if err != nil {
			t.Fatal(err)
		}
		got = Stat_t{}
		err = FstatUntimed(fd, &got)
		unix.Close(fd)
		if err != nil {
			t.Fatal(err)
		}
		checkUntimed(t, name+" (descriptor)", &got, &want)
		got = Stat_t{}
		if err := LstatUntimed(filepath.Join(dir, name), &got); err != nil {
			t.Fatal(err)
		}
		checkUntimed(t, name+" (path)", &got, &want)
	}
	var st Stat_t
	if err := FstatatUntimed(dirfd, "missing", &st, 0); err != unix.ENOENT {
		t.Errorf("FstatatUntimed of a missing name: %v, want ENOENT", err)
	}
	if err := LstatUntimed(filepath.Join(dir, "missing"), &st); err != unix.ENOENT {
		t.Errorf("LstatUntimed of a missing path: %v, want ENOENT", err)
	}
}

func checkUntimed(t *testing.T, what string, got, want *Stat_t) {
	t.Helper()
	if got.Dev != want.Dev || got.Ino != want.Ino || got.Mode != want.Mode || got.Nlink != want.Nlink ||
		got.Uid != want.Uid || got.Gid != want.Gid || got.Size != want.Size {
		t.Errorf("%s: FstatUntimed gives dev %d ino %d mode %o nlink %d owner %d:%d size %d; Fstatat dev %d ino %d mode %o nlink %d owner %d:%d size %d",
			what, got.Dev, got.Ino, got.Mode, got.Nlink, got.Uid, got.Gid, got.Size,
			want.Dev, want.Ino, want.Mode, want.Nlink, want.Uid, want.Gid, want.Size)
	}
	if m, c := StatTimes(got); m != 0 || c != 0 {
		t.Errorf("%s: FstatUntimed read the times (mtime %d, ctime %d)", what, m, c)
	}
}

// Where statx is refused (a kernel before 4.11, or a seccomp filter that
// does not know it: ENOSYS or EPERM), FstatatUntimed falls back to
// fstatat. The refusal is real: a seccomp filter on one thread, which
// answers statx with the errno and lets every other call through, and
// which dies with the thread (locked to the goroutine, never unlocked).
func TestFstatUntimedWithoutStatx(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "file"), []byte("content"), 0o640); err != nil {
		t.Fatal(err)
	}
	for _, errno := range []unix.Errno{unix.ENOSYS, unix.EPERM} {
		done := make(chan error, 1)
		var got, want Stat_t
		go func() {
			runtime.LockOSThread() // never unlocked: the thread ends with its filter
			if err := refuseStatx(errno); err != nil {
				done <- errSkip{err}
				return
			}
			var sx unix.Statx_t
			if err := unix.Statx(unix.AT_FDCWD, dir, 0, unix.STATX_INO, &sx); err != errno {
				done <- errors.New("statx under the filter: " + errString(err) + ", want " + errno.Error())
				return
			}
			if err := Fstatat(unix.AT_FDCWD, filepath.Join(dir, "file"), &want, 0); err != nil {
				done <- err
				return
			}
			done <- FstatatUntimed(unix.AT_FDCWD, filepath.Join(dir, "file"), &got, 0)
		}()
		err := <-done
		var skip errSkip
		if errors.As(err, &skip) {
			t.Skipf("no seccomp filter here: %v", skip.err)
		}
		if err != nil {
			t.Fatalf("%v: %v", errno, err)
		}
		if got != want {
			t.Errorf("statx refused with %v: FstatatUntimed gives %+v, fstatat %+v", errno, got, want)
		}
	}
}

type errSkip struct{ err error }

func (e errSkip) Error() string { return e.err.Error() }

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// refuseStatx makes statx fail with errno on the calling thread.
func refuseStatx(errno unix.Errno) error {
	const (
		ldAbs = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq   = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		ret   = unix.BPF_RET | unix.BPF_K
	)
	filter := []unix.SockFilter{
		{Code: ldAbs, K: 0}, // seccomp_data.nr
		{Code: jeq, K: unix.SYS_STATX, Jt: 0, Jf: 1},
		{Code: ret, K: unix.SECCOMP_RET_ERRNO | uint32(errno)},
		{Code: ret, K: unix.SECCOMP_RET_ALLOW},
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	}
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog))); e != 0 {
		return e
	}
	return nil
}
