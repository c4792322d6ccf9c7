package protocol

import (
	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// Marks keeps a writer's idle marks (see commitmark.go) open and locked
// between its batches. A batch that marks a directory the writer marked
// before then checks, with two stats, that the marks directory and the
// idle file it holds are still the ones under their names, where it would
// otherwise open, lock and check both: the calls that cost a batch most of
// its marks' time. Held, an idle file is no use to other writers, who
// take another, as they do while a batch holds it. The zero value is
// ready; Close lets go of everything it keeps. It is safe for concurrent
// use: a kept mark serves one batch at a time.
type Marks struct{ pool[keptMark, *keptMark] }

// A keptMark is an idle mark held between batches.
type keptMark struct {
	dirfd int    // the marks directory
	dirID fileID // its identity
	fd    int    // the idle mark file, locked
	id    fileID // its identity
	idle  string // its name
}

// take gives m, a mark of e's directory, the idle mark ks keeps for it,
// if it keeps one and it is still what it was: the marks directory under
// its name in e's directory, trusted as openMarksDir's would be, and the
// idle file under its idle name there, one that claimIdle would take. It
// reports whether it did, or failed with a mark it had; the mark it could
// not use it lets go of. *euid is as markDirOf takes it. A nil ks keeps
// nothing.
func (ks *Marks) take(m *commitMark, euid *int) (bool, error) {
	if ks == nil || ks.empty() {
		return false, nil
	}
	var st sys.Stat_t
	if sys.FstatatUntimed(m.e.Dir.fd, marksDir, &st, sys.AT_SYMLINK_NOFOLLOW) != nil {
		return false, nil // the full path says what is there
	}
	k, ok := ks.pool.take(func(k *keptMark) bool { return k.dirID == idOf(&st) })
	if !ok {
		return false, nil
	}
	if *euid < 0 {
		*euid = sys.Geteuid()
	}
	// A kept mark is held, so neither its inode nor its marks
	// directory's is freed and reused: the identities tell them apart.
	var now sys.Stat_t
	if err := checkMarksDir(m.e.Dir.fd, &st, uint32(*euid)); err != nil {
		k.close()
		return true, err
	}
	if sys.FstatatUntimed(k.dirfd, k.idle, &now, sys.AT_SYMLINK_NOFOLLOW) != nil || !ownIdle(&now, k.id, uint32(*euid)) {
		k.close()
		return false, nil // its name was taken from it: start over
	}
	m.dirfd, m.dirID, m.fd, m.fileID, m.idle = k.dirfd, k.dirID, k.fd, k.id, k.idle
	return true, nil
}

// keep keeps m's handles once its mark has its idle mode or name back, and
// reports whether it did (not once ks is closed or full, nor if nil).
func (ks *Marks) keep(m *commitMark) bool {
	return ks != nil && ks.put(keptMark{dirfd: m.dirfd, dirID: m.dirID, fd: m.fd, id: m.fileID, idle: m.idle})
}

func (k *keptMark) close() error {
	return multierr.Append(sys.Close(k.fd), sys.Close(k.dirfd))
}
