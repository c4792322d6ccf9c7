package atomic_test

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

func TestNoReplace(t *testing.T) {
	dir := testenv.TempDir(t)
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
	testenv.Symlink(t, "target", filepath.Join(dir, "link"))
	if err := atomic.WriteString(filepath.Join(dir, "link"), "via link", atomic.WithNoReplace()); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, filepath.Join(dir, "target"), []byte("via link"))
	testenv.DirHolds(t, dir, "f", "link", "target")
}

// A file created after the write began (by anyone: the kernel sees one
// creation like another) is never replaced: Commit fails, the newcomer
// keeps its content, and the temp is gone. The error reads as one at
// staging does: "file already exists", naming the path.
func TestNoReplaceCreatedMeanwhile(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprint("stream=", stream), func(t *testing.T) {
			dir := testenv.TempDir(t)
			path := filepath.Join(dir, "f")
			f, err := atomic.Create(path, atomic.WithNoReplace())
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("ours")
			testenv.WriteFile(t, path, []byte("theirs"), 0o644)
			err = f.Commit()
			var pe *fs.PathError
			if !errors.Is(err, fs.ErrExist) || !errors.As(err, &pe) || pe.Path != path || pe.Err.Error() != "file already exists" {
				t.Fatalf("Commit: %v, want fs.ErrExist naming %s, as \"file already exists\"", err, path)
			}
			testenv.FileHolds(t, path, []byte("theirs"))
			testenv.DirHolds(t, dir, "f")
		})
	}
}

// Of writers that race to create one file, exactly one succeeds, each
// round; the others fail with fs.ErrExist and leave nothing behind.
func TestNoReplaceRace(t *testing.T) {
	dir := testenv.TempDir(t)
	const rounds = 50
	winners := testenv.OneWinsEachRound(t, rounds, 8, fs.ErrExist, func(round, w int) func() error {
		return func() error {
			return atomic.WriteString(filepath.Join(dir, fmt.Sprint(round)), fmt.Sprint(w), atomic.WithNoReplace())
		}
	})
	names := make([]string, rounds)
	for i, w := range winners {
		names[i] = fmt.Sprint(i)
		testenv.FileHolds(t, filepath.Join(dir, names[i]), []byte(fmt.Sprint(w)))
	}
	testenv.DirHolds(t, dir, names...)
}
