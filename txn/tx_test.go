//go:build unix

package txn_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

func TestCommitAcrossDirectories(t *testing.T) {
	s := newSet(t)
	tx := txn.New()
	s.stage(t, tx)
	// Staged, not committed: the targets are untouched.
	testenv.FileHolds(t, s.x, []byte("old x"))
	if _, err := os.Stat(s.y); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("y exists before Commit")
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	s.isNew(t)
	for path, want := range map[string]fs.FileMode{s.x: 0o600, s.z: 0o640} {
		if fi, _ := os.Stat(path); fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v kept", path, fi.Mode(), want)
		}
	}
}

func TestZeroTx(t *testing.T) {
	s := newSet(t)
	var tx txn.Tx
	s.stage(t, &tx)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	s.isNew(t)
}

func TestEmptyCommit(t *testing.T) {
	if err := txn.New().Commit(); err != nil {
		t.Errorf("empty Commit: %v", err)
	}
}

func TestEndedTx(t *testing.T) {
	for _, end := range []string{"Commit", "Rollback"} {
		t.Run(end, func(t *testing.T) {
			s := newSet(t)
			tx := txn.New()
			s.stage(t, tx)
			if end == "Commit" {
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := tx.Rollback(); err != nil {
					t.Fatal(err)
				}
				s.isOld(t)
			}
			if err := tx.Commit(); !errors.Is(err, txn.ErrTxDone) {
				t.Errorf("Commit after %s: %v, want ErrTxDone", end, err)
			}
			if err := tx.Rollback(); err != nil {
				t.Errorf("Rollback after %s: %v, want nil", end, err)
			}
			err := tx.WriteString(s.y, "late")
			var pe *fs.PathError
			if !errors.Is(err, txn.ErrTxDone) || !errors.As(err, &pe) || pe.Path != s.y {
				t.Errorf("WriteString after %s: %v, want ErrTxDone naming %s", end, err, s.y)
			}
			if _, err := tx.Create(s.y); !errors.Is(err, txn.ErrTxDone) {
				t.Errorf("Create after %s: %v, want ErrTxDone", end, err)
			}
			if end == "Commit" {
				s.isNew(t)
			} else {
				s.isOld(t)
			}
		})
	}
}

// A failure to stage one entry changes nothing, and Commit refuses the
// incomplete set, removing every temp.
func TestStagingFailure(t *testing.T) {
	tests := []struct {
		name  string
		stage func(t *testing.T, tx *txn.Tx, s set) error
		want  error
	}{
		{"missing parent", func(t *testing.T, tx *txn.Tx, s set) error {
			return tx.WriteString(filepath.Join(s.b, "no", "file"), "new")
		}, fs.ErrNotExist},
		{"target is a directory", func(t *testing.T, tx *txn.Tx, s set) error {
			return tx.WriteString(s.b, "new")
		}, syscall.EISDIR},
		{"disk full", func(t *testing.T, tx *txn.Tx, s set) error {
			mnt := testenv.Tmpfs(t, "64k")
			w, err := tx.Create(filepath.Join(mnt, "big"))
			if err != nil {
				return err
			}
			defer w.Close()
			_, err = w.Write(make([]byte, 1<<20))
			return err
		}, syscall.ENOSPC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSet(t)
			tx := txn.New()
			s.stage(t, tx)
			err := tt.stage(t, tx, s)
			if !errors.Is(err, tt.want) {
				t.Fatalf("staging: got %v, want %v", err, tt.want)
			}
			err = tx.Commit()
			if !errors.Is(err, tt.want) {
				t.Errorf("Commit: got %v, want it refused with %v", err, tt.want)
			}
			s.isOld(t)
		})
	}
}

func TestDuplicateTargets(t *testing.T) {
	tests := []struct {
		name   string
		second func(s set) string
		dup    bool
	}{
		{"same name", func(s set) string { return s.x }, true},
		{"dot segment", func(s set) string { return filepath.Join(s.a, ".") + "/./x" }, true},
		{"via ..", func(s set) string { return s.b + "/../a/x" }, true},
		{"symlink to it", func(s set) string {
			l := filepath.Join(s.b, "link")
			os.Symlink("../a/x", l)
			return l
		}, true},
		{"through a symlinked directory", func(s set) string {
			l := filepath.Join(s.b, "dirlink")
			os.Symlink("../a", l)
			return filepath.Join(l, "x")
		}, true},
		{"absent target twice", func(s set) string { return s.y }, true},
		{"hard link: another entry", func(s set) string {
			h := filepath.Join(s.b, "hard")
			os.Link(s.x, h)
			return h
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSet(t)
			tx := txn.New()
			first := s.x
			if tt.name == "absent target twice" {
				first = s.y
			}
			if err := tx.WriteString(first, "first"); err != nil {
				t.Fatal(err)
			}
			second := tt.second(s)
			err := tx.WriteString(second, "second")
			if !tt.dup {
				if err != nil {
					t.Fatalf("%s: %v, want it staged", second, err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				testenv.FileHolds(t, s.x, []byte("first"))
				testenv.FileHolds(t, second, []byte("second"))
				return
			}
			var pe *fs.PathError
			if !errors.Is(err, txn.ErrDuplicate) || !errors.As(err, &pe) || pe.Path != second {
				t.Fatalf("%s after %s: got %v, want ErrDuplicate naming it", second, first, err)
			}
			if err := tx.Commit(); !errors.Is(err, txn.ErrDuplicate) {
				t.Errorf("Commit: %v, want refused", err)
			}
			testenv.FileHolds(t, s.x, []byte("old x"))
			testenv.DirHolds(t, s.a, "x")
		})
	}
}

func TestRollback(t *testing.T) {
	s := newSet(t)
	tx := txn.New()
	s.stage(t, tx)
	w, err := tx.Create(filepath.Join(s.b, "streamed"))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "never closed")
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	s.isOld(t)
	if _, err := w.Write([]byte("more")); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Write after Rollback: %v, want fs.ErrClosed", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("Close after Rollback: %v", err)
	}
	s.isOld(t)
}

func TestCreateEntries(t *testing.T) {
	s := newSet(t)
	tx := txn.New(txn.WithDefaults(atomic.WithMode(0o644)))
	for _, p := range []string{s.x, s.y, s.z} {
		w, err := tx.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		// io.Copy from a file takes the ReadFrom path.
		if _, err := io.Copy(w, strings.NewReader("new "+filepath.Base(p))); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	s.isNew(t)
	for _, p := range []string{s.x, s.y, s.z} {
		if fi, _ := os.Stat(p); fi.Mode() != 0o644 {
			t.Errorf("%s: mode %v, want 0644 from WithDefaults", p, fi.Mode())
		}
	}
}

func TestCommitWithOpenEntry(t *testing.T) {
	s := newSet(t)
	tx := txn.New()
	s.stage(t, tx)
	w, err := tx.Create(filepath.Join(s.b, "open"))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "half")
	err = tx.Commit()
	if !errors.Is(err, txn.ErrEntryOpen) || !strings.Contains(err.Error(), filepath.Join(s.b, "open")) {
		t.Errorf("Commit with an open entry: %v, want ErrEntryOpen naming it", err)
	}
	w.Close()
	s.isOld(t)
}

// Entries staged from several goroutines at once.
func TestConcurrentStaging(t *testing.T) {
	dir := t.TempDir()
	tx := txn.New()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			if err := tx.WriteString(filepath.Join(dir, fmt.Sprint(i)), fmt.Sprint(i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		testenv.FileHolds(t, filepath.Join(dir, fmt.Sprint(i)), []byte(fmt.Sprint(i)))
	}
	if n := len(mustReadDir(t, dir)); n != 50 {
		t.Errorf("%d entries, want 50", n)
	}
}

// 10,000 entries with the open-file limit at 256: staged entries hold no
// file descriptor. Run in a child, whose limit can be lowered safely.
func TestManyEntriesLowFileLimit(t *testing.T) {
	root := t.TempDir()
	var dirs []string
	for i := range 4 {
		d := filepath.Join(root, fmt.Sprint(i))
		os.Mkdir(d, 0o755)
		dirs = append(dirs, d)
	}
	const n = 10000
	args := append([]string{"256", fmt.Sprint(n)}, dirs...)
	if out, err := testenv.Child(t, "many", args...).CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	total := 0
	for _, d := range dirs {
		for _, e := range mustReadDir(t, d) {
			p := filepath.Join(d, e.Name())
			if b, err := os.ReadFile(p); err != nil || string(b) != p {
				t.Fatalf("%s holds %q (%v)", p, b, err)
			}
			total++
		}
	}
	if total != n {
		t.Errorf("%d files, want %d (and no temp)", total, n)
	}
}

// A Tx resolves each directory path once: an entry staged after the
// directory was renamed away lands where the first entry of that path did,
// not in a directory that took the name meanwhile.
func TestDirectoryResolvedOnce(t *testing.T) {
	root := t.TempDir()
	a := filepath.Join(root, "a")
	os.Mkdir(a, 0o755)
	tx := txn.New()
	if err := tx.WriteString(filepath.Join(a, "x"), "x"); err != nil {
		t.Fatal(err)
	}
	os.Rename(a, a+".moved")
	os.Mkdir(a, 0o755)
	if err := tx.WriteString(filepath.Join(a, "y"), "y"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	testenv.DirHolds(t, a+".moved", "x", "y")
	testenv.DirHolds(t, a)
}

// In a setgid directory the temps of a Tx take the directory's group; each
// replaced file keeps its own group, whichever entry came first (the owner
// new files get is learnt once per directory, from the first temp).
func TestTxOwnerKeptInSetgidDirectory(t *testing.T) {
	testenv.RequireRoot(t)
	dir := testenv.SetgidDir(t, 5678)
	for _, order := range [][]int{{0, 5678}, {5678, 0}} {
		tx := txn.New()
		for _, gid := range order {
			path := filepath.Join(dir, fmt.Sprint(gid))
			testenv.WriteFile(t, path, []byte("old"), 0o644)
			os.Chown(path, 0, gid)
			if err := tx.WriteString(path, "new"); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		for _, gid := range order {
			fi, _ := os.Stat(filepath.Join(dir, fmt.Sprint(gid)))
			if got := fi.Sys().(*syscall.Stat_t).Gid; got != uint32(gid) {
				t.Errorf("order %v: group of %d became %d, want it kept", order, gid, got)
			}
		}
	}
}
