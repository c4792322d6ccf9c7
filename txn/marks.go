package txn

import "github.com/atomicwrite/atomicwrite/internal/protocol"

// Marks keeps what a writer's Commits mark for consistent readers (see
// EnableReads) open between them: a program that commits to the same
// directories again and again (a daemon that rewrites its state, say)
// passes one Marks to each Tx with WithMarks, and each Commit after the
// first in a directory checks its mark there with two stats, where it
// would open, lock and check it anew: the marks then cost a Commit 1–2 %
// on a disk, where they cost 1–4 % (docs/performance.md). Nothing on disk
// differs: readers, Recover and writers without a Marks see the same
// marks.
//
// A Marks holds two handles for each directory marked, at most 64
// directories, and a lock on one idle file in each, which other writers
// then pass over for another. The zero value is ready to use; a Marks is
// safe for concurrent use, and must not be copied once used. Close it
// when the writer is done.
type Marks struct{ m protocol.Marks }

// Close lets go of everything m keeps. Commits with m after it keep
// nothing, and cost what they cost without it.
func (m *Marks) Close() error { return m.m.Close() }

// WithMarks makes the Tx's Commit keep its marks in m for the next Tx
// given m, and use those m keeps (see Marks). A nil m keeps nothing.
func WithMarks(m *Marks) Option {
	return txOption(func(tx *Tx) {
		tx.marks = nil
		if m != nil {
			tx.marks = &m.m
		}
	})
}
