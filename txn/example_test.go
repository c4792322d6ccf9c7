//go:build unix

package txn_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/atomicwrite/atomicwrite/txn"
)

func ExampleTx() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	manifest := filepath.Join(dir, "manifest.json")
	data := filepath.Join(dir, "data.csv")

	tx := txn.New()
	defer tx.Rollback() // does nothing once Commit has run
	if err := tx.WriteFile(data, []byte("id,name\n1,ada\n")); err != nil {
		log.Fatal(err)
	}
	if err := tx.WriteString(manifest, `{"data": "data.csv", "rows": 1}`); err != nil {
		log.Fatal(err)
	}
	// Both files are replaced, or (on error) neither.
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
	m, _ := os.ReadFile(manifest)
	fmt.Println(string(m))
	// Output: {"data": "data.csv", "rows": 1}
}

func ExampleRecover() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	// What a writer killed mid-write leaves: a temp file.
	os.WriteFile(filepath.Join(dir, ".config.json.0123456789abcdef.aw-tmp"), []byte("half"), 0o600)

	// At start-up, before the application writes there:
	if err := txn.Recover(dir); err != nil {
		log.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	fmt.Println(len(entries), "files left")
	// Output: 0 files left
}

// A configuration change that drops a file: the new file is written and
// the old one removed, or neither.
func ExampleTx_Remove() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "old.conf"), []byte("v1"), 0o644)

	tx := txn.New()
	defer tx.Rollback()
	tx.WriteString(filepath.Join(dir, "new.conf"), "v2")
	tx.Remove(filepath.Join(dir, "old.conf"))
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output: new.conf
}
