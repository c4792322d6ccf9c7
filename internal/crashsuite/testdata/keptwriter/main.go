// Command keptwriter is the crash suite's writer that keeps its marks for
// consistent readers (txn.Marks) between Commits, as a daemon that
// commits again and again would. It takes the CLI's arguments without
// flags (the targets' paths; on standard input their contents, with a NUL
// between two) and commits twice in one process: first each existing
// target's content back as it is, which leaves its marks kept in the
// targets' directories, then the new contents, with the marks kept.
// Between the two it makes everything durable (sync(2)), so that what a
// power cut leaves is the second Commit's doing alone, and tells the
// tracer that the second begins: it opens the name secondCommit, which is
// never there, in the first target's directory. It fails as the CLI does:
// one line on standard error, exit status 1.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/atomicwrite/atomicwrite/txn"
)

// secondCommit is what the crash suite waits for (see its scenarios).
const secondCommit = ".keptwriter-second-commit"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "atomicwrite: %s\n", strings.ReplaceAll(err.Error(), "\n", `\n`))
		os.Exit(1)
	}
}

func run(paths []string) error {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	contents := bytes.Split(in, []byte{0})
	if len(contents) != len(paths) {
		return fmt.Errorf("%d contents for %d paths", len(contents), len(paths))
	}
	var marks txn.Marks
	defer marks.Close()
	again := txn.New(txn.WithMarks(&marks))
	defer again.Rollback()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := again.WriteFile(p, b); err != nil {
			return err
		}
	}
	if err := again.Commit(); err != nil {
		return err
	}
	syscall.Sync()
	os.Open(filepath.Join(filepath.Dir(paths[0]), secondCommit))
	tx := txn.New(txn.WithMarks(&marks))
	defer tx.Rollback()
	for i, p := range paths {
		if err := tx.WriteFile(p, contents[i]); err != nil {
			return err
		}
	}
	return tx.Commit()
}
