package atomic_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

func TestNoReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := atomic.WriteString(path, "first", atomic.WithNoReplace()); err != nil {
		t.Fatal(err)
	}
	err := atomic.WriteString(path, "second", atomic.WithNoReplace())
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrExist) || !errors.As(err, &pe) || pe.Path != path {
		t.Fatalf("got %v, want fs.ErrExist naming %s", err, path)
	}
	testenv.FileHolds(t, path, []byte("first"))

	// Through a dangling symlink: the file it names is created.
	os.Symlink("target", filepath.Join(dir, "link"))
	if err := atomic.WriteString(filepath.Join(dir, "link"), "via link", atomic.WithNoReplace()); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, filepath.Join(dir, "target"), []byte("via link"))
	testenv.DirHolds(t, dir, "f", "link", "target")
}

// A file created after the write began (by anyone: the kernel sees one
// creation like another) is never replaced: Commit fails, the newcomer
// keeps its content, and the temp is gone.
func TestNoReplaceCreatedMeanwhile(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprint("stream=", stream), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			f, err := atomic.Create(path, atomic.WithNoReplace())
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("ours")
			testenv.WriteFile(t, path, []byte("theirs"), 0o644)
			if err := f.Commit(); !errors.Is(err, fs.ErrExist) {
				t.Fatalf("Commit: %v, want fs.ErrExist", err)
			}
			testenv.FileHolds(t, path, []byte("theirs"))
			testenv.DirHolds(t, dir, "f")
		})
	}
}

// Of writers that race to create one file, exactly one succeeds, each
// round; the others fail with fs.ErrExist and leave nothing behind.
func TestNoReplaceRace(t *testing.T) {
	dir := t.TempDir()
	for round := range 50 {
		path := filepath.Join(dir, fmt.Sprint(round))
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := []int{}
		for w := range 8 {
			wg.Go(func() {
				err := atomic.WriteString(path, fmt.Sprint(w), atomic.WithNoReplace())
				switch {
				case err == nil:
					mu.Lock()
					won = append(won, w)
					mu.Unlock()
				case !errors.Is(err, fs.ErrExist):
					t.Errorf("writer %d: %v", w, err)
				}
			})
		}
		wg.Wait()
		if len(won) != 1 {
			t.Fatalf("round %d: %d writers succeeded, want 1", round, len(won))
		}
		testenv.FileHolds(t, path, []byte(fmt.Sprint(won[0])))
	}
	names := make([]string, 50)
	for i := range names {
		names[i] = fmt.Sprint(i)
	}
	testenv.DirHolds(t, dir, names...)
}
