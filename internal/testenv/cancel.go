package testenv

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// EndWhileWriting checks, rounds times, that a pending write ended from one
// goroutine (end) while another keeps writing small chunks to it (w) lets
// no late write through: each late write fails with an error matching
// want, and files opened meanwhile, which take the descriptor numbers the
// end frees, stay empty. begin starts each round's write. Run with -race,
// it also looks for data races.
func EndWhileWriting(t *testing.T, rounds int, want error, begin func() (w io.Writer, end func() error)) {
	t.Helper()
	others := TempDir(t)
	for i := range rounds {
		w, end := begin()
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
		var opened []*os.File
		wg.Go(func() {
			for j := range 8 {
				f, err := os.Create(filepath.Join(others, string(rune('a'+j))))
				if err != nil {
					t.Error(err)
					return
				}
				opened = append(opened, f)
			}
		})
		if err := end(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if !errors.Is(lateErr, want) {
			t.Fatalf("round %d: late write failed with %v, want %v", i, lateErr, want)
		}
		for _, f := range opened {
			fi, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() != 0 {
				t.Fatalf("round %d: %s holds %d bytes a cancelled write sent it", i, f.Name(), fi.Size())
			}
			f.Close()
		}
	}
}
