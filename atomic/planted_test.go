//go:build unix

package atomic_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// plant makes path as user uid, a real process of that user.
func plant(t *testing.T, uid int, path, content string, mode uint32) {
	t.Helper()
	out, err := testenv.ChildAs(t, uid, "plant", path, content, strconv.FormatUint(uint64(mode), 8)).CombinedOutput()
	if err != nil {
		t.Fatalf("planting %s as uid %d: %v\n%s", path, uid, err, out)
	}
}

// writeAs writes content to path through the library, as user uid (a real
// process), with an octal mode unless mode is "".
func writeAs(t *testing.T, uid int, path, content, mode string) childResult {
	t.Helper()
	cmd := testenv.ChildAs(t, uid, "write", path, content)
	if mode != "" {
		cmd = testenv.ChildAs(t, uid, "write-mode", path, content, mode)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("writer uid %d: %v", uid, err)
	}
	var res childResult
	if err := json.NewDecoder(bytes.NewReader(out)).Decode(&res); err != nil {
		t.Fatalf("writer uid %d said %q: %v", uid, out, err)
	}
	return res
}

func ownerOf(t *testing.T, path string) (uid, gid uint32, mode fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid, fi.Mode()
}

// A name another user planted in a sticky, world-writable directory cannot
// capture what root writes: the write is refused (fs.ErrPermission), by a
// single write and by a transaction alike, and the planted file is left as
// it is. The attacker is a real process of uid 65534.
func TestPlantedNameRefused(t *testing.T) {
	dir := sharedDir(t, 0o777|fs.ModeSticky)
	secret := filepath.Join(dir, "secret")
	plant(t, testenv.NobodyUID, secret, "planted", 0o666)

	err := atomic.WriteString(secret, "root's secret", atomic.WithMode(0o600))
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("write over a planted file: %v, want fs.ErrPermission", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != secret {
		t.Errorf("error %v does not name %s", err, secret)
	}
	tx := txn.New()
	other := filepath.Join(dir, "other")
	if err := tx.WriteString(other, "fine"); err != nil {
		t.Fatal(err)
	}
	if err := tx.WriteString(secret, "root's secret"); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("transaction over a planted file: %v, want fs.ErrPermission", err)
	}
	if err := tx.Commit(); err == nil {
		t.Error("the transaction committed without the refused entry")
	}
	testenv.FileHolds(t, secret, []byte("planted"))
	if uid, _, _ := ownerOf(t, secret); uid != testenv.NobodyUID {
		t.Errorf("planted file now belongs to uid %d", uid)
	}
	testenv.DirHolds(t, dir, "secret")

	// Files of the writer, or of the directory's owner, are written.
	mine := filepath.Join(dir, "mine")
	testenv.WriteFile(t, mine, []byte("old"), 0o644)
	if err := atomic.WriteString(mine, "new"); err != nil {
		t.Errorf("root's own file in a sticky directory: %v", err)
	}
	if res := writeAs(t, testenv.NobodyUID, secret, "own", ""); res.Err != "" {
		t.Errorf("the planter rewriting its own file: %s", res.Err)
	}
	testenv.FileHolds(t, secret, []byte("own"))
	if res := writeAs(t, testenv.OtherUID, mine, "x", ""); !res.Permission {
		t.Errorf("another user over root's file in root's sticky directory: %q, want a permission error", res.Err)
	}
}

// Without the sticky bit the kernel's rule does not apply, and neither
// does the library's: the directory's users may replace each other's files.
func TestPlantedNameNotStickyWritten(t *testing.T) {
	dir := sharedDir(t, 0o777)
	path := filepath.Join(dir, "shared")
	plant(t, testenv.NobodyUID, path, "planted", 0o644)
	if err := atomic.WriteString(path, "new"); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, path, []byte("new"))
	if uid, _, _ := ownerOf(t, path); uid != testenv.NobodyUID {
		t.Errorf("owner became %d, want the old owner kept", uid)
	}
}

// Setuid and setgid bits are kept only with the owner and group they run
// as: user B rewriting user A's setuid-setgid file (in a directory both
// may write) gets a file of B's without them, never a setuid file of B's.
// Root keeps A as owner, so the bits stay; bits asked for with WithMode
// are applied as asked. A and B are real processes of two uids.
func TestSetuidNotLaundered(t *testing.T) {
	dir := sharedDir(t, 0o777)
	tool := filepath.Join(dir, "tool")
	plant(t, testenv.NobodyUID, tool, "A's tool", 0o6755)

	if res := writeAs(t, testenv.OtherUID, tool, "B's tool", ""); res.Err != "" {
		t.Fatalf("B's write: %s", res.Err)
	}
	uid, gid, mode := ownerOf(t, tool)
	if uid != testenv.OtherUID || gid != testenv.OtherUID {
		t.Errorf("owner %d:%d, want B's %d:%d", uid, gid, testenv.OtherUID, testenv.OtherUID)
	}
	if mode != 0o755 {
		t.Errorf("mode %v, want 0755: setuid and setgid must go with A's ownership", mode)
	}

	if res := writeAs(t, testenv.OtherUID, tool, "B's setuid tool", "4755"); res.Err != "" {
		t.Fatalf("B's write with a mode: %s", res.Err)
	}
	if _, _, mode := ownerOf(t, tool); mode != 0o755|fs.ModeSetuid {
		t.Errorf("WithMode(4755): mode %v, want %v", mode, 0o755|fs.ModeSetuid)
	}

	root := filepath.Join(dir, "roottool")
	plant(t, testenv.NobodyUID, root, "A's tool", 0o6755)
	if err := atomic.WriteString(root, "root's rewrite"); err != nil {
		t.Fatal(err)
	}
	uid, gid, mode = ownerOf(t, root)
	if uid != testenv.NobodyUID || gid != testenv.NobodyUID || mode != 0o755|fs.ModeSetuid|fs.ModeSetgid {
		t.Errorf("root's rewrite: %d:%d %v, want A's ownership and both bits kept", uid, gid, mode)
	}
}
