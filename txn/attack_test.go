//go:build unix

package txn_test

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// reachableDir returns a new directory of root's, mode 0755, that uid
// 65534 can reach, skipping the test unless it runs as root.
func reachableDir(t *testing.T) string {
	t.Helper()
	testenv.RequireRoot(t)
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	return dir
}

// attackerDirs makes a sticky world-writable directory (like /tmp) that
// root recovers, and a victim directory of root's with two files, and
// returns a check that the victim is exactly as made.
func attackerDirs(t *testing.T) (shared, victim string, untouched func()) {
	t.Helper()
	root := reachableDir(t)
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
	// Each is a journal as root's writer would write it, checksum, name
	// and directory included: its owner tells it apart.
	forged := func(hex, state string, entries ...jentry) string {
		return string(journalText(t, shared, filepath.Base(journal(hex)), 1, state, entries...))
	}
	planted := map[string]string{
		// Rolling back a new target removes it: here root's passwd.
		journal("0000000000000001"): forged("0000000000000001", "rollback",
			jentry{victim, fmt.Sprintf("%q %q %q 0 1", "passwd", ".passwd.0000000000000001.aw-tmp", "")}),
		// Committing renames the temp over the target.
		journal("0000000000000002"): forged("0000000000000002", "commit",
			jentry{shared, fmt.Sprintf("%q %q %q 0 1", "../victim/passwd", "evil", "")}),
		journal("0000000000000003"): forged("0000000000000003", "commit",
			jentry{"/", fmt.Sprintf("%q %q %q 0 1", filepath.Join(victim, "passwd"), filepath.Join(shared, "evil"), "")}),
		// An exchange moves root's file into the attacker's directory.
		journal("0000000000000004"): forged("0000000000000004", "rollback",
			jentry{shared, fmt.Sprintf("%q %q %q 1 1", "mine", "../victim/secret", "../victim/secret")}),
		// A removal of root's file.
		journal("0000000000000008"): forged("0000000000000008", "commit",
			jentry{victim, fmt.Sprintf("remove %q %q %d", "secret", ".secret.0000000000000001.aw-old", testenv.Inode(t, filepath.Join(victim, "secret")))}),
		// A version no library writes.
		journal("0000000000000005"):   "atomicwrite journal v9\nstate commit\nend 00000000\n",
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
	for _, entry := range []jentry{
		{dir, fmt.Sprintf("%q %q %q 0 1", "../victim/passwd", ".passwd.0000000000000001.aw-tmp", "")},
		{dir, fmt.Sprintf("%q %q %q 0 1", filepath.Join(victim, "passwd"), ".passwd.0000000000000001.aw-tmp", "")},
		{dir, fmt.Sprintf("%q %q %q 0 1", "x", "evil", "")},
		{dir, fmt.Sprintf("%q %q %q 0 1", "x", "../"+filepath.Base(dir)+"/.x.00000000000000ff.aw-tmp", "")},
		{dir, fmt.Sprintf("%q %q %q 0 1", "x", ".y.00000000000000ff.aw-tmp", "")},
		{dir, fmt.Sprintf("%q %q %q 0 1", "x", ".x.00000000000000ff.aw-tmp", "../victim/passwd")},
		{dir, fmt.Sprintf("%q %q %q 0 1", "..", "...00000000000000ff.aw-tmp", "")},
		{"relative", fmt.Sprintf("%q %q %q 0 1", "x", ".x.00000000000000ff.aw-tmp", "")},
	} {
		writeJournal(t, dir, "commit", entry)
		err := txn.Recover(dir)
		if err == nil || !strings.Contains(err.Error(), "does not write") {
			t.Errorf("entry %s: Recover: %v, want it refused", entry, err)
		}
		os.Remove(filepath.Join(dir, ownJournal))
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
// (a real process of uid 65534), is as good as no temp: never renamed over
// a target, left where it is, and no reason for Recover to fail.
func TestRecoverIgnoresPlantedTemp(t *testing.T) {
	shared, _, _ := attackerDirs(t)
	testenv.WriteFile(t, filepath.Join(shared, "x"), []byte("root's x"), 0o644)
	temp := ".x.0000000000000001.aw-tmp"
	runAs(t, "plant", filepath.Join(shared, temp), "attacker's x")
	writeJournal(t, shared, "commit", jentry{shared, fmt.Sprintf("%q %q %q 0 1", "x", temp, "")})
	if err := txn.Recover(shared); err != nil {
		t.Errorf("Recover: %v, want nil", err)
	}
	testenv.FileHolds(t, filepath.Join(shared, "x"), []byte("root's x"))
	testenv.FileHolds(t, filepath.Join(shared, temp), []byte("attacker's x"))
	testenv.DirHolds(t, shared, "x", temp)
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
	in := testenv.StartReady(t, holder, "locked")
	defer func() { in.Close(); holder.Wait() }()
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

// A removal that fails and cannot be put back, because the other user
// (uid 65534, a real process) made a directory at its name in their own
// directory meanwhile: the writer keeps its journal, and the old content
// stays safe in the backup. Recover, given that directory and another,
// reports the set it cannot finish by the occupied path, keeps the backup,
// and still sweeps the other directory, and the rest of its own: one stuck
// set does not stop the rest. Once the name is free, Recover puts the file back.
func TestRecoverStuckSetDoesNotStopTheSweep(t *testing.T) {
	theirs, victim, _ := theirDirs(t)
	s := filepath.Join(theirs, "s")
	testenv.WriteFile(t, s, []byte("root's s"), 0o644)
	other := t.TempDir()
	dead := filepath.Join(other, ".w.0000000000000001.aw-tmp")
	testenv.WriteFile(t, dead, []byte("a dead writer's"), 0o600)
	deadHere := filepath.Join(theirs, ".u.0000000000000002.aw-tmp")
	testenv.WriteFile(t, deadHere, []byte("another dead writer's"), 0o600)
	tx := txn.New(txn.WithSeam(atRename(func(k int) error {
		if k == 2 { // s is moved aside: its name is free
			runAs(t, "mkdir", s)
			return syscall.EIO
		}
		return nil
	})))
	defer tx.Rollback()
	if err := tx.Remove(s); err != nil {
		t.Fatal(err)
	}
	if err := tx.WriteString(filepath.Join(victim, "v"), "root's v"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err == nil || !strings.Contains(err.Error(), "run Recover") {
		t.Fatalf("Commit: %v, want the undo's failure and the journal kept", err)
	}
	err := recoverWithin(t, theirs, other)
	if !isNamed(err, s) || !errors.Is(err, syscall.EISDIR) {
		t.Errorf("Recover: %v, want the occupied %s named", err, s)
	}
	testenv.DirHolds(t, other)
	if _, err := os.Lstat(deadHere); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s: %v, want it swept: the stuck set keeps only its own files", deadHere, err)
	}
	m, _ := filepath.Glob(filepath.Join(theirs, ".s.*.aw-old"))
	if len(m) != 1 {
		t.Fatalf("backups of s: %v, want the one that holds its content", m)
	}
	testenv.FileHolds(t, m[0], []byte("root's s"))

	runAs(t, "remove", s)
	if err := recoverWithin(t, theirs, other); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, s, []byte("root's s"))
	testenv.DirHolds(t, theirs, "s")
	testenv.DirHolds(t, victim, "passwd", "secret")
}

// In a sticky directory, another user's file x and their directory named
// like a temp of x, not empty: Recover, as root, leaves both and says
// nothing: a directory is a temp of root's only if it is root's, never
// because it carries the name of a file its owner owns.
func TestRecoverIgnoresPlantedTempDirectory(t *testing.T) {
	shared, _, _ := attackerDirs(t)
	runAs(t, "plant", filepath.Join(shared, "x"), "their x")
	tempDir := filepath.Join(shared, ".x.0123456789abcdef.aw-tmp")
	runAs(t, "mkdir", tempDir)
	runAs(t, "plant", filepath.Join(tempDir, "inside"), "theirs")
	if err := recoverWithin(t, shared); err != nil {
		t.Errorf("Recover: %v, want nil", err)
	}
	testenv.FileHolds(t, filepath.Join(tempDir, "inside"), []byte("theirs"))
	testenv.DirHolds(t, shared, "x", ".x.0123456789abcdef.aw-tmp")
}

// holdLocks starts a real process of uid 65534 that holds an exclusive
// flock on each path and lets go of the i-th release[i] seconds after it
// started; as it lets go of the last, it writes a line with what the file
// report holds (if report is not ""). It returns once the locks are held,
// and a reader of what it says after that; the process is ended with the
// test.
func holdLocks(t *testing.T, report string, release []float64, paths ...string) *bufio.Reader {
	t.Helper()
	args := []string{report}
	for i, p := range paths {
		args = append(args, fmt.Sprint(release[i]), p)
	}
	holder := testenv.ChildAsNobody(t, "hold-locks", args...)
	out, _ := holder.StdoutPipe()
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Process.Kill(); holder.Wait() })
	r := bufio.NewReader(out)
	if line, _ := r.ReadString('\n'); !strings.Contains(line, "locked") {
		t.Fatalf("holder said %q", line)
	}
	return r
}

// A user who can only read three files holds their locks and hands each
// back 6 seconds after the last: each wait alone is within a
// compare-and-swap's 10 seconds, so waits counted one by one would stall
// the Commit 18 seconds, then let it succeed. All its waits count
// together: it gives up at the second file, with ErrBusy naming that file,
// and writes nothing.
func TestVersionLockWaitsAddUp(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 10 seconds")
	}
	dir := reachableDir(t)
	var paths []string
	for _, n := range []string{"a", "b", "c"} {
		p := filepath.Join(dir, n)
		testenv.WriteFile(t, p, []byte("old "+n), 0o644)
		paths = append(paths, p)
	}
	// In the order the Commit locks them: by device and inode.
	slices.SortFunc(paths, func(p, q string) int { return cmp.Compare(testenv.Inode(t, p), testenv.Inode(t, q)) })
	tx := txn.New()
	defer tx.Rollback()
	for _, p := range paths {
		_, v, err := atomic.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.WriteString(p, "new", atomic.WithVersion(v)); err != nil {
			t.Fatal(err)
		}
	}
	holdLocks(t, "", []float64{6, 12, 18}, paths...)
	// It gives up at the second file, or, if it was held up between two
	// locks, at the third: either way the waits are counted together.
	err := tx.Commit()
	if !errors.Is(err, atomic.ErrBusy) || !isNamed(err, paths[1]) && !isNamed(err, paths[2]) || !strings.Contains(err.Error(), "file is busy") {
		t.Errorf("Commit: %v, want ErrBusy for the file %s", err, paths[1])
	}
	for _, p := range paths {
		testenv.FileHolds(t, p, []byte("old "+filepath.Base(p)))
	}
}

// A user who can open three directories holds their locks and hands each
// back 1.8 seconds after the last: each wait alone is within a writer's 2
// seconds, so waits counted one by one would stall the Tx for every one.
// All its waits count together: the writer goes on without the third
// directory's lock while the holder still has it, and the holder, as it
// lets go, finds the new content there already.
func TestDirectoryLockWaitsAddUp(t *testing.T) {
	root := reachableDir(t)
	var dirs []string
	for _, n := range []string{"d1", "d2", "d3"} {
		d := filepath.Join(root, n)
		os.Mkdir(d, 0o755)
		dirs = append(dirs, d)
	}
	r := holdLocks(t, filepath.Join(dirs[2], "f"), []float64{1.8, 3.6, 5.4}, dirs...)
	tx := txn.New()
	defer tx.Rollback()
	for _, d := range dirs {
		if err := tx.WriteString(filepath.Join(d, "f"), "new"); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if line, _ := r.ReadString('\n'); !strings.Contains(line, `"new"`) {
		t.Errorf("as it let go of %s, the holder found %s: the writer waited for its lock", dirs[2], line)
	}
}

// The caller bounds Recover's waits with a context: already done, Recover
// waits for nothing; with a deadline, until then. The directory that
// another process (uid 65534) holds for 5 seconds is reported busy either
// way, where Recover's own 10 seconds would have waited it out, and the
// free directory of the same call is recovered all the same.
func TestRecoverContextBoundsWaits(t *testing.T) {
	for _, bound := range []time.Duration{0, time.Second} {
		t.Run(bound.String(), func(t *testing.T) {
			root := reachableDir(t)
			held, free := filepath.Join(root, "held"), filepath.Join(root, "free")
			os.Mkdir(held, 0o755)
			os.Mkdir(free, 0o755)
			for _, d := range []string{held, free} {
				testenv.WriteFile(t, filepath.Join(d, ".x.0000000000000001.aw-tmp"), []byte("dead"), 0o600)
			}
			holdLocks(t, "", []float64{5}, held)
			ctx, cancel := context.WithTimeout(context.Background(), bound)
			defer cancel()
			err := txn.RecoverContext(ctx, held, free)
			if !errors.Is(err, txn.ErrBusy) || !isNamed(err, held) {
				t.Errorf("RecoverContext: %v, want ErrBusy naming %s", err, held)
			}
			testenv.DirHolds(t, held, ".x.0000000000000001.aw-tmp")
			testenv.DirHolds(t, free)
		})
	}
}

// In a sticky world-writable directory, another user (uid 65534, a real
// process) makes the marks directory first (a directory of theirs, where
// they could remove a batch's mark and let readers see half a set), or
// plants a symlink under its name to a directory of root's: root's batch
// there fails before it changes anything, naming the path, and leaves
// nothing behind; a consistent read refuses the other user's marks
// directory rather than trust it.
func TestMarksDirectoryPlanted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, marks, victim string)
		read  error // what ReadSet says with it in place
	}{
		{"their directory", func(t *testing.T, marks, victim string) { runAs(t, "mkdir", marks) }, fs.ErrPermission},
		{"link to root's", func(t *testing.T, marks, victim string) { runAs(t, "symlink", victim, marks) }, syscall.ENOTDIR},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shared, victim, untouched := attackerDirs(t)
			x, y := filepath.Join(shared, "x"), filepath.Join(shared, "y")
			testenv.WriteFile(t, x, []byte("root's x"), 0o644)
			marks := filepath.Join(shared, ".aw-commits")
			tc.plant(t, marks, victim)
			tx := txn.New()
			defer tx.Rollback()
			tx.WriteString(x, "new x")
			tx.WriteString(y, "new y")
			err := tx.Commit()
			if err == nil || !strings.Contains(err.Error(), shared) {
				t.Fatalf("Commit: %v, want an error naming the directory", err)
			}
			testenv.FileHolds(t, x, []byte("root's x"))
			testenv.DirHolds(t, shared, ".aw-commits", "x")
			untouched()
			if _, err := txn.ReadSet(x, y); !errors.Is(err, tc.read) || !strings.Contains(err.Error(), marks) {
				t.Errorf("ReadSet: %v, want %v naming %s", err, tc.read, marks)
			}
		})
	}
}

// A writer whose umask is 077 (enabling reads, then committing) still
// leaves marks that readers of other users can list and lock: a reader (uid 65534, a real process) that
// reads the pair during the renames is told that a commit is in flight,
// not refused the marks directory.
func TestMarksReadableUnderUmask(t *testing.T) {
	dir := reachableDir(t)
	x, z := filepath.Join(dir, "a", "x"), filepath.Join(dir, "b", "z")
	for _, name := range []string{x, z} {
		os.Mkdir(filepath.Dir(name), 0o755)
		testenv.WriteFile(t, name, []byte("old"), 0o644)
	}
	reader := testenv.ChildAsNobody(t, "read-in-flight", x, z) // its binary copied under the usual umask
	old := syscall.Umask(0o077)
	t.Cleanup(func() { syscall.Umask(old) })
	if err := txn.EnableReads(context.Background(), filepath.Dir(x), filepath.Dir(z)); err != nil {
		t.Fatal(err)
	}
	tx := txn.New(txn.WithSeam(atRename(func(k int) error {
		if k == 2 { // x renamed, z not yet
			if out, err := reader.CombinedOutput(); err != nil {
				t.Errorf("reader: %v\n%s", err, out)
			}
		}
		return nil
	})))
	defer tx.Rollback()
	tx.WriteString(x, "new x")
	tx.WriteString(z, "new z")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	testenv.DirHolds(t, filepath.Dir(x), "x")
	testenv.DirHolds(t, filepath.Dir(z), "z")
}

// Consistent reads are enabled by the directory's owner or root: a reader
// of another user (uid 65534, a real process) of root's directory where
// they are not enabled is told so (ErrReadsNotEnabled, naming the
// directory) and makes nothing there; root's Commits there make no marks.
// Once root has enabled them, the same reader reads the set. (A marks
// directory of the reader's would not be trusted by root's writers.)
func TestReadsEnabledByOwner(t *testing.T) {
	dir := reachableDir(t)
	x, z := filepath.Join(dir, "x"), filepath.Join(dir, "z")
	testenv.WriteFile(t, x, []byte("old x"), 0o644)
	testenv.WriteFile(t, z, []byte("old z"), 0o644)
	out, _ := testenv.ChildAsNobody(t, "read-set", x, z).Output()
	if !strings.Contains(string(out), "error: read "+dir+": ") || !strings.Contains(string(out), " true") {
		t.Errorf("ReadSet of another user: %s, want ErrReadsNotEnabled naming %s", out, dir)
	}
	tx := txn.New()
	tx.WriteString(x, "new x")
	tx.WriteString(z, "new z")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	testenv.DirHolds(t, dir, "x", "z") // no .aw-commits
	if err := txn.EnableReads(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	out, _ = testenv.ChildAsNobody(t, "read-set", x, z).Output()
	if want := "[x=new x z=new z]\n"; !strings.HasPrefix(string(out), want) {
		t.Errorf("ReadSet of another user, reads enabled: %s, want %s", out, want)
	}
}

// EnableReads waits for the writers already in the directory: their
// Commits began before the marks directory was there, and mark nothing.
// A writer process holds the directory's shared lock, as a staged
// transaction does: EnableReads fails with ErrBusy at its deadline and
// makes nothing; once the writer is gone, it enables them.
func TestEnableReadsWaitsForWriters(t *testing.T) {
	dir := reachableDir(t)
	writer := testenv.Child(t, "hold-lock", dir)
	in := testenv.StartReady(t, writer, "locked")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := txn.EnableReads(ctx, dir)
	if !errors.Is(err, txn.ErrBusy) || !isNamed(err, dir) {
		t.Errorf("EnableReads while a writer holds the directory: %v, want ErrBusy naming it", err)
	}
	testenv.DirHolds(t, dir) // nothing made
	in.Close()
	writer.Wait()
	if err := txn.EnableReads(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	testenv.DirHolds(t, dir)
}

// sharedEnabledDir makes a directory of root's that the group of uid
// 65534 may write (mode 0775), and enables consistent reads there.
func sharedEnabledDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(reachableDir(t), "shared")
	os.Mkdir(dir, 0o755)
	os.Chown(dir, 0, testenv.NobodyUID)
	os.Chmod(dir, 0o775)
	if err := txn.EnableReads(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// In a directory that a group may write, root enables consistent reads:
// a writer of that group who is not the directory's owner (uid 65534, a
// real process) commits there all the same, marking it, and cannot remove
// another writer's mark (the marks directory is sticky).
func TestEnabledSharedDirectory(t *testing.T) {
	dir := sharedEnabledDir(t)
	fi, err := os.Stat(filepath.Join(dir, ".aw-commits"))
	if err != nil {
		t.Fatal(err)
	}
	if want := os.ModeDir | os.ModeSticky | 0o775; fi.Mode() != want {
		t.Errorf(".aw-commits is %v, want %v", fi.Mode(), want)
	}
	runAs(t, "commit", dir, "x", "y")
	testenv.FileHolds(t, filepath.Join(dir, "x"), []byte("new x"))
	testenv.DirHolds(t, dir, "x", "y")
}

// Where a group may write, a writer of the group (uid 65534, a real
// process) may plant an idle mark file of its own that looks like a dead
// batch's mark. Readers take it for one (ErrNeedsRecovery: a denial of
// service, as a planted mark file is, never a mix); root's Commit there
// passes it over for an idle file of its own, and root's Recover leaves it
// as it is: not its user's.
func TestPlantedIdleMark(t *testing.T) {
	dir := sharedEnabledDir(t)
	idle := filepath.Join(dir, ".aw-commits", "idle-0")
	runAs(t, "plant-mark", idle)
	x, y := filepath.Join(dir, "x"), filepath.Join(dir, "y")
	if _, err := txn.ReadSet(x, y); !errors.Is(err, txn.ErrNeedsRecovery) {
		t.Errorf("ReadSet with a planted mark: %v, want ErrNeedsRecovery", err)
	}
	tx := txn.New()
	defer tx.Rollback()
	tx.WriteString(x, "new x")
	tx.WriteString(y, "new y")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := recoverWithin(t, dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(idle)
	if err != nil || fi.Mode() != 0o744 || fi.Sys().(*syscall.Stat_t).Uid != testenv.NobodyUID {
		t.Errorf("the planted mark after root's Commit and Recover: %v, %v; want it as planted (mode 0744, uid 65534)", fi, err)
	}
	testenv.DirHolds(t, filepath.Join(dir, ".aw-commits"), "enabled", "idle-0", "idle-1")
	testenv.FileHolds(t, x, []byte("new x"))
}

// Anyone who may read the marks may lock them, the idle mark files and the
// marks directory too: another user (uid 65534, a real process) holds
// them. A Commit there still tells a reader during its renames that it is
// in flight: with a mark of its own where every idle file is held, with
// its mark's renaming name where the marks directory is held exclusively
// (which a Commit holds shared while it renames). Held shared, the marks
// directory makes readers wait out a Commit, but not where no Commit is.
func TestMarkFilesHeld(t *testing.T) {
	for _, tc := range []struct {
		name     string
		held     func(marks string) []string
		renaming bool // the mark takes its renaming name
	}{
		{"every idle mark", func(marks string) []string {
			var idle []string
			for i := range 8 {
				p := filepath.Join(marks, fmt.Sprintf("idle-%d", i))
				testenv.WriteFile(t, p, nil, 0o644)
				idle = append(idle, p)
			}
			return idle
		}, false},
		{"the marks directory, exclusive", func(marks string) []string { return []string{marks} }, true},
		{"the marks directory, shared", func(marks string) []string { return []string{"shared:" + marks} }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(reachableDir(t), "d")
			os.Mkdir(dir, 0o755)
			if err := txn.EnableReads(context.Background(), dir); err != nil {
				t.Fatal(err)
			}
			marks := filepath.Join(dir, ".aw-commits")
			held := tc.held(marks)
			holdLocks(t, "", slices.Repeat([]float64{60}, len(held)), held...)
			x, y := filepath.Join(dir, "x"), filepath.Join(dir, "y")
			if _, err := txn.ReadSet(x, y); err != nil {
				t.Errorf("ReadSet with no commit under way: %v", err)
			}
			var duringMarks []string
			var renaming bool
			_, during := commitPairReadingBetween(t, x, y, txn.ReadSetContext, nil, func() {
				duringMarks, renaming = marksIn(t, marks)
			})
			if !errors.Is(during, txn.ErrInFlight) {
				t.Errorf("ReadSet during the renames: %v, want ErrInFlight", during)
			}
			if len(duringMarks) != 1 || renaming != tc.renaming {
				t.Errorf("marks during the renames: %q, want one (renaming: %v)", duringMarks, tc.renaming)
			}
			testenv.DirHolds(t, dir, "x", "y")
			left := []string{"enabled", "idle-0"}
			if len(held) == 8 {
				left = []string{"enabled", "idle-0", "idle-1", "idle-2", "idle-3", "idle-4", "idle-5", "idle-6", "idle-7"}
			}
			testenv.DirHolds(t, marks, left...)
		})
	}
}

// marksIn lists the commit marks in the marks directory marks: the files
// named as marks, and the idle mark files with a mark's mode (0744, and
// 0754 while its renames are under way where the marks directory's lock
// cannot be had); and whether one says its renames are under way.
func marksIn(t *testing.T, marks string) (names []string, renaming bool) {
	t.Helper()
	entries, err := os.ReadDir(marks)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasPrefix(e.Name(), ".commit."):
			names = append(names, e.Name())
			renaming = renaming || strings.HasSuffix(e.Name(), ".aw-renaming")
		case strings.HasPrefix(e.Name(), "idle-") && fi.Mode()&0o100 != 0:
			names = append(names, fmt.Sprintf("%s (mode %o)", e.Name(), fi.Mode()))
			renaming = renaming || fi.Mode()&0o010 != 0
		}
	}
	return names, renaming
}

// Someone who may write a directory (not sticky) may rename its marks
// directory away. A user of uid 65534 (a real process) does so just before
// a Commit's first rename: a reader between the renames finds no marks
// directory and enables reads again, which waits for the Commit (it holds
// the directory's lock), so the reader is told the Commit is in flight,
// never given half the set; after it, the reader enables reads again and
// reads the new set.
//
// A Reader that read the directory before holds its marks directory. The
// attacker moves that away before the Commit, and root enables reads
// again: the Commit marks the new marks directory. The Reader between the
// renames lists the new one, not the one it holds (without its check that
// the name still leads there, it returns "x=new x", "y absent").
func TestMarksDirectoryMovedAway(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reader bool
	}{{"ReadSet", false}, {"Reader", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(reachableDir(t), "d")
			os.Mkdir(dir, 0o777)
			os.Chmod(dir, 0o777)
			if err := txn.EnableReads(context.Background(), dir); err != nil {
				t.Fatal(err)
			}
			marks := filepath.Join(dir, ".aw-commits")
			x, y := filepath.Join(dir, "x"), filepath.Join(dir, "y")
			read, readCtx := txn.ReadSet, txn.ReadSetContext
			before := func() { runAs(t, "rename", marks, filepath.Join(dir, "moved")) }
			if tc.reader {
				var r txn.Reader
				t.Cleanup(func() { r.Close() })
				read, readCtx = r.ReadSet, r.ReadSetContext
				if _, err := read(x, y); err != nil {
					t.Fatal(err)
				}
				runAs(t, "rename", marks, filepath.Join(dir, "moved"))
				if err := txn.EnableReads(context.Background(), dir); err != nil {
					t.Fatal(err)
				}
				before = nil
			}
			during, duringErr := commitPairReadingBetween(t, x, y, readCtx, before, nil)
			if !errors.Is(duringErr, txn.ErrInFlight) {
				t.Errorf("read during the renames: %q, %v; want ErrInFlight", contents(during), duringErr)
			}
			files, err := read(x, y)
			if want := []string{"x=new x", "y=new y"}; err != nil || !slices.Equal(contents(files), want) {
				t.Errorf("read after: %q, %v; want %q", contents(files), err, want)
			}
		})
	}
}

// commitPairReadingBetween commits "new x" to x and "new y" to y in one
// transaction, running before (if not nil) just before the first rename,
// and returns what read (ReadSetContext, or a Reader's) got of the pair
// between the two renames; between (if not nil) runs right after that
// read.
func commitPairReadingBetween(t *testing.T, x, y string, read func(context.Context, ...string) ([]txn.File, error), before, between func(), opts ...txn.Option) ([]txn.File, error) {
	t.Helper()
	var during []txn.File
	var duringErr error
	tx := txn.New(append(opts, txn.WithSeam(atRename(func(k int) error {
		switch {
		case k == 1 && before != nil:
			before()
		case k == 2: // x renamed, y not yet
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			during, duringErr = read(ctx, x, y)
			if between != nil {
				between()
			}
		}
		return nil
	})))...)
	defer tx.Rollback()
	tx.WriteString(x, "new x")
	tx.WriteString(y, "new y")
	if err := tx.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return during, duringErr
}
