package protocol

import (
	"context"

	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// A Single is the atomic write of one file. Its steps follow in order
// below, numbered as docs/protocol.md numbers them; each is one call, and
// each policy (owner and mode, compare-and-swap, create-only, new
// directories) one call more. Package atomic runs it; a Tx of one entry
// commits through commitOne as well.
type Single struct {
	dirs  Dirs
	entry Entry
}

// Begin starts the write of name. stream says that the content will stream
// in (see Entry.Stage).
func (w *Single) Begin(name string, s Settings, stream bool) error {
	if s.Context != nil && s.Context.Err() != nil {
		return pathError("create", name, s.Context.Err())
	}
	// A single write compares its directory with nothing: no fstat.
	w.dirs = Dirs{Single: true}
	// 1. Open the directory that finally holds the target, following its
	// symlinks, and making the directories it lacks if asked (mkdir.go);
	// 2. lock it, shared (lock.go). Every later step works on this handle:
	// a directory renamed or swapped along the path meanwhile cannot
	// redirect the write.
	t, err := ResolveFor(name, &w.dirs, &s)
	if err == nil {
		// 3. Create the temp in that same directory: a rename is atomic
		// only within one filesystem, and only the directory's own fsync
		// makes it durable.
		err = w.entry.Stage(t, s, stream)
	}
	if err != nil {
		w.dirs.Close()
	}
	return err
}

// Entry is where the content goes (4. write), between Begin and Commit.
func (w *Single) Entry() *Entry { return &w.entry }

// Commit makes the written content the target's. It ends the write.
func (w *Single) Commit(ctx context.Context) error {
	defer w.dirs.Close()
	e := &w.entry
	// 5. Give the temp its owner and mode now that the content is written
	// (see Seal for why not earlier). The descriptor stays open, so the
	// fsync needs no reopen.
	e.Seal(KeepOpen) // a failure is kept in e, and commitOne reports it
	return w.dirs.End(commitOne(e, ctx))
}

// Discard abandons the write: the temp is removed, the target untouched.
func (w *Single) Discard() error {
	defer w.dirs.Close()
	return w.entry.Discard()
}

// commitOne puts one sealed entry in its target's place.
func commitOne(e *Entry, ctx context.Context) error {
	// 6. Name an unnamed temp, 7. fsync it, 8. close it: the data must be
	// durable before its name can replace the target's, or a power loss
	// just after the rename could leave the target empty or torn. Then the
	// last chance for a cancellation.
	err := e.committable()
	if err == nil {
		err = e.sync()
	}
	if err == nil {
		err = e.cancelled(ctx)
	}
	// A compare-and-swap checks the target's version now, and holds its
	// lock to the rename (version.go).
	cas := e.comparesVersion()
	if err == nil && cas {
		defer e.unlockVersion()
		err = e.lockVersion()
	}
	if err != nil {
		return multierr.Append(err, e.Discard())
	}
	if cas {
		e.beforeRename()
	}
	// 9. The commit point: rename(2) replaces the name in one step, so a
	// reader opens either the old file or the new one, never a mix. (A
	// create-only write renames only if the name is free: noreplace.go.)
	err = e.settings.inject(StepRename)
	if err == nil && e.settings.NoReplace {
		err = e.renameNoReplace()
	} else if err == nil {
		err = sys.Renameat(e.Dir.fd, e.temp, e.Dir.fd, e.Base)
	}
	if err != nil {
		return multierr.Append(pathError("rename", e.Name, err), e.Discard())
	}
	e.temp = ""
	// 10. The rename is an entry of the directory: durable once the
	// directory is.
	return e.syncDir()
}
