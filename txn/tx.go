package txn

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"

	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

var (
	// ErrTxDone is returned by any call on a Tx that Commit or Rollback
	// has already ended, except Rollback, which then does nothing.
	ErrTxDone = errors.New("txn: transaction has already been committed or rolled back")

	// ErrDuplicate is wrapped when a target is staged twice in one Tx: two
	// names are the same target when they lead, symlinks resolved, to the
	// same directory entry.
	ErrDuplicate = errors.New("target is already staged in this transaction")

	// ErrEntryOpen is wrapped by Commit when an entry made by Create has not
	// been closed: its content may not be complete.
	ErrEntryOpen = errors.New("entry is still open for writing")
)

// A Tx is a set of file writes that Commit makes all at once. The zero
// value is an empty Tx, ready to use, like New() without options.
//
// If staging an entry fails, the Tx can still be rolled back, but Commit
// will refuse it: a set with a file missing is not the set the caller
// meant. A Tx is safe for concurrent use; its entries are staged one at a
// time.
type Tx struct {
	mu          sync.Mutex
	defaults    []atomic.Option
	journalDir  string
	perFileSync bool
	marks       *protocol.Marks // from WithMarks, or nil
	dirs        protocol.Dirs
	entries     []*protocol.Entry
	staged      map[protocol.Key]string // target -> the name it was staged as
	open        int                     // entries made by Create and not closed
	failed      error                   // the first failure to stage an entry
	first       string                  // the name of the first entry staged, for Commit's errors
	done        bool

	ctx  context.Context // from WithContext, or nil
	stop func() bool     // stops the context's watch

	seams []func(*protocol.Settings) // set only by tests (export_test.go)
}

// New returns an empty transaction.
func New(opts ...Option) *Tx {
	tx := &Tx{}
	for _, o := range opts {
		if o != nil {
			o.applyTo(tx)
		}
	}
	if tx.ctx != nil {
		// Under tx.mu: the function may run at once, and its Rollback
		// reads tx.stop once it holds tx.mu.
		tx.mu.Lock()
		tx.stop = context.AfterFunc(tx.ctx, func() { tx.Rollback() })
		tx.mu.Unlock()
	}
	return tx
}

// errDone is the error of a call on a Tx that has ended: ErrTxDone, and
// the context's error if that is what ended it. tx.mu is held.
func (tx *Tx) errDone() error {
	if tx.ctx != nil && tx.ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrTxDone, tx.ctx.Err())
	}
	return ErrTxDone
}

// cancelled is the error of a Commit of a Tx that its context rolled back:
// the context's error, and ErrTxDone.
type cancelled struct{ cause error }

func (e cancelled) Error() string {
	return e.cause.Error() + ": the transaction was rolled back, nothing written"
}
func (e cancelled) Unwrap() []error { return []error{e.cause, ErrTxDone} }

// end marks the Tx ended and stops watching its context. tx.mu is held.
func (tx *Tx) end() {
	tx.done = true
	if tx.stop != nil {
		tx.stop()
	}
}

// WriteFile stages data as the new content of the file name.
func (tx *Tx) WriteFile(name string, data []byte, opts ...atomic.Option) error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	e, err := tx.stage(name, opts, false)
	if err != nil {
		return err
	}
	e.Write(data) // a failure is kept in e; seal reports it
	return tx.seal(e)
}

// WriteString stages data as the new content of the file name.
func (tx *Tx) WriteString(name, data string, opts ...atomic.Option) error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	e, err := tx.stage(name, opts, false)
	if err != nil {
		return err
	}
	e.WriteString(data)
	return tx.seal(e)
}

// Create stages the file name and returns a writer for its new content.
// Closing the writer ends the entry's content; it does not commit. Every
// writer must be closed (or aborted) before Commit.
func (tx *Tx) Create(name string, opts ...atomic.Option) (*Writer, error) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	e, err := tx.stage(name, opts, true)
	if err != nil {
		return nil, err
	}
	tx.open++
	return &Writer{tx: tx, entry: e}, nil
}

// Remove stages the removal of the file name, as part of the set: Commit
// removes it with the other entries, all or nothing (a rollback, and
// Recover after a crash, put it back). The directories of name are
// resolved as for a write; a final symlink is removed itself, as rm and
// os.Remove do, not the file it names. name may be a regular file or a
// symlink; a directory is refused (syscall.EISDIR).
//
// A name that does not exist is no error, when staged or when committed:
// the set ends without it, as asked (rm -f). The removal is of whatever
// file holds the name when Commit runs.
func (tx *Tx) Remove(name string) error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	_, err := tx.add(name, protocol.ResolveName, func(e *protocol.Entry, t protocol.Target) error {
		e.StageRemove(t, tx.settingsOf(nil), tx.sealMode())
		return nil
	})
	return err
}

// stage resolves name and creates its temp file; stream says whether the
// content will stream in. tx.mu is held.
func (tx *Tx) stage(name string, opts []atomic.Option, stream bool) (*protocol.Entry, error) {
	s := tx.settingsOf(opts)
	resolve := func(name string, dirs *protocol.Dirs) (protocol.Target, error) {
		return protocol.Resolve(name, dirs, &s)
	}
	return tx.add(name, resolve, func(e *protocol.Entry, t protocol.Target) error {
		return e.Stage(t, s, stream)
	})
}

// add resolves name and stages an entry for it. tx.mu is held.
func (tx *Tx) add(name string, resolve func(string, *protocol.Dirs) (protocol.Target, error),
	stage func(*protocol.Entry, protocol.Target) error) (*protocol.Entry, error) {
	if tx.over() {
		return nil, &fs.PathError{Op: "stage", Path: name, Err: tx.errDone()}
	}
	if tx.first == "" {
		tx.first = name
	}
	t, err := resolve(name, &tx.dirs)
	if err != nil {
		return nil, tx.fail(err)
	}
	if earlier, ok := tx.staged[t.Key()]; ok {
		err := ErrDuplicate
		if earlier != name {
			err = fmt.Errorf("%w (as %s)", ErrDuplicate, earlier)
		}
		return nil, tx.fail(&fs.PathError{Op: "stage", Path: name, Err: err})
	}
	e := new(protocol.Entry)
	if err := stage(e, t); err != nil {
		return nil, tx.fail(err)
	}
	if tx.staged == nil {
		tx.staged = make(map[protocol.Key]string)
	}
	tx.staged[t.Key()] = name
	tx.entries = append(tx.entries, e)
	return e, nil
}

// sealMode is how the Tx's entries are sealed (see protocol.SealMode).
func (tx *Tx) sealMode() protocol.SealMode { return protocol.BatchSealMode(tx.perFileSync) }

// seal ends an entry's content. Sealed entries hold no file descriptor, so
// a Tx can stage more files than the process may have open. A failure is
// kept in the entry, which Commit then refuses. tx.mu is held.
func (tx *Tx) seal(e *protocol.Entry) error {
	if err := e.Seal(tx.sealMode()); err != nil {
		// The temp goes now rather than at Commit or Rollback: nothing
		// will ever read it.
		return multierr.Append(err, e.Discard())
	}
	return nil
}

// unstage takes e out of the Tx. tx.mu is held.
func (tx *Tx) unstage(e *protocol.Entry) {
	tx.entries = slices.DeleteFunc(tx.entries, func(x *protocol.Entry) bool { return x == e })
	delete(tx.staged, e.Key())
}

// fail records err as the Tx's first staging failure and returns it.
func (tx *Tx) fail(err error) error {
	if tx.failed == nil {
		tx.failed = err
	}
	return err
}

// Commit replaces every staged target with its new content, as one
// transaction. It ends the Tx, whether it succeeds or not: a failed Commit
// has already removed every temp file and put back every target it had
// replaced, unless putting back failed too (the error then says so, and
// names the journal that Recover finishes the undo from). An error that
// wraps atomic.ErrNotDurable comes after the renames: every target then
// holds its new content, but a directory fsync failed (a power loss could
// still undo some of the renames), or something of the commit's own is
// left and named: a backup, or the journal (kept for Recover, or renamed
// or linked by another process, and then emptied so that it is never
// replayed).
//
// Before its first rename, Commit makes an intent journal durable (in the
// first entry's directory, or the one WithJournalDir names). If the process
// dies in the middle of the renames, Recover on that directory finishes
// them: the set ends all new (or, if the commit was turning back, all old).
func (tx *Tx) Commit() error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.done {
		if tx.ctx != nil && tx.ctx.Err() != nil {
			// Rolled back when the context was done.
			return &fs.PathError{Op: "commit", Path: tx.first, Err: cancelled{tx.ctx.Err()}}
		}
		return tx.errDone()
	}
	tx.end()
	defer tx.dirs.Close()
	if tx.failed != nil {
		err := fmt.Errorf("txn: commit refused, an entry failed to stage: %w", tx.failed)
		return multierr.Append(err, tx.discard())
	}
	if tx.open > 0 {
		var err error
		for _, e := range tx.entries {
			if !e.Sealed() && e.Err() == nil {
				err = multierr.Append(err, &fs.PathError{Op: "commit", Path: e.Name, Err: ErrEntryOpen})
			}
		}
		return multierr.Append(err, tx.discard())
	}
	var journalDir *protocol.Dir
	if tx.journalDir != "" {
		d, err := protocol.OpenDir(tx.journalDir, &tx.dirs)
		if err != nil {
			return multierr.Append(err, tx.discard())
		}
		journalDir = d
	}
	err := protocol.Commit(tx.entries, protocol.CommitOptions{JournalDir: journalDir, Context: tx.ctx, Marks: tx.marks})
	tx.entries = nil
	return tx.dirs.End(err)
}

// Rollback discards everything staged: every temp file is removed and no
// target changes. It ends the Tx. After Commit, or a Rollback, it does
// nothing and returns nil, so it is safe to defer.
func (tx *Tx) Rollback() error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.done {
		return nil
	}
	return tx.rollback()
}

// rollback is Rollback. tx.mu is held.
func (tx *Tx) rollback() error {
	tx.end()
	defer tx.dirs.Close()
	return tx.discard()
}

// over reports whether the Tx has ended, rolling it back first if its
// context is done: a call made after the cancellation sees it, whether or
// not the context's goroutine has run yet. tx.mu is held.
func (tx *Tx) over() bool {
	if !tx.done && tx.ctx != nil && tx.ctx.Err() != nil {
		tx.rollback()
	}
	return tx.done
}

// discard removes every entry's temp file. tx.mu is held.
func (tx *Tx) discard() error {
	var err error
	for _, e := range tx.entries {
		err = multierr.Append(err, e.Discard())
	}
	tx.entries = nil
	return err
}
