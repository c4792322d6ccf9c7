//go:build unix

package atomic_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	// Imported as aw, "atomic" stays free for sync/aw.
	aw "github.com/atomicwrite/atomicwrite/atomic"
)

func ExampleWriteFile() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config.json")

	if err := aw.WriteFile(path, []byte(`{"debug": true}`), aw.WithMode(0o600)); err != nil {
		log.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	fmt.Println(string(data), fi.Mode())
	// Output: {"debug": true} -rw-------
}

func ExampleCreate() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "report.csv")

	f, err := aw.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close() // discards the write unless Commit succeeded
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(f, "row,%d\n", i)
	}
	if err := f.Commit(); err != nil {
		log.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	fmt.Print(string(data))
	// Output:
	// row,1
	// row,2
	// row,3
}

// A read-modify-write that never overwrites a change made meanwhile.
func ExampleWithVersion() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "counter")
	os.WriteFile(path, []byte("41"), 0o644)

	data, v, err := aw.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	n, _ := strconv.Atoi(string(data))
	err = aw.WriteString(path, strconv.Itoa(n+1), aw.WithVersion(v))
	fmt.Println(err)
	// A second write from the same, now stale, version is refused.
	err = aw.WriteString(path, strconv.Itoa(n+1), aw.WithVersion(v))
	fmt.Println(errors.Is(err, aw.ErrChanged))
	data, _ = os.ReadFile(path)
	fmt.Println(string(data))
	// Output:
	// <nil>
	// true
	// 42
}

func ExampleWriteString() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "motd")

	if err := aw.WriteString(path, "maintenance at 22:00\n"); err != nil {
		log.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	fmt.Print(string(data))
	// Output: maintenance at 22:00
}

// Streaming: the content is never in memory as a whole.
func ExampleWriteFrom() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "copy.txt")

	if err := aw.WriteFrom(path, strings.NewReader("from any io.Reader\n")); err != nil {
		log.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	fmt.Print(string(data))
	// Output: from any io.Reader
}

// ReadFile returns a file's content with its version, for WithVersion; a
// missing file is fs.ErrNotExist, with the version of an absent file.
func ExampleReadFile() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "state")

	_, v, err := aw.ReadFile(path)
	fmt.Println(errors.Is(err, fs.ErrNotExist), v.Exists())
	// Create it only if it is still absent.
	fmt.Println(aw.WriteString(path, "1", aw.WithVersion(v)))
	data, v, _ := aw.ReadFile(path)
	fmt.Println(string(data), v.Exists())
	// Output:
	// true false
	// <nil>
	// 1 true
}

// WithMode gives the file exactly this mode, whatever the umask; without
// it, a replaced file keeps its mode.
func ExampleWithMode() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "key.pem")

	aw.WriteString(path, "secret", aw.WithMode(0o600))
	aw.WriteString(path, "rotated") // keeps 0600
	fi, _ := os.Stat(path)
	fmt.Println(fi.Mode())
	// Output: -rw-------
}

// WithPerm is os.WriteFile's perm: a new file gets it (less the umask), an
// existing one keeps its own mode.
func ExampleWithPerm() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "notes")
	os.WriteFile(path, nil, 0o640)
	os.Chmod(path, 0o640)

	aw.WriteString(path, "kept mode", aw.WithPerm(0o600))
	fi, _ := os.Stat(path)
	fmt.Println(fi.Mode())
	// Output: -rw-r-----
}

// WithMkdirAll makes the missing directories as part of the write: they
// go again if the write does not commit.
func ExampleWithMkdirAll() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "logs", "2026", "12", "04.json")

	if err := aw.WriteString(path, "{}", aw.WithMkdirAll(0o755)); err != nil {
		log.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	fmt.Println(string(data))
	// Output: {}
}

// WithNoReplace claims a name: of two writers, one creates the file, the
// other gets fs.ErrExist.
func ExampleWithNoReplace() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "owner")

	fmt.Println(aw.WriteString(path, "first", aw.WithNoReplace()))
	err := aw.WriteString(path, "second", aw.WithNoReplace())
	fmt.Println(errors.Is(err, fs.ErrExist))
	data, _ := os.ReadFile(path)
	fmt.Println(string(data))
	// Output:
	// <nil>
	// true
	// first
}

// WithContext abandons a write whose context is done before its commit
// point: nothing is written, and the error wraps the context's.
func ExampleWithContext() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "big.bin")

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a caller that gave up
	err := aw.WriteFrom(path, strings.NewReader("never written"), aw.WithContext(ctx))
	fmt.Println(errors.Is(err, context.Canceled))
	_, err = os.Stat(path)
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// true
	// true
}

// Open reads a file as a stream, with the version it was opened at: a
// write that expects that version replaces exactly what was read.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "big.log")
	os.WriteFile(path, []byte("line 1\nline 2\n"), 0o644)

	f, v, err := aw.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	lines, _ := io.Copy(io.Discard, f) // a hash, a parser, ...
	f.Close()
	err = aw.WriteString(path, fmt.Sprintf("%d bytes compacted\n", lines), aw.WithVersion(v))
	fmt.Println(err)
	// Output: <nil>
}

// Stat takes a file's version without reading it: a write that expects it
// replaces the file only if no other write has since.
func ExampleStat() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "state.json")
	aw.WriteString(path, `{"n": 1}`)

	v, err := aw.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(aw.WriteString(path, `{"n": 2}`, aw.WithVersion(v)))
	fmt.Println(errors.Is(aw.WriteString(path, `{"n": 3}`, aw.WithVersion(v)), aw.ErrChanged))
	// Output:
	// <nil>
	// true
}
