package resolve_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
	"github.com/atomicwrite/atomicwrite/internal/sys"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// The Windows walk, by paths, on the cases a path holds without links
// (wine makes none): both separators, "." and "..", relative paths, and
// the errors of a lookup.
func TestWalkWindows(t *testing.T) {
	root := testenv.TempDir(t)
	os.MkdirAll(filepath.Join(root, "a", "b"), 0o755)
	testenv.WriteFile(t, filepath.Join(root, "a", "f"), []byte("f"), 0o644)
	t.Chdir(root)
	dirs := []struct {
		path  string
		want  string // the directory reached, below root; "" for an error
		err   error
		exact bool
	}{
		{filepath.Join(root, "a", "b"), `a\b`, nil, true},
		{root + `/a/b`, `a\b`, nil, false},
		{filepath.Join(root, "a") + `\.\b\..\b`, `a\b`, nil, false},
		{`a\b`, `a\b`, nil, false},
		{`a\none`, "", sys.ENOENT, false},
		{`a\f\b`, "", sys.ENOTDIR, false},
	}
	for _, d := range dirs {
		var w resolve.Walk
		fd, exact, err := w.Dir(sys.AT_FDCWD, d.path)
		if err != d.err {
			t.Errorf("Dir(%s): %v, want %v", d.path, err, d.err)
		}
		if err != nil {
			continue
		}
		got, _ := sys.PathOf(fd)
		sys.Close(fd)
		if !testenv.SameFile(t, got, filepath.Join(root, d.want)) || exact != d.exact {
			t.Errorf("Dir(%s): %s (exact %v), want %s (exact %v)", d.path, got, exact, d.want, d.exact)
		}
	}
	entries := []struct {
		name   string
		base   string
		exists bool
		err    error
	}{
		{`a\f`, "f", true, nil},
		{`a/new`, "new", false, nil},
		{`a\b\..\f`, "f", true, nil},
		{`a\b\`, "", false, sys.EISDIR},
		{`none\f`, "", false, sys.ENOENT},
	}
	for _, e := range entries {
		var w resolve.Walk
		var st sys.Stat_t
		got, err := w.Entry(sys.AT_FDCWD, e.name, &st)
		if err != e.err || got.Base != e.base || got.Exists != e.exists {
			t.Errorf("Entry(%s): %+v, %v; want base %q exists %v, %v", e.name, got, err, e.base, e.exists, e.err)
		}
		if err == nil && got.Owned {
			sys.Close(got.Dir)
		}
	}
}
