package protocol

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// Recover brings every directory in dirs back to a clean state after a
// crash: it finishes or undoes each transaction whose journal it finds
// there, then (all journals done, since one may name temps in any of the
// directories) removes the temp files and backups that dead writers left
// (see sweep.go), and the directories that writes made and never committed
// to (see mkdir.go).
//
// It locks each directory exclusively (see Dirs) while it works, so it
// never touches the files of a live writer: it waits for them to finish,
// recoveryLockWait at most in all. It is idempotent, and safe to run
// concurrently with itself.
//
// Everything it reads from the directories is untrusted. It acts only on a
// journal that is the live record of an interrupted transaction of its own
// user: a regular file owned by its effective uid, found under the name and
// in the directory the journal records for itself (a journal that another
// process renamed, linked or copied is not), whose entries name nothing but
// the library's own files (see journalEntry.check), in directories that are
// still the ones recorded. It turns a committed set back only on evidence
// that no other user can have made (see trusted). A set it cannot finish is
// reported, naming the path in the way, and its journal and files stay;
// every other journal is recovered and every directory swept all the same.
// Another user's journals, temps and directories are ignored.
//
// Its lock waits end when ctx is done, or, if ctx has no deadline, after
// recoveryLockWait in all: a caller with a context already done has it
// wait for nothing.
func Recover(ctx context.Context, dirs []string) error {
	r := recovery{euid: uint32(sys.Geteuid()), keep: make(map[fileID]map[string]bool)}
	r.waits.done = ctx.Done()
	if deadline, ok := ctx.Deadline(); ok {
		r.waits.limit = max(time.Until(deadline), time.Nanosecond)
	}
	var err error
	for _, dir := range dirs {
		err = multierr.Append(err, r.journals(dir))
	}
	for _, dir := range dirs {
		err = multierr.Append(err, r.sweep(dir))
	}
	return err
}

// A recovery is one run of Recover.
type recovery struct {
	euid  uint32
	waits Waits // all its lock waits
	// The temps and backups, by directory, that the journals it could not
	// finish still need: the sweep leaves them. A directory whose journal
	// could not be read keeps everything (keepAll).
	keep map[fileID]map[string]bool
}

const keepAll = "/" // no file's name

// journals finishes or undoes the transaction of each journal in the
// directory path.
func (r *recovery) journals(path string) error {
	set := Dirs{Exclusive: true, Waits: &r.waits}
	defer set.Close()
	dir, err := openRecovered(&set, path)
	if dir == nil {
		return err
	}
	names, err := readDirNames(dir.fd)
	if err != nil {
		return pathError("recover", path, err)
	}
	for _, name := range names {
		if parseName(name, journalSuffix) == "" {
			continue
		}
		if jerr := r.journal(&set, dir, path, name); jerr != nil {
			var pe *fs.PathError
			if !errors.As(jerr, &pe) {
				jerr = pathError("recover", filepath.Join(path, name), jerr)
			}
			err = multierr.Append(err, jerr)
		}
	}
	return err
}

// openRecovered opens the directory path into set, locked exclusively. It
// returns a nil Dir if path does not exist.
func openRecovered(set *Dirs, path string) (*Dir, error) {
	var w resolve.Walk
	dir, err := set.open(&w, path)
	if err == sys.ENOENT {
		return nil, nil
	}
	if err != nil {
		return nil, pathError("recover", path, err)
	}
	return dir, nil
}

// journal finishes (state commit, once a rename of it happened) or undoes
// (state rollback; a commit that no rename reached is abandoned) the
// transaction of the journal name in dir, then removes the journal. A
// journal that is not Recover's own (see readJournal) is left alone; one of
// its own that is not the live record of a transaction (see isLive) loses
// that name, unread.
func (r *recovery) journal(set *Dirs, dir *Dir, path, name string) (err error) {
	fd, data, err := readJournal(dir.fd, name, r.euid)
	if err == errNotOurs {
		return nil
	}
	jf := &journalFile{dir: dir, name: name, fd: fd}
	defer jf.close()
	if err != nil {
		r.keepDir(dir.id)
		return err
	}
	decoded, err := decodeJournal(data)
	switch {
	case err == errTornJournal:
		// A journal is complete and durable before the first rename: one
		// that is not had no rename. Its temps are swept.
		return sys.Unlinkat(dir.fd, name, 0)
	case err != nil:
		r.keepDir(dir.id)
		return err
	case !isLive(decoded, dir, name, fd):
		// Renamed, linked or copied here: not the live record of a
		// transaction, whatever it says. Only this name of it goes: a
		// link's other name may be the live one.
		return sys.Unlinkat(dir.fd, name, 0)
	}
	jf.j = *decoded
	j := &jf.j
	var dirs []*Dir
	defer func() {
		if err != nil {
			r.keepNames(j, dirs) // the journal stays, and needs them
		}
	}()
	// The writer may have died before its journal's name was durable (its
	// last fsync): then a power loss could take the journal back but keep
	// renames made below, and the next recovery would find a mixed set and
	// no journal. The journal is made durable before the first rename.
	if err := sys.Fsync(dir.fd); err != nil {
		return err
	}
	if dirs, err = openDirs(set, dir, j); err != nil {
		return err
	}
	if j.state == stateCommit && !renamedAny(j, dirs) {
		err = r.abandon(j, dirs)
	} else {
		if err := r.settleState(jf, dirs); err != nil {
			return err
		}
		for i := range j.entries {
			e := &j.entries[i]
			if eerr := r.finish(dirs[i], e, j.state); eerr != nil {
				err = multierr.Append(err, pathError("recover", filepath.Join(e.dir, e.name), eerr))
			}
		}
	}
	if err != nil {
		return multierr.Append(err, pathError("recover", filepath.Join(path, name), errors.New("journal kept: run Recover again once the paths above are free")))
	}
	for _, d := range dirs {
		if err := sys.Fsync(d.fd); err != nil {
			return err
		}
	}
	swept := make(map[*Dir]bool)
	for i, d := range dirs {
		// The set is whole, and durably so (a mark's end must never be
		// durable before the renames it covers): its dead marks (and any
		// other dead batch's of this user, whose set is whole too unless
		// its own journal, not recovered yet, is elsewhere) would only
		// make readers wait. What cannot be ended now, the sweep of the
		// directory reports.
		if !swept[d] {
			swept[d] = true
			sweepMarks(d.fd, j.entries[i].dir, r.euid)
		}
	}
	if err := jf.remove(); err != nil {
		return err
	}
	return sys.Fsync(dir.fd)
}

// isLive reports whether the journal j, open on fd and found under name in
// dir, is where and what it was written as: its name, its directory and
// its inode are the ones it records.
func isLive(j *journal, dir *Dir, name string, fd int) bool {
	var st sys.Stat_t
	return j.self.name == name && sameDir(&j.self, dir) && sys.Fstat(fd, &st) == nil && uint64(st.Ino) == j.self.oldIno
}

var (
	errNotOurs     = errors.New("not a journal of this user")
	errDirReplaced = errors.New("not the directory the journal recorded (renamed or replaced since): nothing in it touched")
)

// readJournal opens and reads the journal name in dirfd, if it is
// Recover's own: a regular file owned by euid. It is opened without
// following a link and without blocking (a FIFO planted under the name
// would stall an open), for writing too (see journalFile.remove), and read
// only if its size is within maxJournalSize. The descriptor stays open.
func readJournal(dirfd int, name string, euid uint32) (int, []byte, error) {
	fd, err := sys.Openat(dirfd, name, sys.O_RDWR|sys.O_NOFOLLOW|sys.O_NONBLOCK|sys.O_CLOEXEC, 0)
	switch err {
	case nil:
	case sys.ELOOP, sys.ENOENT, sys.EACCES, sys.EISDIR:
		return -1, nil, errNotOurs // a link, gone already, another user's, a directory
	default:
		return -1, nil, err
	}
	var st sys.Stat_t
	if err := sys.Fstat(fd, &st); err != nil {
		return fd, nil, err
	}
	if st.Mode&sys.S_IFMT != sys.S_IFREG || st.Uid != euid {
		sys.Close(fd)
		return -1, nil, errNotOurs
	}
	if st.Size > maxJournalSize {
		return fd, nil, errJournalTooLarge
	}
	// Read through a second descriptor, which os closes; fd stays open.
	dup, err := sys.Dup(fd)
	if err != nil {
		return fd, nil, err
	}
	f := os.NewFile(uintptr(dup), name)
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxJournalSize+1))
	if err == nil && len(data) > maxJournalSize {
		err = errJournalTooLarge
	}
	if err == nil {
		err = sys.Fsync(fd) // its content too, for the same reason (journal)
	}
	return fd, data, err
}

// openDirs opens and locks every directory of the journal's transaction,
// and checks that each is still the one recorded, before any is touched.
// The journal's own directory, here, is the one it was found in, whatever
// path leads to it now.
func openDirs(set *Dirs, here *Dir, j *journal) ([]*Dir, error) {
	dirs := make([]*Dir, len(j.entries))
	for i, e := range j.entries {
		if sameDir(&e, here) {
			dirs[i] = here
			continue
		}
		var w resolve.Walk
		var err error
		dirs[i], err = set.open(&w, e.dir)
		if err == nil && !sameDir(&e, dirs[i]) {
			err = errDirReplaced
		}
		if err != nil {
			return nil, pathError("recover", e.dir, err)
		}
	}
	return dirs, nil
}

// sameDir reports whether d is the directory the journal entry recorded.
// The inode must match. The device number must too, unless the
// filesystem's ID (statfs) does: device numbers are not stable across
// mounts (btrfs gives every mount a new one), and a recovery runs after a
// reboot.
func sameDir(e *journalEntry, d *Dir) bool {
	if d.id.ino != e.dirID.ino {
		return false
	}
	return d.id.dev == e.dirID.dev || e.fsid != 0 && sys.Fsid(d.fd) == e.fsid
}

// renamedAny reports whether a rename of the commit happened: a target
// holds its temp's inode (a rename, an exchange and a create-only link all
// leave that), or a removal's backup name the target it moved aside.
// Renames begin only once the temps are durable (see commitBatch).
func renamedAny(j *journal, dirs []*Dir) bool {
	for i := range j.entries {
		e, fd := &j.entries[i], dirs[i].fd
		if e.remove && inode(fd, e.backup) == e.oldIno || !e.remove && inode(fd, e.name) == e.newIno {
			return true
		}
	}
	return false
}

// abandon ends a commit that no rename reached, old: its temps, which a
// power loss may have left torn (the journal can be durable before them),
// are removed, never renamed, and so are the backups that are still links
// to the old targets. Nothing is put back: nothing was replaced.
func (r *recovery) abandon(j *journal, dirs []*Dir) error {
	var err error
	for i := range j.entries {
		e, fd := &j.entries[i], dirs[i].fd
		var uerr error
		if r.pending(fd, e) {
			uerr = sys.Unlinkat(fd, e.temp, 0)
		}
		if uerr == nil && !e.remove && !e.swapped() && e.backup != "" && inode(fd, e.backup) == e.oldIno {
			uerr = sys.Unlinkat(fd, e.backup, 0)
		}
		if uerr != nil && uerr != sys.ENOENT {
			err = multierr.Append(err, pathError("recover", filepath.Join(e.dir, e.name), uerr))
		}
	}
	return err
}

// settleState turns a commit back that cannot end new: a create-only entry, or
// one whose target did not exist, not renamed yet whose name a file has taken
// since, or a compare-and-swap entry whose old target another write replaced.
// It does so only on evidence no other user can have made (see trusted); on
// any other, the set cannot end new without replacing a file it must not, nor
// end old on an outsider's word: it stays as it is, and the error names the
// path.
func (r *recovery) settleState(jf *journalFile, dirs []*Dir) error {
	if jf.j.state != stateCommit {
		return nil
	}
	for i := range jf.j.entries {
		e, fd := &jf.j.entries[i], dirs[i].fd
		switch {
		case !r.pending(fd, e):
			continue
		case e.createOnly() && exists(fd, e.name) && !linked(fd, e.temp, e.name):
		case e.unchanged && inode(fd, e.name) != e.oldIno:
		default:
			continue
		}
		if !r.trusted(fd, e.name) {
			return pathError("recover", filepath.Join(e.dir, e.name), errors.New("changed since the commit began, by someone who may be another user: the set is left as it is; run Recover again once it is as the transaction found it, or remove the journal"))
		}
		// The turn is made durable first, as a writer's.
		return jf.turnBack(rand.Uint64)
	}
	return nil
}

// pending reports whether the entry's temp is there, not renamed yet: the
// writer's own file under the temp's name (see ourTemp), and for an
// exchange still the new content, not the old target.
func (r *recovery) pending(dirfd int, e *journalEntry) bool {
	return r.ourTemp(dirfd, e) && (!e.swapped() || inode(dirfd, e.temp) != e.oldIno)
}

// ourTemp reports whether the entry's temp name holds what a writer with
// Recover's uid left there: a regular file of its own, or, for a target
// that existed, of that target's owner, which a writer that can gives the
// temp; or, for an exchange, the old target (its inode) or a directory
// exchanged away (see finishExchange). Anything else under the name is
// another user's, and is as good as no temp: Recover renames temps over
// targets, and a file planted under a temp's name must never be one of them.
func (r *recovery) ourTemp(dirfd int, e *journalEntry) bool {
	var st sys.Stat_t
	if e.remove || sys.Fstatat(dirfd, e.temp, &st, sys.AT_SYMLINK_NOFOLLOW) != nil {
		return false
	}
	switch {
	case e.swapped() && (st.Ino == e.oldIno || st.Mode&sys.S_IFDIR == sys.S_IFDIR && st.Uid == r.euid):
		return true
	case st.Mode&sys.S_IFMT != sys.S_IFREG:
		return false
	}
	return st.Uid == r.euid || r.euid == 0 && e.oldIno != 0 && st.Uid == ownerOf(dirfd, e.name)
}

// finish finishes or undoes one entry of a journal in the state given.
func (r *recovery) finish(d *Dir, e *journalEntry, state string) error {
	switch {
	case e.remove:
		return finishRemoval(d, e, state)
	case e.swapped():
		if !r.ourTemp(d.fd, e) {
			return nil // finished and cleaned up (or undone) already
		}
		return finishExchange(d, e, state)
	}
	var err error
	tempThere := r.ourTemp(d.fd, e)
	switch {
	case tempThere && e.createOnly() && linked(d.fd, e.temp, e.name):
		// Moved by link and unlink (see moveNoReplace), killed in
		// between: the name is the temp's, committed.
		if state == stateCommit {
			err = sys.Unlinkat(d.fd, e.temp, 0)
		} else {
			err = multierr.Append(sys.Unlinkat(d.fd, e.name, 0), sys.Unlinkat(d.fd, e.temp, 0))
		}
	case state == stateCommit && tempThere && e.noReplace:
		err = moveNoReplace(d.fd, d.walked, e.temp, e.name)
	case state == stateCommit && tempThere && e.oldIno == 0:
		err = moveNew(d.fd, d.walked, e.temp, e.name)
	case state == stateCommit && tempThere:
		err = sys.Renameat(d.fd, e.temp, d.fd, e.name)
	case state == stateRollback && tempThere:
		// Never renamed: the target is still the old one.
		err = sys.Unlinkat(d.fd, e.temp, 0)
	case state == stateRollback && e.backup != "":
		if exists(d.fd, e.backup) {
			err = sys.Renameat(d.fd, e.backup, d.fd, e.name)
		}
	case state == stateRollback && e.oldIno != 0 && inode(d.fd, e.name) == e.oldIno:
		// Still the old target, never renamed over: a target with no
		// backup, the last of a batch, whose temp another process
		// removed before its rename failed.
	case state == stateRollback:
		// Renamed, and there was nothing before it: remove it.
		if uerr := sys.Unlinkat(d.fd, e.name, 0); uerr != sys.ENOENT {
			err = uerr
		}
	}
	if err != nil {
		return err
	}
	if e.backup != "" && exists(d.fd, e.backup) {
		return sys.Unlinkat(d.fd, e.backup, 0)
	}
	return nil
}

// finishExchange finishes or undoes one entry whose rename is an exchange.
// Its temp's name holds the new content until the exchange and the old
// content after it; the old content's inode number tells the two apart.
func finishExchange(d *Dir, e *journalEntry, state string) error {
	var st sys.Stat_t
	if err := sys.Fstatat(d.fd, e.temp, &st, sys.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if st.Mode&sys.S_IFMT == sys.S_IFDIR {
		// Not a temp of ours: a target that another process made a
		// directory after it was staged, exchanged away (see commitBatch).
		if state == stateCommit {
			return nil // the sweep reports it; never removed
		}
		if err := sys.Exchange(d.fd, e.temp, e.name); err != nil {
			return err
		}
		return sys.Unlinkat(d.fd, e.temp, 0)
	}
	exchanged := st.Ino == e.oldIno
	if exchanged == (state == stateCommit) {
		// The temp holds what the target must not: the old content of a
		// finished exchange, or the new content of a rolled-back one.
		return sys.Unlinkat(d.fd, e.temp, 0)
	}
	// The temp holds what the target must: the new content of an exchange
	// not made yet, or the old content of one to undo.
	return sys.Renameat(d.fd, e.temp, d.fd, e.name)
}

// finishRemoval finishes or undoes one removal. Its target is moved aside
// to the backup name in the renames, and the backup removed after them: the
// inode recorded tells whether either name still holds the target.
func finishRemoval(d *Dir, e *journalEntry, state string) error {
	aside := inode(d.fd, e.backup) == e.oldIno
	switch {
	case aside && inode(d.fd, e.name) == e.oldIno:
		// Moved aside by link and unlink (see moveNoReplace), killed in
		// between: the name goes first, as the writer's unlink would.
		if state == stateCommit {
			return multierr.Append(sys.Unlinkat(d.fd, e.name, 0), sys.Unlinkat(d.fd, e.backup, 0))
		}
		return sys.Unlinkat(d.fd, e.backup, 0)
	case state == stateCommit && aside:
		return sys.Unlinkat(d.fd, e.backup, 0)
	case state == stateCommit && inode(d.fd, e.name) == e.oldIno:
		return sys.Unlinkat(d.fd, e.name, 0) // not moved aside yet
	case state == stateRollback && aside:
		return sys.Renameat(d.fd, e.backup, d.fd, e.name)
	}
	return nil
}

// keepNames keeps from the sweep the temps and backups of a journal that
// could not be finished, in the directories opened for it (those not
// opened: as recorded).
func (r *recovery) keepNames(j *journal, dirs []*Dir) {
	for i, e := range j.entries {
		id := e.dirID
		if i < len(dirs) && dirs[i] != nil {
			id = dirs[i].id
		}
		if r.keep[id] == nil {
			r.keep[id] = make(map[string]bool)
		}
		for _, name := range []string{e.temp, e.backup} {
			if name != "" {
				r.keep[id][name] = true
			}
		}
	}
}

// keepDir keeps from the sweep everything in the directory id.
func (r *recovery) keepDir(id fileID) {
	r.keep[id] = map[string]bool{keepAll: true}
}

func exists(dirfd int, name string) bool {
	var st sys.Stat_t
	return sys.Fstatat(dirfd, name, &st, sys.AT_SYMLINK_NOFOLLOW) == nil
}

// createOnly reports whether the entry's rename must never replace a
// file: it is create-only, or its target did not exist when the
// transaction began (a file there now is someone else's).
func (e *journalEntry) createOnly() bool { return e.noReplace || e.oldIno == 0 }

// linked reports whether a and b in dirfd are two names of one file.
func linked(dirfd int, a, b string) bool {
	n := inode(dirfd, a)
	return n != 0 && inode(dirfd, b) == n
}

// inode returns the inode number of name in dirfd, or 0 if it has none.
func inode(dirfd int, name string) uint64 {
	var st sys.Stat_t
	if sys.Fstatat(dirfd, name, &st, sys.AT_SYMLINK_NOFOLLOW) != nil {
		return 0
	}
	return st.Ino
}

// ownerOf returns the owner of name in dirfd, or an impossible uid if
// there is none.
func ownerOf(dirfd int, name string) uint32 {
	var st sys.Stat_t
	if name == "" || sys.Fstatat(dirfd, name, &st, sys.AT_SYMLINK_NOFOLLOW) != nil {
		return ^uint32(0)
	}
	return st.Uid
}

func readDirNames(dirfd int) ([]string, error) {
	fd, err := sys.Openat(dirfd, ".", sys.O_RDONLY|sys.O_DIRECTORY|sys.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer sys.Close(fd)
	return sys.ReadDirNames(fd)
}
