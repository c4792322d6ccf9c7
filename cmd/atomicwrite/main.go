package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/atomicwrite/atomicwrite/txn"
)

const usage = `usage: atomicwrite [-e] [-n] [-p] [-m MODE[,MODE...]] [-c SUM[,SUM...]] [-d DELIM] [-r RMPATH]... [--] PATH...
       atomicwrite [-enp] [-m MODE] [-c SUM] --run PATH COMMAND [ARG...]
       atomicwrite -r RMPATH...
       atomicwrite --recover [--wait DURATION] DIR...
       atomicwrite --enable-reads [--wait DURATION] DIR...
       atomicwrite --read|--watch [-d DELIM] PATH...

Writes standard input to PATH atomically and durably. With several PATHs,
standard input is split on DELIM into one chunk per PATH, and all are
written as one transaction: all new, or (on any failure) all as before.
Paths given with -r are removed in the same transaction.

  -e, --no-empty     refuse an empty standard input, or an empty chunk (or
                     an empty output of --run's command): nothing is
                     written (behind a command that can fail, use --run: a
                     pipe writes what the command printed before failing)
  -n, --no-clobber   create-only, as cp -n: if a PATH exists (now, or when
                     the write commits), fail and write nothing
  -p, --parents      make the directories a PATH lacks, as mkdir -p, as part
                     of the write: removed again if nothing is written
  -c, --if-sha256 SUM[,SUM...]
                     compare-and-swap: write only if each PATH still has
                     the content whose SHA-256 is SUM (hex of either case,
                     as sha256sum prints it, file name and all: -c
                     "$(sha256sum PATH)"; - for a PATH that must not
                     exist), one SUM per PATH in order, after a comma or
                     on a line of its own, checked again when the write
                     commits; otherwise fail ("file changed since it was
                     read", "file already exists" for -) and write nothing
  --run PATH COMMAND [ARG...]
                     run COMMAND, and write what it prints on standard
                     output to PATH only if it exits 0: a command that
                     fails, even halfway through its output, writes
                     nothing, and atomicwrite exits with its status (127
                     if it cannot be started, 128+N if signal N ended it);
                     the words after PATH are COMMAND's, dashes and all
                     (a -- between them is dropped)
  -r, --remove RMPATH
                     remove RMPATH as part of the transaction (repeatable):
                     every PATH written and every RMPATH removed, or
                     nothing; a missing RMPATH is no error (as rm -f), a
                     symlink is removed itself; stdin is not read when
                     there is no PATH
  -m, --mode MODE    octal mode, as chmod (644, 0600, 4755): one MODE for
                     every PATH, or a comma-separated list, one per PATH in
                     order (-m 644,600 cert.pem key.pem)
  -d, --delim DELIM  chunk delimiter for several PATHs (default \0);
                     escapes \n \t \0 \\
  --recover          finish or undo the transactions that writers killed in
                     DIR left, and remove their temp files (run it at
                     start-up, or after a crash); waits 10s at most in all
                     for live writers, then reports a DIR still held busy;
                     a DIR that does not exist is noted; takes no other
                     flag than --wait
  --enable-reads     enable --read and --watch (consistent reads) of the
                     files in DIR: from then on every transaction there
                     marks it while it renames (it costs writers up to
                     about 10 % on a disk); for DIR's owner or root, once;
                     waits like --recover for transactions in flight, and
                     fails if one was interrupted there (run --recover
                     first)
  --wait DURATION    with --recover or --enable-reads: wait at most
                     DURATION in all for live writers (0, 500ms, 30s; 0
                     waits for none)
  --read             print the PATHs' contents as they all stood together
                     between transactions (never half of one), each
                     followed by DELIM: the input a write of the same
                     PATHs takes; fails, printing nothing, if a PATH does
                     not exist or holds DELIM, if a transaction keeps
                     committing to them for a second, or if one was
                     interrupted there (run --recover); enables
                     consistent reads where its user owns the directory,
                     and fails where they are not enabled otherwise (see
                     --enable-reads)
  --watch            as --read, then again each time a transaction (or a
                     single write) changes the set, once per transaction,
                     until killed; errors go to standard error, and the
                     watch goes on
  -h, --help         print this help
  --version          print the version

Flags go before the first PATH. One-letter flags combine (-enp); a value
follows its flag as the next word, attached to a one-letter flag (-m600,
-d,), or after = (--mode=600). A word that starts with "-" after a PATH is
refused (exit 2); a file name that starts with "-" goes after --.

Exit status: 0 written; 1 the write failed, or standard input did not
hold one chunk per PATH (with --run: the command's own status if it
failed) (nothing written, one line on standard error names
the path and the cause, "file already exists" for -n, "file changed since
it was read" for -c); 2 usage error; 128+N killed by signal N (SIGHUP 129,
SIGINT 130, SIGPIPE 141, SIGTERM 143): nothing written, unless the write
had passed its commit point, which is then finished first. A --recover
ended by a signal is finished by the next run.
`

// Exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	maxDelimLen = 4096
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	c, err := parseArgs(args)
	if err == nil {
		switch {
		case c.help:
			fmt.Fprint(stdout, usage)
			return exitOK
		case c.version:
			fmt.Fprintln(stdout, version())
			return exitOK
		case c.recover:
			watchRecover(stderr)
			err = recoverDirs(&c, stderr)
		case c.enableReads:
			err = enableReads(&c)
		case c.read:
			err = readSet(&c, stdout)
		case c.watch:
			err = watchSet(&c, stdout, stderr)
		default:
			j := startJob(stderr)
			err = j.write(&c, stdin)
			j.settle()
		}
	}
	if err == nil {
		return exitOK
	}
	// One line, whatever bytes the paths hold.
	msg := strings.ReplaceAll(err.Error(), "\n", `\n`)
	fmt.Fprintf(stderr, "atomicwrite: %s\n", msg)
	var ue errUsage
	var status commandStatus
	switch {
	case errors.As(err, &ue) || errors.Is(err, txn.ErrDuplicate):
		return exitUsage
	case errors.As(err, &status):
		return status.code
	}
	return exitFailed
}

// enableReads enables consistent reads in the DIRs, within --wait if given.
func enableReads(c *command) error {
	ctx, cancel := c.waitContext()
	defer cancel()
	return txn.EnableReads(ctx, c.paths...)
}

// waitContext is the bound --wait gives, if any.
func (c *command) waitContext() (context.Context, context.CancelFunc) {
	if c.wait == nil {
		return context.WithCancel(context.Background())
	}
	return context.WithTimeout(context.Background(), *c.wait)
}

// recoverDirs runs Recover on the DIRs, within --wait if given, and notes
// on standard error each DIR that does not exist: nothing to recover there
// (as at a first start), but a mistyped DIR would otherwise pass unseen.
func recoverDirs(c *command, stderr io.Writer) error {
	for _, dir := range c.paths {
		if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "atomicwrite: note: %s does not exist: nothing to recover there\n", dir)
		}
	}
	ctx, cancel := c.waitContext()
	defer cancel()
	return txn.RecoverContext(ctx, c.paths...)
}
