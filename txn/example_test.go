//go:build unix

package txn_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	// Imported as aw, "atomic" stays free for sync/atomic.
	aw "github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/txn"
)

func ExampleNew() {
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

// Create streams an entry's content; Abort leaves one entry out while the
// others still commit.
func ExampleTx_Create() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	tx := txn.New()
	defer tx.Rollback()
	for _, name := range []string{"a.log", "b.log"} {
		w, err := tx.Create(filepath.Join(dir, name))
		if err != nil {
			log.Fatal(err)
		}
		if _, err := io.Copy(w, strings.NewReader("streamed "+name)); err != nil || name == "b.log" {
			w.Abort() // this one cannot be finished: the set goes without it
			continue
		}
		w.Close()
	}
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output: a.log
}

// RecoverContext bounds Recover's waits for live writers: here, a
// start-up that will not wait at all.
func ExampleRecoverContext() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, ".config.json.0123456789abcdef.aw-tmp"), []byte("half"), 0o600)

	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	err := txn.RecoverContext(ctx, dir)
	if errors.Is(err, txn.ErrBusy) {
		log.Print("a writer is still at work in ", dir)
	}
	entries, _ := os.ReadDir(dir)
	fmt.Println(len(entries), "files left")
	// Output: 0 files left
}

// WithDefaults gives every entry the same options.
func ExampleWithDefaults() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	tx := txn.New(txn.WithDefaults(aw.WithMode(0o600), aw.WithMkdirAll(0o700)))
	defer tx.Rollback()
	tx.WriteString(filepath.Join(dir, "tls", "cert.pem"), "cert")
	tx.WriteString(filepath.Join(dir, "tls", "key.pem"), "key")
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(dir, "tls", "key.pem"))
	fmt.Println(fi.Mode())
	// Output: -rw-------
}

// WithJournalDir keeps the journal in a directory of the writer's own,
// which Recover is then given.
func ExampleWithJournalDir() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	journals := filepath.Join(dir, "journals")
	os.Mkdir(journals, 0o700)

	tx := txn.New(txn.WithJournalDir(journals))
	defer tx.Rollback()
	tx.WriteString(filepath.Join(dir, "a"), "A")
	tx.WriteString(filepath.Join(dir, "b"), "B")
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
	// At start-up: the journal's directory, and the files' own.
	fmt.Println(txn.Recover(journals, dir))
	// Output: <nil>
}

// WithPerFileSync syncs each file rather than the whole filesystem: for a
// filesystem that other processes keep busy with unwritten data.
func ExampleWithPerFileSync() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	tx := txn.New(txn.WithPerFileSync())
	defer tx.Rollback()
	tx.WriteString(filepath.Join(dir, "a"), "A")
	tx.WriteString(filepath.Join(dir, "b"), "B")
	fmt.Println(tx.Commit())
	// Output: <nil>
}

// WithContext binds the whole transaction: once the context is done
// before the commit point, nothing is written.
func ExampleWithContext() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	ctx, cancel := context.WithCancel(context.Background())
	tx := txn.New(txn.WithContext(ctx))
	defer tx.Rollback()
	tx.WriteString(filepath.Join(dir, "a"), "A")
	cancel() // the caller gave up
	err := tx.Commit()
	fmt.Println(errors.Is(err, context.Canceled))
	entries, _ := os.ReadDir(dir)
	fmt.Println(len(entries), "files")
	// Output:
	// true
	// 0 files
}

func ExampleReadSet() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	tx := txn.New()
	tx.WriteString(cert, "CERT v1")
	tx.WriteString(key, "KEY v1")
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}

	// Both from the same side of any Commit, never one old and one new.
	files, err := txn.ReadSet(cert, key, filepath.Join(dir, "chain.pem"))
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Printf("%s: %q (exists: %v)\n", filepath.Base(f.Name), f.Data, f.Exists)
	}
	// Output:
	// cert.pem: "CERT v1" (exists: true)
	// key.pem: "KEY v1" (exists: true)
	// chain.pem: "" (exists: false)
}

// A rotator running as the directory's owner (or root) enables consistent
// reads once, so that a reader of another user, which may not, can read
// the pair with ReadSet.
func ExampleEnableReads() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	if err := txn.EnableReads(context.Background(), dir); err != nil {
		log.Fatal(err)
	}
	tx := txn.New()
	tx.WriteString(filepath.Join(dir, "cert.pem"), "CERT v2")
	tx.WriteString(filepath.Join(dir, "key.pem"), "KEY v2")
	if err := tx.Commit(); err != nil { // marks dir while it renames
		log.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output:
	// .aw-commits
	// cert.pem
	// key.pem
}

func ExampleWatch() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	rotate := func(v int) {
		tx := txn.New()
		tx.WriteString(cert, fmt.Sprint("CERT v", v))
		tx.WriteString(key, fmt.Sprint("KEY v", v))
		if err := tx.Commit(); err != nil {
			log.Fatal(err)
		}
	}
	rotate(1)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reloads := 0
	for files, err := range txn.Watch(ctx, cert, key) {
		if err != nil {
			log.Print(err) // ErrNeedsRecovery, say: the watch goes on
			continue
		}
		// A daemon reloads here: always a whole set, once per Commit.
		fmt.Printf("reload: %s + %s\n", files[0].Data, files[1].Data)
		if reloads++; reloads == 3 {
			break
		}
		rotate(reloads + 1)
	}
	// Output:
	// reload: CERT v1 + KEY v1
	// reload: CERT v2 + KEY v2
	// reload: CERT v3 + KEY v3
}

// A writer that commits the same set again and again keeps its marks for
// consistent readers between Commits: one Marks, given to every Tx.
func ExampleWithMarks() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	if err := txn.EnableReads(context.Background(), dir); err != nil {
		log.Fatal(err)
	}
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")

	var marks txn.Marks
	defer marks.Close()
	for v := 1; v <= 3; v++ {
		tx := txn.New(txn.WithMarks(&marks))
		tx.WriteString(cert, fmt.Sprintf("CERT v%d", v))
		tx.WriteString(key, fmt.Sprintf("KEY v%d", v))
		if err := tx.Commit(); err != nil {
			log.Fatal(err)
		}
	}

	files, err := txn.ReadSet(cert, key)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Printf("%s: %s\n", filepath.Base(f.Name), f.Data)
	}
	// Output:
	// cert.pem: CERT v3
	// key.pem: KEY v3
}

// A program that reads the same set again and again (here, after each of
// its writer's Commits) reads it through one Reader, which keeps the
// directories open from read to read.
func ExampleReader() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")

	var r txn.Reader
	defer r.Close()
	for v := 1; v <= 2; v++ {
		tx := txn.New()
		tx.WriteString(cert, fmt.Sprintf("CERT v%d", v))
		tx.WriteString(key, fmt.Sprintf("KEY v%d", v))
		if err := tx.Commit(); err != nil {
			log.Fatal(err)
		}
		files, err := r.ReadSet(cert, key)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s, %s\n", files[0].Data, files[1].Data)
	}
	// Output:
	// CERT v1, KEY v1
	// CERT v2, KEY v2
}
