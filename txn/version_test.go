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

// stageVersioned stages the set with z, the last, written only if
// unchanged since it was read.
func (s set) stageVersioned(t *testing.T, tx *txn.Tx) {
	t.Helper()
	_, v, err := atomic.ReadFile(s.z)
	if err != nil {
		t.Fatal(err)
	}
	s.stageWith(t, tx, map[string][]atomic.Option{s.z: {atomic.WithVersion(v)}})
}

// One entry changed since it was read stops the whole Tx, and the error
// names it.
func TestVersionInTx(t *testing.T) {
	for _, strategy := range syncStrategies {
		t.Run(strategy.name, func(t *testing.T) {
			s := newSet(t)
			tx := txn.New(strategy.opts...)
			s.stageVersioned(t, tx)
			if err := atomic.WriteString(s.x, "theirs"); err != nil { // x is not versioned
				t.Fatal(err)
			}
			if err := atomic.WriteString(s.z, "theirs"); err != nil {
				t.Fatal(err)
			}
			err := tx.Commit()
			if !errors.Is(err, atomic.ErrChanged) || !isNamed(err, s.z) {
				t.Fatalf("Commit: %v, want ErrChanged naming %s", err, s.z)
			}
			testenv.FileHolds(t, s.x, []byte("theirs"))
			testenv.FileHolds(t, s.z, []byte("theirs"))
			testenv.DirHolds(t, s.a, "x")
			testenv.DirHolds(t, s.b, "z")
		})
	}
}

// Transactions over the same two files, staged in opposite orders, all
// from the same versions: each round exactly one commits, the others fail
// with ErrChanged, and none waits on another for good (the locks are taken
// in one order).
func TestVersionTxRace(t *testing.T) {
	s := newSet(t)
	p, q := s.x, s.z
	const rounds = 30
	winners := testenv.OneWinsEachRound(t, rounds, 6, atomic.ErrChanged, func(round, w int) func() error {
		_, vp, err1 := atomic.ReadFile(p)
		_, vq, err2 := atomic.ReadFile(q)
		return func() error {
			if err := errors.Join(err1, err2); err != nil {
				return err
			}
			tx := txn.New()
			defer tx.Rollback()
			names, versions := []string{p, q}, []atomic.Version{vp, vq}
			if w%2 == 1 {
				names, versions = []string{q, p}, []atomic.Version{vq, vp}
			}
			for i, n := range names {
				if err := tx.WriteString(n, fmt.Sprint(round, w), atomic.WithVersion(versions[i])); err != nil {
					return err
				}
			}
			return tx.Commit()
		}
	})
	want := []byte(fmt.Sprint(rounds-1, winners[rounds-1]))
	testenv.FileHolds(t, p, want)
	testenv.FileHolds(t, q, want)
}

// A writer killed in the renames before its compare-and-swap entry's (x
// and y renamed, z not), and that entry's target replaced by another write
// before Recover: Recover cannot end the set new without undoing that
// write, so it ends it old, and the other write stays. Not replaced, the
// set ends new.
func TestRecoverVersionChanged(t *testing.T) {
	for _, strategy := range syncStrategies {
		for _, replaced := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/replaced=%v", strategy.name, replaced), func(t *testing.T) {
				s := newSet(t)
				killedIn(t, "die-version", s, protocol.StepRename, 3, strategy.name)
				if replaced {
					if err := atomic.WriteString(s.z, "theirs"); err != nil {
						t.Fatal(err)
					}
				}
				for range 2 {
					if err := txn.Recover(s.a, s.b); err != nil {
						t.Fatal(err)
					}
					if !replaced {
						s.isNew(t)
						continue
					}
					testenv.FileHolds(t, s.x, []byte("old x"))
					testenv.FileHolds(t, s.z, []byte("theirs"))
					testenv.DirHolds(t, s.a, "x")
					testenv.DirHolds(t, s.b, "z")
				}
			})
		}
	}
}

func isNamed(err error, path string) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Path == path
}
