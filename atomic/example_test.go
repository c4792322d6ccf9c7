package atomic_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

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
