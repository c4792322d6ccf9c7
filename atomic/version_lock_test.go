package atomic_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// Writers that all read the same version race to write: exactly one
// succeeds each round, the others fail with ErrChanged. The lock each
// takes (a flock, per open file; on Windows a named mutex, per thread)
// holds goroutines off as it would processes.
func TestVersionRace(t *testing.T) {
	dir := testenv.TempDir(t)
	path := filepath.Join(dir, "f")
	testenv.WriteFile(t, path, []byte("start"), 0o644)
	testenv.OneWinsEachRound(t, 50, 8, atomic.ErrChanged, func(round, w int) func() error {
		_, v, err := atomic.ReadFile(path)
		return func() error {
			if err != nil {
				return err
			}
			return atomic.WriteString(path, fmt.Sprint(round, w), atomic.WithVersion(v))
		}
	})
	testenv.DirHolds(t, dir, "f")
}

// A compare-and-swap holds its lock from its check through its rename: a
// child process stopped just before its rename (a seam) holds it, so the
// parent's write, which expects the same version, waits for it, and then
// finds the file changed. Were the lock let go before the rename (on
// Windows a rename cannot replace a file that a handle holds open), both
// would write.
func TestVersionLockSpansRename(t *testing.T) {
	dir := testenv.TempDir(t)
	path := filepath.Join(dir, "f")
	testenv.WriteFile(t, path, []byte("old"), 0o644)
	v, err := atomic.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	child := testenv.Child(t, "cas-held", path)
	stdin := testenv.StartReady(t, child, "renaming")
	done := make(chan error, 1)
	go func() { done <- atomic.WriteString(path, "parent", atomic.WithVersion(v)) }()
	// Time for the write to reach the lock; it must not get past it.
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-done:
		stdin.Close()
		child.Wait()
		t.Fatalf("the write finished while another held the lock to its rename: %v", err)
	default:
	}
	stdin.Close()
	if err := child.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	if err := <-done; !errors.Is(err, atomic.ErrChanged) {
		t.Errorf("write after the other's rename: %v, want ErrChanged", err)
	}
	testenv.FileHolds(t, path, []byte("child"))
	testenv.DirHolds(t, dir, "f")
}
