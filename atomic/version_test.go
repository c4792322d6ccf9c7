//go:build unix

package atomic_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

func TestVersion(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")

	// Absent: the zero Version, which a write can expect.
	_, v0, err := atomic.ReadFile(path)
	if !errors.Is(err, fs.ErrNotExist) || v0.Exists() {
		t.Fatalf("ReadFile of a missing file: %v, %v", err, v0)
	}
	if err := atomic.WriteString(path, "one", atomic.WithVersion(v0)); err != nil {
		t.Fatal(err)
	}
	if err := atomic.WriteString(path, "again", atomic.WithVersion(v0)); !isChanged(err, path) {
		t.Fatalf("expecting absence of a file that exists: %v", err)
	}

	data, v1, err := atomic.ReadFile(path)
	if err != nil || string(data) != "one" || !v1.Exists() {
		t.Fatalf("ReadFile: %q, %v", data, err)
	}
	if err := atomic.WriteString(path, "two", atomic.WithVersion(v1)); err != nil {
		t.Fatal(err)
	}
	// v1 is stale now: nothing is written.
	if err := atomic.WriteString(path, "three", atomic.WithVersion(v1)); !isChanged(err, path) {
		t.Fatalf("write with a stale version: %v", err)
	}
	testenv.FileHolds(t, path, []byte("two"))

	// Changed in place by a program that does not use the library, and
	// removed.
	_, v2, _ := atomic.ReadFile(path)
	testenv.WriteFile(t, path, []byte("rewritten in place"), 0o644)
	if err := atomic.WriteString(path, "four", atomic.WithVersion(v2)); !isChanged(err, path) {
		t.Fatalf("write after an in-place change: %v", err)
	}
	_, v3, _ := atomic.ReadFile(path)
	os.Remove(path)
	if err := atomic.WriteString(path, "five", atomic.WithVersion(v3)); !isChanged(err, path) {
		t.Fatalf("write after a removal: %v", err)
	}
	testenv.DirHolds(t, dir)
}

func isChanged(err error, path string) bool {
	var pe *fs.PathError
	return errors.Is(err, atomic.ErrChanged) && errors.As(err, &pe) && pe.Path == path
}

// The target replaced between Create and Commit (the check at the commit,
// under the lock, not only the one when the write began).
func TestVersionChangedBeforeCommit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	testenv.WriteFile(t, path, []byte("old"), 0o644)
	_, v, err := atomic.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := atomic.Create(path, atomic.WithVersion(v))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("ours")
	if err := atomic.WriteString(path, "theirs"); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); !isChanged(err, path) {
		t.Fatalf("Commit: %v, want ErrChanged", err)
	}
	testenv.FileHolds(t, path, []byte("theirs"))
	testenv.DirHolds(t, dir, "f")
}

// A file opened with Open and changed in place after it (appended to, as
// a program that does not use the library would; its size tells): a write that expects
// the version Open returned is refused, so it never replaces content that
// was not read. A missing file opens as the absent version.
func TestOpenVersion(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	testenv.WriteFile(t, path, []byte("read"), 0o644)
	f, v, err := atomic.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "read" || !v.Exists() {
		t.Fatalf("Open read %q, version exists %v", b, v.Exists())
	}
	a, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	a.WriteString(" and more")
	a.Close()
	if err := atomic.WriteString(path, "new", atomic.WithVersion(v)); !errors.Is(err, atomic.ErrChanged) {
		t.Errorf("write after an in-place change: %v, want ErrChanged", err)
	}
	testenv.FileHolds(t, path, []byte("read and more"))

	_, v, err = atomic.Open(filepath.Join(dir, "absent"))
	if !errors.Is(err, fs.ErrNotExist) || v.Exists() {
		t.Errorf("Open of a missing file: %v, exists %v", err, v.Exists())
	}
	if err := atomic.WriteString(filepath.Join(dir, "absent"), "created", atomic.WithVersion(v)); err != nil {
		t.Errorf("create expecting absence: %v", err)
	}
}

// Stat gives the version ReadFile and Open give, without reading: a write
// that expects it commits while the file is unchanged, and is refused once
// another write replaced it. A missing file is the absent version.
func TestStatVersion(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	testenv.WriteFile(t, path, []byte("old"), 0o644)
	v, err := atomic.Stat(path)
	if err != nil || !v.Exists() {
		t.Fatalf("Stat: %v, exists %v", err, v.Exists())
	}
	if _, read, _ := atomic.ReadFile(path); read != v {
		t.Errorf("Stat and ReadFile give different versions of an unchanged file")
	}
	if err := atomic.WriteString(path, "new", atomic.WithVersion(v)); err != nil {
		t.Fatalf("write expecting the version Stat gave: %v", err)
	}
	if err := atomic.WriteString(path, "newer", atomic.WithVersion(v)); !errors.Is(err, atomic.ErrChanged) {
		t.Errorf("write expecting a version replaced since: %v, want ErrChanged", err)
	}
	testenv.FileHolds(t, path, []byte("new"))

	v, err = atomic.Stat(filepath.Join(dir, "absent"))
	if !errors.Is(err, fs.ErrNotExist) || v.Exists() {
		t.Errorf("Stat of a missing file: %v, exists %v", err, v.Exists())
	}
}
