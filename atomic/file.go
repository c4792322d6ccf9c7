package atomic

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"sync"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// A File is a pending atomic write: what is written to it becomes the
// target's content when Commit returns nil, and never before. Close without
// Commit discards everything, so
//
//	f, err := atomic.Create(name)
//	if err != nil { ... }
//	defer f.Close()
//	... write to f ...
//	return f.Commit()
//
// is always safe. Writes come from one goroutine at a time; Commit or Close
// may come from another while a write is in flight (a cancellation): that
// write either lands before the File ends or fails with fs.ErrClosed, and
// never reaches any other file.
type File struct {
	name  string
	w     protocol.Single
	entry *protocol.Entry // w's
	mu    sync.Mutex
	done  bool

	ctx  context.Context // from WithContext, or nil
	stop func() bool     // stops the context's watch
}

// Create starts an atomic write of the file name. The target is resolved
// (symlinks followed) and its directory opened now; the temp file that
// receives the content lives next to the resolved target.
func Create(name string, opts ...Option) (*File, error) {
	return create(name, opts, true)
}

// create is Create; stream says whether the content will stream in (and so
// whether its temp stays unnamed while it does).
func create(name string, opts []Option, stream bool) (*File, error) {
	s := protocol.SettingsOf(opts)
	f := &File{name: name}
	if err := f.w.Begin(name, s, stream); err != nil {
		return nil, err
	}
	f.entry = f.w.Entry()
	if s.Context != nil {
		f.ctx = s.Context
		// Under f.mu: the function may run at once, and its Close reads
		// f.stop once it holds f.mu.
		f.mu.Lock()
		f.stop = context.AfterFunc(f.ctx, func() { f.Close() })
		f.mu.Unlock()
	}
	return f, nil
}

// Name returns the name given to Create.
func (f *File) Name() string { return f.name }

// Write appends p to the new content. After a failed Write the File can
// only be closed: Commit returns the same error and commits nothing.
func (f *File) Write(p []byte) (int, error) {
	if err := f.check("write"); err != nil {
		return 0, err
	}
	n, err := f.entry.Write(p)
	return n, f.cancelled("write", err)
}

// WriteString is like Write, with a string.
func (f *File) WriteString(s string) (int, error) {
	if err := f.check("write"); err != nil {
		return 0, err
	}
	n, err := f.entry.WriteString(s)
	return n, f.cancelled("write", err)
}

// ReadFrom appends everything r yields to the new content. It copies in
// the kernel where it can (copy_file_range), through a fixed-size
// buffer otherwise: memory does not grow with the input.
func (f *File) ReadFrom(r io.Reader) (int64, error) {
	if err := f.check("write"); err != nil {
		return 0, err
	}
	n, err := f.entry.ReadFrom(r)
	return n, f.cancelled("write", err)
}

// Commit makes the written content the target's, durably. On an error the
// target is as it was and the temp file is gone, except for an error that
// wraps ErrNotDurable, which reports that the content is in place but
// something after the rename failed (the directory fsync, or the removal
// of a new directory's marker). Commit ends the File either way: later
// calls of Close do nothing.
func (f *File) Commit() error {
	if f == nil {
		return fs.ErrInvalid
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		return f.cancelled("commit", &fs.PathError{Op: "commit", Path: f.name, Err: fs.ErrClosed})
	}
	f.end()
	return f.w.Commit(nil)
}

// Close discards the pending write: the temp file is removed and the target
// is untouched. After Commit it does nothing and returns nil.
func (f *File) Close() error {
	if f == nil {
		return fs.ErrInvalid
	}
	// f.mu is held to the end of the discard, so that a call which finds
	// the File ended (by the context's goroutine, say) returns only once
	// the temp and any directory the write made are gone.
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		return nil
	}
	f.end()
	return f.w.Discard()
}

// check reports whether the File has ended. A File whose context is done
// ends now, if the context's goroutine has not ended it yet: a call made
// after the cancellation sees it.
func (f *File) check(op string) error {
	if f == nil {
		return fs.ErrInvalid
	}
	if f.ctx != nil && f.ctx.Err() != nil {
		f.Close()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		return f.cancelled(op, &fs.PathError{Op: op, Path: f.name, Err: fs.ErrClosed})
	}
	return nil
}

// cancelled returns err, or, once the File's context is done and err
// says the File was ended, the context's error.
func (f *File) cancelled(op string, err error) error {
	if err == nil || f.ctx == nil || f.ctx.Err() == nil || !errors.Is(err, fs.ErrClosed) {
		return err
	}
	return &fs.PathError{Op: op, Path: f.name, Err: f.ctx.Err()}
}

// end ends the File and stops watching its context. f.mu is held.
func (f *File) end() {
	f.done = true
	if f.stop != nil {
		f.stop()
	}
}
