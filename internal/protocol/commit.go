package protocol

import (
	"context"
	"errors"

	"go.uber.org/multierr"
)

// CommitOptions are a batch's choices.
type CommitOptions struct {
	JournalDir *Dir // where the journal goes; nil: the first entry's directory
	// Context, when not nil, is checked (with each entry's own) just
	// before the commit point: once it is done, nothing is replaced.
	Context context.Context
}

// Commit makes every sealed entry's content its target's, in order: one
// entry as a single write does (commitOne), more as a batch (commitBatch).
// On an error no target is changed, but for one that wraps ErrNotDurable
// (every target then holds its new content: a directory fsync failed, or
// something of the commit's own was left, and the error names it), and for
// a failed undo (the error names the journal from which Recover finishes
// putting the old targets back). Otherwise no temp, backup or journal
// remains.
//
// Commit consumes the entries: afterwards they hold no file or name.
func Commit(entries []*Entry, opts CommitOptions) error {
	switch len(entries) {
	case 0:
		return nil
	case 1:
		if entries[0].remove {
			return removeOne(entries[0], opts.Context)
		}
		return commitOne(entries[0], opts.Context)
	}
	for _, e := range entries {
		err := e.committable()
		if err == nil && e.sealMode != entries[0].sealMode {
			err = pathError("commit", e.Name, errors.New("entries sealed for different syncs"))
		}
		if err != nil {
			return multierr.Append(err, discardAll(entries))
		}
	}
	return commitBatch(entries, opts)
}

// committable reports why the entry cannot be committed, if it cannot:
// its first failure, or content that was never sealed.
func (e *Entry) committable() error {
	if e.err != nil {
		return e.err
	}
	if !e.sealed {
		return pathError("commit", e.Name, errors.New("content not finished"))
	}
	return nil
}

// cancelled reports the error of ctx or of the entry's own context, if
// either is done, naming the entry's target.
func (e *Entry) cancelled(ctx context.Context) error {
	if ctx != nil && ctx.Err() != nil {
		return pathError("commit", e.Name, ctx.Err())
	}
	if c := e.settings.Context; c != nil && c.Err() != nil {
		return pathError("commit", e.Name, c.Err())
	}
	return nil
}

// discardAll removes what remains of every entry: temps and backups.
func discardAll(entries []*Entry) error {
	var err error
	for _, e := range entries {
		err = multierr.Append(err, e.Discard())
	}
	return err
}
