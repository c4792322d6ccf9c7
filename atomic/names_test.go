//go:build unix

package atomic_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

func TestHostileNames(t *testing.T) {
	for _, name := range testenv.HostileNames {
		t.Run("", func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			if err := atomic.WriteString(path, "first"); err != nil {
				t.Fatalf("%q: %v", name, err)
			}
			if err := atomic.WriteString(path, "second"); err != nil {
				t.Fatalf("%q: %v", name, err)
			}
			testenv.FileHolds(t, path, []byte("second"))
			testenv.DirHolds(t, dir, name)
		})
	}
}

// Names that cannot work give a clear error, and nothing is left behind.
func TestImpossibleNames(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("d/", 2100) + "f" // over PATH_MAX, every component short
	tests := []struct {
		name, path string
		want       error
	}{
		{"empty", "", fs.ErrInvalid},
		{"NUL", filepath.Join(dir, "a\x00b"), syscall.EINVAL},
		{"NUL in directory", filepath.Join(dir, "a\x00b", "c"), syscall.EINVAL},
		{"component over NAME_MAX", filepath.Join(dir, strings.Repeat("x", 256)), syscall.ENAMETOOLONG},
		{"directory component over NAME_MAX", filepath.Join(dir, strings.Repeat("x", 256), "f"), syscall.ENAMETOOLONG},
		{"path over PATH_MAX", filepath.Join(dir, long), syscall.ENAMETOOLONG},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := atomic.WriteString(tt.path, "x")
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != tt.path {
				t.Errorf("%v does not name the path", err)
			}
			testenv.DirHolds(t, dir)
		})
	}
}

// FuzzWritePath writes to arbitrary paths inside a sandbox of files,
// directories and symlinks, and checks the outcome against the model:
// either success, with exactly one regular file changed (the one the path
// names, holding the data), or an error with nothing changed at all.
func FuzzWritePath(f *testing.F) {
	f.Fuzz(func(t *testing.T, rel string) {
		if strings.HasPrefix(rel, "/") || (rel != "" && !filepath.IsLocal(strings.TrimRight(rel, "/"))) {
			t.Skip("outside the sandbox")
		}
		sandbox := t.TempDir()
		buildSandbox(t, sandbox)
		before := treeState(t, sandbox)
		path := filepath.Join(sandbox, rel)
		if rel == "" || strings.HasSuffix(rel, "/") {
			path = sandbox + "/" + rel // keep what Join would clean away
		}
		data := []byte("fuzz data")
		err := atomic.WriteFile(path, data)
		after := treeState(t, sandbox)
		if err != nil {
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != path {
				t.Errorf("%q: error %v does not name the path", rel, err)
			}
			if changed := diffState(before, after); len(changed) != 0 {
				t.Errorf("%q failed (%v) but changed %q", rel, err, changed)
			}
			return
		}
		changed := diffState(before, after)
		if len(changed) != 1 || !strings.HasPrefix(after[changed[0]], "file:") {
			t.Fatalf("%q succeeded but changed %q", rel, changed)
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, data) {
			t.Errorf("%q succeeded but reads back %q, %v", rel, got, err)
		}
		if after[changed[0]] != "file:"+string(data) {
			t.Errorf("%q: %s holds %q", rel, changed[0], after[changed[0]])
		}
	})
}

// buildSandbox lays out the tree FuzzWritePath writes into. Every symlink
// points within it, and never above the directory that holds it, so that
// no path the fuzzer may use leads outside.
func buildSandbox(t *testing.T, dir string) {
	t.Helper()
	for _, d := range []string{"dir", "deep/a/b"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	for _, f := range []string{"file", "dir/file", "deep/a/b/file"} {
		testenv.WriteFile(t, filepath.Join(dir, f), []byte("old "+f), 0o644)
	}
	links := map[string]string{
		"link": "file", "dirlink": "dir", "dangling": "dir/created", "loop": "loop",
		"chain": "link", "deep/up": "a/b/file",
	}
	for name, to := range links {
		os.Symlink(to, filepath.Join(dir, name))
	}
	unix.Mkfifo(filepath.Join(dir, "fifo"), 0o644)
}

// treeState maps every entry below root to what it is: "file:content",
// "link:target", "dir" or another type.
func treeState(t *testing.T, root string) map[string]string {
	t.Helper()
	s := map[string]string{}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case d.Type().IsRegular():
			b, _ := os.ReadFile(path)
			s[path] = "file:" + string(b)
		case d.Type()&fs.ModeSymlink != 0:
			to, _ := os.Readlink(path)
			s[path] = "link:" + to
		default:
			s[path] = d.Type().String()
		}
		return nil
	})
	return s
}

func diffState(before, after map[string]string) []string {
	var changed []string
	for p, a := range after {
		if before[p] != a {
			changed = append(changed, p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			changed = append(changed, p)
		}
	}
	return changed
}
