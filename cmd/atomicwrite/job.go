package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/txn"
)

// interrupts are the signals that end a write early: nothing is written,
// unless the write has passed its commit point, which is then finished.
var interrupts = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE}

var (
	errEmptyInput  = errors.New("standard input is empty (-e): nothing written")
	errEmptyChunk  = errors.New("its chunk of standard input is empty (-e): nothing written")
	errEmptyOutput = errors.New("the command printed nothing (-e): nothing written")
)

// A job is one write of the command, and what a signal does to it. The
// signal is handled on its own goroutine, because the write may be blocked
// reading standard input: that goroutine abandons the write (or waits for
// a commit past its commit point), reports, and exits.
type job struct {
	ctx    context.Context
	cancel context.CancelFunc
	stderr io.Writer

	mu         sync.Mutex
	abort      func() error // abandons the write before its commit point
	committing bool
	signalled  bool
	committed  chan error // the commit's result, once committing
}

func startJob(stderr io.Writer) *job {
	ctx, cancel := context.WithCancel(context.Background())
	j := &job{ctx: ctx, cancel: cancel, stderr: stderr, committed: make(chan error, 1)}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, interrupts...)
	go j.watch(sigs)
	return j
}

// watch waits for the first signal; later ones are caught and ignored, so
// that a second Ctrl-C cannot cut the clean-up short.
func (j *job) watch(sigs <-chan os.Signal) {
	sig := <-sigs
	j.mu.Lock()
	j.signalled = true
	committing, abort := j.committing, j.abort
	j.mu.Unlock()
	j.cancel() // a commit not yet at its commit point stops there
	outcome := "nothing written"
	if committing {
		if err := <-j.committed; err == nil || errors.Is(err, atomic.ErrNotDurable) {
			outcome = "the write had passed its commit point and was finished"
		}
	} else if abort != nil {
		abort()
	}
	fmt.Fprintf(j.stderr, "atomicwrite: interrupted by %s: %s\n", signalName(sig), outcome)
	os.Exit(128 + signalNumber(sig))
}

// watchRecover makes a signal end --recover at once, with one line: a
// recovery stopped at any step is finished by the next (docs/protocol.md).
func watchRecover(stderr io.Writer) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, interrupts...)
	go func() {
		sig := <-sigs
		fmt.Fprintf(stderr, "atomicwrite: interrupted by %s: recovery not finished; run it again\n", signalName(sig))
		os.Exit(128 + signalNumber(sig))
	}()
}

// signalName is the name of one of the interrupts, as kill -l gives it.
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGPIPE:
		return "SIGPIPE"
	}
	return sig.String()
}

// signalNumber is sig's number, for the exit status 128+N.
func signalNumber(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return int(s)
	}
	return 0
}

// started records how to abandon the write.
func (j *job) started(abort func() error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.abort = abort
}

// commit runs commit, unless a signal came first.
func (j *job) commit(commit func() error) error {
	j.mu.Lock()
	if j.signalled {
		j.mu.Unlock()
		select {} // watch exits the process
	}
	j.committing = true
	j.mu.Unlock()
	err := commit()
	j.committed <- err
	return err
}

// settle returns, unless a signal has come: the write's own error is then
// a consequence of it, and watch reports and exits.
func (j *job) settle() {
	j.mu.Lock()
	s := j.signalled
	j.mu.Unlock()
	if s {
		select {}
	}
}

func (j *job) write(c *command, stdin *os.File) error {
	if c.run != nil {
		return j.writeRun(c, stdin) // standard input is the command's
	}
	if len(c.paths) > 0 { // only removals read nothing
		if err := checkStdin(stdin); err != nil {
			return &fs.PathError{Op: "write", Path: c.paths[0], Err: err}
		}
		if isTerminal(stdin) {
			fmt.Fprintln(j.stderr, "atomicwrite: reading the content from the terminal: end it with Ctrl-D; Ctrl-C writes nothing")
		}
	}
	if len(c.paths) == 1 && len(c.removes) == 0 {
		return j.writeOne(c, stdin)
	}
	return j.writeSet(c, stdin)
}

// writeOne writes all of stdin to the one PATH.
func (j *job) writeOne(c *command, stdin *os.File) error {
	path := c.paths[0]
	enlargePipe(stdin)
	f, err := j.create(c)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := f.ReadFrom(stdin)
	switch {
	case err != nil:
		return err
	case n == 0 && c.noEmpty:
		return &fs.PathError{Op: "write", Path: path, Err: errEmptyInput}
	}
	return j.commit(f.Commit)
}

// create begins the write of the one PATH, abandoned by a signal.
func (j *job) create(c *command) (*atomic.File, error) {
	opts, err := c.options(0)
	if err != nil {
		return nil, err
	}
	f, err := atomic.Create(c.paths[0], append(opts, atomic.WithContext(j.ctx))...)
	if err != nil {
		return nil, err
	}
	j.started(f.Close)
	return f, nil
}

// writeRun runs the command of --run, its standard input and error the
// command's own, and writes what it prints on standard output to the PATH,
// only if it exits 0: a command that fails, even after printing half its
// output, writes nothing, and its exit status is the command's (see
// commandStatus).
func (j *job) writeRun(c *command, stdin *os.File) error {
	path := c.paths[0]
	f, err := j.create(c)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.Command(c.run[0], c.run[1:]...)
	cmd.Stdin, cmd.Stderr = stdin, os.Stderr
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		code := 126
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			code = 127
		}
		return commandStatus{code, &fs.PathError{Op: "run", Path: path, Err: fmt.Errorf("%s: %w: nothing written", c.run[0], err)}}
	}
	j.started(func() error { cmd.Process.Kill(); return f.Close() })
	n, copyErr := f.ReadFrom(out)
	if copyErr != nil {
		cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	var exit *exec.ExitError
	switch {
	case copyErr != nil:
		return copyErr
	case errors.As(waitErr, &exit):
		return commandStatus{exitCode(exit.ProcessState), &fs.PathError{Op: "run", Path: path, Err: fmt.Errorf("%s failed (%s): nothing written", c.run[0], exit.ProcessState)}}
	case waitErr != nil:
		return &fs.PathError{Op: "run", Path: path, Err: waitErr}
	case n == 0 && c.noEmpty:
		return &fs.PathError{Op: "write", Path: path, Err: errEmptyOutput}
	}
	return j.commit(f.Commit)
}

// A commandStatus is the failure of --run's command, with the exit status
// the command passes on.
type commandStatus struct {
	code int
	err  error
}

func (e commandStatus) Error() string { return e.err.Error() }
func (e commandStatus) Unwrap() error { return e.err }

// exitCode is the status a shell gives a command that ended so: its exit
// code, or 128+N if signal N killed it.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// writeSet writes the PATHs and removes the -r paths as one transaction:
// one PATH gets all of stdin, several a chunk each.
func (j *job) writeSet(c *command, stdin *os.File) error {
	tx := txn.New(txn.WithContext(j.ctx))
	j.started(tx.Rollback)
	defer tx.Rollback()
	var err error
	switch len(c.paths) {
	case 0:
	case 1:
		err = j.writeEntry(tx, c, stdin)
	default:
		err = j.writeChunks(tx, c, stdin)
	}
	if err != nil {
		return err
	}
	for _, r := range c.removes {
		if err := tx.Remove(r); err != nil {
			return err
		}
	}
	return j.commit(tx.Commit)
}

// writeEntry streams all of stdin into the transaction's one PATH.
func (j *job) writeEntry(tx *txn.Tx, c *command, stdin *os.File) error {
	path := c.paths[0]
	enlargePipe(stdin)
	opts, err := c.options(0)
	if err != nil {
		return err
	}
	w, err := tx.Create(path, opts...)
	if err != nil {
		return err
	}
	n, err := io.Copy(w, stdin)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		return err
	case n == 0 && c.noEmpty:
		return &fs.PathError{Op: "write", Path: path, Err: errEmptyInput}
	}
	return nil
}

// writeChunks streams each chunk of stdin into its own entry of the
// transaction.
func (j *job) writeChunks(tx *txn.Tx, c *command, stdin *os.File) error {
	n, err := split(stdin, c.delim, len(c.paths), func(i int) (io.WriteCloser, error) {
		opts, err := c.options(i)
		if err != nil {
			return nil, err
		}
		w, err := tx.Create(c.paths[i], opts...)
		if err != nil || !c.noEmpty {
			return w, err
		}
		return &nonEmpty{w: w, path: c.paths[i]}, nil
	})
	switch {
	case errors.Is(err, errTooManyChunks):
		return &fs.PathError{Op: "split", Path: c.paths[len(c.paths)-1], Err: fmt.Errorf("standard input holds more than %d chunks, one per PATH: nothing written", len(c.paths))}
	case err != nil:
		return err
	case n == 0 && c.noEmpty:
		return &fs.PathError{Op: "write", Path: c.paths[0], Err: errEmptyInput}
	case n != len(c.paths):
		return &fs.PathError{Op: "split", Path: c.paths[n], Err: fmt.Errorf("expected %d chunks of standard input, one per PATH, got %d: none for this PATH, nothing written", len(c.paths), n)}
	}
	return nil
}

// options are the write options for the i-th PATH. With -c they hold the
// version of the file whose content was checked: the write then commits only
// if the file is still that one.
func (c *command) options(i int) ([]atomic.Option, error) {
	var opts []atomic.Option
	if c.sums != nil {
		v, err := checkSum(c.paths[i], c.sums[i])
		if err != nil {
			return nil, err
		}
		opts = append(opts, atomic.WithVersion(v))
	}
	if m, ok := c.modeOf(i); ok {
		opts = append(opts, atomic.WithMode(m))
	}
	if c.noClobber {
		opts = append(opts, atomic.WithNoReplace())
	}
	if c.parents {
		opts = append(opts, atomic.WithMkdirAll(0o777))
	}
	return opts, nil
}

// checkSum reads path as a stream and checks that its content has the
// SHA-256 sum (hex), or, for "-", that it does not exist; it returns the
// version the file was opened at, which the write then expects.
func checkSum(path, sum string) (atomic.Version, error) {
	f, v, err := atomic.Open(path)
	switch {
	case sum == "-" && errors.Is(err, fs.ErrNotExist):
		return v, nil
	case errors.Is(err, fs.ErrNotExist):
		return v, &fs.PathError{Op: "check", Path: path, Err: atomic.ErrChanged}
	case err != nil:
		return v, err
	}
	defer f.Close()
	if sum == "-" {
		return v, &fs.PathError{Op: "check", Path: path, Err: fs.ErrExist}
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return v, err // a *fs.PathError of os's, naming path
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		return v, &fs.PathError{Op: "check", Path: path, Err: atomic.ErrChanged}
	}
	return v, nil
}

// A nonEmpty writer refuses to end a chunk that received nothing (-e).
type nonEmpty struct {
	w    io.WriteCloser
	path string
	n    int64
}

func (w *nonEmpty) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.n += int64(n)
	return n, err
}

func (w *nonEmpty) Close() error {
	err := w.w.Close()
	if err == nil && w.n == 0 {
		err = &fs.PathError{Op: "write", Path: w.path, Err: errEmptyChunk}
	}
	return err
}
