package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/txn"
	"github.com/google/renameio/v2"
	natefinch "github.com/natefinch/atomic"
	"golang.org/x/sys/unix"
)

// A single is one way to replace one file durably (or not, for the floor).
type single struct {
	name  string
	write func(path string, data []byte) error
}

var singles = []single{
	{"limit (bare syscalls)", bareWrite},
	{"atomicwrite", func(p string, d []byte) error { return atomic.WriteFile(p, d) }},
	{"bare + atomicwrite's extra calls", bareProtocolWrite},
	{"renameio/v2", func(p string, d []byte) error { return renameio.WriteFile(p, d, 0o644) }},
	{"natefinch/atomic", func(p string, d []byte) error { return natefinch.WriteFile(p, bytes.NewReader(d)) }},
	{"os.WriteFile (not durable)", func(p string, d []byte) error { return os.WriteFile(p, d, 0o644) }},
}

// bareWrite is the physical limit of one durable replacement: the protocol's
// system calls and nothing else.
func bareWrite(path string, data []byte) error {
	tmp, err := bareTemp(path, data)
	if err != nil {
		return err
	}
	if err := unix.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// bareTemp writes data to a temp beside path, durably, and returns its
// name.
func bareTemp(path string, data []byte) (string, error) {
	dir, base := filepath.Split(path)
	tmp := dir + "." + base + ".tmp"
	fd, err := unix.Open(tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return "", err
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, data); err != nil {
		return "", err
	}
	return tmp, unix.Fsync(fd)
}

// bareProtocolWrite makes the system calls atomicwrite makes for a
// replacement, in its order, and nothing else: the bare sequence on a
// directory handle, plus the shared lock, the target's and the temp's stat
// (without their times) and the fchmod. Against the limit it prices those
// calls; against atomicwrite, everything else.
func bareProtocolWrite(path string, data []byte) error {
	dir, base := filepath.Split(path)
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(dfd)
	unix.Flock(dfd, unix.LOCK_SH|unix.LOCK_NB)
	if err := statUntimed(dfd, base, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	tmp := fmt.Sprintf(".%s.%016x.aw-tmp", base, rand.Uint64())
	fd, err := unix.Openat(dfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	_, err = unix.Write(fd, data)
	if err == nil {
		err = statUntimed(fd, "", unix.AT_EMPTY_PATH) // the temp's owner
	}
	if err == nil {
		err = unix.Fchmod(fd, 0o644)
	}
	if err == nil {
		err = unix.Fsync(fd)
	}
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := unix.Renameat(dfd, tmp, dfd, base); err != nil {
		return err
	}
	return unix.Fsync(dfd)
}

// statUntimed stats name in dirfd without its times, as atomicwrite
// stats what it changes next (internal/sys's FstatatUntimed).
func statUntimed(dirfd int, name string, flags int) error {
	var sx unix.Statx_t
	return unix.Statx(dirfd, name, flags, unix.STATX_TYPE|unix.STATX_MODE|unix.STATX_NLINK|unix.STATX_UID|unix.STATX_GID|unix.STATX_INO|unix.STATX_SIZE, &sx)
}

func syncDir(dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Fsync(fd)
}

// A batch is one way to replace a set of files.
type batch struct {
	name  string
	write func(paths []string, data []byte) error
}

var batches = []batch{
	{"limit (staged, one syncfs)", stagedSyncfs},
	{"atomicwrite txn", txnWrite},
	{"staged + atomicwrite's extra calls", stagedSteps(len(protocolSteps))},
	{"sequential atomicwrite", func(paths []string, data []byte) error {
		for _, p := range paths {
			if err := atomic.WriteFile(p, data); err != nil {
				return err
			}
		}
		return nil
	}},
	{"sequential renameio/v2", func(paths []string, data []byte) error {
		for _, p := range paths {
			if err := renameio.WriteFile(p, data, 0o644); err != nil {
				return err
			}
		}
		return nil
	}},
}

// txnWrite writes data to every path in one transaction.
func txnWrite(paths []string, data []byte) error { return txnWriteWith()(paths, data) }

// txnWriteWith is txnWrite, each Tx made with opts.
func txnWriteWith(opts ...txn.Option) func(paths []string, data []byte) error {
	return func(paths []string, data []byte) error {
		tx := txn.New(opts...)
		defer tx.Rollback()
		for _, p := range paths {
			if err := tx.WriteFile(p, data); err != nil {
				return err
			}
		}
		return tx.Commit()
	}
}

// stagedSyncfs is the best staged sequence: write every temp, one syncfs,
// rename every temp, fsync each directory once. Not atomic as a set: the
// limit of what a batch's durability costs.
func stagedSyncfs(paths []string, data []byte) error {
	return stagedSyncfsAround(paths, data, nil, nil)
}

// stagedSyncfsAround is stagedSyncfs that calls before, when not nil, just
// before the renames, and after just after them.
func stagedSyncfsAround(paths []string, data []byte, before, after func() error) error {
	var tmps []string
	for _, p := range paths {
		tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".tmp")
		fd, err := unix.Open(tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
		if err != nil {
			return err
		}
		if _, err := unix.Write(fd, data); err != nil {
			return err
		}
		unix.Close(fd)
		tmps = append(tmps, tmp)
	}
	fd, err := unix.Open(filepath.Dir(paths[0]), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	err = unix.Syncfs(fd)
	unix.Close(fd)
	if err != nil {
		return err
	}
	if before != nil {
		if err := before(); err != nil {
			return err
		}
	}
	dirs := map[string]bool{}
	for i, p := range paths {
		if err := unix.Rename(tmps[i], p); err != nil {
			return err
		}
		dirs[filepath.Dir(p)] = true
	}
	if after != nil {
		if err := after(); err != nil {
			return err
		}
	}
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// The calls a transaction makes beyond the staged sequence, in the order
// stagedSteps adds them.
var protocolSteps = []string{
	"+ the journal, written before the syncfs and removed at the end",
	"+ exchanges in place of renames, and the removal of the old contents",
	"+ the temp created 0600, and its fchmod",
	"+ the temp's stat",
	"+ the target's stat and the directory's lock: all the calls",
}

// stagedSteps returns stagedSyncfs on directory handles, with temps under
// random names, plus the first k of protocolSteps. With them all it makes
// the system calls a transaction makes, in its order, and nothing else:
// per directory the shared lock; per file the target's stat, the fchmod
// and the temp's stat; the intent journal written before the syncfs;
// exchanges in place of renames (the temps' names keep the old contents,
// for an undo) and, after the directories' fsyncs, the removal of the old
// contents and of the journal. Against the limit it prices what makes a
// batch a transaction; against atomicwrite txn, everything else.
func stagedSteps(k int) func(paths []string, data []byte) error {
	journal, exchange, fchmod, tempStat, targetStat := k >= 1, k >= 2, k >= 3, k >= 4, k >= 5
	return func(paths []string, data []byte) error {
		dirs := map[string]int{}
		defer func() {
			for _, fd := range dirs {
				unix.Close(fd)
			}
		}()
		var dfds []int
		var bases, tmps []string
		for _, p := range paths {
			d, base := filepath.Split(p)
			dfd, ok := dirs[d]
			if !ok {
				var err error
				if dfd, err = unix.Open(d, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
					return err
				}
				dirs[d] = dfd
				if targetStat {
					unix.Flock(dfd, unix.LOCK_SH|unix.LOCK_NB)
				}
			}
			if targetStat {
				if err := statUntimed(dfd, base, unix.AT_SYMLINK_NOFOLLOW); err != nil {
					return err
				}
			}
			mode := uint32(0o644)
			if fchmod {
				mode = 0o600
			}
			tmp := fmt.Sprintf(".%s.%016x.aw-tmp", base, rand.Uint64())
			fd, err := unix.Openat(dfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode)
			if err != nil {
				return err
			}
			_, err = unix.Write(fd, data)
			if err == nil && fchmod {
				err = unix.Fchmod(fd, 0o644)
			}
			if err == nil && tempStat {
				err = statUntimed(fd, "", unix.AT_EMPTY_PATH)
			}
			unix.Close(fd)
			if err != nil {
				return err
			}
			dfds, bases, tmps = append(dfds, dfd), append(bases, base), append(tmps, tmp)
		}
		// The journal: a line per entry, about what txn writes.
		name := fmt.Sprintf(".txn.%016x.aw-journal", rand.Uint64())
		if journal {
			jfd, err := unix.Openat(dfds[0], name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
			if err != nil {
				return err
			}
			_, err = unix.Write(jfd, bytes.Repeat([]byte("x"), 40+120*len(paths)))
			unix.Close(jfd)
			if err != nil {
				return err
			}
		}
		if err := unix.Syncfs(dfds[0]); err != nil {
			return err
		}
		last := len(paths) - 1
		for i := range paths {
			var err error
			if exchange && i < last {
				err = unix.Renameat2(dfds[i], tmps[i], dfds[i], bases[i], unix.RENAME_EXCHANGE)
			} else {
				err = unix.Renameat(dfds[i], tmps[i], dfds[i], bases[i])
			}
			if err != nil {
				return err
			}
		}
		for _, fd := range dirs {
			if err := unix.Fsync(fd); err != nil {
				return err
			}
		}
		if exchange {
			for i := range last {
				if err := unix.Unlinkat(dfds[i], tmps[i], 0); err != nil {
					return err
				}
			}
		}
		if journal {
			return unix.Unlinkat(dfds[0], name, 0)
		}
		return nil
	}
}

// batchPaths lays out n targets over ndirs directories below root.
func batchPaths(root string, n, ndirs int) ([]string, error) {
	var paths []string
	for i := range n {
		d := filepath.Join(root, fmt.Sprint(i%ndirs))
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
		paths = append(paths, filepath.Join(d, fmt.Sprintf("f%04d", i)))
	}
	return paths, nil
}
