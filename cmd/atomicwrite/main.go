package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/txn"
)

const version = "atomicwrite v0.1.0"

const usage = `usage: atomicwrite [-m MODE] [-d DELIM] [--] PATH...
       atomicwrite --recover DIR...

Writes standard input to PATH atomically and durably. With several PATHs,
standard input is split on DELIM into one chunk per PATH, and all are
written as one transaction.

  -m MODE    octal mode for every written file, as chmod (e.g. 644, 4755)
  -d DELIM   chunk delimiter for several PATHs (default \0); escapes \n \t \0 \\
  --recover  finish or undo the transactions that writers killed in DIR left,
             and remove their temp files (run it at start-up, or after a crash)
  -h, --help print this help
  --version  print the version
`

// Exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	maxDelimLen = 4096
)

// errUsage marks an error that is the caller's mistake, not the write's.
type errUsage struct{ err error }

func (e errUsage) Error() string { return e.err.Error() }
func (e errUsage) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return errUsage{fmt.Errorf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := runErr(args, stdin, stdout)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	// One line, whatever bytes the paths hold.
	msg := strings.ReplaceAll(err.Error(), "\n", `\n`)
	fmt.Fprintf(stderr, "atomicwrite: %s\n", msg)
	var ue errUsage
	if errors.As(err, &ue) || errors.Is(err, txn.ErrDuplicate) {
		return exitUsage
	}
	return exitFailed
}

func runErr(args []string, stdin io.Reader, stdout io.Writer) error {
	flags := flag.NewFlagSet("atomicwrite", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	mode := flags.String("m", "", "")
	delim := flags.String("d", `\0`, "")
	showVersion := flags.Bool("version", false, "")
	help := flags.Bool("help", false, "")
	recoverDirs := flags.Bool("recover", false, "")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageErrorf("%v (see atomicwrite -h)", err)
	}
	if *help {
		return flag.ErrHelp
	}
	if *showVersion {
		fmt.Fprintln(stdout, version)
		return nil
	}
	paths := flags.Args()
	if *recoverDirs {
		if len(paths) == 0 {
			return usageErrorf("--recover needs a DIR (see atomicwrite -h)")
		}
		return txn.Recover(paths...)
	}
	if len(paths) == 0 {
		return usageErrorf("no PATH given (see atomicwrite -h)")
	}
	var opts []atomic.Option
	if *mode != "" {
		m, err := parseMode(*mode)
		if err != nil {
			return err
		}
		opts = append(opts, atomic.WithMode(m))
	}
	sep, err := parseDelim(*delim)
	if err != nil {
		return err
	}
	if len(paths) == 1 {
		return writeOne(paths[0], stdin, opts)
	}
	return writeChunks(paths, stdin, sep, opts)
}

// writeChunks streams each chunk of r into its own entry of one transaction.
func writeChunks(paths []string, r io.Reader, delim []byte, opts []atomic.Option) error {
	tx := txn.New(txn.WithDefaults(opts...))
	defer tx.Rollback()
	n, err := split(r, delim, len(paths), func(i int) (io.WriteCloser, error) {
		return tx.Create(paths[i])
	})
	switch {
	case errors.Is(err, errTooManyChunks):
		return usageErrorf("standard input holds more than %d chunks, one per PATH; nothing written", len(paths))
	case err != nil:
		return err
	case n != len(paths):
		return usageErrorf("expected %d chunks of standard input, one per PATH, got %d; nothing written", len(paths), n)
	}
	return tx.Commit()
}

// parseMode reads a chmod-style octal mode: 644, 0600, 4755.
func parseMode(s string) (fs.FileMode, error) {
	u, err := strconv.ParseUint(s, 8, 32)
	if err != nil || u > 0o7777 {
		return 0, usageErrorf("bad mode %q: want octal digits, at most 7777", s)
	}
	m := fs.FileMode(u & 0o777)
	if u&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if u&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if u&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m, nil
}

// parseDelim reads a delimiter with the escapes \n, \t, \0 and \\.
func parseDelim(s string) ([]byte, error) {
	var d []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			d = append(d, s[i])
			continue
		}
		i++
		if i == len(s) {
			return nil, usageErrorf("bad delimiter %q: it ends in a lone backslash", s)
		}
		switch s[i] {
		case 'n':
			d = append(d, '\n')
		case 't':
			d = append(d, '\t')
		case '0':
			d = append(d, 0)
		case '\\':
			d = append(d, '\\')
		default:
			return nil, usageErrorf(`bad delimiter %q: known escapes are \n, \t, \0 and \\`, s)
		}
	}
	if len(d) == 0 || len(d) > maxDelimLen {
		return nil, usageErrorf("bad delimiter %q: want 1 to %d bytes", s, maxDelimLen)
	}
	return d, nil
}
