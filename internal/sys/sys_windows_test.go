package sys_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/sys"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// The Win32 calls behave as the protocol expects of their Unix namesakes.

func openDir(t *testing.T, dir string) int {
	t.Helper()
	fd, err := sys.Open(dir, sys.O_RDONLY|sys.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sys.Close(fd) })
	return fd
}

func TestOpenatErrors(t *testing.T) {
	dir := testenv.TempDir(t)
	testenv.WriteFile(t, filepath.Join(dir, "f"), []byte("f"), 0o644)
	os.Mkdir(filepath.Join(dir, "d"), 0o755)
	d := openDir(t, dir)
	cases := []struct {
		name  string
		flags int
		want  error
	}{
		{"f", sys.O_WRONLY | sys.O_CREAT | sys.O_EXCL, sys.EEXIST},
		{"none", sys.O_RDONLY, sys.ENOENT},
		{"f", sys.O_RDONLY | sys.O_DIRECTORY, sys.ENOTDIR},
		{"d", sys.O_WRONLY, sys.EISDIR},
	}
	for _, c := range cases {
		fd, err := sys.Openat(d, c.name, c.flags, 0o600)
		if err == nil {
			sys.Close(fd)
		}
		if err != c.want {
			t.Errorf("open %s with %#x: %v, want %v", c.name, c.flags, err, c.want)
		}
	}
	if _, err := sys.Openat(d, "none", sys.O_RDONLY, 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ENOENT does not match fs.ErrNotExist: %v", err)
	}
}

// Fstat tells files from directories, reads the read-only attribute as a
// mode without write bits, and gives a file the same identity by handle
// and by name; Fchmod sets and clears the attribute.
func TestStatAndChmod(t *testing.T) {
	dir := testenv.TempDir(t)
	d := openDir(t, dir)
	fd, err := sys.Openat(d, "f", sys.O_WRONLY|sys.O_CREAT|sys.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(fd)
	sys.Write(fd, []byte("12345"))
	var st, named, ds sys.Stat_t
	if err := sys.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode != sys.S_IFREG|0o666 || st.Size != 5 || st.Nlink != 1 {
		t.Errorf("fstat: mode %o size %d links %d", st.Mode, st.Size, st.Nlink)
	}
	if err := sys.Fstatat(d, "f", &named, sys.AT_SYMLINK_NOFOLLOW); err != nil {
		t.Fatal(err)
	}
	if named.Dev != st.Dev || named.Ino != st.Ino {
		t.Errorf("by name %d/%d, by handle %d/%d", named.Dev, named.Ino, st.Dev, st.Ino)
	}
	if sys.Fstat(d, &ds); ds.Mode&sys.S_IFMT != sys.S_IFDIR {
		t.Errorf("directory: mode %o", ds.Mode)
	}
	for _, mode := range []uint32{0o444, 0o644} {
		if err := sys.Fchmod(fd, mode); err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(filepath.Join(dir, "f"))
		if got := fi.Mode().Perm()&0o200 != 0; got != (mode&0o200 != 0) {
			t.Errorf("after Fchmod %o: %v", mode, fi.Mode())
		}
	}
}

// A read-only file is removed, and replaced by a rename, as on Unix; a
// file renamed over a directory fails with EISDIR, at once.
func TestReadOnlyAndDirectoryTargets(t *testing.T) {
	dir := testenv.TempDir(t)
	d := openDir(t, dir)
	for _, n := range []string{"ro", "ro2", "new"} {
		testenv.WriteFile(t, filepath.Join(dir, n), []byte(n), 0o644)
	}
	os.Chmod(filepath.Join(dir, "ro"), 0o444)
	os.Chmod(filepath.Join(dir, "ro2"), 0o444)
	if err := sys.Unlinkat(d, "ro", 0); err != nil {
		t.Errorf("remove a read-only file: %v", err)
	}
	if err := sys.Renameat(d, "new", d, "ro2"); err != nil {
		t.Errorf("rename over a read-only file: %v", err)
	}
	testenv.FileHolds(t, filepath.Join(dir, "ro2"), []byte("new"))
	os.Mkdir(filepath.Join(dir, "d"), 0o755)
	if err := sys.Renameat(d, "ro2", d, "d"); err != sys.EISDIR {
		t.Errorf("rename over a directory: %v, want EISDIR", err)
	}
	if err := sys.RenameNoReplace(d, "ro2", "d"); err != sys.EEXIST {
		t.Errorf("create-only rename over a directory: %v, want EEXIST", err)
	}
	// The same by paths (MoveFileEx).
	testenv.WriteFile(t, filepath.Join(dir, "new"), []byte("new2"), 0o644)
	os.Chmod(filepath.Join(dir, "ro2"), 0o444)
	if err := sys.Renameat(sys.AT_FDCWD, filepath.Join(dir, "new"), sys.AT_FDCWD, filepath.Join(dir, "ro2")); err != nil {
		t.Errorf("rename by path over a read-only file: %v", err)
	}
	testenv.FileHolds(t, filepath.Join(dir, "ro2"), []byte("new2"))
	if err := sys.Renameat(sys.AT_FDCWD, filepath.Join(dir, "ro2"), sys.AT_FDCWD, filepath.Join(dir, "d")); err != sys.EISDIR {
		t.Errorf("rename by path over a directory: %v, want EISDIR", err)
	}
	testenv.DirHolds(t, dir, "d", "ro2")
}

// Flock excludes another handle's lock, and does not stop the file being
// read (the lock is on a byte past its end).
// Link makes a second name of the same file, by the file's handle; a
// name taken or a file missing fails as linkat(2) does.
func TestLink(t *testing.T) {
	dir := testenv.TempDir(t)
	d := openDir(t, dir)
	testenv.WriteFile(t, filepath.Join(dir, "a"), []byte("a"), 0o644)
	testenv.WriteFile(t, filepath.Join(dir, "taken"), []byte("taken"), 0o644)
	if err := sys.Link(d, dir, "a", "b"); err != nil {
		t.Fatalf("Link: %v", err)
	}
	var a, b sys.Stat_t
	if err := sys.Fstatat(d, "a", &a, sys.AT_SYMLINK_NOFOLLOW); err != nil {
		t.Fatal(err)
	}
	if err := sys.Fstatat(d, "b", &b, sys.AT_SYMLINK_NOFOLLOW); err != nil {
		t.Fatal(err)
	}
	if a.Ino != b.Ino || a.Dev != b.Dev || b.Nlink != 2 {
		t.Errorf("a is %d/%d, b %d/%d with %d links: want one file with two names", a.Dev, a.Ino, b.Dev, b.Ino, b.Nlink)
	}
	if err := sys.Link(d, dir, "a", "taken"); err != sys.EEXIST {
		t.Errorf("Link over a taken name: %v, want EEXIST", err)
	}
	if err := sys.Link(d, dir, "missing", "c"); err != sys.ENOENT {
		t.Errorf("Link of a missing file: %v, want ENOENT", err)
	}
	testenv.FileHolds(t, filepath.Join(dir, "taken"), []byte("taken"))
	testenv.DirHolds(t, dir, "a", "b", "taken")
}

// A target that another handle holds open, sharing delete (as the
// library's own lookups and a reader that shares delete open it), is
// replaced at once, as on Unix: the rename with POSIX semantics. The
// handle goes on reading the old file.
func TestRenameReplacesSharedTarget(t *testing.T) {
	if testenv.UnderWine() {
		t.Skip("wine has no rename with POSIX semantics (FileRenameInformationEx): it refuses a target that is open at all")
	}
	dir := testenv.TempDir(t)
	d := openDir(t, dir)
	testenv.WriteFile(t, filepath.Join(dir, "target"), []byte("old"), 0o644)
	testenv.WriteFile(t, filepath.Join(dir, "new"), []byte("new"), 0o644)
	held, err := sys.Open(filepath.Join(dir, "target"), sys.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(held)
	start := time.Now()
	if err := sys.Renameat(d, "new", d, "target"); err != nil {
		t.Fatalf("rename over a target held open, sharing delete: %v", err)
	}
	if waited := time.Since(start); waited > sys.RetryFor/2 {
		t.Errorf("the rename took %v: it waited for the handle instead of replacing the file", waited)
	}
	testenv.FileHolds(t, filepath.Join(dir, "target"), []byte("new"))
	buf := make([]byte, 8)
	if n, err := sys.Read(held, buf); err != nil || string(buf[:n]) != "old" {
		t.Errorf("the held handle read %q, %v; want the old file's \"old\"", buf[:n], err)
	}
	testenv.DirHolds(t, dir, "target")
}

func TestFlock(t *testing.T) {
	dir := testenv.TempDir(t)
	path := filepath.Join(dir, "f")
	testenv.WriteFile(t, path, []byte("data"), 0o644)
	a, _ := sys.Open(path, sys.O_RDONLY, 0)
	b, _ := sys.Open(path, sys.O_RDONLY, 0)
	defer sys.Close(a)
	defer sys.Close(b)
	if err := sys.Flock(a, sys.LOCK_EX|sys.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if err := sys.Flock(b, sys.LOCK_EX|sys.LOCK_NB); err != sys.EWOULDBLOCK {
		t.Errorf("second exclusive lock: %v, want EWOULDBLOCK", err)
	}
	testenv.FileHolds(t, path, []byte("data"))
	if err := sys.Flock(openDir(t, dir), sys.LOCK_EX|sys.LOCK_NB); err != nil {
		t.Errorf("a directory's lock: %v, want nil (none is taken)", err)
	}
}

// A directory's lock and flush go through a second handle on the same
// directory, opened relative to the first: the share modes of the locks
// refuse each other as flock's modes do, and a handle opened read-only is
// flushed.
func TestReopenedHandles(t *testing.T) {
	dir := testenv.TempDir(t)
	d := openDir(t, dir)
	lock := func(exclusive bool) (int, error) {
		t.Helper()
		h, err := sys.LockDir(d, exclusive)
		if err == nil {
			t.Cleanup(func() { sys.Close(h) })
		}
		return h, err
	}
	a, err := lock(false)
	if err != nil {
		t.Fatalf("shared lock: %v", err)
	}
	if _, err := lock(false); err != nil {
		t.Errorf("second shared lock: %v, want nil", err)
	}
	if _, err := lock(true); err != sys.EWOULDBLOCK {
		t.Errorf("exclusive lock beside a shared one: %v, want EWOULDBLOCK", err)
	}
	sys.Close(a)
	if err := sys.Fsync(d); err != nil {
		t.Errorf("Fsync of the directory: %v", err)
	}
	path := filepath.Join(dir, "f")
	testenv.WriteFile(t, path, []byte("data"), 0o644)
	f, err := sys.Open(path, sys.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(f)
	if err := sys.Fsync(f); err != nil {
		t.Errorf("Fsync of a file open read-only: %v", err)
	}
}

// PathOf gives the path a directory's handle leads to, which names opened
// in it are relative to.
func TestPathOf(t *testing.T) {
	dir := testenv.TempDir(t)
	got, err := sys.PathOf(openDir(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if !testenv.SameFile(t, got, dir) {
		t.Errorf("PathOf: %s, want %s", got, dir)
	}
}

// Owners are told apart: a file of the process's own user has Geteuid's
// uid, another user's file (given away on the host, see testenv.GiveAway)
// another uid, through a handle and by name; and no file can be given to
// someone else.
func TestOwners(t *testing.T) {
	dir := testenv.TempDir(t)
	mine, theirs := filepath.Join(dir, "mine"), filepath.Join(dir, "theirs")
	testenv.WriteFile(t, mine, []byte("mine"), 0o644)
	testenv.WriteFile(t, theirs, []byte("theirs"), 0o644)
	testenv.GiveAway(t, theirs)
	euid := uint32(sys.Geteuid())
	d := openDir(t, dir)
	for _, c := range []struct {
		name string
		own  bool
	}{{"mine", true}, {"theirs", false}} {
		var byName, byHandle sys.Stat_t
		if err := sys.Fstatat(d, c.name, &byName, sys.AT_SYMLINK_NOFOLLOW); err != nil {
			t.Fatal(err)
		}
		fd, err := sys.Openat(d, c.name, sys.O_RDONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		err = sys.Fstat(fd, &byHandle)
		sys.Close(fd)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range []sys.Stat_t{byName, byHandle} {
			if (st.Uid == euid) != c.own {
				t.Errorf("%s: uid %d, the process's %d: want own %v", c.name, st.Uid, euid, c.own)
			}
		}
	}
	fd, err := sys.Openat(d, "mine", sys.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(fd)
	var st sys.Stat_t
	if err := sys.Fstatat(d, "theirs", &st, 0); err != nil {
		t.Fatal(err)
	}
	if err := sys.Fchown(fd, int(st.Uid), -1); err != sys.EPERM {
		t.Errorf("Fchown to another user's uid: %v, want EPERM", err)
	}
	if err := sys.Fchown(fd, int(euid), -1); err != nil {
		t.Errorf("Fchown to the file's own uid: %v", err)
	}
}

// A name in a directory is looked up in the directory open on the handle,
// wherever that has moved since, not by its path: with the directory
// renamed away and another made at its path, every call on the first's
// handle acts in the first, never in the directory now at the path. Wine
// resolves a directory's handle by the path it was opened by, so there the
// calls land in the directory at the path whatever the library does: the
// test runs on Windows only.
func TestCallsFollowTheHandle(t *testing.T) {
	if testenv.UnderWine() {
		t.Skip("wine resolves a directory's handle by the path it was opened by")
	}
	root := testenv.TempDir(t)
	dir, moved := filepath.Join(root, "d"), filepath.Join(root, "moved")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	testenv.WriteFile(t, filepath.Join(dir, "old"), []byte("old"), 0o644)
	testenv.WriteFile(t, filepath.Join(dir, "old2"), []byte("old2"), 0o644)
	d := openDir(t, dir)
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The directory now at the path has its own "old" and "old2".
	testenv.WriteFile(t, filepath.Join(dir, "old"), []byte("other"), 0o644)
	testenv.WriteFile(t, filepath.Join(dir, "old2"), []byte("other"), 0o644)
	fd, err := sys.Openat(d, "new", sys.O_RDWR|sys.O_CREAT|sys.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	sys.Close(fd)
	var st sys.Stat_t
	if err := sys.Fstatat(d, "old", &st, sys.AT_SYMLINK_NOFOLLOW); err != nil || st.Size != 3 {
		t.Errorf("Fstatat: %v, %d bytes: want the first directory's file, 3 bytes", err, st.Size)
	}
	if err := sys.Renameat(d, "old2", d, "renamed"); err != nil {
		t.Errorf("Renameat: %v", err)
	}
	if err := sys.Link(d, dir, "renamed", "linked"); err != nil {
		t.Errorf("Link: %v", err)
	}
	if err := sys.Mkdirat(d, "sub", 0o755); err != nil {
		t.Errorf("Mkdirat: %v", err)
	}
	if err := sys.Unlinkat(d, "old", 0); err != nil {
		t.Errorf("Unlinkat: %v", err)
	}
	testenv.DirHolds(t, moved, "linked", "new", "renamed", "sub")
	testenv.DirHolds(t, dir, "old", "old2")
	// The lock and the flush reopen the moved directory, not the path.
	if h, err := sys.LockDir(d, true); err != nil {
		t.Errorf("LockDir: %v", err)
	} else {
		sys.Close(h)
	}
	if err := sys.Fsync(d); err != nil {
		t.Errorf("Fsync: %v", err)
	}
}
