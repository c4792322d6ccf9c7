//go:build unix

package atomic_test

import (
	"context"
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

// WithMkdirAll makes the missing directories, with perm less the umask as
// os.MkdirAll does, and leaves nothing but them and the file.
func TestMkdirAll(t *testing.T) {
	setUmask(t, 0o022)
	root := t.TempDir()
	path := filepath.Join(root, "a", "b", "c", "f")
	if err := atomic.WriteString(path, "x", atomic.WithMkdirAll(0o770)); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, path, []byte("x"))
	ref := filepath.Join(t.TempDir(), "ref")
	os.MkdirAll(ref, 0o770)
	for _, d := range []string{"a", "a/b", "a/b/c"} {
		if got, want := modeOf(t, filepath.Join(root, d)), modeOf(t, ref); got != want {
			t.Errorf("%s: mode %v, os.MkdirAll gives %v", d, got, want)
		}
	}
	testenv.DirHolds(t, root, "a")
	testenv.DirHolds(t, filepath.Join(root, "a"), "b")
	testenv.DirHolds(t, filepath.Join(root, "a", "b"), "c")
	testenv.DirHolds(t, filepath.Join(root, "a", "b", "c"), "f")

	// Without it, a missing directory is an error, as before.
	if err := atomic.WriteString(filepath.Join(root, "none", "f"), "x"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("without WithMkdirAll: %v", err)
	}
}

// A write that does not commit removes the directories it made, and only
// those.
func TestMkdirAllUndone(t *testing.T) {
	cases := []struct {
		name string
		run  func(path string) error
	}{
		{"closed without commit", func(path string) error {
			f, err := atomic.Create(path, atomic.WithMkdirAll(0o755))
			if err != nil {
				return err
			}
			f.WriteString("x")
			return f.Close()
		}},
		{"context done before the commit", func(path string) error {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f, err := atomic.Create(path, atomic.WithMkdirAll(0o755), atomic.WithContext(ctx))
			if err != nil {
				return err
			}
			cancel()
			if err := f.Commit(); !errors.Is(err, context.Canceled) {
				return fmt.Errorf("Commit: %v, want context.Canceled", err)
			}
			return nil
		}},
		{"name taken before a create-only commit", func(path string) error {
			f, err := atomic.Create(path, atomic.WithMkdirAll(0o755), atomic.WithNoReplace())
			if err != nil {
				return err
			}
			os.WriteFile(path, []byte("theirs"), 0o644)
			err = f.Commit()
			os.Remove(path) // the directory is then empty again, but no longer only the write's
			if !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("Commit: %v, want fs.ErrExist", err)
			}
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			os.Mkdir(filepath.Join(root, "a"), 0o755)
			if err := tc.run(filepath.Join(root, "a", "b", "c", "f")); err != nil {
				t.Fatal(err)
			}
			if tc.name == "name taken before a create-only commit" {
				// Another process's file was in it: the directory it was in
				// stays, empty, and nothing of the write's is in it.
				testenv.DirHolds(t, filepath.Join(root, "a", "b", "c"))
				return
			}
			testenv.DirHolds(t, root, "a")
			testenv.DirHolds(t, filepath.Join(root, "a"))
		})
	}
}

// Writers that race to make the same directories all succeed: the loser of
// each directory's rename uses the winner's, and no temp directory or
// marker is left.
func TestMkdirAllRace(t *testing.T) {
	root := t.TempDir()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			path := filepath.Join(root, "a", "b", fmt.Sprint(w))
			if err := atomic.WriteString(path, "x", atomic.WithMkdirAll(0o755)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	testenv.DirHolds(t, root, "a")
	testenv.DirHolds(t, filepath.Join(root, "a"), "b")
	testenv.DirHolds(t, filepath.Join(root, "a", "b"), "0", "1", "2", "3", "4", "5", "6", "7")
}

// The directories are made on the walk that resolves the path, spending one
// symlink budget once: a path through 10 links with 3 directories missing
// is made, as os.MkdirAll makes it (a walk per missing directory would
// spend 40 links and fail with ELOOP).
func TestMkdirAllThroughLinks(t *testing.T) {
	chain := func(root string) string {
		t.Helper()
		if err := os.Mkdir(filepath.Join(root, "real"), 0o755); err != nil {
			t.Fatal(err)
		}
		next := "real"
		for i := 9; i >= 0; i-- {
			link := fmt.Sprintf("l%d", i)
			if err := os.Symlink(next, filepath.Join(root, link)); err != nil {
				t.Fatal(err)
			}
			next = link
		}
		return filepath.Join(root, "l0", "a", "b", "c")
	}
	if err := os.MkdirAll(chain(t.TempDir()), 0o755); err != nil {
		t.Fatalf("os.MkdirAll: %v", err)
	}
	root := t.TempDir()
	path := filepath.Join(chain(root), "f")
	if err := atomic.WriteString(path, "x", atomic.WithMkdirAll(0o755)); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, filepath.Join(root, "real", "a", "b", "c", "f"), []byte("x"))
	testenv.DirHolds(t, filepath.Join(root, "real", "a", "b", "c"), "f")
}
