package protocol

import "github.com/atomicwrite/atomicwrite/internal/sys"

// Reads keeps a reader's directories (see readset.go) open between its
// consistent reads: a read of a directory it keeps checks with a stat that
// the path still leads to the directory held, and with another that the
// marks directory held is still the one under its name, where it would
// otherwise open both anew (resolving the path, link by link where it has
// links) and close them: the calls that cost a read most of its time
// beyond the reads of the files themselves. A marks directory kept is
// listed again only when its change time says an entry in it changed
// (see setDir.list). The zero value is ready; Close
// lets go of everything it keeps. It is safe for concurrent use: a kept
// directory serves one read at a time.
type Reads struct{ pool[setDir, *setDir] }

// take gives the directory ks keeps for path, if it keeps one and path
// still leads to it. A path whose directory was renamed or replaced since
// leads elsewhere: the directory held is let go of. The kernel's lookup
// confirms it, following links as it does: a link the walk would not have
// followed can only lead the stat to the directory held, which is the one
// path named when it was walked. A nil ks keeps nothing.
func (ks *Reads) take(path string) (setDir, bool) {
	if ks == nil {
		return setDir{}, false
	}
	d, ok := ks.pool.take(func(d *setDir) bool { return d.path == path })
	if !ok {
		return setDir{}, false
	}
	// The directory is held, so its inode is not freed and reused: the
	// identity tells it apart.
	var st sys.Stat_t
	if sys.FstatatUntimed(sys.AT_FDCWD, path, &st, 0) != nil || idOf(&st) != d.id {
		d.close()
		return setDir{}, false
	}
	return d, true
}

// keep keeps d, and reports whether it did (not once ks is closed or full,
// nor if nil).
func (ks *Reads) keep(d setDir) bool { return ks != nil && ks.put(d) }
