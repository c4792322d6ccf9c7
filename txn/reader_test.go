package txn_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/atomicwrite/atomicwrite/txn"
)

// One Reader, read through by several goroutines at once while Commits
// change the set, gives each a whole set every time (run with -race: the
// directories it keeps are handed from read to read); closed, it still
// reads, keeping nothing.
func TestReaderConcurrent(t *testing.T) {
	s := newSet(t)
	commit := func(seq int) error {
		tx := txn.New()
		defer tx.Rollback()
		tx.WriteString(s.x, fmt.Sprint(seq))
		tx.WriteString(s.z, fmt.Sprint(seq))
		return tx.Commit()
	}
	if err := commit(0); err != nil {
		t.Fatal(err)
	}
	var r txn.Reader
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for seq := 1; ; seq++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := commit(seq); err != nil {
				t.Error(err)
				return
			}
		}
	})
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for range 200 {
				files, err := r.ReadSet(s.x, s.z)
				if errors.Is(err, txn.ErrInFlight) {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(files[0].Data, files[1].Data) {
					t.Errorf("Reader: %q, want x and z of one Commit", contents(files))
					return
				}
			}
		})
	}
	readers.Wait()
	close(stop)
	wg.Wait()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	files, err := r.ReadSet(s.x, s.z)
	if err != nil || !bytes.Equal(files[0].Data, files[1].Data) {
		t.Errorf("Reader after Close: %q, %v", contents(files), err)
	}
}

// readerReads reads names through r, and fails the test unless it gets
// want (as contents gives it).
func readerReads(t *testing.T, r *txn.Reader, want []string, names ...string) {
	t.Helper()
	files, err := r.ReadSet(names...)
	if err != nil || !slices.Equal(contents(files), want) {
		t.Fatalf("Reader: %q, %v; want %q", contents(files), err, want)
	}
}
