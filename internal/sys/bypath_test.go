//go:build linux

package sys

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// linkByPath as AIX runs it (the kernel cannot tell a directory's path:
// pathOf fails with ErrUnsupported), on real files: the path that led to
// the directory serves only while it still leads there, and a link that
// lands elsewhere is taken back.
func TestLinkByPath(t *testing.T) {
	noKernelPath := func(int) (string, error) { return "", errors.ErrUnsupported }
	for _, tt := range []struct {
		name string
		hint func(dir string) string // the path given, from the directory's
		// moved, when set, moves the directory away and puts another at its
		// path, before the link (moved = "before") or between the check
		// and the link (moved = "during": injected through the link seam,
		// the rename itself real).
		moved string
		want  error
	}{
		{"path leads there", func(d string) string { return d }, "", nil},
		{"relative path", func(d string) string { r, _ := filepath.Rel(mustGetwd(t), d); return r }, "", nil},
		{"no path", func(string) string { return "" }, "", errors.ErrUnsupported},
		{"path leads elsewhere", func(d string) string { return d }, "before", errors.ErrUnsupported},
		{"moved during the link", func(d string) string { return d }, "during", EXDEV},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "d")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "from"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(fd)
			moveAway := func() {
				if err := os.Rename(dir, filepath.Join(root, "away")); err != nil {
					t.Fatal(err)
				}
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "from"), []byte("other"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tt.moved == "before" {
				moveAway()
			}
			link := func(from, to string) error {
				if tt.moved == "during" {
					moveAway()
				}
				return unix.Link(from, to)
			}
			err = linkByPath(fd, tt.hint(dir), "from", "to", noKernelPath, link)
			if !errors.Is(err, tt.want) {
				t.Fatalf("linkByPath: %v, want %v", err, tt.want)
			}
			var st, to unix.Stat_t
			unix.Fstatat(fd, "from", &st, unix.AT_SYMLINK_NOFOLLOW)
			toErr := unix.Fstatat(fd, "to", &to, unix.AT_SYMLINK_NOFOLLOW)
			if tt.want == nil && (toErr != nil || to.Ino != st.Ino) {
				t.Errorf("no second name of from in the directory: %v", toErr)
			}
			if tt.want != nil && toErr == nil {
				t.Errorf("a name made in the directory despite the error")
			}
			if tt.moved != "" {
				if _, err := os.Lstat(filepath.Join(dir, "to")); err == nil {
					t.Errorf("a link left in the directory now at the path")
				}
			}
		})
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

// readlinkByPath as AIX runs it (no readlinkat, and no kernel path of a
// directory), on real files: the path that led to the directory serves
// only while it leads there, and a read that met another link than the
// directory's is refused.
func TestReadlinkByPath(t *testing.T) {
	noKernelPath := func(int) (string, error) { return "", errors.ErrUnsupported }
	for _, tt := range []struct {
		name string
		hint func(dir string) string // the path given, from the directory's
		// During the read (injected through the readlink seam, the renames
		// themselves real): "dir" moves the directory away and puts
		// another, with a link of the same name, at its path; "link" puts
		// another link in the link's place.
		during string
		want   error
	}{
		{"path leads there", func(d string) string { return d }, "", nil},
		{"no path", func(string) string { return "" }, "", errors.ErrUnsupported},
		{"directory moved during the read", func(d string) string { return d }, "dir", EXDEV},
		{"link replaced during the read", func(d string) string { return d }, "link", EXDEV},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "d")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("target", filepath.Join(dir, "l")); err != nil {
				t.Fatal(err)
			}
			fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(fd)
			readlink := func(path string, buf []byte) (int, error) {
				switch tt.during {
				case "dir":
					if err := os.Rename(dir, filepath.Join(root, "away")); err != nil {
						t.Fatal(err)
					}
					if err := os.Mkdir(dir, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.Symlink("elsewhere", filepath.Join(dir, "l")); err != nil {
						t.Fatal(err)
					}
				case "link":
					if err := os.Symlink("elsewhere", filepath.Join(dir, "new")); err != nil {
						t.Fatal(err)
					}
					if err := os.Rename(filepath.Join(dir, "new"), filepath.Join(dir, "l")); err != nil {
						t.Fatal(err)
					}
				}
				n, err := unix.Readlink(path, buf)
				if tt.during == "link" { // the first link back, as it was
					os.Remove(filepath.Join(dir, "l"))
					os.Symlink("target", filepath.Join(dir, "l"))
				}
				return n, err
			}
			buf := make([]byte, 64)
			n, err := readlinkByPath(fd, tt.hint(dir), "l", buf, noKernelPath, readlink)
			if !errors.Is(err, tt.want) {
				t.Fatalf("readlinkByPath: %v, want %v", err, tt.want)
			}
			if err == nil && string(buf[:n]) != "target" {
				t.Errorf("read %q, want the directory's link, %q", buf[:n], "target")
			}
		})
	}
}
