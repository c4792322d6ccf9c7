package atomic_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	aw "github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// A File closed from another goroutine while a write is in flight: the late
// writes fail with fs.ErrClosed and never land in the files this test opens
// meanwhile, which take the descriptor numbers Close frees. Run with -race,
// it also proves there is no data race.
func TestCloseWhileWriting(t *testing.T) {
	dir := t.TempDir()
	others := t.TempDir()
	target := filepath.Join(dir, "target")
	for i := range 300 {
		f, err := aw.Create(target)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var lateErr error
		wg.Go(func() {
			for {
				if _, err := f.Write([]byte("cancelled")); err != nil {
					lateErr = err
					return
				}
			}
		})
		var opened []*os.File
		wg.Go(func() {
			for j := range 8 {
				o, err := os.Create(filepath.Join(others, string(rune('a'+j))))
				if err != nil {
					t.Error(err)
					return
				}
				opened = append(opened, o)
			}
		})
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if !errors.Is(lateErr, fs.ErrClosed) {
			t.Fatalf("iteration %d: late write failed with %v, want fs.ErrClosed", i, lateErr)
		}
		for _, o := range opened {
			fi, err := o.Stat()
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() != 0 {
				t.Fatalf("iteration %d: %s holds %d bytes a cancelled write sent it", i, o.Name(), fi.Size())
			}
			o.Close()
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("%d files left in the directory after Close", len(entries))
	}
}

// A write bound to a context stops when the context is done: a stream
// blocked on its reader is abandoned at once, the temp removed, and the
// call returns the context's error.
func TestWriteFromContext(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	testenv.WriteFile(t, target, []byte("old"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- aw.WriteFrom(target, pr, aw.WithContext(ctx), aw.WithMode(0o600)) }()
	pw.Write([]byte("partial"))
	cancel()
	// The write is abandoned on its own: its next write into the temp
	// fails, whatever the reader does.
	go func() {
		for {
			if _, err := pw.Write([]byte("more")); err != nil {
				return
			}
		}
	}()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("WriteFrom: %v, want context.Canceled", err)
	}
	pr.Close()
	testenv.FileHolds(t, target, []byte("old"))
	testenv.DirHolds(t, dir, "target")

	// Done before the write starts: nothing is created.
	if err := aw.WriteFile(target, []byte("new"), aw.WithContext(ctx)); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteFile with a done context: %v, want context.Canceled", err)
	}
	testenv.FileHolds(t, target, []byte("old"))
	testenv.DirHolds(t, dir, "target")
}
