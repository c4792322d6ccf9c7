package txn

import (
	"context"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// An Option configures a Tx. The With functions of this package make them,
// and only they can: the interface's method is unexported. A nil Option
// configures nothing.
type Option interface{ applyTo(*Tx) }

// txOption is every Option.
type txOption func(*Tx)

func (o txOption) applyTo(tx *Tx) { o(tx) }

// WithDefaults sets options that apply to every entry of the Tx; options
// given to one entry apply after them.
func WithDefaults(opts ...atomic.Option) Option {
	return txOption(func(tx *Tx) { tx.defaults = append(tx.defaults, opts...) })
}

// WithJournalDir puts the Tx's intent journal in dir instead of the first
// entry's directory: the directory that Recover must then be given.
func WithJournalDir(dir string) Option {
	return txOption(func(tx *Tx) { tx.journalDir = dir })
}

// WithPerFileSync makes Commit fsync each staged file (several at a time)
// and each directory, instead of one syncfs(2) per filesystem. syncfs lets
// the filesystem write a whole batch in one journal commit, but it also
// flushes whatever else is dirty on that filesystem: on a filesystem where
// other processes keep much unwritten data (a database, say), per-file
// syncs are cheaper. Outside Linux, Commit always syncs per file.
func WithPerFileSync() Option {
	return txOption(func(tx *Tx) { tx.perFileSync = true })
}

// WithContext binds the Tx to ctx: the whole transaction, staging and
// Commit, which is what a caller usually wants. (atomic.WithContext, given
// to one entry, binds that entry alone; a done context of any entry makes
// Commit refuse the Tx all the same.) Once ctx is done before Commit has
// passed its commit point (its first rename), the Tx is rolled back: at
// once if it is still staging, even while an entry's content is streaming
// in; Commit, if it is running, stops before the renames. Writes and Commit
// then return errors that wrap both ErrTxDone (or the commit's error) and
// ctx.Err(). A Commit past its commit point finishes.
func WithContext(ctx context.Context) Option {
	return txOption(func(tx *Tx) { tx.ctx = ctx })
}

func (tx *Tx) settingsOf(opts []atomic.Option) protocol.Settings {
	s := protocol.SettingsOf(tx.defaults, opts)
	if len(tx.seams) == 0 {
		return s
	}
	return tx.withSeams(s)
}

// withSeams applies the test seams to s (a function of its own: s escapes
// to them, and would be allocated on every call).
func (tx *Tx) withSeams(s protocol.Settings) protocol.Settings {
	for _, f := range tx.seams {
		f(&s)
	}
	return s
}
