package txn

import (
	"fmt"
	"io"
	"io/fs"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// A Writer receives the content of one entry made by Tx.Create. Close ends
// the content (it does not commit); Abort abandons the entry alone.
type Writer struct {
	tx      *Tx
	entry   *protocol.Entry
	closed  bool
	aborted bool
}

// Write appends p to the entry's content. A Write racing with Commit,
// Rollback or Abort from another goroutine either lands in the entry before
// it ends or fails (ErrTxDone, or fs.ErrClosed); it never reaches any other
// file.
func (w *Writer) Write(p []byte) (int, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	n, err := w.entry.Write(p)
	return n, w.failed(err)
}

// ReadFrom lets io.Copy into the entry use the kernel's copy paths.
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	n, err := w.entry.ReadFrom(r)
	return n, w.failed(err)
}

// failed returns a write's error, which the entry keeps (Commit refuses a
// failed entry); once the Tx has ended, the error is ErrTxDone, whatever
// the entry said.
func (w *Writer) failed(err error) error {
	if err == nil {
		return nil
	}
	w.tx.mu.Lock()
	defer w.tx.mu.Unlock()
	if w.tx.done {
		return w.errDone()
	}
	return err
}

// Close ends the entry's content. It does not commit.
func (w *Writer) Close() error {
	w.tx.mu.Lock()
	defer w.tx.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	w.tx.open--
	if w.tx.done {
		return nil // the Tx has ended and discarded the entry already
	}
	return w.tx.seal(w.entry)
}

// Abort abandons the entry, and only it: its temp file is removed and the
// Tx goes on as if the entry had never been staged (its name may be staged
// again, and a failure of its writes no longer stops Commit). Use it when
// the content of one file cannot be finished but the others should still be
// committed. Abort works before or after Close; once the Tx has ended, it
// returns an error that matches ErrTxDone. A second Abort does nothing.
func (w *Writer) Abort() error {
	tx := w.tx
	tx.mu.Lock()
	defer tx.mu.Unlock()
	switch {
	case w.aborted:
		return nil
	case tx.done:
		return &fs.PathError{Op: "abort", Path: w.entry.Name, Err: tx.errDone()}
	}
	w.aborted = true
	if !w.closed {
		w.closed = true
		tx.open--
	}
	tx.unstage(w.entry)
	return w.entry.Discard()
}

func (w *Writer) check() error {
	w.tx.mu.Lock()
	defer w.tx.mu.Unlock()
	switch {
	case w.tx.over():
		return w.errDone()
	case w.closed:
		return &fs.PathError{Op: "write", Path: w.entry.Name, Err: fs.ErrClosed}
	}
	return nil
}

// errDone is the error of a write after the Tx has ended: it matches
// ErrTxDone and, as for any closed writer, fs.ErrClosed. tx.mu is held.
func (w *Writer) errDone() error {
	return &fs.PathError{Op: "write", Path: w.entry.Name, Err: fmt.Errorf("%w: %w", w.tx.errDone(), fs.ErrClosed)}
}
