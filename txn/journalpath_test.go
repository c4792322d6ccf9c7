package txn_test

import (
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// Where the system cannot tell a directory's path (the BSDs, AIX), the
// journal records the path each directory was opened by, once the walk
// resolved its links, if it still leads there. A directory other than the
// journal's own that was renamed since cannot be recorded: the commit fails
// before its commit point, and nothing is replaced. (The journal's own
// directory needs no path: see TestDirectoryResolvedOnce.)
func TestJournalPathUnknown(t *testing.T) {
	s := newSet(t)
	testenv.SkipWithKernelPaths(t, s.a)
	tx := txn.New()
	s.stage(t, tx) // x, y in a (the journal's); z in b
	moved := s.b + ".moved"
	if err := os.Rename(s.b, moved); err != nil {
		t.Fatal(err)
	}
	err := tx.Commit()
	var pe *fs.PathError
	if err == nil || errors.Is(err, atomic.ErrNotDurable) || !errors.As(err, &pe) || pe.Op != "journal" {
		t.Fatalf("Commit: %v, want a journal error", err)
	}
	testenv.FileHolds(t, s.x, []byte("old x"))
	testenv.DirHolds(t, s.a, "x")
	testenv.DirHolds(t, moved, "z")
}
