package txn_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// A Tx rolled back from another goroutine while a writer of one of its
// entries is writing: the late writes fail with ErrTxDone and never land
// anywhere else, even once the temp's descriptor number is reused by files
// this test opens meanwhile. Run with -race, it also proves there is no
// data race.
func TestRollbackWhileWriting(t *testing.T) {
	dir := t.TempDir()
	others := t.TempDir()
	for i := range 300 {
		tx := txn.New()
		w, err := tx.Create(filepath.Join(dir, "target"))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var lateErr error
		wg.Go(func() {
			for {
				if _, err := w.Write([]byte("cancelled")); err != nil {
					lateErr = err
					return
				}
			}
		})
		// Files opened while the writer runs take the descriptor numbers
		// Rollback frees.
		var opened []*os.File
		wg.Go(func() {
			for j := range 8 {
				f, err := os.Create(filepath.Join(others, "f"+string(rune('a'+j))))
				if err != nil {
					t.Error(err)
					return
				}
				opened = append(opened, f)
			}
		})
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if !errors.Is(lateErr, txn.ErrTxDone) {
			t.Fatalf("iteration %d: late write failed with %v, want ErrTxDone", i, lateErr)
		}
		for _, f := range opened {
			fi, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() != 0 {
				t.Fatalf("iteration %d: %s holds %d bytes a cancelled write sent it", i, f.Name(), fi.Size())
			}
			f.Close()
		}
		if _, err := os.Stat(filepath.Join(dir, "target")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("iteration %d: target exists after Rollback (%v)", i, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("%d files left in the directory after Rollback", len(entries))
	}
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
	if err := tx.Commit(); !errors.Is(err, context.Canceled) {
		t.Errorf("Commit: %v, want context.Canceled", err)
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
