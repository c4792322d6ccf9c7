//go:build unix

package resolve_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
)

// chain makes n links dir/prefix0 → prefix1 → … → prefix(n-1) → to, each
// relative to dir, and returns the first link's path.
func chain(t *testing.T, dir, prefix string, n int, to string) string {
	t.Helper()
	for i := n - 1; i >= 0; i-- {
		name := fmt.Sprintf("%s%d", prefix, i)
		if err := os.Symlink(to, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		to = name
	}
	return filepath.Join(dir, to)
}

// The links of a path's directories and of its final name, nested ones
// too, spend one budget of MaxSymlinks, as the kernel's own lookup does: the
// kernel is the oracle here, on paths just under, at and just over it.
func TestOneBudgetAsTheKernel(t *testing.T) {
	for _, tt := range []struct{ dirLinks, fileLinks int }{
		{0, 40}, {0, 41}, {40, 0}, {41, 0}, {20, 20}, {20, 21}, {30, 30}, {39, 1}, {1, 40},
	} {
		t.Run(fmt.Sprintf("%d+%d", tt.dirLinks, tt.fileLinks), func(t *testing.T) {
			root := t.TempDir()
			real := filepath.Join(root, "real")
			if err := os.Mkdir(real, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(real, "file"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			dir := real
			if tt.dirLinks > 0 {
				dir = chain(t, root, "d", tt.dirLinks, "real")
			}
			name := "file"
			if tt.fileLinks > 0 {
				name = filepath.Base(chain(t, real, "f", tt.fileLinks, "file"))
			}
			path := dir + "/" + name

			_, kerr := os.Stat(path)
			var w resolve.Walk
			var st unix.Stat_t
			e, err := w.Entry(unix.AT_FDCWD, path, &st)
			if e.Owned {
				defer unix.Close(e.Dir)
			}
			if errors.Is(kerr, unix.ELOOP) != errors.Is(err, unix.ELOOP) {
				t.Fatalf("kernel: %v; resolve: %v", kerr, err)
			}
			if kerr == nil && (err != nil || !e.Exists || e.Base != "file") {
				t.Fatalf("kernel finds the file; resolve: %+v, %v", e, err)
			}
		})
	}
}

// Entry ends where the kernel's lookup ends, for links relative to their
// own directory, absolute links, links to directories on the way, dangling
// links and names that end in a slash. The kernel's open(O_CREAT), made
// after Entry, is the oracle: it must open (or create) the very entry Entry
// found, or fail as Entry did.
func TestEntryAsTheKernel(t *testing.T) {
	for _, rel := range []string{
		"a/b/file", "a/up/tofile", "abs/file", "c/tofile", "a/dangling", "c/deep", "a/b/self",
		"abs/../b/file", "a/./b/file", "a/b/missing", "loop", "c/notdir", "slash", "a/b/file/",
		"missing/file", "a/b", "a/..",
	} {
		t.Run(rel, func(t *testing.T) {
			root := t.TempDir()
			for _, d := range []string{"a/b", "c"} {
				os.MkdirAll(filepath.Join(root, d), 0o755)
			}
			os.WriteFile(filepath.Join(root, "a/b/file"), []byte("x"), 0o644)
			for name, to := range map[string]string{
				"a/up":       "../c",                     // relative to a/, not to the caller
				"c/tofile":   "../a/b/file",              // through c/
				"abs":        filepath.Join(root, "a/b"), // absolute
				"a/dangling": "b/new",                    // names the file to create
				"slash":      "a/b/",                     // a directory's name
				"c/deep":     "../a/up/../a/b/./file",    // .. after a link: the target's parent
				"a/b/self":   "../../a/b/../b/file",      // back into its own directory
				"loop":       "loop",
				"c/notdir":   "../a/b/file/x",
			} {
				if err := os.Symlink(to, filepath.Join(root, name)); err != nil {
					t.Fatal(err)
				}
			}
			path := root + "/" + rel

			var w resolve.Walk
			var st unix.Stat_t
			e, err := w.Entry(unix.AT_FDCWD, path, &st)
			if e.Owned {
				defer unix.Close(e.Dir)
			}
			fd, kerr := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_CLOEXEC, 0o644)
			if kerr == unix.EISDIR && err == nil && e.Exists && st.Mode&unix.S_IFMT == unix.S_IFDIR {
				return // found the directory; refusing it is the caller's part
			}
			if kerr != nil {
				if !errors.Is(err, kerr) {
					t.Fatalf("kernel: %v; resolve: %+v, %v", kerr, e, err)
				}
				return
			}
			defer unix.Close(fd)
			var kst, rst unix.Stat_t
			unix.Fstat(fd, &kst)
			if err != nil {
				t.Fatalf("kernel opens it; resolve: %v", err)
			}
			if serr := unix.Fstatat(e.Dir, e.Base, &rst, unix.AT_SYMLINK_NOFOLLOW); serr != nil || rst.Ino != kst.Ino || rst.Dev != kst.Dev {
				t.Fatalf("resolve found %q (%v), not the file the kernel opened", e.Base, serr)
			}
			if e.Exists != (st.Ino == kst.Ino) {
				t.Fatalf("resolve says exists=%v before the kernel's open", e.Exists)
			}
		})
	}
}

// A directory walk returns a readable handle of the caller's own, even
// when it ends where it began ("."), and whatever it walked through.
func TestDirByWalkIsOwnAndReadable(t *testing.T) {
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, "sub"), 0o755)
	os.Symlink("sub", filepath.Join(root, "link"))
	t.Chdir(root)
	for _, path := range []string{".", "./.", "sub", "link", "link/..", root, root + "/link/."} {
		var w resolve.Walk
		fd, err := w.DirByWalk(unix.AT_FDCWD, path)
		if err != nil {
			t.Fatalf("%q: %v", path, err)
		}
		if fd < 0 {
			t.Fatalf("%q: handle %d is not the walk's own", path, fd)
		}
		if err := unix.Fsync(fd); err != nil {
			t.Errorf("%q: fsync of the handle: %v", path, err)
		}
		f := os.NewFile(uintptr(fd), path)
		if _, err := f.Readdirnames(1); err != nil && err != io.EOF {
			t.Errorf("%q: the handle is not readable: %v", path, err)
		}
		f.Close()
	}
}

// Walk.Path is where the walk ended, with no link on it: the directory
// the kernel opens for the same path, whether it is resolved in one call
// or component by component, links and ".." after a link included.
func TestWalkPath(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"a/b/c", "x"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("a/b", filepath.Join(root, "lb"))         // relative
	os.Symlink(root+"/a/b/c", filepath.Join(root, "lc")) // absolute
	for _, tt := range []struct{ path, want string }{
		{"a/b/c", "a/b/c"},
		{"lb", "a/b"},
		{"lb/c", "a/b/c"},
		{"lb/..", "a"}, // ".." of the link's target, as the kernel takes it
		{"lc/../../../x", "x"},
		{"./a//b/", "a/b"},
	} {
		for _, oneCall := range []bool{true, false} {
			var w resolve.Walk
			path := root + "/" + tt.path // not cleaned: ".." after a link
			var fd int
			var err error
			if oneCall {
				fd, _, err = w.Dir(unix.AT_FDCWD, path)
			} else {
				fd, err = w.DirByWalk(unix.AT_FDCWD, path)
			}
			if err != nil {
				t.Fatalf("%s: %v", tt.path, err)
			}
			unix.Close(fd)
			if got, want := filepath.Clean(w.Path), filepath.Join(root, tt.want); got != want {
				t.Errorf("%s (one call %v): Path %q, want %q", tt.path, oneCall, got, want)
			}
		}
	}
}
