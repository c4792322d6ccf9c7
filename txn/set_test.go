package txn_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// A set of two directories: a holds x (old) and y (absent), b holds z (old).
type set struct {
	a, b    string
	x, y, z string
}

func newSet(t *testing.T) set {
	t.Helper()
	s := plainSet(t)
	// Commits mark a and b, as they do for consistent readers.
	if err := txn.EnableReads(context.Background(), s.a, s.b); err != nil {
		t.Fatal(err)
	}
	return s
}

// plainSet is newSet in directories where consistent reads are not
// enabled.
func plainSet(t *testing.T) set {
	t.Helper()
	s := setAt(testenv.TempDir(t))
	os.Mkdir(s.a, 0o755)
	os.Mkdir(s.b, 0o755)
	testenv.WriteFile(t, s.x, []byte("old x"), 0o600)
	testenv.WriteFile(t, s.z, []byte("old z"), 0o640)
	if os.Geteuid() == 0 {
		// Another owner, so that a commit gives the new files theirs.
		os.Chown(s.x, 1234, 5678)
		os.Chown(s.z, 1234, 5678)
	}
	return s
}

// setAt names the files of a set below root.
func setAt(root string) set {
	s := set{a: filepath.Join(root, "a"), b: filepath.Join(root, "b")}
	s.x, s.y, s.z = filepath.Join(s.a, "x"), filepath.Join(s.a, "y"), filepath.Join(s.b, "z")
	return s
}

func (s set) stage(t *testing.T, tx *txn.Tx) {
	t.Helper()
	s.stageWith(t, tx, nil)
}

// stageWith stages the set's new content, each file with the options opts
// gives its path.
func (s set) stageWith(t *testing.T, tx *txn.Tx, opts map[string][]atomic.Option) {
	t.Helper()
	for _, p := range []string{s.x, s.y, s.z} {
		if err := tx.WriteString(p, "new "+filepath.Base(p), opts[p]...); err != nil {
			t.Fatal(err)
		}
	}
}

func (s set) isOld(t *testing.T) {
	t.Helper()
	testenv.FileHolds(t, s.x, []byte("old x"))
	testenv.FileHolds(t, s.z, []byte("old z"))
	testenv.DirHolds(t, s.a, "x")
	testenv.DirHolds(t, s.b, "z")
}

func (s set) isNew(t *testing.T) {
	t.Helper()
	testenv.FileHolds(t, s.x, []byte("new x"))
	testenv.FileHolds(t, s.y, []byte("new y"))
	testenv.FileHolds(t, s.z, []byte("new z"))
	testenv.DirHolds(t, s.a, "x", "y")
	testenv.DirHolds(t, s.b, "z")
}

func mustReadDir(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// onlyMatch returns the one file in dir whose name matches pattern.
func onlyMatch(t *testing.T, dir, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(m) != 1 {
		t.Fatalf("%s holds %q matching %s, want one", dir, m, pattern)
	}
	return m[0]
}
