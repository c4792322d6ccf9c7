//go:build unix

package atomic_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

func TestWriteVariants(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB, several buffers
	tests := []struct {
		name  string
		write func(path string, data []byte) error
	}{
		{"WriteFile", func(p string, d []byte) error { return atomic.WriteFile(p, d) }},
		{"WriteString", func(p string, d []byte) error { return atomic.WriteString(p, string(d)) }},
		{"WriteFrom", func(p string, d []byte) error {
			// A reader that is not a file, through the copy loop.
			return atomic.WriteFrom(p, io.MultiReader(bytes.NewReader(d)))
		}},
		{"WriteFromFile", func(p string, d []byte) error {
			src := filepath.Join(filepath.Dir(p), "src")
			testenv.WriteFile(t, src, d, 0o644)
			defer os.Remove(src)
			f, err := os.Open(src)
			if err != nil {
				return err
			}
			defer f.Close()
			return atomic.WriteFrom(p, f) // copy_file_range
		}},
		{"WriteFromPipe", func(p string, d []byte) error {
			r, w, err := os.Pipe()
			if err != nil {
				return err
			}
			defer r.Close()
			go func() {
				w.Write(d)
				w.Close()
			}()
			return atomic.WriteFrom(p, r) // from the pipe, a pipe's worth at a time
		}},
		{"Create", func(p string, d []byte) error {
			f, err := atomic.Create(p)
			if err != nil {
				return err
			}
			defer f.Close()
			for len(d) > 0 {
				n := min(len(d), 1000)
				if _, err := f.Write(d[:n]); err != nil {
					return err
				}
				d = d[n:]
			}
			return f.Commit()
		}},
	}
	for _, tt := range tests {
		for _, data := range [][]byte{nil, []byte("new"), big} {
			t.Run(tt.name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "target")
				testenv.WriteFile(t, path, []byte("old content"), 0o644)
				if err := tt.write(path, data); err != nil {
					t.Fatal(err)
				}
				testenv.FileHolds(t, path, data)
				testenv.DirHolds(t, dir, "target")

				// And a target that did not exist.
				fresh := filepath.Join(dir, "fresh")
				if err := tt.write(fresh, data); err != nil {
					t.Fatal(err)
				}
				testenv.FileHolds(t, fresh, data)
				testenv.DirHolds(t, dir, "target", "fresh")
			})
		}
	}
}

func TestRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := atomic.WriteString("plain", "x"); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, filepath.Join(dir, "plain"), []byte("x"))
	testenv.DirHolds(t, dir, "plain")
}

// While content is written the temp file is unnamed where the filesystem
// allows it (O_TMPFILE): a writer killed then leaves nothing behind. The
// named fallback shows one temp. Close discards it either way.
func TestFileCloseDiscards(t *testing.T) {
	for _, kind := range tempKinds {
		t.Run(kind.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "target")
			testenv.WriteFile(t, path, []byte("old"), 0o644)
			f, err := atomic.Create(path, kind.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte("never committed")); err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"unnamed": 1, "named fallback": 2}[kind.name]
			if want == 0 {
				return // content given whole: not a Create
			}
			if n := len(listDir(t, dir)); n != want {
				t.Fatalf("%d entries while writing, want %d (the target, and a temp if named)", n, want)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			testenv.FileHolds(t, path, []byte("old"))
			testenv.DirHolds(t, dir, "target")
			if err := f.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if err := f.Commit(); !errors.Is(err, fs.ErrClosed) {
				t.Errorf("Commit after Close: got %v, want fs.ErrClosed", err)
			}
			testenv.FileHolds(t, path, []byte("old"))
		})
	}
}

func TestFileAfterCommit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "target")
	f, err := atomic.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("new")
	if f.Name() != path {
		t.Errorf("Name() = %q, want %q", f.Name(), path)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("Close after Commit: %v, want nil", err)
	}
	if _, err := f.Write([]byte("more")); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Write after Commit: got %v, want fs.ErrClosed", err)
	}
	if err := f.Commit(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("second Commit: got %v, want fs.ErrClosed", err)
	}
	testenv.FileHolds(t, path, []byte("new"))
	testenv.DirHolds(t, dir, "target")
}

func TestNilFile(t *testing.T) {
	var f *atomic.File
	if _, err := f.Write(nil); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Write on nil File: %v", err)
	}
	if err := f.Close(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Close on nil File: %v", err)
	}
}

// A target whose name is as long as a name can be (255 bytes): the temp
// file's name must still fit.
func TestLongestName(t *testing.T) {
	dir := t.TempDir()
	name := strings.Repeat("n", 255)
	path := filepath.Join(dir, name)
	testenv.WriteFile(t, path, []byte("old"), 0o644)
	if err := atomic.WriteString(path, "new"); err != nil {
		t.Fatal(err)
	}
	testenv.FileHolds(t, path, []byte("new"))
	testenv.DirHolds(t, dir, name)

	tooLong := filepath.Join(dir, name+"x")
	err := atomic.WriteString(tooLong, "new")
	if !errors.Is(err, errNameTooLong) {
		t.Errorf("256-byte name: got %v, want ENAMETOOLONG", err)
	}
	testenv.DirHolds(t, dir, name)
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
