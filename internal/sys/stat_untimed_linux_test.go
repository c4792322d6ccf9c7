package sys

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// FstatatUntimed gives what Fstatat gives, but for the times, which it
// must not have asked for (so they are zero): of a file with two links, a
// directory and a symlink not followed, by name and by descriptor.
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
	}
	var st Stat_t
	if err := FstatatUntimed(dirfd, "missing", &st, 0); err != unix.ENOENT {
		t.Errorf("FstatatUntimed of a missing name: %v, want ENOENT", err)
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
