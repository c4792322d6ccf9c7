package txn_test

import (
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// An aborted entry is out of the set, open or closed, failed or not: the
// others commit, its target is untouched, its temp gone, and its name can
// be staged again.
func TestAbort(t *testing.T) {
	errSource := errors.New("source failed")
	tests := []struct {
		name  string
		write func(t *testing.T, w *txn.Writer) // what happens before Abort
	}{
		{"open", func(t *testing.T, w *txn.Writer) { w.Write([]byte("half")) }},
		{"closed", func(t *testing.T, w *txn.Writer) {
			w.Write([]byte("whole"))
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"its source failed", func(t *testing.T, w *txn.Writer) {
			if _, err := w.ReadFrom(io.MultiReader(strings.NewReader("part"), iotest.ErrReader(errSource))); !errors.Is(err, errSource) {
				t.Fatalf("ReadFrom: %v, want the source's error", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSet(t)
			tx := txn.New()
			defer tx.Rollback()
			w, err := tx.Create(s.x)
			if err != nil {
				t.Fatal(err)
			}
			tt.write(t, w)
			if err := w.Abort(); err != nil {
				t.Fatal(err)
			}
			if err := w.Abort(); err != nil {
				t.Fatalf("second Abort: %v", err)
			}
			if _, err := w.Write([]byte("late")); !errors.Is(err, fs.ErrClosed) {
				t.Fatalf("Write after Abort: %v, want fs.ErrClosed", err)
			}
			testenv.DirHolds(t, s.a, "x") // the temp is gone at once
			for _, p := range []string{s.y, s.z} {
				if err := tx.WriteString(p, "new "+filepath.Base(p)); err != nil {
					t.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			testenv.FileHolds(t, s.x, []byte("old x"))
			testenv.FileHolds(t, s.y, []byte("new y"))
			testenv.FileHolds(t, s.z, []byte("new z"))
			testenv.DirHolds(t, s.a, "x", "y")
			testenv.DirHolds(t, s.b, "z")
		})
	}
}

// Aborting frees the name: it can be staged again, and that entry commits.
func TestAbortThenStageAgain(t *testing.T) {
	s := newSet(t)
	tx := txn.New()
	defer tx.Rollback()
	w, err := tx.Create(s.x)
	if err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if err := tx.WriteString(s.x, "second try"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, s.x, []byte("second try"))
	testenv.DirHolds(t, s.a, "x")
}

// Once the Tx has ended, Abort says so.
func TestAbortAfterEnd(t *testing.T) {
	s := newSet(t)
	tx := txn.New()
	w, err := tx.Create(s.x)
	if err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	if err := w.Abort(); !errors.Is(err, txn.ErrTxDone) {
		t.Fatalf("Abort after Rollback: %v, want ErrTxDone", err)
	}
	s.isOld(t)
}

// An Abort from another goroutine while the entry is being written lets no
// late write through, to any file (see testenv.EndWhileWriting).
func TestAbortWhileWriting(t *testing.T) {
	dir := testenv.TempDir(t)
	testenv.EndWhileWriting(t, 300, fs.ErrClosed, func() (io.Writer, func() error) {
		tx := txn.New()
		w, err := tx.Create(filepath.Join(dir, "target"))
		if err != nil {
			t.Fatal(err)
		}
		return w, func() error {
			err := w.Abort()
			tx.Rollback()
			return err
		}
	})
	testenv.DirHolds(t, dir)
}
