//go:build windows

package txn_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// The Windows contract of a transaction, run as a Windows binary (under
// wine in CI).

// A set of three files, committed, then one whose last rename fails for
// real: its target is held open without sharing delete for longer than the
// rename's retries. The renames already made are undone: every target
// keeps its old content, and no temp, backup or journal is left.
func TestWindowsRenamePhaseUndone(t *testing.T) {
	dir := testenv.TempDir(t)
	names := []string{"a", "b", "c"}
	tx := txn.New()
	for _, n := range names {
		if err := tx.WriteString(filepath.Join(dir, n), "old "+n); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	held, err := os.Open(filepath.Join(dir, "c")) // shares read and write, not delete
	if err != nil {
		t.Fatal(err)
	}
	tx = txn.New()
	for _, n := range names {
		if err := tx.WriteString(filepath.Join(dir, n), "new "+n); err != nil {
			t.Fatal(err)
		}
	}
	err = tx.Commit()
	held.Close()
	if err == nil {
		t.Fatal("Commit succeeded over a held target")
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != filepath.Join(dir, "c") || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Commit: %v, want an *fs.PathError naming c, matching fs.ErrPermission", err)
	}
	for _, n := range names {
		testenv.FileHolds(t, filepath.Join(dir, n), []byte("old "+n))
	}
	testenv.DirHolds(t, dir, names...)
}

// Recover cannot lock a directory that is another process's working
// directory (Windows opens it without sharing delete, see sys.LockDir): it
// waits, reports the directory busy and touches nothing in it; once the
// process has gone, it recovers.
func TestWindowsRecoverWorkingDirectoryBusy(t *testing.T) {
	dir := testenv.TempDir(t)
	temp := filepath.Join(dir, ".a.0123456789abcdef.aw-tmp") // a dead writer's temp
	testenv.WriteFile(t, temp, []byte("half"), 0o644)
	child := testenv.Child(t, "wait")
	child.Dir = dir
	stdin := testenv.StartReady(t, child, "waiting")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := txn.RecoverContext(ctx, dir)
	var pe *fs.PathError
	if !errors.Is(err, txn.ErrBusy) || !errors.As(err, &pe) || pe.Path != dir {
		t.Errorf("Recover: %v, want ErrBusy naming %s", err, dir)
	}
	if _, err := os.Stat(temp); err != nil {
		t.Errorf("Recover without its lock touched the directory: %v", err)
	}
	stdin.Close()
	if err := child.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := txn.Recover(dir); err != nil {
		t.Fatal(err)
	}
	testenv.DirHolds(t, dir)
}

// Recover after a committed set: nothing to do, nothing changed.
func TestWindowsRecoverIdle(t *testing.T) {
	dir := testenv.TempDir(t)
	tx := txn.New()
	tx.WriteString(filepath.Join(dir, "a"), "a")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := txn.Recover(dir); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, filepath.Join(dir, "a"), []byte("a"))
	testenv.DirHolds(t, dir, "a")
}

// A writer process killed in the middle of its renames (its last target is
// held open, so the rename phase stalls there, and the process is killed
// once the first target is new): Recover, on the journal it left, ends the
// set all old or all new, with nothing left over.
func TestWindowsRecoverAfterKill(t *testing.T) {
	dir := testenv.TempDir(t)
	names := []string{"a", "b", "c"}
	for _, n := range names {
		testenv.WriteFile(t, filepath.Join(dir, n), []byte("old "+n), 0o644)
	}
	held, err := os.Open(filepath.Join(dir, "c"))
	if err != nil {
		t.Fatal(err)
	}
	child := testenv.Child(t, "commit", append([]string{dir}, names...)...)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, _ := os.ReadFile(filepath.Join(dir, "a")); string(b) == "new a" {
			break
		}
		if time.Now().After(deadline) {
			child.Process.Kill()
			t.Fatal("the writer never renamed its first target")
		}
		time.Sleep(time.Millisecond)
	}
	child.Process.Kill()
	child.Wait()
	held.Close()
	// Killed mid-set: the first target new, the last old.
	testenv.FileHolds(t, filepath.Join(dir, "a"), []byte("new a"))
	testenv.FileHolds(t, filepath.Join(dir, "c"), []byte("old c"))
	if err := txn.Recover(dir); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "a"))
	state := string(b[:3]) // "old" or "new"
	for _, n := range names {
		testenv.FileHolds(t, filepath.Join(dir, n), []byte(state+" "+n))
	}
	testenv.DirHolds(t, dir, names...)
	t.Logf("the set ended %s", state)
}

// Recover acts only on what its own user left. A journal whose rename of
// its temp over the target never happened, that temp and a stray temp:
// Recover's own are abandoned and swept; another user's (given away on the
// host, see testenv.GiveAway) stay as they are. The target keeps its
// content either way.
func TestWindowsRecoverLeavesOtherUsersFiles(t *testing.T) {
	const temp, stray = ".y.0000000000000002.aw-tmp", ".w.0000000000000003.aw-tmp"
	for _, theirs := range []bool{false, true} {
		dir := testenv.TempDir(t)
		target := filepath.Join(dir, "y")
		testenv.WriteFile(t, target, []byte("old y"), 0o644)
		testenv.WriteFile(t, filepath.Join(dir, temp), []byte("new y"), 0o644)
		testenv.WriteFile(t, filepath.Join(dir, stray), []byte("dead"), 0o644)
		writeJournal(t, dir, "commit", jentry{dir, fmt.Sprintf("%q %q %q %d %d", "y", temp, "", testenv.Inode(t, target), testenv.Inode(t, filepath.Join(dir, temp)))})
		if theirs {
			testenv.GiveAway(t, filepath.Join(dir, ownJournal), filepath.Join(dir, temp), filepath.Join(dir, stray))
		}
		if err := txn.Recover(dir); err != nil {
			t.Fatalf("theirs %v: Recover: %v", theirs, err)
		}
		testenv.FileHolds(t, target, []byte("old y"))
		if theirs {
			testenv.DirHolds(t, dir, "y", temp, stray, ownJournal)
		} else {
			testenv.DirHolds(t, dir, "y")
		}
	}
}
