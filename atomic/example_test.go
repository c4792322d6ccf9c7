//go:build unix

package atomic_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"

	"github.com/atomicwrite/atomicwrite/atomic"
)

func ExampleWriteFile() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config.json")

	if err := atomic.WriteFile(path, []byte(`{"debug": true}`), atomic.WithMode(0o600)); err != nil {
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

	f, err := atomic.Create(path)
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

	data, v, err := atomic.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	n, _ := strconv.Atoi(string(data))
	err = atomic.WriteString(path, strconv.Itoa(n+1), atomic.WithVersion(v))
	fmt.Println(err)
	// A second write from the same, now stale, version is refused.
	err = atomic.WriteString(path, strconv.Itoa(n+1), atomic.WithVersion(v))
	fmt.Println(errors.Is(err, atomic.ErrChanged))
	data, _ = os.ReadFile(path)
	fmt.Println(string(data))
	// Output:
	// <nil>
	// true
	// 42
}
