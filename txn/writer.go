package txn

import (
	"fmt"
	"io"
	"io/fs"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// An entryWriter receives the content of one entry made by Tx.Create.
type entryWriter struct {
	tx     *Tx
	entry  *protocol.Entry
	closed bool
}

// Write appends p to the entry's content. A Write racing with Commit or
// Rollback from another goroutine either lands in the entry before the
// Tx ends or fails with ErrTxDone; it never reaches any other file.
func (w *entryWriter) Write(p []byte) (int, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	n, err := w.entry.Write(p)
	return n, w.failed(err)
}

// ReadFrom lets io.Copy into the entry use the kernel's copy paths.
func (w *entryWriter) ReadFrom(r io.Reader) (int64, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	n, err := w.entry.ReadFrom(r)
	return n, w.failed(err)
}

// failed records a write's error in the Tx; once the Tx has ended, the
// error is ErrTxDone, whatever the entry said.
func (w *entryWriter) failed(err error) error {
	if err == nil {
		return nil
	}
	w.tx.mu.Lock()
	defer w.tx.mu.Unlock()
	if w.tx.done {
		return w.errDone()
	}
	return w.tx.fail(err)
}

// Close ends the entry's content. It does not commit.
func (w *entryWriter) Close() error {
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

func (w *entryWriter) check() error {
	w.tx.mu.Lock()
	defer w.tx.mu.Unlock()
	switch {
	case w.tx.done:
		return w.errDone()
	case w.closed:
		return &fs.PathError{Op: "write", Path: w.entry.Name, Err: fs.ErrClosed}
	}
	return nil
}

// errDone is the error of a write after the Tx has ended: it matches
// ErrTxDone and, as for any closed writer, fs.ErrClosed. tx.mu is held.
func (w *entryWriter) errDone() error {
	return &fs.PathError{Op: "write", Path: w.entry.Name, Err: fmt.Errorf("%w: %w", w.tx.errDone(), fs.ErrClosed)}
}
