//go:build unix

package atomic_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// sharedDir returns a directory that the unprivileged attacker uid can
// enter (and, if writable, write to), inside a fresh root-owned tree.
func sharedDir(t *testing.T, mode fs.FileMode) string {
	t.Helper()
	testenv.RequireRoot(t)
	root := t.TempDir()
	os.Chmod(filepath.Dir(root), 0o755)
	os.Chmod(root, 0o755)
	dir := filepath.Join(root, "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, mode)
	return dir
}

// victimDir returns a root-owned directory holding one file, and a check
// that it is exactly as made.
func victimDir(t *testing.T) (string, func()) {
	t.Helper()
	victim := filepath.Join(t.TempDir(), "victim")
	os.Mkdir(victim, 0o755)
	testenv.WriteFile(t, filepath.Join(victim, "target"), []byte("victim"), 0o644)
	return victim, func() {
		t.Helper()
		testenv.DirHolds(t, victim, "target")
		testenv.FileHolds(t, filepath.Join(victim, "target"), []byte("victim"))
	}
}

// Symlinks that belong to another user are not followed, in the final
// component or in the directory part: they could have been planted.
func TestUntrustedSymlink(t *testing.T) {
	testenv.RequireRoot(t)
	for _, where := range []string{"final component", "directory part"} {
		t.Run(where, func(t *testing.T) {
			victim, unchanged := victimDir(t)
			dir := t.TempDir()
			var link, path string
			if where == "final component" {
				link = filepath.Join(dir, "target")
				os.Symlink(filepath.Join(victim, "target"), link)
				path = link
			} else {
				link = filepath.Join(dir, "sub")
				os.Symlink(victim, link)
				path = filepath.Join(link, "target")
			}
			if err := os.Lchown(link, testenv.NobodyUID, testenv.NobodyUID); err != nil {
				t.Fatal(err)
			}
			err := atomic.WriteString(path, "attacker's choice")
			if !errors.Is(err, atomic.ErrUntrustedSymlink) || !errors.Is(err, fs.ErrPermission) {
				t.Fatalf("got %v, want ErrUntrustedSymlink (and fs.ErrPermission)", err)
			}
			unchanged()
			linkHolds(t, link, map[bool]string{true: filepath.Join(victim, "target"), false: victim}[where == "final component"])

			// The same link owned by root is the caller's own: followed.
			os.Lchown(link, 0, 0)
			if err := atomic.WriteString(path, "new"); err != nil {
				t.Fatal(err)
			}
			testenv.FileHolds(t, filepath.Join(victim, "target"), []byte("new"))
		})
	}
}

// An unprivileged writer follows its own links and root's.
func TestOwnSymlinksFollowedUnprivileged(t *testing.T) {
	dir := sharedDir(t, 0o777)
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	os.Chmod(filepath.Join(dir, "real"), 0o777)
	mine := filepath.Join(dir, "mine")
	roots := filepath.Join(dir, "roots")
	os.Symlink("real/a", mine)
	os.Lchown(mine, testenv.NobodyUID, testenv.NobodyUID)
	os.Symlink("real/b", roots)
	for _, path := range []string{mine, roots} {
		out, err := testenv.ChildAsNobody(t, "write", path, "new").Output()
		if err != nil {
			t.Fatal(err)
		}
		var res childResult
		json.NewDecoder(bytes.NewReader(out)).Decode(&res)
		if res.Err != "" {
			t.Errorf("writing through %s: %s", path, res.Err)
		}
	}
	testenv.FileHolds(t, filepath.Join(dir, "real", "a"), []byte("new"))
	testenv.FileHolds(t, filepath.Join(dir, "real", "b"), []byte("new"))
}

// startAttacker starts the child role as an unprivileged user, with args
// and, last, a file whose creation tells it to stop. finish creates that
// file, waits for the child and returns what it printed; if the test ends
// first, the child is stopped all the same.
func startAttacker(t *testing.T, role string, args ...string) (finish func() string) {
	t.Helper()
	stop := filepath.Join(sharedDir(t, 0o755), "stop")
	attacker := testenv.ChildAsNobody(t, role, append(args, stop)...)
	var out bytes.Buffer
	attacker.Stdout = &out
	if err := attacker.Start(); err != nil {
		t.Fatal(err)
	}
	done := false
	t.Cleanup(func() {
		if !done {
			os.WriteFile(stop, nil, 0o644)
			attacker.Wait()
		}
	})
	return func() string {
		t.Helper()
		os.WriteFile(stop, nil, 0o644)
		done = true
		if err := attacker.Wait(); err != nil {
			t.Fatalf("%s: %v", role, err)
		}
		return strings.TrimSpace(out.String())
	}
}

// The attack: while a privileged process keeps writing shared/sub/target,
// an unprivileged attacker keeps swapping its directory sub for a symlink to
// a victim directory. The victim must never be written to.
func TestSwapAttack(t *testing.T) {
	shared := sharedDir(t, 0o777)
	victim, unchanged := victimDir(t)
	finish := startAttacker(t, "swapper", shared, victim)
	path := filepath.Join(shared, "sub", "target")
	for start := time.Now(); ; time.Sleep(time.Millisecond) {
		if _, err := os.Lstat(filepath.Join(shared, "sub")); err == nil {
			break // the attacker is at work
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("the attacker never started")
		}
	}
	// fs.ErrNotExist: sub was mid-swap, absent.
	ok, refused, other := writeUnderAttack(t, path, fs.ErrNotExist)
	t.Logf("writes: %d done, %d refused a planted link, %d found sub absent; attacker: %s", ok, refused, other, finish())
	unchanged()
	if refused == 0 || ok == 0 {
		t.Errorf("the race was not exercised (%d refused, %d done): the test proved nothing", refused, ok)
	}
}

// writeUnderAttack writes path for 3 s, and counts the writes done, those
// refused for an untrusted symlink, and those that failed with one of the
// errors an attack in progress may cause (tolerated); any other error
// fails the test.
func writeUnderAttack(t *testing.T, path string, tolerated ...error) (done, refused, other int) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 3*time.Second; {
		err := atomic.WriteString(path, "privileged content")
		switch {
		case err == nil:
			done++
		case errors.Is(err, atomic.ErrUntrustedSymlink):
			refused++
		case slices.ContainsFunc(tolerated, func(e error) bool { return errors.Is(err, e) }):
			other++
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	return done, refused, other
}

// The attack on a link read by name: while a privileged process keeps
// writing through its own symlink shared/target (to shared/good), an
// unprivileged attacker keeps renaming that link away, putting its own
// link to a victim file in its place, and the privileged one back. Where
// the link's owner and its content are read by name, one after the other
// (without O_PATH: the BSD personality, macOS, the BSDs), the swap can fall
// between the two reads. The victim must never be written to.
func TestLinkSwapAttack(t *testing.T) {
	shared := sharedDir(t, 0o777)
	victim, unchanged := victimDir(t)
	testenv.WriteFile(t, filepath.Join(shared, "good"), []byte("good"), 0o644)
	if err := os.Symlink("good", filepath.Join(shared, "target")); err != nil {
		t.Fatal(err)
	}
	finish := startAttacker(t, "linkswapper", shared, filepath.Join(victim, "target"))
	path := filepath.Join(shared, "target")
	// ELOOP: the link changed while read every time the walk looked; the
	// others: mid-swap.
	ok, refused, other := writeUnderAttack(t, path, syscall.ELOOP, fs.ErrNotExist, syscall.EISDIR, atomic.ErrNotRegular)
	t.Logf("writes: %d done, %d refused the attacker's link, %d met a link mid-swap or that kept changing; attacker: %s",
		ok, refused, other, finish())
	unchanged()
	if refused == 0 || ok == 0 {
		t.Errorf("the race was not exercised (%d refused, %d done): the test proved nothing", refused, ok)
	}
}

// A temp of a 0600 write is never readable by others: an unprivileged
// process that races to open every dot-file of the directory while a
// privileged writer replaces a 0600 file never reads a byte.
func TestTempNotReadableByOthers(t *testing.T) {
	dir := sharedDir(t, 0o755)
	target := filepath.Join(dir, "secret")
	testenv.WriteFile(t, target, []byte("old secret"), 0o600)
	finish := startAttacker(t, "snooper", dir)
	secret := bytes.Repeat([]byte("SECRET"), 20000)
	// At least a second of writes: on tmpfs 400 writes can be over before
	// the snooper has started.
	start := time.Now()
	for i := 0; i < 400 || time.Since(start) < time.Second; i++ {
		opts := []atomic.Option{}
		if i%2 == 0 {
			opts = append(opts, atomic.WithMode(0o600)) // else the existing 0600 is kept
		}
		if err := atomic.WriteFile(target, secret, opts...); err != nil {
			t.Fatal(err)
		}
	}
	out := finish()
	var res struct{ Seen, Opened int }
	if err := json.NewDecoder(strings.NewReader(out)).Decode(&res); err != nil {
		t.Fatalf("snooper said %q: %v", out, err)
	}
	t.Logf("the snooper saw %d temp files and opened %d", res.Seen, res.Opened)
	if res.Opened != 0 {
		t.Errorf("an unprivileged process opened %d temp files of a 0600 write", res.Opened)
	}
	if res.Seen == 0 {
		t.Errorf("the snooper never saw a temp file: the race was not exercised")
	}
}

// Files and symlinks planted at the very names a write will try (known
// here through the Random seam; in real life 64 random bits) are refused by
// O_EXCL|O_NOFOLLOW: never followed, never reused, never removed.
func TestPlantedTempNames(t *testing.T) {
	victim, unchanged := victimDir(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	testenv.WriteFile(t, target, []byte("old"), 0o644)
	plantLink := protocol.TempName("target", 1)
	plantFile := protocol.TempName("target", 2)
	os.Symlink(filepath.Join(victim, "target"), filepath.Join(dir, plantLink))
	testenv.WriteFile(t, filepath.Join(dir, plantFile), []byte("plant"), 0o666)

	n := uint64(0)
	seq := atomic.WithSeam(func(s *protocol.Settings) { s.Random = func() uint64 { n++; return n } })
	if err := atomic.WriteString(target, "new", seq); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("the write tried %d names, want 3 (two planted, refused)", n)
	}
	testenv.FileHolds(t, target, []byte("new"))
	testenv.FileHolds(t, filepath.Join(dir, plantFile), []byte("plant"))
	linkHolds(t, filepath.Join(dir, plantLink), filepath.Join(victim, "target"))
	testenv.DirHolds(t, dir, "target", plantLink, plantFile)
	unchanged()

	// A failed write removes only its own temp, not the plants.
	fail := inject(func(s protocol.Step) error {
		if s == protocol.StepSync {
			return fmt.Errorf("injected")
		}
		return nil
	})
	n = 0
	if err := atomic.WriteString(target, "newer", seq, fail); err == nil {
		t.Fatal("the injected failure did not fail the write")
	}
	testenv.DirHolds(t, dir, "target", plantLink, plantFile)
	unchanged()
}

// Anyone who can open a directory can flock it. A lock held for good (here
// from another open file description, as another process's would be) only
// delays a writer, which then writes without it.
func TestLockedDirectoryDoesNotStopWriters(t *testing.T) {
	dir := t.TempDir()
	squatter, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	testenv.Flock(t, squatter, true)
	start := time.Now()
	if err := atomic.WriteString(filepath.Join(dir, "target"), "new"); err != nil {
		t.Fatalf("write under a held lock: %v", err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("the write did not wait for the lock (%v): it was not held", waited)
	}
	testenv.FileHolds(t, filepath.Join(dir, "target"), []byte("new"))
	testenv.DirHolds(t, dir, "target")
}

// An Option is opaque: code outside the module, reflect included, cannot
// build one that reaches the Settings' test seams (an injected fault, say).
func TestOptionOpaque(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[atomic.Option](), reflect.TypeFor[txn.Option]()} {
		if typ.Kind() != reflect.Interface {
			t.Errorf("%v is a %v: code outside the module could build one", typ, typ.Kind())
			continue
		}
		for i := range typ.NumMethod() {
			if m := typ.Method(i); m.IsExported() {
				t.Errorf("%v has the exported method %s: code outside the module could implement it", typ, m.Name)
			}
		}
		if typ.NumMethod() == 0 {
			t.Errorf("%v has no method: any value is one", typ)
		}
	}
	// A nil Option configures nothing.
	target := filepath.Join(t.TempDir(), "f")
	if err := atomic.WriteString(target, "x", nil); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, target, []byte("x"))
	tx := txn.New(nil)
	defer tx.Rollback()
	if err := tx.WriteString(target, "y", nil); err != nil {
		t.Fatal(err)
	}
}

// A write whose every random name is taken gives up, with fs.ErrExist,
// after a bounded number of tries, and removes nothing of what it met
// (the random source here is stuck on one value: a seam).
func TestNameTriesBounded(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	plant := protocol.TempName("target", 7)
	testenv.WriteFile(t, filepath.Join(dir, plant), []byte("plant"), 0o644)
	tries := 0
	stuck := atomic.WithSeam(func(s *protocol.Settings) { s.Random = func() uint64 { tries++; return 7 } })
	err := atomic.WriteString(target, "new", stuck)
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("write: %v, want fs.ErrExist", err)
	}
	if tries != 10000 {
		t.Errorf("%d names tried, want 10000", tries)
	}
	testenv.FileHolds(t, filepath.Join(dir, plant), []byte("plant"))
	testenv.DirHolds(t, dir, plant)
}
