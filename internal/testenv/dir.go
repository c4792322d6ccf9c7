package testenv

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// DirHolds fails the test unless dir holds exactly the entries want (names,
// in any order): nothing less, and no leftover temp or backup file. The
// marks directory of consistent reads counts only for what it holds beside
// the file that says reads are enabled and the idle marks
// (".aw-commits/NAME" for each); one without that file counts as itself.
func DirHolds(t testing.TB, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	var got []string
	for _, e := range entries {
		if e.Name() != ".aw-commits" || !e.IsDir() {
			got = append(got, e.Name())
			continue
		}
		marks, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatalf("read %s: %v", dir, err)
		}
		if !slices.ContainsFunc(marks, func(m os.DirEntry) bool { return m.Name() == "enabled" }) {
			got = append(got, e.Name()) // not (yet) the directory of enabled reads
			continue
		}
		for _, m := range marks {
			if m.Name() != "enabled" && !strings.HasPrefix(m.Name(), "idle-") {
				got = append(got, filepath.Join(e.Name(), m.Name()))
			}
		}
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s holds %q, want exactly %q", dir, got, want)
	}
}

// FileHolds fails the test unless path is a regular file holding want.
func FileHolds(t testing.TB, path string, want []byte) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if !fi.Mode().IsRegular() {
		t.Errorf("%s is %v, want a regular file", path, fi.Mode())
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s holds %q, want %q", path, clip(got), clip(want))
	}
}

// WriteFile writes a fixture with os.WriteFile, failing the test on error.
func WriteFile(t testing.TB, path string, data []byte, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // beyond the umask
		t.Fatal(err)
	}
}

func clip(b []byte) []byte {
	if len(b) > 64 {
		return append(b[:64:64], "..."...)
	}
	return b
}

// SetgidDir makes a directory below t.TempDir() that is setgid and belongs
// to group gid, so that files created in it take that group. Root only.
func SetgidDir(t testing.TB, gid int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 0, gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o2775); err != nil {
		t.Fatal(err)
	}
	return dir
}

// SameFile reports whether the paths a and b lead to the same file.
func SameFile(t testing.TB, a, b string) bool {
	t.Helper()
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
