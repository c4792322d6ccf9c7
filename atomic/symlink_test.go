//go:build unix

package atomic_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// linkHolds fails the test unless path is a symlink to want.
func linkHolds(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.Readlink(path)
	if err != nil || got != want {
		t.Errorf("%s: link to %q (%v), want a link to %q", path, got, err, want)
	}
}

func TestSymlinkWriteThrough(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "file")
	testenv.WriteFile(t, target, []byte("old"), 0o600)
	link := filepath.Join(dir, "link")
	os.Symlink("file", link)
	if err := atomic.WriteString(link, "new"); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, target, []byte("new"))
	linkHolds(t, link, "file")
	if m := modeOf(t, target); m != 0o600 {
		t.Errorf("the file's mode became %v, want its own 0600 kept", m)
	}
	testenv.DirHolds(t, dir, "file", "link")
}

// A chain of relative links across directories, one of them reached through
// a symlinked directory: each relative link resolves against the directory
// that really holds it, as the kernel resolves it, not against the path
// string that led there.
func TestSymlinkRelativeChain(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a", "b/real", "c"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.Symlink("b/real", filepath.Join(root, "alias"))                 // alias -> b/real
	os.Symlink("../alias/l2", filepath.Join(root, "a", "l1"))          // a/l1 -> alias/l2
	os.Symlink("../../c/file", filepath.Join(root, "b", "real", "l2")) // real/l2 -> c/file
	testenv.WriteFile(t, filepath.Join(root, "c", "file"), []byte("old"), 0o644)

	if err := atomic.WriteString(filepath.Join(root, "a", "l1"), "new"); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, filepath.Join(root, "c", "file"), []byte("new"))
	linkHolds(t, filepath.Join(root, "a", "l1"), "../alias/l2")
	linkHolds(t, filepath.Join(root, "b", "real", "l2"), "../../c/file")
	testenv.DirHolds(t, filepath.Join(root, "a"), "l1")
	testenv.DirHolds(t, filepath.Join(root, "b", "real"), "l2")
	testenv.DirHolds(t, filepath.Join(root, "c"), "file")
}

// A link on one filesystem to a file on another: the temp must be staged
// next to the final file, or the rename would fail with EXDEV.
func TestSymlinkAcrossFilesystems(t *testing.T) {
	other := testenv.Tmpfs(t, "1m")
	dir := t.TempDir()
	target := filepath.Join(other, "file")
	testenv.WriteFile(t, target, []byte("old"), 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(target, link)
	if err := atomic.WriteString(link, "new"); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, target, []byte("new"))
	linkHolds(t, link, target)
	testenv.DirHolds(t, dir, "link")
	testenv.DirHolds(t, other, "file")
}

// A dangling link creates the file it names, as a shell redirect would.
func TestSymlinkDangling(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link")
	os.Symlink("sub/created", link)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	if err := atomic.WriteString(link, "new"); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, filepath.Join(dir, "sub", "created"), []byte("new"))
	linkHolds(t, link, "sub/created")
	testenv.DirHolds(t, dir, "link", "sub")

	// Dangling into a directory that does not exist: nothing to create in.
	os.Symlink("nodir/file", filepath.Join(dir, "broken"))
	err := atomic.WriteString(filepath.Join(dir, "broken"), "new")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("link into a missing directory: got %v, want fs.ErrNotExist", err)
	}
	testenv.DirHolds(t, dir, "link", "sub", "broken")
}

func TestSymlinkToDirectory(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.Symlink("sub", filepath.Join(dir, "link"))
	err := atomic.WriteString(filepath.Join(dir, "link"), "new")
	if !isDirError(err) {
		t.Errorf("link to a directory: got %v, want EISDIR", err)
	}
	testenv.DirHolds(t, dir, "sub", "link")
	testenv.DirHolds(t, filepath.Join(dir, "sub"))
}
