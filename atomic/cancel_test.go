package atomic_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"testing"

	aw "github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// A File closed from another goroutine while a write is in flight: the late
// writes fail with fs.ErrClosed and never land in another file.
func TestCloseWhileWriting(t *testing.T) {
	dir := testenv.TempDir(t)
	target := filepath.Join(dir, "target")
	testenv.EndWhileWriting(t, 300, fs.ErrClosed, func() (io.Writer, func() error) {
		f, err := aw.Create(target)
		if err != nil {
			t.Fatal(err)
		}
		return f, f.Close
	})
	testenv.DirHolds(t, dir)
}

// A write bound to a context stops when the context is done: a stream
// blocked on its reader is abandoned at once, the temp removed, and the
// call returns the context's error.
func TestWriteFromContext(t *testing.T) {
	dir := testenv.TempDir(t)
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

// Once a call has returned the context's error, the write is undone
// already: the temp is gone, and the directories it made, though the
// context's own goroutine is what discards them.
func TestCancelledIsUndoneOnReturn(t *testing.T) {
	calls := []struct {
		name string
		call func(*aw.File) error
		want error
	}{
		{"Commit", (*aw.File).Commit, context.Canceled},
		{"Write", func(f *aw.File) error { _, err := f.Write([]byte("x")); return err }, context.Canceled},
		// Close after a cancellation returns nil, as after any end.
		{"Close", (*aw.File).Close, nil},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			root := testenv.TempDir(t)
			for round := range 100 {
				ctx, cancel := context.WithCancel(context.Background())
				f, err := aw.Create(filepath.Join(root, "a", "b", "f"), aw.WithContext(ctx), aw.WithMkdirAll(0o755))
				if err != nil {
					t.Fatal(err)
				}
				cancel()
				if err := c.call(f); !errors.Is(err, c.want) {
					t.Fatalf("round %d: %s: %v, want %v", round, c.name, err, c.want)
				}
				if testenv.DirHolds(t, root); t.Failed() {
					t.Fatalf("round %d: left behind after %s returned", round, c.name)
				}
			}
		})
	}
}
