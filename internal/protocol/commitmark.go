package protocol

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// While a batch renames, a program that reads its files one by one can
// find some renamed and others not. Consistent reads (see readset.go) are
// turned on per directory, by its owner or root, once (EnableReads; a
// consistent read of a directory its user owns does it itself): that makes
// the directory's marks directory, and a file in it that says the
// directory's batches all mark:
//
//	<dir>/.aw-commits/enabled
//
// A batch marks each directory it renames in that has a marks directory,
// with a mark on which it holds a flock for as long as it lives. On Unix
// the mark is an idle mark file of the writer's, locked, then given the
// mode of a mark (see markedBit):
//
//	<dir>/.aw-commits/idle-<N>, mode 0744
//
// Where every idle file is held by others, and on Windows, where a mode
// holds nothing but a read-only bit, it is a file of that name:
//
//	<dir>/.aw-commits/.commit.<16 hex digits>.aw-mark
//
// The mark is made before the commit point, durable with the temps (the
// syncfs, or its own fsync); once the last rename (or the undo) is done
// and durable, the idle file takes back its idle mode or name (see
// newMark). A mode costs the flushes one inode, where a name would cost
// two renames in the marks directory (docs/performance.md). While it
// renames, the batch holds a shared flock on the marks directory itself:
// a lock costs no metadata at all. Where it cannot (someone holds the
// marks directory's lock exclusively, or directories take no flock: see
// sys.FlocksDirs), the mark says so instead, to its end: a mode with
// renamingBit too, or the name .commit.<same digits>.aw-renaming. A
// directory without a marks directory costs a batch one failed open, and
// nothing else.
//
// A consistent read reads its files, then lists the marks of their
// directories, then checks that no file changed meanwhile: a live batch's
// mark makes it try again if the marks directory's lock is held (it tries
// an exclusive lock once, and lets go) or the mark says it is renaming,
// and a dead batch's mark (its writer died, so the lock is free) means
// that the set may be half a transaction until Recover, whose sweep ends
// the mark. The renames, not the whole commit, are what readers wait for.
// Whoever holds the marks directory's lock without renaming makes readers
// wait out every batch's whole commit, not only its renames; no one can
// make them take half a set.
//
// A mark only appears once it is locked (an idle file is locked before it
// is given a mark's mode or name), and a batch ends its mark before it
// lets go of the lock, so a reader never mistakes a live batch's mark for
// a dead one; and a reader locks only marks, which no writer waits for.
// A writer never takes an idle file that has a mark's mode: that is a
// dead batch's, left for Recover.
const (
	marksDir       = ".aw-commits"
	enabledName    = "enabled"
	markSuffix     = ".aw-mark"
	renamingSuffix = ".aw-renaming"
	markBase       = "commit"
)

// The modes of the marks directory (at least: see enableReads) and of a
// mark file: readable by everyone who may read the directory's files,
// whatever the umask of whoever made them (readers of other users list
// the marks and lock them; a mark tells nothing but that a commit is under
// way). An idle file with markedBit in its mode is a mark (see
// modeMarks); with renamingBit too, a mark whose renames are under way.
const (
	marksDirMode = 0o755
	markMode     = 0o644
	markedBit    = 0o100
	renamingBit  = 0o010
)

// markedMode is the mode of an idle mark file that is a batch's mark.
const markedMode = markMode | markedBit

// renamingNow reports whether a batch holds the lock of the marks
// directory open on dirfd: one is renaming. Its probe (an exclusive lock,
// tried once, let go at once) never stops a writer: a batch that finds the
// lock held marks its renames by name instead.
func renamingNow(dirfd int) (bool, error) {
	if !sys.FlocksDirs {
		return false, nil // batches mark their renames by name
	}
	switch err := sys.Flock(dirfd, sys.LOCK_EX|sys.LOCK_NB); err {
	case nil:
		return false, sys.Flock(dirfd, sys.LOCK_UN)
	case sys.EWOULDBLOCK:
		return true, nil
	default:
		return false, err
	}
}

// ErrReadsNotEnabled (see errors.go) with what its user may do.
var errNotOwner = fmt.Errorf("%w: only the directory's owner or root may enable them (EnableReads)", ErrReadsNotEnabled)

// enableReads turns consistent reads on in the directory open on dirfd
// (see above). It holds the directory's exclusive lock, which Recover
// takes, while it makes the marks directory: that waits out every batch
// that began before and so marks nothing, and every batch that locks the
// directory after it finds the marks directory. A writer that died
// mid-commit left no mark: while its temps, backups, journal or new
// directories' markers are in the directory, reads stay off
// (ErrNeedsRecovery), and nothing is made, until Recover has run.
func enableReads(dirfd int, w *Waits) error {
	var st sys.Stat_t
	if err := sys.Fstat(dirfd, &st); err != nil {
		return err
	}
	// Writers trust a marks directory of root's or the directory owner's
	// (see trustedMarks): no one else's would serve them all.
	euid := uint32(sys.Geteuid())
	if euid != 0 && euid != st.Uid {
		return errNotOwner
	}
	lfd, err := sys.Openat(dirfd, ".", sys.O_RDONLY|sys.O_DIRECTORY|sys.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer sys.Close(lfd)
	held, err := lockDir(lfd, true, w, recoveryLockWait)
	if err != nil {
		return err
	}
	defer unlockDir(held)
	names, err := readDirNames(dirfd)
	if err != nil {
		return err
	}
	for _, name := range names {
		if interrupted(name) {
			return fmt.Errorf("%w (%s)", ErrNeedsRecovery, name)
		}
	}
	err = sys.Mkdirat(dirfd, marksDir, marksDirMode)
	made := err == nil
	if err != nil && err != sys.EEXIST {
		return err
	}
	fd, mst, err := openMarksDir(dirfd)
	if err != nil {
		return err
	}
	defer sys.Close(fd)
	if err := checkMarksDir(dirfd, &mst, euid); err != nil {
		return err
	}
	// Whoever may write the directory may commit there, and so mark: the
	// marks directory has the directory's group and is writable as the
	// directory is, and sticky then, so that no writer can remove
	// another's mark.
	mode := uint32(marksDirMode) | uint32(st.Mode)&0o022
	if mode&0o022 != 0 {
		mode |= sys.S_ISVTX
	}
	if made && mst.Gid != st.Gid {
		if err := sys.Fchown(fd, -1, int(st.Gid)); err != nil {
			return err
		}
	}
	if made && uint32(mst.Mode)&0o7777 != mode {
		if err := sys.Fchmod(fd, mode); err != nil {
			return err
		}
	}
	efd, err := sys.Openat(fd, enabledName, sys.O_WRONLY|sys.O_CREAT|sys.O_NOFOLLOW|sys.O_CLOEXEC, markMode)
	if err != nil {
		return err
	}
	if err := sys.Fchmod(efd, markMode); err != nil {
		sys.Close(efd)
		return err
	}
	return sys.Close(efd)
}

// interrupted reports whether name, in a directory, is one a write leaves
// there only until it ends: a temp, a backup, a journal, or the marker of
// a new directory.
func interrupted(name string) bool {
	for _, suffix := range []string{tempSuffix, backupSuffix, journalSuffix, markerSuffix} {
		if parseName(name, suffix) != "" {
			return true
		}
	}
	return false
}

// EnableReads turns consistent reads on in the directory path: from then
// on every batch that renames there marks it (see above). It is for the
// directory's owner or root; it waits, within ctx, for the batches in
// flight there.
func EnableReads(ctx context.Context, path string) error {
	var walk resolve.Walk
	fd, _, err := walk.Dir(sys.AT_FDCWD, path)
	if err != nil {
		return pathError("enable", path, err)
	}
	defer sys.Close(fd)
	w := Waits{done: ctx.Done()}
	if deadline, ok := ctx.Deadline(); ok {
		w.limit = time.Until(deadline)
	}
	if err := enableReads(fd, &w); err != nil {
		return pathError("enable", path, err)
	}
	return nil
}

// idleMarks is how many idle mark files a batch tries before it makes a
// mark of its own (see newMark).
const idleMarks = 8

// idleName is the name of idle mark file i: a mark between two batches.
func idleName(i int) string { return fmt.Sprintf("idle-%d", i) }

// isIdleName reports whether name is one of idleName's (idleMarks has one
// digit).
func isIdleName(name string) bool {
	n, ok := strings.CutPrefix(name, "idle-")
	return ok && len(n) == 1 && n[0] >= '0' && n[0] < '0'+idleMarks
}

// newMark gives m a mark in m.dirfd: an idle mark file of euid's (the
// one m holds already, if kept: see keptmarks.go), made the first time,
// locked, and only then given a mark's mode (where modeMarks) or name.
// Reusing the file spares a batch an inode made and freed per directory,
// whose metadata would join its flushes. Anyone who may read the marks
// may lock them, idle ones too: where every idle file is held, the batch
// makes a mark under a temp name, locks it and names it, and removes it at
// the end, so that holding them costs it that, not its commit.
func newMark(m *commitMark, euid uint32, random func() uint64) (string, error) {
	from := m.idle
	for i := 0; i < idleMarks && from == ""; i++ {
		fd, id, err := claimIdle(m.dirfd, idleName(i), euid)
		switch {
		case err == nil:
			m.fd, m.fileID, m.idle, from = fd, id, idleName(i), idleName(i)
		case err != sys.EEXIST: // EEXIST: another batch's, or no use
			return "", err
		}
	}
	if m.idle != "" && modeMarks {
		m.byMode = true
		if err := sys.Fchmod(m.fd, markedMode); err != nil {
			sys.Close(m.fd)
			return "", err
		}
		return m.idle, nil
	}
	if from == "" {
		var err error
		if from, err = createUnique(markBase, tempSuffix, random, func(name string) (err error) {
			m.fd, err = claimNew(m.dirfd, name)
			return err
		}); err != nil {
			return "", err
		}
	}
	name, err := createUnique(markBase, markSuffix, random, func(name string) error {
		return moveNew(m.dirfd, "", from, name)
	})
	if err != nil {
		if m.idle == "" {
			sys.Unlinkat(m.dirfd, from, 0)
		}
		sys.Close(m.fd)
	}
	return name, err
}

// claimNew makes the mark file name in dirfd, readable by readers of
// other users whatever the umask, and locks it.
func claimNew(dirfd int, name string) (int, error) {
	fd, err := sys.Openat(dirfd, name, sys.O_RDWR|sys.O_CREAT|sys.O_EXCL|sys.O_NOFOLLOW|sys.O_CLOEXEC, markMode)
	if err != nil {
		return -1, err
	}
	if err := sys.Fchmod(fd, markMode); err != nil {
		sys.Close(fd)
		sys.Unlinkat(dirfd, name, 0)
		return -1, err
	}
	if err := sys.Flock(fd, sys.LOCK_EX|sys.LOCK_NB); err != nil {
		// Someone opened it first and holds it: not ours to use.
		sys.Close(fd)
		sys.Unlinkat(dirfd, name, 0)
		return -1, sys.EEXIST
	}
	return fd, nil
}

// claimIdle opens the idle mark file name in dirfd, making it if it is
// not there, locks it, and returns it and its identity. It fails with
// EEXIST if the file is not one to use: someone holds it, it is not a
// regular file of euid's with one name (a file of someone else's could be
// removed from under the batch, and its readers would miss the mark), it
// is a dead batch's mark, or it is no longer under that name.
func claimIdle(dirfd int, name string, euid uint32) (int, fileID, error) {
	fd, err := sys.Openat(dirfd, name, sys.O_RDWR|sys.O_NOFOLLOW|sys.O_NONBLOCK|sys.O_CLOEXEC, 0)
	made := err == sys.ENOENT
	switch {
	case made:
		// EEXIST: another batch made it first.
		if fd, err = sys.Openat(dirfd, name, sys.O_RDWR|sys.O_CREAT|sys.O_EXCL|sys.O_NOFOLLOW|sys.O_CLOEXEC, markMode); err != nil {
			return -1, fileID{}, err
		}
	case err == sys.EACCES || err == sys.EPERM:
		return -1, fileID{}, err
	case err != nil:
		return -1, fileID{}, sys.EEXIST // a link, a directory, a socket: no use
	}
	var st, now sys.Stat_t
	if sys.Flock(fd, sys.LOCK_EX|sys.LOCK_NB) != nil || sys.FstatUntimed(fd, &st) != nil ||
		sys.FstatatUntimed(dirfd, name, &now, sys.AT_SYMLINK_NOFOLLOW) != nil || !ownIdle(&now, idOf(&st), euid) {
		sys.Close(fd)
		return -1, fileID{}, sys.EEXIST
	}
	// Readable by readers of other users, whatever the umask (where marks
	// are modes, newMark gives it its whole mode).
	if made && !modeMarks {
		if err := sys.Fchmod(fd, markMode); err != nil {
			sys.Close(fd)
			return -1, fileID{}, err
		}
	}
	return fd, idOf(&st), nil
}

// ownIdle reports whether now, the stat of an idle mark file's name, is
// of the file id, and that is an idle file a writer of uid euid may use:
// a regular file of euid's with that name alone, and no dead batch's
// mark.
func ownIdle(now *sys.Stat_t, id fileID, euid uint32) bool {
	return now.Mode&sys.S_IFMT == sys.S_IFREG && now.Uid == euid && now.Nlink == 1 && idOf(now) == id &&
		!(modeMarks && now.Mode&(markedBit|renamingBit) != 0)
}

// markLive reports whether the mark name in the marks directory dirfd is
// held by a live batch, or fails with ENOENT if it is gone. Its probe (an
// exclusive lock, tried once) never stops a writer: a batch locks its mark
// before the name appears.
func markLive(dirfd int, name string) (bool, error) {
	fd, err := sys.Openat(dirfd, name, sys.O_RDONLY|sys.O_NOFOLLOW|sys.O_NONBLOCK|sys.O_CLOEXEC, 0)
	if err != nil {
		return false, err
	}
	defer sys.Close(fd)
	var st sys.Stat_t
	if err := sys.FstatUntimed(fd, &st); err != nil {
		return false, err
	}
	if st.Mode&sys.S_IFMT != sys.S_IFREG {
		return false, ErrNotRegular
	}
	switch err := sys.Flock(fd, sys.LOCK_EX|sys.LOCK_NB); err {
	case sys.EWOULDBLOCK:
		return true, nil
	case nil:
	default:
		return false, err
	}
	// A batch removes its mark before it lets go of the lock: the mark is
	// a dead batch's only if it is still there.
	var now sys.Stat_t
	if err := sys.FstatatUntimed(dirfd, name, &now, sys.AT_SYMLINK_NOFOLLOW); err != nil {
		return false, err
	}
	if now.Ino != st.Ino || now.Dev != st.Dev {
		return false, sys.ENOENT
	}
	return false, nil
}

// idleMark reports whether the idle mark file name in the marks directory
// dirfd is a batch's mark (by its mode: see modeMarks), whether that mark
// says its batch is renaming, and whether its batch is live. Its probe (an
// exclusive lock, tried once) never stops a writer: no writer takes a
// file with a mark's mode, but the batch whose mark it is, which holds it
// already. A mark found dead is handed, open and locked, to ifDead if not
// nil (see sweepMarks).
func idleMark(dirfd int, name string, ifDead func(fd int, st *sys.Stat_t) error) (mark, renaming, live bool, err error) {
	var st sys.Stat_t
	if err := sys.FstatatUntimed(dirfd, name, &st, sys.AT_SYMLINK_NOFOLLOW); err != nil || !isMark(&st) {
		return false, false, false, err
	}
	fd, err := sys.Openat(dirfd, name, sys.O_RDONLY|sys.O_NOFOLLOW|sys.O_NONBLOCK|sys.O_CLOEXEC, 0)
	if err != nil {
		return false, false, false, err
	}
	defer sys.Close(fd)
	switch err := sys.Flock(fd, sys.LOCK_EX|sys.LOCK_NB); err {
	case sys.EWOULDBLOCK:
		// Its batch lives; it may have ended the mark since the stat, and
		// a reader that takes it for a mark only reads again.
		return true, st.Mode&renamingBit != 0, true, nil
	case nil:
	default:
		return false, false, false, err
	}
	// A batch ends its mark before it lets go of the lock: with the lock
	// free, a file that still has a mark's mode is a dead batch's.
	if err := sys.FstatUntimed(fd, &st); err != nil || !isMark(&st) {
		return false, false, false, err
	}
	if ifDead != nil {
		err = ifDead(fd, &st)
	}
	return true, st.Mode&renamingBit != 0, false, err
}

// isMark reports whether st is of a regular file with a mark's mode.
func isMark(st *sys.Stat_t) bool {
	return st.Mode&sys.S_IFMT == sys.S_IFREG && st.Mode&markedBit != 0
}
