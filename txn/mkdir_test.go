package txn_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// newDirPaths are the files stageInNewDirs writes: two in a new directory
// of a, one two new levels below b.
func (s set) newDirPaths() []string {
	return []string{filepath.Join(s.a, "new", "p"), filepath.Join(s.a, "new", "q"), filepath.Join(s.b, "n1", "n2", "r")}
}

// stageInNewDirs stages the set's files in directories the Tx makes.
func (s set) stageInNewDirs(t *testing.T, tx *txn.Tx) {
	t.Helper()
	for _, p := range s.newDirPaths() {
		if err := tx.WriteString(p, "new "+filepath.Base(p), atomic.WithMkdirAll(0o755)); err != nil {
			t.Fatal(err)
		}
	}
}

// noNewDirs checks that the directories the Tx would have made are gone.
func (s set) noNewDirs(t *testing.T) {
	t.Helper()
	testenv.DirHolds(t, s.a, "x")
	testenv.DirHolds(t, s.b, "z")
}

// inNewDirs checks that the files and their new directories are there,
// with nothing else (no temp, no marker).
func (s set) inNewDirs(t *testing.T) {
	t.Helper()
	for _, p := range s.newDirPaths() {
		testenv.FileHolds(t, p, []byte("new "+filepath.Base(p)))
	}
	testenv.DirHolds(t, s.a, "new", "x")
	testenv.DirHolds(t, filepath.Join(s.a, "new"), "p", "q")
	testenv.DirHolds(t, s.b, "n1", "z")
	testenv.DirHolds(t, filepath.Join(s.b, "n1"), "n2")
	testenv.DirHolds(t, filepath.Join(s.b, "n1", "n2"), "r")
}

func TestMkdirAllInTx(t *testing.T) {
	for _, strategy := range syncStrategies {
		t.Run(strategy.name, func(t *testing.T) {
			s := newSet(t)
			tx := txn.New(strategy.opts...)
			s.stageInNewDirs(t, tx)
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			s.inNewDirs(t)

			s = newSet(t)
			tx = txn.New(strategy.opts...)
			s.stageInNewDirs(t, tx)
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
			s.noNewDirs(t)
		})
	}
}

// An entry made with Create in directories the Tx makes, then abandoned
// (Abort): the rest commits, and the directories made for that entry
// alone go, as if it had never been staged; a directory it shares with an
// entry that commits stays.
func TestMkdirAllAborted(t *testing.T) {
	for _, strategy := range syncStrategies {
		t.Run(strategy.name, func(t *testing.T) {
			s := newSet(t)
			tx := txn.New(strategy.opts...)
			defer tx.Rollback()
			if err := tx.WriteString(filepath.Join(s.a, "new", "p"), "new p", atomic.WithMkdirAll(0o755)); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{filepath.Join(s.a, "new", "deeper", "q"), filepath.Join(s.b, "n1", "n2", "r")} {
				w, err := tx.Create(p, atomic.WithMkdirAll(0o755))
				if err != nil {
					t.Fatal(err)
				}
				io.WriteString(w, "half")
				if err := w.Abort(); err != nil {
					t.Fatal(err)
				}
			}
			if err := tx.WriteString(s.x, "new x"); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			testenv.FileHolds(t, filepath.Join(s.a, "new", "p"), []byte("new p"))
			testenv.FileHolds(t, s.x, []byte("new x"))
			testenv.DirHolds(t, s.a, "new", "x")
			testenv.DirHolds(t, filepath.Join(s.a, "new"), "p")
			testenv.DirHolds(t, s.b, "z")
		})
	}
}

// A commit that turns back (its last target made a directory by another
// process: a real EISDIR, or EEXIST where the new name is renamed
// create-only) removes the directories it made.
func TestMkdirAllTurnedBack(t *testing.T) {
	s := newSet(t)
	tx := txn.New()
	s.stageInNewDirs(t, tx)
	last := s.newDirPaths()[2]
	os.Mkdir(last, 0o755)
	if err := tx.Commit(); !isDirError(err) && !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Commit: %v, want EISDIR or EEXIST", err)
	}
	// Its own directories go; the one holding the newcomer stays, with it.
	testenv.DirHolds(t, s.a, "x")
	testenv.DirHolds(t, filepath.Join(s.b, "n1", "n2"), "r")
}

// A writer killed at each step of a commit into new directories, then
// Recover given the target directories (missing or not): before the
// commit point (the first rename) the new directories are gone, after it
// everything is new,
// and no temp, temp directory or marker remains.
func TestRecoverMkdirAllAfterKill(t *testing.T) {
	for _, strategy := range syncStrategies {
		for _, step := range []protocol.Step{protocol.StepCreate, protocol.StepSync, protocol.StepJournal, protocol.StepRename, protocol.StepSyncDir} {
			for k := 1; k <= min(strategy.steps[step], 2); k++ {
				isNew := step == protocol.StepRename && k > 1 || step == protocol.StepSyncDir
				t.Run(fmt.Sprintf("%s/%v#%d", strategy.name, step, k), func(t *testing.T) {
					s := newSet(t)
					killedIn(t, "die-mkdir", s, step, k, strategy.name)
					dirs := []string{filepath.Join(s.a, "new"), filepath.Join(s.b, "n1", "n2"), s.a, s.b}
					for range 2 {
						if err := txn.Recover(dirs...); err != nil {
							t.Fatal(err)
						}
						if isNew {
							s.inNewDirs(t)
						} else {
							s.noNewDirs(t)
						}
					}
				})
			}
		}
	}
}
