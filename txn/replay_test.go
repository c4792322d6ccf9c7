//go:build unix

package txn_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// Attacks on the liveness of journals: a journal that outlives its
// transaction must never be acted on (docs/security.md). The attacker is a
// real process of uid 65534; the moment of its move is chosen through the
// writer's test seam (Settings.Inject), which runs it while root's Commit
// waits at a step, and which also fails a rename where a test needs the
// transaction to turn back (an EIO injected at the seam).

// theirDirs makes a directory that uid 65534 owns (mode 0755, not
// sticky), where root writes and which that user can rearrange at will,
// beside the victim directory of attackerDirs, and returns a check that
// the victim's secret is as made.
func theirDirs(t *testing.T) (theirs, victim string, untouched func()) {
	t.Helper()
	shared, victim, _ := attackerDirs(t)
	theirs = filepath.Join(filepath.Dir(shared), "theirs")
	os.Mkdir(theirs, 0o755)
	os.Chown(theirs, testenv.NobodyUID, testenv.NobodyUID)
	return theirs, victim, func() {
		t.Helper()
		testenv.FileHolds(t, filepath.Join(victim, "secret"), []byte("root's secret"))
	}
}

// onlyJournal returns the path of the one journal in dir.
func onlyJournal(t *testing.T, dir string) string {
	t.Helper()
	return onlyMatch(t, dir, ".txn.*.aw-journal")
}

// The other user renames root's journal while the transaction commits; the
// transaction fails and puts everything back (its removal of secret
// included); the other user then renames the journal back under its own
// name, and root's Recover runs. The writer found its journal gone and
// emptied it through its own descriptor: nothing is replayed. Without
// that, the journal's commit record stays whole, and Recover deletes
// secret, whose removal failed and was put back.
func TestJournalMovedWhileTurningBack(t *testing.T) {
	theirs, victim, untouched := theirDirs(t)
	var journal string
	away := filepath.Join(theirs, "kept")
	tx := txn.New(txn.WithSeam(atRename(func(k int) error {
		switch k {
		case 1: // the journal is durable: the commit point
			journal = onlyJournal(t, theirs)
			runAs(t, "rename", journal, away)
		case 2:
			return syscall.EIO
		}
		return nil
	})))
	defer tx.Rollback()
	if err := tx.WriteString(filepath.Join(theirs, "x"), "root's x"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Remove(filepath.Join(victim, "secret")); err != nil {
		t.Fatal(err)
	}
	err := tx.Commit()
	if !errors.Is(err, syscall.EIO) || !strings.Contains(err.Error(), "renamed or linked by another process") {
		t.Errorf("Commit: %v, want the EIO, and the moved journal said", err)
	}
	untouched()
	runAs(t, "rename", away, journal)
	if err := txn.Recover(theirs, victim); err != nil {
		t.Errorf("Recover: %v", err)
	}
	untouched()
	testenv.DirHolds(t, theirs)
}

// The other user renames root's rollback journal while the failed
// transaction puts its files back, and back under its own name once the
// transaction is over; root then writes x, a file the transaction had
// made and undone. The writer found its journal gone and emptied it:
// Recover replays nothing. Without that, the rollback record, whole, has
// Recover remove x, root's later file, as a new target of the transaction.
func TestRollbackJournalMovedWhileUndoing(t *testing.T) {
	theirs, victim, _ := theirDirs(t)
	var journal string
	away := filepath.Join(theirs, "kept")
	tx := txn.New(txn.WithSeam(atRename(func(k int) error {
		if k == 2 {
			return syscall.EIO
		}
		return nil
	}), func(s *protocol.Settings) {
		prev := s.Inject
		s.Inject = func(step protocol.Step) error {
			if step == protocol.StepUndo && journal == "" { // the rollback record is durable
				journal = onlyJournal(t, theirs)
				runAs(t, "rename", journal, away)
			}
			return prev(step)
		}
	}))
	defer tx.Rollback()
	x := filepath.Join(theirs, "x")
	if err := tx.WriteString(x, "root's x"); err != nil {
		t.Fatal(err)
	}
	if err := tx.WriteString(filepath.Join(victim, "v"), "root's v"); err != nil {
		t.Fatal(err)
	}
	err := tx.Commit()
	if !errors.Is(err, syscall.EIO) || !strings.Contains(err.Error(), "renamed or linked by another process") {
		t.Errorf("Commit: %v, want the EIO, and the moved journal said", err)
	}
	runAs(t, "rename", away, journal)
	if err := atomic.WriteString(x, "root's later x"); err != nil {
		t.Fatal(err)
	}
	if err := txn.Recover(theirs, victim); err != nil {
		t.Errorf("Recover: %v", err)
	}
	testenv.FileHolds(t, x, []byte("root's later x"))
}

// The same move while a transaction commits: the commit succeeds, and says
// that its journal was moved. The other user renames the journal back and
// forges the evidence that once turned a committed set back: a file of
// theirs at the create-only entry's temp name, and another at its name.
// Recover, as root, finds an emptied journal, and even a whole one would
// count none of that evidence: root's new file in its own directory stays.
func TestJournalMovedWhileCommitting(t *testing.T) {
	theirs, victim, _ := theirDirs(t)
	var journal, temp string
	away := filepath.Join(theirs, "kept")
	tx := txn.New(txn.WithSeam(atRename(func(k int) error {
		if k == 1 {
			journal = onlyJournal(t, theirs)
			m, _ := filepath.Glob(filepath.Join(theirs, ".n.*.aw-tmp"))
			if len(m) != 1 {
				t.Fatalf("temps of n: %v", m)
			}
			temp = m[0]
			runAs(t, "rename", journal, away)
		}
		return nil
	})))
	defer tx.Rollback()
	if err := tx.WriteString(filepath.Join(theirs, "n"), "root's n", atomic.WithNoReplace()); err != nil {
		t.Fatal(err)
	}
	if err := tx.WriteString(filepath.Join(victim, "v"), "root's v"); err != nil {
		t.Fatal(err)
	}
	err := tx.Commit()
	if !errors.Is(err, atomic.ErrNotDurable) || !strings.Contains(err.Error(), "renamed or linked by another process") {
		t.Errorf("Commit: %v, want ErrNotDurable, and the moved journal said", err)
	}
	testenv.FileHolds(t, filepath.Join(victim, "v"), []byte("root's v"))
	runAs(t, "rename", away, journal)
	runAs(t, "remove", filepath.Join(theirs, "n"))
	runAs(t, "plant", filepath.Join(theirs, "n"), "theirs")
	runAs(t, "plant", temp, "theirs")
	if err := txn.Recover(theirs, victim); err != nil {
		t.Errorf("Recover: %v", err)
	}
	testenv.FileHolds(t, filepath.Join(victim, "v"), []byte("root's v"))
	testenv.DirHolds(t, victim, "passwd", "secret", "v")
}

// A journal of the calling user restored from a copy (a backup of the
// directory, taken while the transaction was interrupted and put back after
// it was recovered) has the right name, in the right directory, but is
// another file than the one it records: it is not the live record of a
// transaction, and is removed unread. Replayed, its rollback would remove
// y, which root wrote since. (The copy is made while its original exists,
// as a backup is: a copy written after its original is gone may be given
// the original's inode number again, and is then not told apart; see
// docs/security.md.)
func TestCopiedJournalNotReplayed(t *testing.T) {
	s := newSet(t)
	killedAt(t, s, protocol.StepUndo, 1, syncStrategies[0].name, "rename")
	journal := onlyJournal(t, s.a)
	saved, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(filepath.Dir(s.a), "backup")
	testenv.WriteFile(t, backup, saved, 0o600)
	if err := txn.Recover(s.a, s.b); err != nil {
		t.Fatal(err)
	}
	s.isOld(t)
	if err := atomic.WriteString(s.y, "later y"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(backup, journal); err != nil {
		t.Fatal(err)
	}
	if err := txn.Recover(s.a, s.b); err != nil {
		t.Errorf("Recover: %v", err)
	}
	testenv.FileHolds(t, s.y, []byte("later y"))
	testenv.DirHolds(t, s.a, "x", "y")
}

// A journal that another process links under a second name while the
// transaction commits (as a user may where protected_hardlinks is off;
// root stands in for them here) shares the journal's inode: the writer
// finds a name left after its own removal, and empties the file, so the
// second name holds nothing to replay. Recover removes it.
func TestJournalLinkedWhileCommitting(t *testing.T) {
	s := newSet(t)
	linked := filepath.Join(s.a, ".txn.00000000000000ff.aw-journal")
	tx := txn.New(txn.WithSeam(atRename(func(k int) error {
		if k == 1 {
			if err := os.Link(onlyJournal(t, s.a), linked); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})))
	s.stage(t, tx)
	err := tx.Commit()
	if !errors.Is(err, atomic.ErrNotDurable) || !strings.Contains(err.Error(), "renamed or linked by another process") {
		t.Fatalf("Commit: %v, want ErrNotDurable, and the linked journal said", err)
	}
	testenv.FileHolds(t, s.x, []byte("new x"))
	f, err := os.Open(linked)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if len(b) != 0 {
		t.Errorf("the journal's other name holds %d bytes, want none", len(b))
	}
	if err := txn.Recover(s.a, s.b); err != nil {
		t.Fatal(err)
	}
	s.isNew(t)
}
