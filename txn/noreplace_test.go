package txn_test

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// stageNoReplace stages the set with y, the new file, create-only.
func (s set) stageNoReplace(t *testing.T, tx *txn.Tx) {
	t.Helper()
	s.stageWith(t, tx, map[string][]atomic.Option{s.y: {atomic.WithNoReplace()}})
}

// A create-only entry whose target exists fails to stage, and the Tx
// cannot commit.
func TestNoReplaceEntryExists(t *testing.T) {
	s := newSet(t)
	tx := txn.New()
	defer tx.Rollback()
	if err := tx.WriteString(s.y, "new y"); err != nil {
		t.Fatal(err)
	}
	err := tx.WriteString(s.x, "new x", atomic.WithNoReplace())
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrExist) || !errors.As(err, &pe) || pe.Path != s.x {
		t.Fatalf("got %v, want fs.ErrExist naming %s", err, s.x)
	}
	if tx.Commit() == nil {
		t.Fatal("Commit succeeded after a failed staging")
	}
	s.isOld(t)
}

// A file created at a create-only entry's name after staging turns the
// whole commit back when its rename comes: the earlier rename is undone,
// the newcomer is untouched, nothing is left over.
func TestNoReplaceEntryCreatedMeanwhile(t *testing.T) {
	for _, strategy := range syncStrategies {
		t.Run(strategy.name, func(t *testing.T) {
			s := newSet(t)
			tx := txn.New(strategy.opts...)
			s.stageNoReplace(t, tx)
			testenv.WriteFile(t, s.y, []byte("theirs"), 0o644)
			if err := tx.Commit(); !errors.Is(err, fs.ErrExist) {
				t.Fatalf("Commit: %v, want fs.ErrExist", err)
			}
			testenv.FileHolds(t, s.x, []byte("old x"))
			testenv.FileHolds(t, s.y, []byte("theirs"))
			testenv.FileHolds(t, s.z, []byte("old z"))
			testenv.DirHolds(t, s.a, "x", "y")
			testenv.DirHolds(t, s.b, "z")
		})
	}
}

// A writer killed in the renames, before its create-only entry's, and a
// file made at that entry's name before Recover runs: Recover cannot end
// the set new without replacing that file, so it ends it old (x put back),
// and the newcomer stays. Killed after that rename, the set ends new.
func TestRecoverNoReplaceNameTaken(t *testing.T) {
	for _, strategy := range syncStrategies {
		for k := 1; k <= 3; k++ {
			t.Run(fmt.Sprintf("%s/rename#%d", strategy.name, k), func(t *testing.T) {
				s := newSet(t)
				killedIn(t, "die-noreplace", s, protocol.StepRename, k, strategy.name)
				taken := k <= 2 // y not renamed yet
				if taken {
					testenv.WriteFile(t, s.y, []byte("theirs"), 0o644)
				}
				for range 2 {
					if err := txn.Recover(s.a, s.b); err != nil {
						t.Fatal(err)
					}
					if !taken {
						s.isNew(t)
						continue
					}
					testenv.FileHolds(t, s.x, []byte("old x"))
					testenv.FileHolds(t, s.y, []byte("theirs"))
					testenv.FileHolds(t, s.z, []byte("old z"))
					testenv.DirHolds(t, s.a, "x", "y")
					testenv.DirHolds(t, s.b, "z")
				}
			})
		}
	}
}
