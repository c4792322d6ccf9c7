//go:build unix

package txn_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// A rename fails part-way through Commit, for real: the targets this Commit
// already replaced get their old content back, a new one is removed, and no
// temp or backup remains.
func TestRenameFailureRestores(t *testing.T) {
	t.Run("target became a directory", func(t *testing.T) {
		s := newSet(t)
		tx := txn.New(txn.WithSeam(linkBackups)) // an exchange would not fail: see below
		s.stage(t, tx)                           // x, y in a; z in b: z is renamed last
		os.Remove(s.z)
		os.Mkdir(s.z, 0o755)
		os.WriteFile(filepath.Join(s.z, "inside"), []byte("keep"), 0o644)
		err := tx.Commit()
		var pe *fs.PathError
		if !isDirError(err) || !errors.As(err, &pe) || pe.Path != s.z {
			t.Fatalf("Commit: %v, want EISDIR naming %s", err, s.z)
		}
		testenv.FileHolds(t, s.x, []byte("old x"))
		testenv.DirHolds(t, s.a, "x") // y, new, is removed again
		testenv.DirHolds(t, s.b, "z")
		testenv.FileHolds(t, filepath.Join(s.z, "inside"), []byte("keep"))
	})
	// y did not exist when staged; a file another process creates there
	// before Commit is not replaced (it would have no backup), whether the
	// batch exchanges or keeps link backups: the commit turns back and the
	// file is kept.
	for _, strategy := range syncStrategies {
		t.Run("new target appeared/"+strategy.name, func(t *testing.T) {
			newTargetAppeared(t, strategy.opts)
		})
	}
	t.Run("target made immutable", func(t *testing.T) {
		s := newSet(t)
		tx := txn.New()
		s.stage(t, tx)
		testenv.SetImmutable(t, s.z)
		err := tx.Commit()
		var pe *fs.PathError
		if !errors.Is(err, fs.ErrPermission) || !errors.As(err, &pe) || pe.Path != s.z {
			t.Fatalf("Commit: %v, want EPERM naming %s", err, s.z)
		}
		testenv.ClearImmutable(t, s.z)
		s.isOld(t)
	})
	// In an immutable directory the temp staged there cannot be removed
	// either, by anyone: the undo still happens, and the error says what
	// was left behind.
	t.Run("directory made immutable", func(t *testing.T) {
		s := newSet(t)
		tx := txn.New()
		s.stage(t, tx)
		testenv.SetImmutable(t, s.b)
		err := tx.Commit()
		var pe *fs.PathError
		if !errors.Is(err, fs.ErrPermission) || !errors.As(err, &pe) || pe.Path != s.z {
			t.Fatalf("Commit: %v, want EPERM naming %s", err, s.z)
		}
		if !strings.Contains(err.Error(), "remove "+s.z+": .z.") || !strings.Contains(err.Error(), ".aw-tmp: operation not permitted") {
			t.Errorf("Commit: %v, want the leftover temp reported", err)
		}
		testenv.FileHolds(t, s.x, []byte("old x"))
		testenv.DirHolds(t, s.a, "x")
		testenv.FileHolds(t, s.z, []byte("old z"))
	})
}

// newTargetAppeared commits a set with opts after another process made y,
// which was new when staged (see TestRenameFailureRestores).
func newTargetAppeared(t *testing.T, opts []txn.Option) {
	s := newSet(t)
	tx := txn.New(opts...)
	s.stage(t, tx)
	os.WriteFile(s.y, []byte("theirs"), 0o644)
	err := tx.Commit()
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrExist) || !errors.As(err, &pe) || pe.Path != s.y {
		t.Fatalf("Commit: %v, want EEXIST naming %s", err, s.y)
	}
	testenv.FileHolds(t, s.x, []byte("old x"))
	testenv.FileHolds(t, s.y, []byte("theirs"))
	testenv.FileHolds(t, s.z, []byte("old z"))
	testenv.DirHolds(t, s.a, "x", "y")
	testenv.DirHolds(t, s.b, "z")
}

// Where a batch keeps link backups, a target that another process turned
// into a directory after it was staged cannot be linked to its backup
// name: the commit fails before its commit point, every target is old, and
// the directory is untouched.
func TestLinkedDirectoryRefused(t *testing.T) {
	s := newSet(t)
	tx := txn.New(txn.WithSeam(linkBackups))
	s.stage(t, tx)
	os.Remove(s.x)
	os.Mkdir(s.x, 0o755)
	testenv.WriteFile(t, filepath.Join(s.x, "inside"), []byte("keep"), 0o644)
	err := tx.Commit()
	var pe *fs.PathError
	if err == nil || errors.Is(err, atomic.ErrNotDurable) || !errors.As(err, &pe) || pe.Path != s.x {
		t.Fatalf("Commit: %v, want a failure naming %s", err, s.x)
	}
	testenv.FileHolds(t, filepath.Join(s.x, "inside"), []byte("keep"))
	testenv.FileHolds(t, s.z, []byte("old z"))
	testenv.DirHolds(t, s.a, "x")
	testenv.DirHolds(t, s.b, "z")
}

// Where the filesystem exchanges names, a target that another process
// turned into a directory after it was staged is exchanged like a file:
// nothing refuses it. The new set is in place, and the directory, whole,
// is kept under the temp's name, which the error gives; Recover then leaves
// it alone.
func TestExchangedDirectoryKept(t *testing.T) {
	s := newSet(t)
	testenv.SkipWithoutExchange(t, s.a)
	err := commitWithDirectoryAt(t, s, s.x)
	if !errors.Is(err, atomic.ErrNotDurable) || !isDirError(err) {
		t.Fatalf("Commit: %v, want EISDIR wrapping ErrNotDurable", err)
	}
	m := regexp.MustCompile(`left behind as (\S+\.aw-tmp)`).FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("Commit: %v, want the directory's new name", err)
	}
	testenv.FileHolds(t, filepath.Join(s.a, m[1], "inside"), []byte("keep"))
	testenv.FileHolds(t, s.x, []byte("new x"))
	testenv.FileHolds(t, s.z, []byte("new z"))
	if err := txn.Recover(s.a, s.b); !isDirError(err) {
		t.Errorf("Recover: %v, want it to report the directory it cannot remove", err)
	}
	testenv.FileHolds(t, filepath.Join(s.a, m[1], "inside"), []byte("keep"))
	testenv.FileHolds(t, s.x, []byte("new x"))
	testenv.DirHolds(t, s.a, m[1], "x", "y")
}

// The last target of a batch is renamed, not exchanged (nothing after it
// can turn the batch back, so it needs no undo copy): made a directory
// after staging, it refuses the rename, and the commit turns back. Every
// target is old again, and the directory is untouched.
func TestLastTargetMadeDirectoryTurnsBack(t *testing.T) {
	s := newSet(t)
	err := commitWithDirectoryAt(t, s, s.z)
	var pe *fs.PathError
	if !isDirError(err) || errors.Is(err, atomic.ErrNotDurable) || !errors.As(err, &pe) || pe.Path != s.z {
		t.Fatalf("Commit: %v, want EISDIR naming %s", err, s.z)
	}
	testenv.FileHolds(t, s.x, []byte("old x"))
	testenv.DirHolds(t, s.a, "x")
	testenv.FileHolds(t, filepath.Join(s.z, "inside"), []byte("keep"))
	testenv.DirHolds(t, s.b, "z")
}

// commitWithDirectoryAt stages the set, then (as another process could)
// replaces the target path by a directory holding a file "inside", and
// commits.
func commitWithDirectoryAt(t *testing.T, s set, path string) error {
	t.Helper()
	tx := txn.New()
	s.stage(t, tx)
	os.Remove(path)
	os.Mkdir(path, 0o755)
	testenv.WriteFile(t, filepath.Join(path, "inside"), []byte("keep"), 0o644)
	return tx.Commit()
}

// A failure at every step of a 3-entry Commit in 2 directories, injected at
// the seam (fsync, close, link and rename cannot be made to fail on demand
// on a healthy filesystem; the crash suite does it from outside). Before
// the last rename, any failure leaves the old set, with earlier renames
// undone; a failed directory fsync leaves the new set and says so.
func TestFailureAtEachStep(t *testing.T) {
	for _, strategy := range syncStrategies {
		t.Run(strategy.name, func(t *testing.T) {
			failureAtEachStep(t, strategy.opts, strategy.steps)
		})
	}
}

func failureAtEachStep(t *testing.T, opts []txn.Option, want map[protocol.Step]int) {
	want = checkSteps(t, opts, want)
	for step, n := range want {
		for k := 1; k <= n; k++ {
			t.Run(fmt.Sprintf("%v#%d", step, k), func(t *testing.T) {
				s := newSet(t)
				var seen []protocol.Step
				tx := txn.New(append(opts, txn.WithSeam(failAt(step, k, &seen)))...)
				for _, p := range []string{s.x, s.y, s.z} {
					tx.WriteString(p, "new "+filepath.Base(p)) // a failure here must make Commit fail
				}
				err := tx.Commit()
				if !errors.Is(err, syscall.EIO) {
					t.Fatalf("Commit: %v, want EIO", err)
				}
				if step == protocol.StepSyncDir {
					if !errors.Is(err, atomic.ErrNotDurable) || !strings.Contains(err.Error(), "kept for Recover") {
						t.Errorf("%q does not wrap ErrNotDurable and name the journal kept", err)
					}
					// The journal is kept, for a Recover that makes sure.
					if err := txn.Recover(s.a); err != nil {
						t.Fatal(err)
					}
					s.isNew(t)
					return
				}
				if errors.Is(err, atomic.ErrNotDurable) {
					t.Errorf("%q wraps ErrNotDurable before the renames were done", err)
				}
				s.isOld(t)
			})
		}
	}
}
