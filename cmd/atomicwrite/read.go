package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/atomicwrite/atomicwrite/txn"
)

// readSet prints the PATHs' set (--read).
func readSet(c *command, stdout io.Writer) error {
	files, err := txn.ReadSet(c.paths...)
	if err != nil {
		return err
	}
	return printSet(stdout, files, c.delim)
}

// watchSet prints the PATHs' set, then each new one (--watch), until
// killed, or until standard output fails.
func watchSet(c *command, stdout, stderr io.Writer) error {
	for files, err := range txn.Watch(context.Background(), c.paths...) {
		if err == nil {
			err = printSet(stdout, files, c.delim)
			var pe *fs.PathError
			if errors.As(err, &pe) && pe.Op == "print" {
				return err
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "atomicwrite: %s\n", strings.ReplaceAll(err.Error(), "\n", `\n`))
		}
	}
	return nil
}

// printSet writes each file's content followed by delim: what a write of
// the same paths splits its input into. A file that does not exist, or
// that holds delim, would not come back whole from that input: the set is
// then not printed at all.
func printSet(w io.Writer, files []txn.File, delim []byte) error {
	for _, f := range files {
		switch {
		case !f.Exists:
			return &fs.PathError{Op: "read", Path: f.Name, Err: fs.ErrNotExist}
		case bytes.Contains(f.Data, delim):
			return &fs.PathError{Op: "read", Path: f.Name, Err: fmt.Errorf("holds the delimiter %q: choose another with -d", delim)}
		}
	}
	bw := bufio.NewWriter(w)
	for _, f := range files {
		bw.Write(f.Data)
		bw.Write(delim)
	}
	if err := bw.Flush(); err != nil {
		return &fs.PathError{Op: "print", Path: "standard output", Err: err}
	}
	return nil
}
