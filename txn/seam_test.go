package txn_test

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"sync"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// linkBackups makes a batch keep hard-link backups, as on a filesystem
// that cannot exchange two names (every filesystem the tests run on can).
func linkBackups(s *protocol.Settings) { s.LinkBackups = true }

// failAt returns an option whose hook fails the k-th time (from 1) step is
// reached, across all entries of the Tx, and records the steps it sees.
// Commit syncs entries in parallel: the hook takes a lock.
func failAt(step protocol.Step, k int, seen *[]protocol.Step) func(*protocol.Settings) {
	var mu sync.Mutex
	n := 0
	return func(s *protocol.Settings) {
		s.Inject = func(got protocol.Step) error {
			mu.Lock()
			defer mu.Unlock()
			*seen = append(*seen, got)
			if got == step {
				n++
				if n == k {
					return syscall.EIO
				}
			}
			return nil
		}
	}
}

// dieAt returns an option whose hook kills the process (no cleanup of
// any kind: testenv.KillSelf) the k-th time the step named step is reached.
func dieAt(step string, k int) func(*protocol.Settings) {
	var mu sync.Mutex
	n := 0
	return func(s *protocol.Settings) {
		prev := s.Inject
		s.Inject = func(got protocol.Step) error {
			mu.Lock()
			if got.String() == step {
				if n++; n == k {
					testenv.KillSelf()
				}
			}
			mu.Unlock()
			if prev != nil {
				return prev(got)
			}
			return nil
		}
	}
}

func stepNamed(name string) protocol.Step {
	for s := protocol.Step(0); s.String() != fmt.Sprintf("Step(%d)", int(s)); s++ {
		if s.String() == name {
			return s
		}
	}
	panic("no step " + name)
}

// checkSteps commits a set (see newSet) with opts and fails the test
// unless its steps are those want counts (less chown where the old files
// are the writer's own). It returns the counts that apply.
func checkSteps(t *testing.T, opts []txn.Option, want map[protocol.Step]int) map[protocol.Step]int {
	t.Helper()
	var steps []protocol.Step
	s := newSet(t)
	tx := txn.New(append(opts, txn.WithSeam(failAt(-1, 0, &steps)))...)
	s.stage(t, tx)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	counts := map[protocol.Step]int{}
	for _, st := range steps {
		counts[st]++
	}
	want = maps.Clone(want)
	if os.Geteuid() != 0 {
		delete(want, protocol.StepChown) // the old files are the writer's own
	}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Fatalf("steps of a 3-entry commit: %v, want %v", counts, want)
	}
	return want
}

func isDirError(err error) bool {
	return errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTDIR)
}

// A syncStrategy is one way a batch makes its temps durable (see
// syncStrategies, whose list is each platform's), with the steps of a
// 3-entry commit in 2 directories under it.
type syncStrategy struct {
	name  string
	opts  []txn.Option
	steps map[protocol.Step]int
}

// atRename returns a seam that calls do(k) before the k-th rename of the
// Commit, and fails that rename with what do returns.
func atRename(do func(k int) error) func(*protocol.Settings) { return atStep(protocol.StepRename, do) }

// atStep returns a seam that calls do(k) the k-th time the Commit reaches
// step, and fails that step with what do returns.
func atStep(step protocol.Step, do func(k int) error) func(*protocol.Settings) {
	k := 0
	return func(s *protocol.Settings) {
		s.Inject = func(got protocol.Step) error {
			if got != step {
				return nil
			}
			k++
			return do(k)
		}
	}
}
