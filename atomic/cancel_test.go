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
	dir := t.TempDir()
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
