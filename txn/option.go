package txn

import (
	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// An Option configures a Tx.
type Option func(*Tx)

// WithDefaults sets options that apply to every entry of the Tx; options
// given to one entry apply after them.
func WithDefaults(opts ...atomic.Option) Option {
	return func(tx *Tx) { tx.defaults = append(tx.defaults, opts...) }
}

// WithJournalDir puts the Tx's intent journal in dir instead of the first
// entry's directory: the directory that Recover must then be given.
func WithJournalDir(dir string) Option {
	return func(tx *Tx) { tx.journalDir = dir }
}

func (tx *Tx) settingsOf(opts []atomic.Option) protocol.Settings {
	var s protocol.Settings
	for _, list := range [][]atomic.Option{tx.defaults, opts} {
		for _, o := range list {
			if o != nil {
				o(&s)
			}
		}
	}
	return s
}
