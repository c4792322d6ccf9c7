//go:build unix && !aix

package txn_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// heldIdle returns the inode numbers of the idle mark files in dir's marks
// directory that someone holds locked, and fails the test if any mark is
// there: between Commits, a kept mark is idle (mode 0644) and locked.
func heldIdle(t *testing.T, dir string) []uint64 {
	t.Helper()
	marks := filepath.Join(dir, ".aw-commits")
	names, err := os.ReadDir(marks)
	if err != nil {
		t.Fatal(err)
	}
	var held []uint64
	for _, n := range names {
		switch {
		case n.Name() == "enabled":
			continue
		case !strings.HasPrefix(n.Name(), "idle-"):
			t.Errorf("%s: a mark between Commits", filepath.Join(marks, n.Name()))
			continue
		}
		if fi, err := n.Info(); err != nil || fi.Mode() != 0o644 {
			t.Errorf("%s: %v, %v between Commits, want an idle file's mode (0644)", filepath.Join(marks, n.Name()), fi, err)
		}
		f, err := os.Open(filepath.Join(marks, n.Name()))
		if err != nil {
			t.Fatal(err)
		}
		// A lock of its own open file: flock's locks conflict between
		// open files, in one process too.
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		var st syscall.Stat_t
		syscall.Fstat(int(f.Fd()), &st)
		f.Close()
		switch err {
		case unix.EWOULDBLOCK:
			held = append(held, st.Ino)
		case nil:
		default:
			t.Fatal(err)
		}
	}
	return held
}

// commitAll writes content and each file's name to the set's x, y and z
// in one Commit with opts.
func (s set) commitAll(t *testing.T, content string, opts ...txn.Option) {
	t.Helper()
	tx := txn.New(opts...)
	defer tx.Rollback()
	for _, p := range []string{s.x, s.y, s.z} {
		if err := tx.WriteString(p, content+" "+filepath.Base(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// readSetIs fails the test unless a consistent read of names gives want.
func readSetIs(t *testing.T, want []string, names ...string) {
	t.Helper()
	files, err := txn.ReadSet(names...)
	if err != nil || !slices.Equal(contents(files), want) {
		t.Errorf("ReadSet: %q, %v; want %q", contents(files), err, want)
	}
}

// A Marks keeps one idle mark locked per directory between Commits, the
// same one Commit after Commit; without it, a Commit keeps none, and
// after Close, none is kept.
func TestMarksKept(t *testing.T) {
	s := newSet(t)
	s.commitAll(t, "new")
	if a, b := heldIdle(t, s.a), heldIdle(t, s.b); len(a)+len(b) != 0 {
		t.Fatalf("after a Commit without Marks, held idle marks %v %v, want none", a, b)
	}
	var marks txn.Marks
	t.Cleanup(func() { marks.Close() })
	s.commitAll(t, "newer", txn.WithMarks(&marks))
	a, b := heldIdle(t, s.a), heldIdle(t, s.b)
	if len(a) != 1 || len(b) != 1 {
		t.Fatalf("after a Commit with Marks, held idle marks %v %v, want one in each directory", a, b)
	}
	for range 3 {
		s.commitAll(t, "newest", txn.WithMarks(&marks))
		if a2, b2 := heldIdle(t, s.a), heldIdle(t, s.b); !slices.Equal(a, a2) || !slices.Equal(b, b2) {
			t.Fatalf("held idle marks %v %v after the next Commit, want %v %v still", a2, b2, a, b)
		}
	}
	readSetIs(t, []string{"x=newest x", "y=newest y", "z=newest z"}, s.x, s.y, s.z)
	if err := marks.Close(); err != nil {
		t.Fatal(err)
	}
	if a, b := heldIdle(t, s.a), heldIdle(t, s.b); len(a)+len(b) != 0 {
		t.Fatalf("after Close, held idle marks %v %v, want none", a, b)
	}
	s.commitAll(t, "last", txn.WithMarks(&marks))
	if a, b := heldIdle(t, s.a), heldIdle(t, s.b); len(a)+len(b) != 0 {
		t.Fatalf("after a Commit with closed Marks, held idle marks %v %v, want none", a, b)
	}
}

// A kept mark marks: a read between a Commit's renames is told the
// Commit is in flight, and after it reads the new set.
func TestMarksKeptMark(t *testing.T) {
	s := newSet(t)
	var marks txn.Marks
	t.Cleanup(func() { marks.Close() })
	s.commitAll(t, "first", txn.WithMarks(&marks))
	during, err := commitPairReadingBetween(t, s.x, s.z, txn.ReadSetContext, nil, nil, txn.WithMarks(&marks))
	if !errors.Is(err, txn.ErrInFlight) {
		t.Errorf("ReadSet during the renames of a Commit with kept marks: %q, %v; want ErrInFlight", contents(during), err)
	}
	readSetIs(t, []string{"x=new x", "z=new y"}, s.x, s.z)
}

// A kept mark whose marks directory is removed (reads turned off) or
// replaced (turned off and on again) is let go of: the Commit marks what
// is there now, and keeps that.
func TestMarksDirectoryGoneBetweenCommits(t *testing.T) {
	s := newSet(t)
	var marks txn.Marks
	t.Cleanup(func() { marks.Close() })
	s.commitAll(t, "first", txn.WithMarks(&marks))
	if err := os.RemoveAll(filepath.Join(s.a, ".aw-commits")); err != nil {
		t.Fatal(err)
	}
	s.commitAll(t, "second", txn.WithMarks(&marks))
	if _, err := os.Lstat(filepath.Join(s.a, ".aw-commits")); !os.IsNotExist(err) {
		t.Fatalf("marks directory after reads were turned off and a Commit: %v, want none", err)
	}
	if err := txn.EnableReads(context.Background(), s.a); err != nil {
		t.Fatal(err)
	}
	if held := heldIdle(t, s.a); len(held) != 0 {
		t.Fatalf("idle marks held in a new marks directory before any Commit: %v", held)
	}
	during, err := commitPairReadingBetween(t, s.x, s.z, txn.ReadSetContext, nil, nil, txn.WithMarks(&marks))
	if !errors.Is(err, txn.ErrInFlight) {
		t.Errorf("ReadSet during the renames, the marks directory made anew: %q, %v; want ErrInFlight", contents(during), err)
	}
	if held := heldIdle(t, s.a); len(held) != 1 {
		t.Fatalf("idle marks held in the new marks directory: %v, want one", held)
	}
}

// keptMarksDir makes a directory d of uid 65534's, holding x and y, in
// which that uid (a real process) enables consistent reads, and returns
// d, x and y and Marks of root's that keep a mark there after one Commit.
func keptMarksDir(t *testing.T) (dir, x, y string, marks *txn.Marks) {
	t.Helper()
	dir = filepath.Join(reachableDir(t), "d")
	os.Mkdir(dir, 0o755)
	x, y = filepath.Join(dir, "x"), filepath.Join(dir, "y")
	testenv.WriteFile(t, x, []byte("old x"), 0o644)
	testenv.WriteFile(t, y, []byte("old y"), 0o644)
	os.Chown(dir, testenv.NobodyUID, testenv.NobodyUID)
	enableAsOwner(t, dir, x, y)
	marks = new(txn.Marks)
	t.Cleanup(func() { marks.Close() })
	tx := txn.New(txn.WithMarks(marks))
	defer tx.Rollback()
	tx.WriteString(x, "first x")
	tx.WriteString(y, "first y")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return dir, x, y, marks
}

// enableAsOwner enables consistent reads in dir as uid 65534, its owner,
// does: by a read of x and y.
func enableAsOwner(t *testing.T, dir, x, y string) {
	t.Helper()
	runAs(t, "read-set", x, y)
	if _, err := os.Lstat(filepath.Join(dir, ".aw-commits", "enabled")); err != nil {
		t.Fatalf("reads not enabled by the directory's owner: %v", err)
	}
}

// A writer that keeps its marks (txn.Marks) holds a marks directory
// between Commits. The directory's owner (uid 65534, a real process)
// replaces the marks directory between two of root's Commits: the next
// Commit marks the one in place, not the one it held, so a reader between
// its renames is told it is in flight, never given half the set.
func TestKeptMarksDirectoryReplaced(t *testing.T) {
	dir, x, y, marks := keptMarksDir(t)
	runAs(t, "rename", filepath.Join(dir, ".aw-commits"), filepath.Join(dir, "old-marks"))
	enableAsOwner(t, dir, x, y)
	during, err := commitPairReadingBetween(t, x, y, txn.ReadSetContext, nil, nil, txn.WithMarks(marks))
	if !errors.Is(err, txn.ErrInFlight) {
		t.Errorf("ReadSet during the renames, the marks directory replaced: %q, %v; want ErrInFlight", contents(during), err)
	}
}

// A writer that keeps its marks holds an idle mark file between Commits.
// The directory's owner (uid 65534, a real process), who owns the marks
// directory, moves that file away between two of root's Commits and puts
// a file of its own under its name: the next Commit leaves that file
// alone and marks with a file of root's, so a read after the renames,
// before the marks end, gets the new set, not a dead writer's mark
// (ErrNeedsRecovery).
func TestKeptIdleMarkReplaced(t *testing.T) {
	dir, x, y, marks := keptMarksDir(t)
	idle := filepath.Join(dir, ".aw-commits", "idle-0")
	if held := heldIdle(t, dir); len(held) != 1 || held[0] != testenv.Inode(t, idle) {
		t.Fatalf("held idle marks %v, want %s alone", held, idle)
	}
	runAs(t, "rename", idle, filepath.Join(dir, "taken"))
	runAs(t, "plant", idle, "theirs")
	var after []txn.File
	var afterErr error
	tx := txn.New(txn.WithMarks(marks), txn.WithSeam(atStep(protocol.StepSyncDir, func(k int) error {
		if k == 1 {
			after, afterErr = txn.ReadSet(x, y)
		}
		return nil
	})))
	defer tx.Rollback()
	tx.WriteString(x, "new x")
	tx.WriteString(y, "new y")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"x=new x", "y=new y"}; afterErr != nil || !slices.Equal(contents(after), want) {
		t.Errorf("ReadSet after the renames: %q, %v; want %q", contents(after), afterErr, want)
	}
	testenv.FileHolds(t, idle, []byte("theirs"))
}
