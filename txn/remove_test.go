package txn_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// stageRemoval stages the set's change with x removed rather than written.
func (s set) stageRemoval(t *testing.T, tx *txn.Tx) {
	t.Helper()
	if err := tx.Remove(s.x); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.y, s.z} {
		if err := tx.WriteString(p, "new "+filepath.Base(p)); err != nil {
			t.Fatal(err)
		}
	}
}

// isRemoved checks the set's new state when x was removed.
func (s set) isRemoved(t *testing.T) {
	t.Helper()
	testenv.FileHolds(t, s.y, []byte("new y"))
	testenv.FileHolds(t, s.z, []byte("new z"))
	testenv.DirHolds(t, s.a, "y")
	testenv.DirHolds(t, s.b, "z")
}

// A removal commits with the writes of its set, under every sync strategy
// (and with hard-link backups as well as exchanges), and leaves nothing.
func TestRemoveInSet(t *testing.T) {
	for _, strategy := range syncStrategies {
		t.Run(strategy.name, func(t *testing.T) {
			s := newSet(t)
			tx := txn.New(strategy.opts...)
			s.stageRemoval(t, tx)
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			s.isRemoved(t)
		})
	}
}

// A removal alone is an unlink; a Rollback keeps the file.
func TestRemoveAlone(t *testing.T) {
	s := newSet(t)
	tx := txn.New()
	if err := tx.Remove(s.x); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, s.x, []byte("old x"))

	tx = txn.New()
	if err := tx.Remove(s.x); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	testenv.DirHolds(t, s.a)
}

// What Remove does with names that are not plain files.
func TestRemoveNames(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the name removed
		want  error                                 // from Remove; nil: Commit succeeds
		after []string                              // what dir holds after the commit
	}{
		{"missing", func(t *testing.T, dir string) string { return filepath.Join(dir, "none") }, nil, []string{"keep"}},
		{"gone before commit", func(t *testing.T, dir string) string {
			testenv.WriteFile(t, filepath.Join(dir, "f"), []byte("f"), 0o644)
			return filepath.Join(dir, "f")
		}, nil, []string{"keep"}},
		{"symlink: the link goes, not its file", func(t *testing.T, dir string) string {
			testenv.Symlink(t, "keep", filepath.Join(dir, "link"))
			return filepath.Join(dir, "link")
		}, nil, []string{"keep"}},
		{"through a directory symlink", func(t *testing.T, dir string) string {
			os.Mkdir(filepath.Join(dir, "sub"), 0o755)
			testenv.WriteFile(t, filepath.Join(dir, "sub", "f"), []byte("f"), 0o644)
			testenv.Symlink(t, "sub", filepath.Join(dir, "dirlink"))
			return filepath.Join(dir, "dirlink", "f")
		}, nil, []string{"dirlink", "keep", "sub"}},
		{"directory", func(t *testing.T, dir string) string {
			os.Mkdir(filepath.Join(dir, "sub"), 0o755)
			return filepath.Join(dir, "sub")
		}, syscall.EISDIR, []string{"keep", "sub"}},
		{"missing parent", func(t *testing.T, dir string) string { return filepath.Join(dir, "none", "f") }, fs.ErrNotExist, []string{"keep"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testenv.TempDir(t)
			testenv.WriteFile(t, filepath.Join(dir, "keep"), []byte("keep"), 0o644)
			name := tt.setup(t, dir)
			tx := txn.New()
			defer tx.Rollback()
			err := tx.Remove(name)
			if tt.name == "gone before commit" {
				os.Remove(name)
			}
			if tt.want != nil {
				var pe *fs.PathError
				if !errors.Is(err, tt.want) || !errors.As(err, &pe) || pe.Path != name {
					t.Fatalf("Remove: %v, want %v naming %s", err, tt.want, name)
				}
				if tx.Commit() == nil {
					t.Fatal("Commit succeeded after a failed Remove")
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				// With a write beside it, so that the batch path runs too.
				if err := tx.WriteString(filepath.Join(dir, "keep"), "keep"); err != nil {
					t.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			testenv.DirHolds(t, dir, tt.after...)
			testenv.FileHolds(t, filepath.Join(dir, "keep"), []byte("keep"))
		})
	}
}

// A name removed and written in one Tx is one target staged twice.
func TestRemoveDuplicate(t *testing.T) {
	s := newSet(t)
	tx := txn.New()
	defer tx.Rollback()
	if err := tx.Remove(s.x); err != nil {
		t.Fatal(err)
	}
	if err := tx.WriteString(s.x, "new"); !errors.Is(err, txn.ErrDuplicate) {
		t.Fatalf("got %v, want ErrDuplicate", err)
	}
}

// A rename that fails after the removal (the last target made a directory
// by another process: a real EISDIR) turns the set back: the removed file
// is back, with its content, and nothing is left over.
func TestRemoveUndone(t *testing.T) {
	for _, strategy := range syncStrategies {
		t.Run(strategy.name, func(t *testing.T) {
			s := newSet(t)
			tx := txn.New(strategy.opts...)
			s.stageRemoval(t, tx)
			os.Remove(s.z)
			os.Mkdir(s.z, 0o755)
			if err := tx.Commit(); !isDirError(err) {
				t.Fatalf("Commit: %v, want EISDIR", err)
			}
			testenv.FileHolds(t, s.x, []byte("old x"))
			testenv.DirHolds(t, s.a, "x")
			testenv.DirHolds(t, s.b, "z")
		})
	}
}

// A writer killed at each step of a commit that removes x and writes y and
// z, then Recover: all old before the commit point, the first rename (x
// back), all new after it (x gone), nothing left over; a second Recover
// changes nothing.
func TestRecoverRemovalAfterKill(t *testing.T) {
	for _, strategy := range syncStrategies {
		for _, step := range []protocol.Step{protocol.StepSync, protocol.StepJournal, protocol.StepRename, protocol.StepSyncDir} {
			n := strategy.steps[step]
			if step == protocol.StepSync && n > 1 {
				n-- // x has no temp to sync
			}
			for k := 1; k <= n; k++ {
				isNew := step == protocol.StepRename && k > 1 || step == protocol.StepSyncDir
				t.Run(fmt.Sprintf("%s/%v#%d", strategy.name, step, k), func(t *testing.T) {
					s := newSet(t)
					killedIn(t, "die-remove", s, step, k, strategy.name)
					for range 2 {
						if err := txn.Recover(s.a, s.b); err != nil {
							t.Fatal(err)
						}
						if isNew {
							s.isRemoved(t)
						} else {
							s.isOld(t)
						}
					}
				})
			}
		}
	}
}

// A commit whose last rename fails (EIO injected at the seam), killed while
// it puts the removed file back, is recovered to the old set.
func TestRecoverRemovalDuringUndo(t *testing.T) {
	for _, strategy := range []string{"syncfs", "syncfs/links"} {
		for k := 1; k <= 2; k++ {
			t.Run(fmt.Sprint(strategy, k), func(t *testing.T) {
				s := newSet(t)
				killedIn(t, "die-remove", s, protocol.StepUndo, k, strategy, protocol.StepRename.String())
				if err := txn.Recover(s.a, s.b); err != nil {
					t.Fatal(err)
				}
				s.isOld(t)
			})
		}
	}
}
