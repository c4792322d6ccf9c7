package txn

import (
	"context"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// A Reader reads sets as ReadSet does, and keeps what a read opens (each
// directory of the set, and the marks of consistent reads there) open for
// the next: a program that reads the same set again and again (a daemon
// that reloads its configuration, say) reads it through one Reader. Each
// read after the first checks with a stat per directory that the path
// still leads to the directory it holds, and with another that the marks
// there are still the ones it holds, where it would open and close both
// anew, and lists the marks again only once their directory's change time
// says that an entry in it changed: a read of two small files in two
// directories then costs 1.3–1.5 times two os.ReadFile calls, where
// ReadSet's costs 2.1–2.5 times (docs/performance.md). What a read returns
// is the same as ReadSet's: a directory renamed, removed or replaced since
// the last read is let go of, and the one the path leads to now is read.
//
// A Reader holds two handles for each directory, at most 64 directories.
// On Windows it keeps nothing, for a directory held open there cannot be
// removed: its reads cost what ReadSet's do.
// The zero value is ready to use; a Reader is safe for concurrent use, and
// must not be copied once used. Close it when the program is done reading.
type Reader struct{ r protocol.Reads }

// ReadSet is ReadSet, keeping what it opens in r.
func (r *Reader) ReadSet(names ...string) ([]File, error) {
	return readSet(context.Background(), names, &r.r)
}

// ReadSetContext is ReadSetContext, keeping what it opens in r.
func (r *Reader) ReadSetContext(ctx context.Context, names ...string) ([]File, error) {
	return readSet(ctx, names, &r.r)
}

// Close lets go of everything r keeps. Reads with r after it keep nothing,
// and cost what ReadSet's do.
func (r *Reader) Close() error { return r.r.Close() }
