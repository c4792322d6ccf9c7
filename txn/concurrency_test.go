package txn_test

import (
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// overlapTargets are the files the concurrent transactions share, in two
// directories.
func overlapTargets(root string) []string {
	return []string{filepath.Join(root, "1", "a"), filepath.Join(root, "1", "b"), filepath.Join(root, "2", "c")}
}

// commitOverlapping commits transaction seq of writer: a subset of the
// targets that overlaps every other writer's.
func commitOverlapping(targets []string, writer, seq int) error {
	tx := txn.New()
	defer tx.Rollback()
	for i, p := range targets {
		if (writer+seq+i)%3 == 2 {
			continue // leave one target out, a different one each time
		}
		if err := tx.WriteFile(p, testenv.Payload(writer, seq)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Goroutines and processes commit overlapping transactions while readers
// check that every read of every target is one writer's whole content.
func TestConcurrentTransactions(t *testing.T) {
	root := testenv.TempDir(t)
	targets := overlapTargets(root)
	for _, d := range []string{"1", "2"} {
		os.Mkdir(filepath.Join(root, d), 0o755)
	}
	for _, p := range targets {
		testenv.WriteFile(t, p, testenv.Payload(0, 0), 0o644)
	}
	stop := make(chan struct{})
	var reads atomic.Int64
	var readers sync.WaitGroup
	for _, p := range targets {
		readers.Go(func() { reads.Add(int64(testenv.ReadUntil(t, p, stop))) })
	}
	var writers sync.WaitGroup
	for w := 1; w <= 4; w++ {
		writers.Go(func() {
			for seq := range 25 {
				if err := commitOverlapping(targets, w, seq); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for w := 5; w <= 6; w++ {
		cmd := testenv.Child(t, "overlap", root, strconv.Itoa(w), "25")
		writers.Go(func() {
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("writer process: %v\n%s", err, out)
			}
		})
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	if reads.Load() == 0 {
		t.Fatal("the readers read nothing: the test proved nothing")
	}
	testenv.DirHolds(t, filepath.Join(root, "1"), "a", "b")
	testenv.DirHolds(t, filepath.Join(root, "2"), "c")
}
