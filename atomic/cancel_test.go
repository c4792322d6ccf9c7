package atomic_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	aw "github.com/atomicwrite/atomicwrite/atomic"
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
