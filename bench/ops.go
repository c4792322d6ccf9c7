package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/txn"
	"github.com/google/renameio/v2"
	"golang.org/x/sys/unix"
)

// An operation is one of the library's operations beyond a replacement,
// with its variants: the bare sequence of system calls that does its job
// durably (the limit) first, then the library, then what a Go program
// would otherwise write. Each variant's before readies the target,
// untimed; do is timed.
type operation struct {
	name     string
	variants []opVariant
}

type opVariant struct {
	name   string
	before func(path string, data []byte) error
	do     func(path string, data []byte) error
}

// An existing target, for the operations that need one; a missing one,
// for those that make it.
func present(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }
func absent(path string, _ []byte) error {
	err := os.Remove(path)
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

// newDirs removes the two directories that the new-directories operation
// makes for path (see nested).
func newDirs(path string, _ []byte) error { return os.RemoveAll(path + ".d") }

// The target of the new-directories operation: two directories that do not
// exist yet, below the operation's directory.
func nested(path string) string { return filepath.Join(path+".d", "sub", "f") }

var operations = []operation{
	{"remove", []opVariant{
		{"limit (unlink, directory fsync)", present, func(p string, _ []byte) error {
			if err := unix.Unlink(p); err != nil {
				return err
			}
			return syncDir(filepath.Dir(p))
		}},
		{"atomicwrite txn, one Remove", present, func(p string, _ []byte) error {
			tx := txn.New()
			defer tx.Rollback()
			if err := tx.Remove(p); err != nil {
				return err
			}
			return tx.Commit()
		}},
		{"os.Remove (not durable)", present, func(p string, _ []byte) error { return os.Remove(p) }},
	}},
	{"create-only", []opVariant{
		{"limit (temp, fsync, rename without replacing, directory fsync)", absent, bareCreateOnly},
		{"atomicwrite WithNoReplace", absent, func(p string, d []byte) error { return atomic.WriteFile(p, d, atomic.WithNoReplace()) }},
		{"os.OpenFile O_EXCL, write, Sync (not atomic)", absent, func(p string, d []byte) error {
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return err
			}
			if _, err := f.Write(d); err != nil {
				f.Close()
				return err
			}
			if err := f.Sync(); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		}},
	}},
	{"compare-and-swap", []opVariant{
		{"limit (stat, then the bare replacement)", present, func(p string, d []byte) error {
			var st unix.Stat_t
			if err := unix.Lstat(p, &st); err != nil {
				return err
			}
			return bareWrite(p, d)
		}},
		{"atomicwrite Stat + WithVersion", present, func(p string, d []byte) error {
			v, err := atomic.Stat(p)
			if err != nil {
				return err
			}
			return atomic.WriteFile(p, d, atomic.WithVersion(v))
		}},
		{"os.Stat + renameio/v2 (not atomic)", present, func(p string, d []byte) error {
			if _, err := os.Stat(p); err != nil {
				return err
			}
			return renameio.WriteFile(p, d, 0o644)
		}},
	}},
	{"new directories (two)", []opVariant{
		{"limit (mkdir ×2, the bare write, fsync of each new directory's parent)", newDirs, bareNewDirs},
		{"atomicwrite WithMkdirAll", newDirs, func(p string, d []byte) error {
			return atomic.WriteFile(nested(p), d, atomic.WithMkdirAll(0o755))
		}},
		{"os.MkdirAll + renameio/v2 (directories not durable)", newDirs, func(p string, d []byte) error {
			if err := os.MkdirAll(filepath.Dir(nested(p)), 0o755); err != nil {
				return err
			}
			return renameio.WriteFile(nested(p), d, 0o644)
		}},
	}},
}

// bareCreateOnly is the limit of a durable create-only write: the bare
// replacement with a rename that fails if the name is taken.
func bareCreateOnly(path string, data []byte) error {
	tmp, err := bareTemp(path, data)
	if err != nil {
		return err
	}
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, path, unix.RENAME_NOREPLACE); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// bareNewDirs is the limit of a durable write into two new directories:
// both made, the file written as bareWrite writes it, and each new
// directory's entry made durable by its parent's fsync.
func bareNewDirs(path string, data []byte) error {
	sub := filepath.Dir(nested(path))
	top := filepath.Dir(sub)
	if err := unix.Mkdir(top, 0o755); err != nil {
		return err
	}
	if err := unix.Mkdir(sub, 0o755); err != nil {
		return err
	}
	if err := bareWrite(nested(path), data); err != nil {
		return err
	}
	if err := syncDir(top); err != nil {
		return err
	}
	return syncDir(filepath.Dir(top))
}

// ops measures each operation's variants on fs, interleaved rep by rep.
func (r *results) ops(fs filesystem) error {
	data := bytes.Repeat([]byte("x"), 4096)
	dir := filepath.Join(fs.dir, "ops")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, op := range operations {
		s, err := interleave(*reps, len(op.variants), func(v int) (time.Duration, error) {
			path := filepath.Join(dir, fmt.Sprintf("%d-%x", v, rand.Uint64()))
			var spent time.Duration
			for range singleOps {
				if err := op.variants[v].before(path, data); err != nil {
					return 0, err
				}
				start := time.Now()
				if err := op.variants[v].do(path, data); err != nil {
					return 0, fmt.Errorf("%s: %s: %w", op.name, op.variants[v].name, err)
				}
				spent += time.Since(start)
			}
			return spent / singleOps, nil
		})
		if err != nil {
			return err
		}
		for v, sm := range s {
			r.opRows = append(r.opRows, readRow(fs.name, op.name+": "+op.variants[v].name, sm, s[0]))
		}
	}
	return nil
}
