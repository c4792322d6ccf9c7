//go:build unix

package atomic_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"testing/iotest"

	"golang.org/x/sys/unix"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

var errNameTooLong = syscall.ENAMETOOLONG

// Every error class of the contract, each a real fault: the call fails with
// an *fs.PathError naming the target, errors.Is finds the cause, the old
// content is intact, and no temp is left in any directory the call touched.
func TestErrors(t *testing.T) {
	errReader := errors.New("reader broke")
	tests := []struct {
		name string
		// setup prepares dir and returns the path to write; the directories
		// to check are dir and any in also.
		setup func(t *testing.T, dir string) (path string, also []string)
		write func(path string) error // default: WriteString("new")
		want  error
	}{{
		name: "missing parent",
		setup: func(t *testing.T, dir string) (string, []string) {
			return filepath.Join(dir, "no", "such", "target"), nil
		},
		want: fs.ErrNotExist,
	}, {
		name: "parent is a file",
		setup: func(t *testing.T, dir string) (string, []string) {
			return filepath.Join(dir, "target", "below"), nil
		},
		want: syscall.ENOTDIR,
	}, {
		name: "target is a directory",
		setup: func(t *testing.T, dir string) (string, []string) {
			sub := filepath.Join(dir, "sub")
			os.Mkdir(sub, 0o755)
			return sub, []string{sub}
		},
		want: syscall.EISDIR,
	}, {
		name: "path ends in a slash",
		setup: func(t *testing.T, dir string) (string, []string) {
			return filepath.Join(dir, "target") + "/", nil
		},
		want: syscall.EISDIR,
	}, {
		name: "path ends in a slash, target absent",
		setup: func(t *testing.T, dir string) (string, []string) {
			return filepath.Join(dir, "absent") + "/", nil
		},
		want: syscall.EISDIR,
	}, {
		name: "empty path",
		setup: func(t *testing.T, dir string) (string, []string) {
			t.Chdir(dir)
			return "", nil
		},
		want: fs.ErrInvalid,
	}, {
		name: "NUL byte in path",
		setup: func(t *testing.T, dir string) (string, []string) {
			return filepath.Join(dir, "tar\x00get"), nil
		},
		want: syscall.EINVAL,
	}, {
		name: "FIFO",
		setup: func(t *testing.T, dir string) (string, []string) {
			fifo := filepath.Join(dir, "fifo")
			if err := unix.Mkfifo(fifo, 0o644); err != nil {
				t.Fatal(err)
			}
			return fifo, nil
		},
		want: atomic.ErrNotRegular,
	}, {
		name: "symlink loop",
		setup: func(t *testing.T, dir string) (string, []string) {
			os.Symlink("loop2", filepath.Join(dir, "loop1"))
			os.Symlink("loop1", filepath.Join(dir, "loop2"))
			return filepath.Join(dir, "loop1"), nil
		},
		want: syscall.ELOOP,
	}, {
		name: "symlink to itself",
		setup: func(t *testing.T, dir string) (string, []string) {
			os.Symlink("self", filepath.Join(dir, "self"))
			return filepath.Join(dir, "self"), nil
		},
		want: syscall.ELOOP,
	}, {
		name: "reader fails part-way",
		setup: func(t *testing.T, dir string) (string, []string) {
			return filepath.Join(dir, "target"), nil
		},
		write: func(path string) error {
			r := io.MultiReader(bytes.NewReader(bytes.Repeat([]byte("x"), 100000)), iotest.ErrReader(errReader))
			return atomic.WriteFrom(path, r)
		},
		want: errReader,
	}, {
		name: "immutable directory",
		setup: func(t *testing.T, dir string) (string, []string) {
			testenv.SetImmutable(t, dir)
			return filepath.Join(dir, "target"), nil
		},
		want: fs.ErrPermission,
	}, {
		name: "immutable target",
		setup: func(t *testing.T, dir string) (string, []string) {
			sub := filepath.Join(dir, "sub")
			os.Mkdir(sub, 0o755)
			target := filepath.Join(sub, "target")
			testenv.WriteFile(t, target, []byte("old"), 0o644)
			testenv.SetImmutable(t, target)
			return target, []string{sub}
		},
		want: fs.ErrPermission,
	}, {
		name: "disk full",
		setup: func(t *testing.T, dir string) (string, []string) {
			mnt := testenv.Tmpfs(t, "64k")
			target := filepath.Join(mnt, "target")
			testenv.WriteFile(t, target, []byte("old"), 0o644)
			return target, []string{mnt}
		},
		write: func(path string) error {
			return atomic.WriteFile(path, bytes.Repeat([]byte("x"), 1<<20))
		},
		want: syscall.ENOSPC,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			testenv.WriteFile(t, filepath.Join(dir, "target"), []byte("old"), 0o644)
			path, also := tt.setup(t, dir)
			before := snapshot(t, append([]string{dir}, also...))
			write := tt.write
			if write == nil {
				write = func(p string) error { return atomic.WriteString(p, "new") }
			}
			err := write(path)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want an error that is %v", err, tt.want)
			}
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != path {
				t.Errorf("error %q does not name %q as its path", err, path)
			}
			if errors.Is(err, atomic.ErrNotDurable) {
				t.Errorf("error %q claims the content is in place", err)
			}
			checkUnchanged(t, before)
		})
	}
}

// Permission denied for real: an unprivileged process writes into a
// directory owned by root.
func TestErrorPermissionUnprivileged(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Dir(dir), 0o755)
	for _, name := range []string{"target", "absent"} {
		t.Run(name, func(t *testing.T) {
			if name == "target" {
				testenv.WriteFile(t, filepath.Join(dir, "target"), []byte("old"), 0o666)
			}
			before := snapshot(t, []string{dir})
			path := filepath.Join(dir, name)
			out, err := testenv.ChildAsNobody(t, "write", path, "new").Output()
			if err != nil {
				t.Fatalf("child: %v", err)
			}
			var res childResult
			if err := json.NewDecoder(bytes.NewReader(out)).Decode(&res); err != nil {
				t.Fatalf("child said %q: %v", out, err)
			}
			if !res.Permission || res.Path != path {
				t.Errorf("got %+v, want a permission error naming %s", res, path)
			}
			checkUnchanged(t, before)
		})
	}
}

// A dirState is every entry and content of some directories, to prove that
// nothing changed and nothing was left behind.
type dirState struct {
	dirs    []string
	entries map[string]string // path -> content, or file type
}

func snapshot(t *testing.T, dirs []string) dirState {
	t.Helper()
	s := dirState{dirs: dirs, entries: map[string]string{}}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			content := e.Type().String()
			if e.Type().IsRegular() {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				content = string(b)
			}
			s.entries[p] = content
		}
	}
	return s
}

func checkUnchanged(t *testing.T, before dirState) {
	t.Helper()
	after := snapshot(t, before.dirs)
	for p, c := range before.entries {
		if a, ok := after.entries[p]; !ok {
			t.Errorf("%s is gone", p)
		} else if a != c {
			t.Errorf("%s changed: %.40q, was %.40q", p, a, c)
		}
	}
	for p := range after.entries {
		if _, ok := before.entries[p]; !ok {
			t.Errorf("%s was left behind", p)
		}
	}
}

// A failed write holds nothing afterwards: no descriptor (and so no
// directory lock) stays open, whichever step failed.
func TestFailedWritesLeakNothing(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	unix.Mkfifo(fifo, 0o644)
	os.Symlink("fifo", filepath.Join(dir, "link"))
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	openFDs := func() int {
		entries, err := os.ReadDir("/dev/fd")
		if err != nil {
			t.Skip("no /dev/fd here")
		}
		return len(entries)
	}
	before := openFDs()
	for range 50 {
		for _, path := range []string{fifo, filepath.Join(dir, "link"), filepath.Join(dir, "sub"), filepath.Join(dir, "none", "x")} {
			if err := atomic.WriteString(path, "x"); err == nil {
				t.Fatalf("writing %s succeeded", path)
			}
		}
		f, err := atomic.Create(filepath.Join(dir, "target"))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if after := openFDs(); after != before {
		t.Errorf("%d descriptors open after the failed writes, %d before", after, before)
	}
}
