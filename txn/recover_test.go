package txn_test

import (
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// killedAt runs a child that commits the set of s with the named sync
// strategy (see syncStrategies) and is killed (SIGKILL, by its own hook at
// the seam) when it reaches the k-th step; failFirst, if set, is a step
// whose 3rd occurrence fails with EIO before that.
func killedAt(t *testing.T, s set, step protocol.Step, k int, strategy string, failFirst ...string) {
	t.Helper()
	killedIn(t, "die", s, step, k, strategy, failFirst...)
}

// killedIn is killedAt for the child role given: "die" writes the set,
// "die-remove" removes x instead (see set.stageRemoval), "die-noreplace"
// creates y create-only (see set.stageNoReplace), "die-version" writes x
// only if unchanged (see set.stageVersioned).
func killedIn(t *testing.T, role string, s set, step protocol.Step, k int, strategy string, failFirst ...string) {
	t.Helper()
	args := append([]string{filepath.Dir(s.a), step.String(), fmt.Sprint(k), strategy}, failFirst...)
	err := testenv.Child(t, role, args...).Run()
	if !testenv.Killed(err) {
		t.Fatalf("child at %v #%d: %v, want killed", step, k, err)
	}
}

// A writer killed at each step of a 3-entry commit, then Recover: the set
// is all old if the kill came before the first rename (the commit point),
// all new after it, and nothing else remains: no temp, backup or journal.
// A second Recover changes nothing.
func TestRecoverAfterKill(t *testing.T) {
	for _, strategy := range syncStrategies {
		checkSteps(t, strategy.opts, strategy.steps)
		for _, step := range []protocol.Step{
			protocol.StepCreate, protocol.StepWrite, protocol.StepLink, protocol.StepSync,
			protocol.StepSyncStaged, protocol.StepJournal, protocol.StepRename, protocol.StepSyncDir,
		} {
			for k := 1; k <= strategy.steps[step]; k++ {
				// After the first rename (the commit point), the set must
				// end new.
				isNew := step == protocol.StepRename && k > 1 || step == protocol.StepSyncDir
				t.Run(fmt.Sprintf("%s/%v#%d", strategy.name, step, k), func(t *testing.T) {
					s := newSet(t)
					killedAt(t, s, step, k, strategy.name)
					for range 2 {
						if err := txn.Recover(s.a, s.b); err != nil {
							t.Fatal(err)
						}
						if isNew {
							s.isNew(t)
						} else {
							s.isOld(t)
						}
					}
				})
			}
		}
	}
}

// The syncfs that makes a batch's temps durable makes its journal durable
// too, and a filesystem may write the journal's data before a temp's: a
// journal can outlive a power loss beside a torn temp. No rename comes
// before that syncfs returns, so Recover renames nothing of a journal
// whose renames never began: the set ends old. Here the writer is killed
// before its first rename, and x's temp cut short by hand, as a power loss
// could leave it (the crash suite's power cuts, made between calls, do not
// produce this state).
func TestRecoverTornTempBeforeRenames(t *testing.T) {
	for _, strategy := range syncStrategies {
		t.Run(strategy.name, func(t *testing.T) {
			s := newSet(t)
			killedAt(t, s, protocol.StepRename, 1, strategy.name)
			if err := os.Truncate(onlyMatch(t, s.a, ".x.*.aw-tmp"), 2); err != nil {
				t.Fatal(err)
			}
			if err := txn.Recover(s.a, s.b); err != nil {
				t.Fatal(err)
			}
			s.isOld(t)
		})
	}
}

// A commit whose third rename fails turns back; killed in the middle of
// putting the first two back, it is recovered to the old set.
func TestRecoverDuringUndo(t *testing.T) {
	for _, strategy := range []string{"syncfs", "syncfs/links"} {
		for k := 1; k <= 2; k++ {
			t.Run(fmt.Sprint(strategy, k), func(t *testing.T) {
				s := newSet(t)
				killedAt(t, s, protocol.StepUndo, k, strategy, protocol.StepRename.String())
				if err := txn.Recover(s.a, s.b); err != nil {
					t.Fatal(err)
				}
				s.isOld(t)
			})
		}
	}
}

// A directory renamed between staging and Commit, with another made in its
// place: the journal names the directory where it is at the commit point,
// so Recover finishes the commit there, not in the newcomer.
func TestRecoverDirectoryMovedBeforeCommit(t *testing.T) {
	testenv.SkipOn(t, "windows", "a directory cannot be renamed while a file in it is open")
	s := newSet(t)
	err := testenv.Child(t, "die-moved", filepath.Dir(s.a)).Run()
	if !testenv.Killed(err) {
		t.Fatalf("child: %v, want killed", err)
	}
	moved := setAt(filepath.Dir(s.a))
	moved.a += ".moved"
	moved.x, moved.y = filepath.Join(moved.a, "x"), filepath.Join(moved.a, "y")
	if err := txn.Recover(moved.a, moved.b); err != nil {
		t.Fatal(err)
	}
	moved.isNew(t)
	testenv.DirHolds(t, s.a)
}

// Recover leaves a live writer's files alone: it waits for the writer's
// lock on the directory, and cleans up only once the writer is done.
func TestRecoverWaitsForLiveWriter(t *testing.T) {
	s := newSet(t)
	child := testenv.Child(t, "hold", filepath.Dir(s.a))
	stdin := testenv.StartReady(t, child, "staged")
	temps := func() int {
		n := 0
		for _, d := range []string{s.a, s.b} {
			for _, e := range mustReadDir(t, d) {
				if strings.HasSuffix(e.Name(), ".aw-tmp") {
					n++
				}
			}
		}
		return n
	}
	if n := temps(); n != 3 {
		t.Fatalf("%d staged temps, want 3", n)
	}
	done := make(chan error)
	go func() { done <- txn.Recover(s.a, s.b) }()
	select {
	case err := <-done:
		t.Fatalf("Recover returned (%v) while a writer was live", err)
	case <-time.After(300 * time.Millisecond):
	}
	if n := temps(); n != 3 {
		t.Fatalf("Recover removed a live writer's temps: %d left of 3", n)
	}
	stdin.Write([]byte("commit\n"))
	if err := child.Wait(); err != nil {
		t.Fatalf("writer: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s.isNew(t)
}

// Recover removes only this library's files: temps, backups and journals
// of the exact pattern, not other dot-files that look alike.
func TestRecoverRemovesOnlyOurs(t *testing.T) {
	testenv.SkipOn(t, "windows", "names differing in case are one name")
	dir := testenv.TempDir(t)
	ours := []string{
		".x.0123456789abcdef.aw-tmp",
		".some name.fedcba9876543210.aw-old",
		".txn.00000000000000aa.aw-journal", // torn: never a commit point
	}
	notOurs := []string{
		".hidden", ".x.aw-tmp", ".x.0123456789ABCDEF.aw-tmp", "x.0123456789abcdef.aw-tmp",
		".x.0123456789abcdef.aw-tmp~", "plain",
	}
	for _, n := range append(ours, notOurs...) {
		testenv.WriteFile(t, filepath.Join(dir, n), []byte("x"), 0o644)
	}
	os.Symlink("/etc/passwd", filepath.Join(dir, ".y.0123456789abcdef.aw-tmp"))
	if err := txn.Recover(dir); err != nil {
		t.Fatal(err)
	}
	testenv.DirHolds(t, dir, notOurs...)
	if _, err := os.Stat("/etc/passwd"); err != nil {
		t.Fatal("a link's target was removed")
	}
}

// WithJournalDir puts the journal elsewhere: that is the directory Recover
// needs. A failed final directory fsync keeps the journal there.
func TestJournalDir(t *testing.T) {
	s := newSet(t)
	jdir := testenv.TempDir(t)
	var seen []protocol.Step
	tx := txn.New(txn.WithJournalDir(jdir), txn.WithSeam(failAt(protocol.StepSyncDir, 1, &seen)))
	s.stage(t, tx)
	if err := tx.Commit(); err == nil || !strings.Contains(err.Error(), "kept for Recover") {
		t.Fatalf("Commit: %v, want the journal kept", err)
	}
	if n := len(mustReadDir(t, jdir)); n != 1 {
		t.Fatalf("%d files in the journal directory, want the journal", n)
	}
	if err := txn.Recover(jdir); err != nil {
		t.Fatal(err)
	}
	testenv.DirHolds(t, jdir)
	s.isNew(t)
}

// A jentry is one entry of a journal written by hand: its directory and the
// rest of its line, after the directory's index (docs/protocol.md).
type jentry struct{ dir, rest string }

// ownJournal is the name under which writeJournal writes.
const ownJournal = ".txn.00000000000000aa.aw-journal"

// journalText is a complete journal by hand, in the documented format
// (docs/protocol.md): first line, state, directories by path and
// identity, the journal's own record (the name and inode given, in jdir),
// entries, CRC-32C trailer. A directory that cannot be stat'ed gets a
// made-up identity.
func journalText(t *testing.T, jdir, name string, ino uint64, state string, entries ...jentry) []byte {
	t.Helper()
	b := []byte("atomicwrite journal v6\nstate " + state + "\n")
	var dirs []string
	index := func(dir string) int {
		if i := slices.Index(dirs, dir); i >= 0 {
			return i
		}
		dirs = append(dirs, dir)
		dev, ino := uint64(1), uint64(len(dirs))
		if _, err := os.Stat(dir); err == nil {
			dev, ino = testenv.Device(t, dir), testenv.Inode(t, dir)
		}
		b = fmt.Appendf(b, "dir %q %d %d 0\n", dir, dev, ino)
		return len(dirs) - 1
	}
	self := index(jdir)
	lines := make([]string, len(entries))
	for i, e := range entries {
		kind, rest := "entry", e.rest
		if r, ok := strings.CutPrefix(rest, "remove "); ok {
			kind, rest = "remove", r
		}
		lines[i] = fmt.Sprintf("%s %d %s\n", kind, index(e.dir), rest)
	}
	b = fmt.Appendf(b, "journal %d %q %d\n", self, name, ino)
	for _, l := range lines {
		b = append(b, l...)
	}
	return fmt.Appendf(b, "end %08x\n", crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
}

// writeJournal writes by hand the journal ownJournal in dir, as a writer
// of this uid would have.
func writeJournal(t *testing.T, dir, state string, entries ...jentry) {
	t.Helper()
	path := filepath.Join(dir, ownJournal)
	testenv.WriteFile(t, path, nil, 0o600)
	testenv.WriteFile(t, path, journalText(t, dir, ownJournal, testenv.Inode(t, path), state, entries...), 0o600)
}

// A journal of an earlier format records no name of its own, so nothing
// tells whether it is the live record of a transaction: it is not
// replayed, and the error names it. Its directory is not swept (its temps
// may be needed); another directory given to the same Recover is.
func TestRecoverRefusesOldJournal(t *testing.T) {
	dir, other := testenv.TempDir(t), testenv.TempDir(t)
	testenv.WriteFile(t, filepath.Join(dir, "y"), []byte("old y"), 0o644)
	temp := ".y.0000000000000002.aw-tmp"
	testenv.WriteFile(t, filepath.Join(dir, temp), []byte("new y"), 0o644)
	testenv.WriteFile(t, filepath.Join(other, ".w.0000000000000003.aw-tmp"), []byte("dead"), 0o644)
	b := []byte(fmt.Sprintf("atomicwrite journal v2\nstate commit\nentry %q %q %q %q 0\n", dir, "y", temp, ""))
	b = fmt.Appendf(b, "end %08x\n", crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	testenv.WriteFile(t, filepath.Join(dir, ownJournal), b, 0o600)
	err := txn.Recover(dir, other)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, ownJournal)) || !strings.Contains(err.Error(), "earlier format") {
		t.Fatalf("Recover: %v, want the old journal named and refused", err)
	}
	testenv.FileHolds(t, filepath.Join(dir, "y"), []byte("old y"))
	testenv.DirHolds(t, dir, "y", temp, ownJournal)
	testenv.DirHolds(t, other)
}

// Rolling back goes by what each journal entry says: an exchanged target
// gets its old content back from the temp's name; a new target that was
// renamed is removed; and a target with no backup whose inode is still the
// old one (the last of a batch: renamed without an exchange, here never
// renamed because its temp vanished) is kept, not taken for a new file.
func TestRecoverRollbackByInode(t *testing.T) {
	dir := testenv.TempDir(t)
	xTemp := ".x.0000000000000001.aw-tmp"
	testenv.WriteFile(t, filepath.Join(dir, xTemp), []byte("old x"), 0o644)
	testenv.WriteFile(t, filepath.Join(dir, "x"), []byte("new x"), 0o644)
	testenv.WriteFile(t, filepath.Join(dir, "n"), []byte("new n"), 0o644)
	testenv.WriteFile(t, filepath.Join(dir, "y"), []byte("old y"), 0o644)
	writeJournal(t, dir, "rollback",
		jentry{dir, fmt.Sprintf("%q %q %q %d %d", "x", xTemp, xTemp, testenv.Inode(t, filepath.Join(dir, xTemp)), testenv.Inode(t, filepath.Join(dir, "x")))},
		jentry{dir, fmt.Sprintf("%q %q %q 0 %d", "n", ".n.0000000000000002.aw-tmp", "", testenv.Inode(t, filepath.Join(dir, "n")))},
		jentry{dir, fmt.Sprintf("%q %q %q %d 1", "y", ".y.0000000000000003.aw-tmp", "", testenv.Inode(t, filepath.Join(dir, "y")))})
	if err := txn.Recover(dir); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, filepath.Join(dir, "x"), []byte("old x"))
	testenv.FileHolds(t, filepath.Join(dir, "y"), []byte("old y"))
	testenv.DirHolds(t, dir, "x", "y")
}

// Rolling back an exchange that swapped a directory in (a target another
// process made a directory after staging) puts the directory back, whole,
// and removes the new file.
func TestRecoverRollbackOfExchangedDirectory(t *testing.T) {
	dir := testenv.TempDir(t)
	testenv.SkipWithoutExchange(t, dir)
	temp := ".z.0000000000000001.aw-tmp"
	os.Mkdir(filepath.Join(dir, temp), 0o755)
	testenv.WriteFile(t, filepath.Join(dir, temp, "inside"), []byte("keep"), 0o644)
	testenv.WriteFile(t, filepath.Join(dir, "z"), []byte("new z"), 0o644)
	writeJournal(t, dir, "rollback", jentry{dir, fmt.Sprintf("%q %q %q 12345 %d", "z", temp, temp, testenv.Inode(t, filepath.Join(dir, "z")))})
	if err := txn.Recover(dir); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, filepath.Join(dir, "z", "inside"), []byte("keep"))
	testenv.DirHolds(t, dir, "z")
}

// A target that did not exist when its transaction began, and that a file
// has taken since, is never replaced by Recover: a writer killed at its
// second rename (x renamed, y not), then a file made at y by Recover's own
// user (evidence it trusts), then Recover: the set turns back, and y keeps
// the file.
func TestRecoverNewTargetTaken(t *testing.T) {
	for _, strategy := range syncStrategies {
		t.Run(strategy.name, func(t *testing.T) {
			s := newSet(t)
			killedIn(t, "die", s, protocol.StepRename, 2, strategy.name)
			testenv.WriteFile(t, s.y, []byte("theirs"), 0o644)
			if err := txn.Recover(s.a, s.b); err != nil {
				t.Fatal(err)
			}
			testenv.FileHolds(t, s.x, []byte("old x"))
			testenv.FileHolds(t, s.y, []byte("theirs"))
			testenv.FileHolds(t, s.z, []byte("old z"))
			testenv.DirHolds(t, s.a, "x", "y")
			testenv.DirHolds(t, s.b, "z")
		})
	}
}
