package txn_test

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

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
