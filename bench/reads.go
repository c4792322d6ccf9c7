package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/atomicwrite/atomicwrite/txn"
	"golang.org/x/sys/unix"
)

// The pair of the consistent-read workload: a certificate and its key, in
// two directories.
var readPair = []string{"a/cert.pem", "b/key.pem"}

// pairCommits are the ways a writer replaces the pair, in directories where
// consistent reads are enabled. The second prices the marks a Commit
// leaves there for consistent readers (docs/protocol.md): the staged limit
// plus the marks' own system calls, as a Commit makes them, and nothing
// else. The fourth is the third with the directories' marks directories
// put aside, which is how a Commit finds a directory where consistent
// reads are not enabled: the same files, in the same directories, with
// and without the marks. The last two are the third and fourth with both
// files in the first directory, as a certificate and its key often are:
// one directory marked, not two.
var pairCommits = []pairCommit{
	{batch{"limit (staged, one syncfs)", stagedSyncfs}, false},
	{batch{"limit + the marks' calls", stagedMarked}, false},
	{batch{"atomicwrite txn", txnWrite}, false},
	{batch{"atomicwrite txn, reads not enabled", txnWrite}, true},
	{batch{"atomicwrite txn, one directory", txnOneDir}, false},
	{batch{"atomicwrite txn, one directory, reads not enabled", txnOneDir}, true},
}

type pairCommit struct {
	batch
	aside bool // the marks directories put aside
}

// marksCosts are the pairs of pairCommits whose ratio is what the marks
// cost a Commit: the txn where reads are enabled over the one where they
// are not. Commit by commit, the pairs of keptCosts too.
var marksCosts = [][2]int{{2, 3}, {4, 5}}

// keptCommits are the txn of pairCommits (in two directories, and in one)
// with its marks kept between Commits (txn.Marks); keptCosts pair them,
// as indexes that follow pairCommits', with the txn where reads are not
// enabled.
func keptCommits(marks *txn.Marks) []batch {
	kept := txnWriteWith(txn.WithMarks(marks))
	return []batch{
		{"atomicwrite txn, marks kept", kept},
		{"atomicwrite txn, one directory, marks kept", func(paths []string, data []byte) error { return kept(inFirstDir(paths), data) }},
	}
}

var keptCosts = [][2]int{{6, 3}, {7, 5}}

// txnOneDir is txnWrite with the pair's names in the first one's
// directory.
func txnOneDir(paths []string, data []byte) error { return txnWrite(inFirstDir(paths), data) }

// inFirstDir returns the names of paths in the first one's directory.
func inFirstDir(paths []string) []string {
	var one []string
	for _, p := range paths {
		one = append(one, filepath.Join(filepath.Dir(paths[0]), filepath.Base(p)))
	}
	return one
}

// putMarksAside renames the marks directory of each of dirs aside, or
// back if aside is false, where it is not so already.
func putMarksAside(dirs []string, aside bool) error {
	for _, dir := range dirs {
		from, to := filepath.Join(dir, ".aw-commits"), filepath.Join(dir, ".aw-commits-aside")
		if !aside {
			from, to = to, from
		}
		if _, err := os.Lstat(to); err == nil {
			continue
		}
		if err := os.Rename(from, to); err != nil {
			return err
		}
	}
	return nil
}

// pairRead is a way a reader reads the pair.
type pairRead struct {
	name string
	read func(paths []string) error
}

// pairReads are the ways a reader reads the pair, nothing committing: the
// last keeps its directories in r from read to read.
func pairReads(r *txn.Reader) []pairRead {
	return []pairRead{
		{"two os.ReadFile", func(paths []string) error {
			for _, p := range paths {
				if _, err := os.ReadFile(p); err != nil {
					return err
				}
			}
			return nil
		}},
		{"txn.ReadSet", func(paths []string) error {
			_, err := txn.ReadSet(paths...)
			return err
		}},
		{"txn.Reader", func(paths []string) error {
			_, err := r.ReadSet(paths...)
			return err
		}},
	}
}

// stagedMarked is stagedSyncfs with a mark in each directory's marks
// directory, as a Commit makes it: an idle mark file locked and given a
// mark's mode before the syncfs, the marks directory locked shared before
// the renames and let go after them, and the idle file given its idle
// mode back after the directories' fsyncs.
func stagedMarked(paths []string, data []byte) error {
	type mark struct {
		marks, fd int
	}
	var marks []mark
	for _, p := range paths {
		dfd, err := unix.Open(filepath.Dir(p), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		m := mark{}
		m.marks, err = unix.Openat(dfd, ".aw-commits", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		unix.Close(dfd)
		if err != nil {
			return err
		}
		statUntimed(m.marks, "", unix.AT_EMPTY_PATH)
		if m.fd, err = unix.Openat(m.marks, "idle-bench", unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o644); err != nil {
			return err
		}
		unix.Flock(m.fd, unix.LOCK_EX|unix.LOCK_NB)
		statUntimed(m.fd, "", unix.AT_EMPTY_PATH)
		statUntimed(m.marks, "idle-bench", unix.AT_SYMLINK_NOFOLLOW)
		if err := unix.Fchmod(m.fd, 0o744); err != nil {
			return err
		}
		marks = append(marks, m)
	}
	err := stagedSyncfsAround(paths, data, func() error {
		for _, m := range marks {
			if err := unix.Flock(m.marks, unix.LOCK_SH|unix.LOCK_NB); err != nil {
				return err
			}
		}
		return nil
	}, func() error {
		for _, m := range marks {
			unix.Flock(m.marks, unix.LOCK_UN)
		}
		return nil
	})
	for _, m := range marks {
		unix.Fchmod(m.fd, 0o644)
		unix.Close(m.fd)
		unix.Close(m.marks)
	}
	return err
}

// reads measures the pair's commits and reads on fs.
func (r *results) reads(fs filesystem) error {
	root := filepath.Join(fs.dir, "pair")
	var paths []string
	for _, name := range readPair {
		p := filepath.Join(root, name)
		paths = append(paths, p)
	}
	var dirs []string
	for _, p := range paths {
		dirs = append(dirs, filepath.Dir(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
	}
	defer os.RemoveAll(root)
	if err := txn.EnableReads(context.Background(), dirs...); err != nil {
		return err
	}
	data := bytes.Repeat([]byte("x"), 2048)
	// Commits of a pair take a few milliseconds on disk: three times the
	// reps, as for the batches of 10.
	s, err := interleave(3**reps, len(pairCommits), func(v int) (time.Duration, error) {
		if err := putMarksAside(dirs, pairCommits[v].aside); err != nil {
			return 0, err
		}
		if err := settle(fs.dir); err != nil {
			return 0, err
		}
		return timeOps(func() error { return pairCommits[v].write(paths, data) })
	})
	if err != nil {
		return err
	}
	for v, sm := range s {
		r.readRows = append(r.readRows, readRow(fs.name, "commit: "+pairCommits[v].name, sm, s[0]))
	}
	for _, c := range marksCosts {
		q := s[c[0]].ratios(s[c[1]])
		r.readRows = append(r.readRows, fmt.Sprintf("| %s | commit: the marks, %s over %s | ×%.3f, quartiles ×%.3f–%.3f | |",
			fs.name, pairCommits[c[0]].name, pairCommits[c[1]].name, q.med, q.q1, q.q3))
	}
	// The same ratios commit by commit: a Commit with the marks and one
	// without, in a random order each round, with nothing between them
	// but the rename that puts the marks aside or back. The blocks above
	// keep each variant's commits together, after a settle; here each
	// Commit follows one of either kind. The two measures differ from run
	// to run, this one the less. The marks kept come last: they hold an
	// idle mark, which the others would pass over for another.
	var marks txn.Marks
	defer marks.Close()
	commits := slices.Clone(pairCommits)
	for _, b := range keptCommits(&marks) {
		commits = append(commits, pairCommit{b, false})
	}
	for _, c := range slices.Concat(marksCosts, keptCosts) {
		s, err := interleave(100**reps, 2, func(v int) (time.Duration, error) {
			pc := commits[c[v]]
			if err := putMarksAside(dirs, pc.aside); err != nil {
				return 0, err
			}
			start := time.Now()
			err := pc.write(paths, data)
			return time.Since(start), err
		})
		if err != nil {
			return err
		}
		q := s[0].ratios(s[1])
		r.readRows = append(r.readRows, fmt.Sprintf("| %s | commit: the marks, commit by commit (%d each), %s over %s | ×%.3f, quartiles ×%.3f–%.3f; medians %s against %s µs | |",
			fs.name, len(s[0]), commits[c[0]].name, commits[c[1]].name, q.med, q.q1, q.q3, us(s[0].median()), us(s[1].median())))
	}
	if err := marks.Close(); err != nil {
		return err
	}
	if err := putMarksAside(dirs, false); err != nil {
		return err
	}
	var reader txn.Reader
	defer reader.Close()
	readers := pairReads(&reader)
	s, err = interleave(3**reps, len(readers), func(v int) (time.Duration, error) {
		return timeOps(func() error { return readers[v].read(paths) })
	})
	if err != nil {
		return err
	}
	for v, sm := range s {
		r.readRows = append(r.readRows, readRow(fs.name, "read: "+readers[v].name, sm, s[0]))
	}
	return nil
}

// timeOps runs op several times in a row, at least 20 times and 50 ms (a
// read of the pair takes tens of microseconds), and returns the time of
// one.
func timeOps(op func() error) (time.Duration, error) {
	ops := 0
	start := time.Now()
	for ops < 20 || time.Since(start) < 50*time.Millisecond {
		if err := op(); err != nil {
			return 0, err
		}
		ops++
	}
	return time.Since(start) / time.Duration(ops), nil
}

func readRow(fs, variant string, s, first samples) string {
	lo, hi := s.spread()
	return fmt.Sprintf("| %s | %s | %s µs [%s–%s] | ×%.3f |", fs, variant, us(s.median()), us(lo), us(hi), s.over(first))
}
