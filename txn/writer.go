package txn

import (
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

func (w *entryWriter) Write(p []byte) (int, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	n, err := w.entry.Write(p)
	if err != nil {
		w.tx.mu.Lock()
		w.tx.fail(err)
		w.tx.mu.Unlock()
	}
	return n, err
}

// ReadFrom lets io.Copy into the entry use the kernel's copy paths.
func (w *entryWriter) ReadFrom(r io.Reader) (int64, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	n, err := w.entry.ReadFrom(r)
	if err != nil {
		w.tx.mu.Lock()
		w.tx.fail(err)
		w.tx.mu.Unlock()
	}
	return n, err
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
	if w.closed || w.tx.done {
		return &fs.PathError{Op: "write", Path: w.entry.Name, Err: fs.ErrClosed}
	}
	return nil
}
