//go:build unix

package txn_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// A Tx rolled back from another goroutine while a writer of one of its
// entries is writing: the late writes fail with ErrTxDone and never land
// anywhere else.
func TestRollbackWhileWriting(t *testing.T) {
	dir := t.TempDir()
	testenv.EndWhileWriting(t, 300, txn.ErrTxDone, func() (io.Writer, func() error) {
		tx := txn.New()
		w, err := tx.Create(filepath.Join(dir, "target"))
		if err != nil {
			t.Fatal(err)
		}
		return w, tx.Rollback
	})
	testenv.DirHolds(t, dir)
}

// A Tx bound to a context is rolled back as soon as the context is done,
// while an entry is still streaming: the stream's next write fails, Commit
// reports the context's error, and nothing is written or left behind.
func TestContextCancelsStream(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old")
	os.WriteFile(old, []byte("old"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	tx := txn.New(txn.WithContext(ctx))
	if err := tx.WriteFile(old, []byte("new")); err != nil {
		t.Fatal(err)
	}
	w, err := tx.Create(filepath.Join(dir, "stream"))
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(w, pr)
		copied <- err
	}()
	pw.Write([]byte("first part"))
	cancel()
	// The rollback runs on its own: the stream fails at its next write.
	go func() {
		for {
			if _, err := pw.Write([]byte("more")); err != nil {
				return
			}
		}
	}()
	if err := <-copied; !errors.Is(err, txn.ErrTxDone) || !errors.Is(err, context.Canceled) {
		t.Errorf("stream: %v, want ErrTxDone and context.Canceled", err)
	}
	pr.Close()
	// Rolled back already: the error still names the set (by its first
	// file) and says what happened.
	err = tx.Commit()
	var pe *fs.PathError
	if !errors.Is(err, context.Canceled) || !errors.Is(err, txn.ErrTxDone) || !errors.As(err, &pe) || pe.Path != old ||
		!strings.Contains(err.Error(), "rolled back, nothing written") {
		t.Errorf("Commit: %v, want a *fs.PathError naming %s, matching context.Canceled and ErrTxDone", err, old)
	}
	testenv.FileHolds(t, old, []byte("old"))
	testenv.DirHolds(t, dir, "old")
}

// A context done before Commit's commit point stops it there: every temp
// removed, no target replaced.
func TestContextDoneBeforeCommit(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	tx := txn.New(txn.WithContext(ctx))
	for _, name := range []string{"a", "b"} {
		if err := tx.WriteFile(filepath.Join(dir, name), []byte(name)); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if err := tx.Commit(); !errors.Is(err, context.Canceled) {
		t.Errorf("Commit: %v, want context.Canceled", err)
	}
	testenv.DirHolds(t, dir)
}

// A temp that another process replaces by a FIFO between staging and a
// per-file-sync Commit: Commit's reopen does not block on it, the inode
// check refuses it, and nothing is replaced.
func TestFIFOSwappedForTemp(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "x")
	testenv.WriteFile(t, target, []byte("old"), 0o644)
	tx := txn.New(txn.WithPerFileSync())
	if err := tx.WriteFile(target, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if err := tx.WriteFile(filepath.Join(dir, "y"), []byte("new y")); err != nil {
		t.Fatal(err)
	}
	temps, _ := filepath.Glob(filepath.Join(dir, ".x.*.aw-tmp"))
	if len(temps) != 1 {
		t.Fatalf("temps of x: %q", temps)
	}
	os.Remove(temps[0])
	if err := unix.Mkfifo(temps[0], 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- tx.Commit() }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "replaced") {
			t.Errorf("Commit: %v, want the swapped temp refused", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Commit blocked on the FIFO")
	}
	testenv.FileHolds(t, target, []byte("old"))
	testenv.DirHolds(t, dir, "x", filepath.Base(temps[0]))
}

// When a staged entry fails and its temp cannot be removed either, both
// failures are reported: the second is a real EPERM (the directory made
// immutable, chattr +i, by the hook that injects the first, an EIO at the
// chmod step).
func TestSealDiscardErrorReported(t *testing.T) {
	testenv.RequireRoot(t)
	dir := t.TempDir()
	immutable := txn.WithSeam(func(s *protocol.Settings) {
		s.Inject = func(step protocol.Step) error {
			if step == protocol.StepChmod {
				testenv.SetImmutable(t, dir)
				return syscall.EIO
			}
			return nil
		}
	})
	tx := txn.New(txn.WithDefaults(atomic.WithMode(0o600)), immutable)
	err := tx.WriteFile(filepath.Join(dir, "x"), []byte("new"))
	if !errors.Is(err, syscall.EIO) || !errors.Is(err, syscall.EPERM) {
		t.Errorf("WriteFile: %v, want both the EIO and the failed removal's EPERM", err)
	}
	tx.Rollback()
	testenv.ClearImmutable(t, dir)
}

// A context that is done already when the Tx is made: the Tx is rolled
// back at once, and nothing can be staged (-race: no race with New).
func TestContextDoneAtNew(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	for range 100 {
		tx := txn.New(txn.WithContext(ctx))
		if err := tx.WriteFile(filepath.Join(dir, "x"), []byte("x")); !errors.Is(err, context.Canceled) {
			t.Fatalf("WriteFile with a done context: %v", err)
		}
	}
	testenv.DirHolds(t, dir)
}

// A call made after the context is done sees it, whether or not the
// context's own goroutine has rolled the Tx back yet: a stream's next
// write and a new entry fail with the context's error, and nothing of the
// Tx is left.
func TestCancelSeenByNextCall(t *testing.T) {
	dir := t.TempDir()
	for round := range 100 {
		ctx, cancel := context.WithCancel(context.Background())
		tx := txn.New(txn.WithContext(ctx))
		w, err := tx.Create(filepath.Join(dir, "a", "f"), atomic.WithMkdirAll(0o755))
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, err := w.Write([]byte("x")); !errors.Is(err, txn.ErrTxDone) || !errors.Is(err, context.Canceled) {
			t.Fatalf("round %d: Write after cancel: %v, want ErrTxDone and context.Canceled", round, err)
		}
		if err := tx.WriteFile(filepath.Join(dir, "g"), []byte("g")); !errors.Is(err, context.Canceled) {
			t.Fatalf("round %d: WriteFile after cancel: %v, want context.Canceled", round, err)
		}
		if testenv.DirHolds(t, dir); t.Failed() {
			t.Fatalf("round %d: left behind", round)
		}
	}
}
