//go:build unix

package txn_test

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// journalBytes is a complete journal, in the documented format, with a
// valid CRC-32C trailer: what an attacker can forge.
func journalBytes(version, state string, lines ...string) string {
	b := []byte("atomicwrite journal " + version + "\nstate " + state + "\n")
	for _, l := range lines {
		b = append(b, l+"\n"...)
	}
	return string(fmt.Appendf(b, "end %08x\n", crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))))
}

// attackerDirs makes a sticky world-writable directory (like /tmp) that
// root recovers, and a victim directory of root's with two files, and
// returns a check that the victim is exactly as made.
func attackerDirs(t *testing.T) (shared, victim string, untouched func()) {
	t.Helper()
	testenv.RequireRoot(t)
	root := t.TempDir()
	os.Chmod(filepath.Dir(root), 0o755)
	os.Chmod(root, 0o755)
	shared = filepath.Join(root, "shared")
	victim = filepath.Join(root, "victim")
	os.Mkdir(shared, 0o755)
	os.Chmod(shared, 0o777|os.ModeSticky)
	os.Mkdir(victim, 0o755)
	testenv.WriteFile(t, filepath.Join(victim, "passwd"), []byte("root:x:0:0"), 0o644)
	testenv.WriteFile(t, filepath.Join(victim, "secret"), []byte("root's secret"), 0o600)
	return shared, victim, func() {
		t.Helper()
		testenv.FileHolds(t, filepath.Join(victim, "passwd"), []byte("root:x:0:0"))
		testenv.FileHolds(t, filepath.Join(victim, "secret"), []byte("root's secret"))
		testenv.DirHolds(t, victim, "passwd", "secret")
	}
}

// runAs runs a child as uid 65534, a real attacker process.
func runAs(t *testing.T, role string, args ...string) {
	t.Helper()
	if out, err := testenv.ChildAsNobody(t, role, args...).CombinedOutput(); err != nil {
		t.Fatalf("attacker %s: %v\n%s", role, err, out)
	}
}

// recoverWithin runs Recover on dirs, failing the test if it has not
// returned within a minute (a FIFO open would block it for ever).
func recoverWithin(t *testing.T, dirs ...string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- txn.Recover(dirs...) }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("Recover still blocked after a minute")
		return nil
	}
}

// Journals that another user (uid 65534, a real process) plants in a
// directory root recovers are ignored, whatever they say: no file of root's
// is removed, replaced or moved, Recover does not block or read a huge
// file, and it returns no error, so a service that recovers at start-up
// still starts. Their files are left as they are.
func TestRecoverIgnoresPlantedJournals(t *testing.T) {
	shared, victim, untouched := attackerDirs(t)
	journal := func(hex string) string { return filepath.Join(shared, ".txn."+hex+".aw-journal") }
	planted := map[string]string{
		// Rolling back a new target removes it: here root's passwd.
		journal("0000000000000001"): journalBytes("v2", "rollback",
			fmt.Sprintf("entry %q %q %q %q 0", victim, "passwd", ".passwd.0000000000000001.aw-tmp", "")),
		// Committing renames the temp over the target.
		journal("0000000000000002"): journalBytes("v2", "commit",
			fmt.Sprintf("entry %q %q %q %q 0", shared, "../victim/passwd", "evil", "")),
		journal("0000000000000003"): journalBytes("v2", "commit",
			fmt.Sprintf("entry %q %q %q %q 0", "/", filepath.Join(victim, "passwd"), filepath.Join(shared, "evil"), "")),
		// An exchange moves root's file into the attacker's directory.
		journal("0000000000000004"): journalBytes("v2", "rollback",
			fmt.Sprintf("entry %q %q %q %q 1", shared, "mine", "../victim/secret", "../victim/secret")),
		// A version no library writes.
		journal("0000000000000005"):   journalBytes("v9", "commit"),
		filepath.Join(shared, "evil"): "attacker's passwd",
	}
	for path, content := range planted {
		runAs(t, "plant", path, content)
	}
	runAs(t, "plant-fifo", journal("0000000000000006"))
	runAs(t, "plant-sparse", journal("0000000000000007"), fmt.Sprint(1<<30))
	// A temp of the attacker's, named as the library names them.
	runAs(t, "plant", filepath.Join(shared, ".mine.0123456789abcdef.aw-tmp"), "attacker's temp")

	if err := recoverWithin(t, shared); err != nil {
		t.Errorf("Recover: %v, want nil: another user's journals are not Recover's", err)
	}
	untouched()
	var names []string
	for path := range planted {
		names = append(names, filepath.Base(path))
	}
	names = append(names, ".txn.0000000000000006.aw-journal", ".txn.0000000000000007.aw-journal", ".mine.0123456789abcdef.aw-tmp")
	testenv.DirHolds(t, shared, names...)

	// The CLI says the same: exit 0.
	bin, err := testenv.BuildCLI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "--recover", shared).CombinedOutput(); err != nil {
		t.Errorf("atomicwrite --recover: %v: %s", err, out)
	}
	untouched()
}

// A journal of Recover's own user is checked all the same before anything
// is done: names that are not plain file names, temps and backups that are
// not the library's names for their target, a size beyond the bound. Such a
// journal is an error (it is Recover's own: something is wrong), and
// nothing is touched.
func TestRecoverRefusesForeignNamesInOwnJournal(t *testing.T) {
	dir := t.TempDir()
	victim := t.TempDir()
	testenv.WriteFile(t, filepath.Join(victim, "passwd"), []byte("keep"), 0o644)
	testenv.WriteFile(t, filepath.Join(dir, "evil"), []byte("evil"), 0o644)
	testenv.WriteFile(t, filepath.Join(dir, ".x.00000000000000ff.aw-tmp"), []byte("evil"), 0o644)
	for _, entry := range []string{
		fmt.Sprintf("%q %q %q %q 0", dir, "../victim/passwd", ".passwd.0000000000000001.aw-tmp", ""),
		fmt.Sprintf("%q %q %q %q 0", dir, filepath.Join(victim, "passwd"), ".passwd.0000000000000001.aw-tmp", ""),
		fmt.Sprintf("%q %q %q %q 0", dir, "x", "evil", ""),
		fmt.Sprintf("%q %q %q %q 0", dir, "x", "../"+filepath.Base(dir)+"/.x.00000000000000ff.aw-tmp", ""),
		fmt.Sprintf("%q %q %q %q 0", dir, "x", ".y.00000000000000ff.aw-tmp", ""),
		fmt.Sprintf("%q %q %q %q 0", dir, "x", ".x.00000000000000ff.aw-tmp", "../victim/passwd"),
		fmt.Sprintf("%q %q %q %q 0", dir, "..", "...00000000000000ff.aw-tmp", ""),
		fmt.Sprintf("%q %q %q %q 0", "relative", "x", ".x.00000000000000ff.aw-tmp", ""),
	} {
		writeJournal(t, dir, "v2", "commit", entry)
		err := txn.Recover(dir)
		if err == nil || !strings.Contains(err.Error(), "does not write") {
			t.Errorf("entry %s: Recover: %v, want it refused", entry, err)
		}
		os.Remove(filepath.Join(dir, ".txn.00000000000000aa.aw-journal"))
	}
	testenv.FileHolds(t, filepath.Join(victim, "passwd"), []byte("keep"))
	testenv.DirHolds(t, dir, "evil", ".x.00000000000000ff.aw-tmp")

	// A journal beyond the bound is not read (a sparse 1 GiB file).
	f, _ := os.Create(filepath.Join(dir, ".txn.00000000000000bb.aw-journal"))
	f.Truncate(1 << 30)
	f.Close()
	if err := txn.Recover(dir); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Recover of a 1 GiB journal: %v, want it refused by its size", err)
	}
}

// A temp that the journal names, but that another user has put there
// (a real process of uid 65534), is never renamed over a target.
func TestRecoverRefusesPlantedTemp(t *testing.T) {
	shared, _, _ := attackerDirs(t)
	testenv.WriteFile(t, filepath.Join(shared, "x"), []byte("root's x"), 0o644)
	temp := ".x.0000000000000001.aw-tmp"
	runAs(t, "plant", filepath.Join(shared, temp), "attacker's x")
	writeJournal(t, shared, "v2", "commit", fmt.Sprintf("%q %q %q %q 0", shared, "x", temp, ""))
	if err := txn.Recover(shared); err == nil || !strings.Contains(err.Error(), "is not a file the writer made") {
		t.Errorf("Recover: %v, want the planted temp refused", err)
	}
	testenv.FileHolds(t, filepath.Join(shared, "x"), []byte("root's x"))
	testenv.FileHolds(t, filepath.Join(shared, temp), []byte("attacker's x"))
}

// A directory renamed after the commit point, with another made at its old
// path: the journal recorded the directory's identity, so Recover refuses
// the path, names it, and touches nothing (the newcomer least of all).
// Put back, the directory is recovered.
func TestRecoverRefusesReplacedDirectory(t *testing.T) {
	s := newSet(t)
	jdir := filepath.Join(filepath.Dir(s.a), "journal")
	os.Mkdir(jdir, 0o755)
	err := testenv.Child(t, "die-journal-dir", filepath.Dir(s.a), jdir).Run()
	if !testenv.Killed(err) {
		t.Fatalf("child: %v, want killed", err)
	}
	moved := s.a + ".moved"
	if err := os.Rename(s.a, moved); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(s.a, 0o755)
	testenv.WriteFile(t, s.x, []byte("newcomer's x"), 0o644)
	err = txn.Recover(jdir)
	if err == nil || !strings.Contains(err.Error(), s.a) || !strings.Contains(err.Error(), "not the directory the journal recorded") {
		t.Fatalf("Recover: %v, want the replaced directory %s refused", err, s.a)
	}
	testenv.FileHolds(t, s.x, []byte("newcomer's x"))
	testenv.DirHolds(t, s.a, "x")

	os.RemoveAll(s.a)
	os.Rename(moved, s.a)
	if err := txn.Recover(jdir, s.a, s.b); err != nil {
		t.Fatal(err)
	}
	s.isNew(t)
	testenv.DirHolds(t, jdir)
}

// Nothing to recover in a directory that does not exist: no error, as at a
// program's first start.
func TestRecoverMissingDirectory(t *testing.T) {
	if err := txn.Recover(filepath.Join(t.TempDir(), "not yet")); err != nil {
		t.Errorf("Recover: %v, want nil", err)
	}
}

// A directory that another process (uid 65534) keeps locked is reported
// busy, with ErrBusy, once Recover's bounded wait is over; nothing in it is
// touched.
func TestRecoverBusy(t *testing.T) {
	shared, _, _ := attackerDirs(t)
	testenv.WriteFile(t, filepath.Join(shared, ".x.0000000000000001.aw-tmp"), []byte("root's temp"), 0o600)
	holder := testenv.ChildAsNobody(t, "hold-lock", shared)
	in, _ := holder.StdinPipe()
	out, _ := holder.StdoutPipe()
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { in.Close(); holder.Wait() }()
	if line, _ := bufio.NewReader(out).ReadString('\n'); !strings.Contains(line, "locked") {
		t.Fatalf("holder said %q", line)
	}
	go io.Copy(io.Discard, out)
	err := recoverWithin(t, shared)
	if !errors.Is(err, txn.ErrBusy) {
		t.Errorf("Recover: %v, want ErrBusy", err)
	}
	testenv.DirHolds(t, shared, ".x.0000000000000001.aw-tmp")
}

// Directories that look like ones a write made and never committed to (a
// marker and nothing else, under the final name or a temp name) but that
// another user made: Recover, as root, removes none of them. Root's own,
// made the same way, it removes: the test can tell.
func TestRecoverKeepsOthersMadeDirectories(t *testing.T) {
	shared, _, _ := attackerDirs(t)
	theirs := filepath.Join(shared, "theirs")
	theirsTemp := filepath.Join(shared, ".gone.0123456789abcdef.aw-tmp")
	runAs(t, "plant-dir", theirs, ".theirs.0123456789abcdef.aw-dir")
	runAs(t, "plant-dir", theirsTemp, ".gone.0123456789abcdef.aw-dir")
	ours := filepath.Join(shared, "ours")
	os.Mkdir(ours, 0o755)
	testenv.WriteFile(t, filepath.Join(ours, ".ours.0123456789abcdef.aw-dir"), nil, 0o600)
	if err := txn.Recover(theirs, ours, filepath.Join(shared, "gone")); err != nil {
		t.Fatal(err)
	}
	testenv.DirHolds(t, theirs, ".theirs.0123456789abcdef.aw-dir")
	testenv.DirHolds(t, theirsTemp, ".gone.0123456789abcdef.aw-dir")
	testenv.DirHolds(t, shared, ".gone.0123456789abcdef.aw-tmp", "theirs")
}
