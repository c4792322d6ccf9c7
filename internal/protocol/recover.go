package protocol

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// Recover brings every directory in dirs back to a clean state after a
// crash: it finishes or undoes each transaction whose journal it finds
// there, then (all journals done, since one may name temps in any of the
// directories) removes the temp files and backups that dead writers left,
// and the directories that writes made and never committed to.
//
// It locks each directory exclusively (see lock.go) while it works, so it
// never touches the files of a live writer: it waits for them to finish,
// until recoveryLockWait after it began at most, in all. It is idempotent,
// and safe to run concurrently with itself.
//
// Everything it reads from the directories is untrusted: it acts only on
// journals that are regular files owned by its effective uid, whose entries
// name nothing but the library's own files (see journalEntry.check), in
// directories that are still the ones recorded; and it sweeps only temps
// and backups of the writer's own or of their target's owner (see
// sweepable). Another user's journal is ignored. A directory that does not
// exist has nothing to recover.
func Recover(dirs []string) error {
	deadline := time.Now().Add(recoveryLockWait)
	var err error
	for _, dir := range dirs {
		err = multierr.Append(err, recoverJournals(dir, deadline))
	}
	if err != nil {
		return err // a journal could not be recovered: its temps are still needed
	}
	for _, dir := range dirs {
		err = multierr.Append(err, sweepDir(dir, deadline))
	}
	return err
}

// openRecovered opens the directory path into set, locked exclusively. It
// returns a nil Dir if path does not exist.
func openRecovered(set *Dirs, path string) (*Dir, error) {
	var w resolve.Walk
	fd, _, err := w.Dir(sys.AT_FDCWD, path)
	if err == sys.ENOENT {
		return nil, nil
	}
	if err != nil {
		return nil, pathError("recover", path, err)
	}
	dir, err := set.adopt(fd)
	if err != nil {
		return nil, pathError("recover", path, err)
	}
	return dir, nil
}

// recoverJournals finishes or undoes the transaction of each journal in
// the directory path.
func recoverJournals(path string, deadline time.Time) error {
	set := Dirs{Exclusive: true, Deadline: deadline}
	defer set.Close()
	dir, err := openRecovered(&set, path)
	if dir == nil {
		return err
	}
	names, err := readDirNames(dir.fd)
	if err != nil {
		return pathError("recover", path, err)
	}
	euid := uint32(sys.Geteuid())
	for _, name := range names {
		if ours(name, journalSuffix) {
			if jerr := recoverJournal(&set, dir, name, euid); jerr != nil {
				err = multierr.Append(err, pathError("recover", path+"/"+name, jerr))
			}
		}
	}
	return err
}

// sweepDir removes from the directory path the temps and backups of dead
// writers, then settles it if a write made it (see settleMadeDir).
func sweepDir(path string, deadline time.Time) error {
	set := Dirs{Exclusive: true, Deadline: deadline}
	defer set.Close()
	euid := uint32(sys.Geteuid())
	dir, err := openRecovered(&set, path)
	if err != nil {
		return err
	}
	if dir == nil {
		// Nothing to sweep in it; but a write may have been making it
		// when it died (see mkdir.go).
		return recoverMissing(&set, path, euid)
	}
	names, err := readDirNames(dir.fd)
	if err != nil {
		return pathError("recover", path, err)
	}
	removed := false
	for _, name := range names {
		if !ours(name, tempSuffix) && !ours(name, backupSuffix) {
			continue
		}
		switch sweepable(dir.fd, name, euid) {
		case sys.S_IFDIR:
			if removeMadeDir(dir.fd, name, euid) {
				removed = true
				continue
			}
			// A target made a directory after it was staged, exchanged
			// away (see commitBatch): never removed, but said.
			err = multierr.Append(err, pathError("remove", path+"/"+name, sys.EISDIR))
		case sys.S_IFREG, sys.S_IFLNK:
			if uerr := sys.Unlinkat(dir.fd, name, 0); uerr != nil && uerr != sys.ENOENT {
				err = multierr.Append(err, pathError("remove", path+"/"+name, uerr))
			}
			removed = true
		}
	}
	if removed {
		err = multierr.Append(err, syncFD(dir.fd))
	}
	if err != nil {
		return err
	}
	return settleMadeDir(&set, path, dir.fd, euid)
}

// recoverMissing recovers the directories a write was making along path,
// which does not exist: the temp directories of its first missing component
// in the nearest parent that exists, and that parent, if a write made it
// and left nothing in it.
func recoverMissing(set *Dirs, path string, euid uint32) error {
	parentPath, base := split(trimSeparators(path))
	if base == "" || base == "." || base == ".." || parentPath == path {
		return nil
	}
	var w resolve.Walk
	fd, _, err := w.Dir(sys.AT_FDCWD, parentPath)
	if err == sys.ENOENT {
		return recoverMissing(set, parentPath, euid)
	}
	if err != nil {
		return pathError("recover", path, err)
	}
	parent, err := set.adopt(fd)
	if err != nil {
		return pathError("recover", parentPath, err)
	}
	names, err := readDirNames(parent.fd)
	if err != nil {
		return pathError("recover", parentPath, err)
	}
	removed := false
	for _, name := range names {
		if isNameOf(name, base, tempSuffix) && sweepable(parent.fd, name, euid) == sys.S_IFDIR {
			removed = removeMadeDir(parent.fd, name, euid) || removed
		}
	}
	if removed {
		if err := syncFD(parent.fd); err != nil {
			return pathError("recover", parentPath, err)
		}
	}
	return settleMadeDir(set, parentPath, parent.fd, euid)
}

// removeMadeDir removes the temp directory name in dirfd if a writer with
// Recover's uid was making it (or removing it) when it died: it holds
// nothing, or nothing but its marker (see mkdir.go). It reports whether it
// did.
func removeMadeDir(dirfd int, name string, euid uint32) bool {
	fd, err := sys.Openat(dirfd, name, sys.O_RDONLY|sys.O_DIRECTORY|sys.O_NOFOLLOW|sys.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer sys.Close(fd)
	names, err := readDirNames(fd)
	switch {
	case err != nil || len(names) > 1:
		return false
	case len(names) == 1:
		if !isMarker(fd, dirBase(name), names[0], euid) || sys.Unlinkat(fd, names[0], 0) != nil {
			return false
		}
	}
	return sys.Unlinkat(dirfd, name, sys.AT_REMOVEDIR) == nil
}

// dirBase is the name a directory is made for, from its name: its temp
// name's (".<name>.<hex>.aw-tmp"), or its own.
func dirBase(name string) string {
	if ours(name, tempSuffix) {
		rest := strings.TrimSuffix(name, tempSuffix)
		return rest[1 : len(rest)-hexLen-1]
	}
	return name
}

// settleMadeDir ends, after a crash, a directory at path (open on fd) that a
// write made, and then its parent, if a write made that too. If the
// directory holds nothing but its marker, the write never committed: it
// goes, in the order removeNewDir uses. Otherwise the write committed, and
// the markers go, the parents' first, so that a crash leaves markers only
// in the deepest directories, from which the next Recover starts.
func settleMadeDir(set *Dirs, path string, fd int, euid uint32) error {
	names, err := readDirNames(fd)
	if err != nil {
		return pathError("recover", path, err)
	}
	base := filepath.Base(filepath.Clean(path))
	var markers []string
	for _, name := range names {
		if isMarker(fd, base, name, euid) {
			markers = append(markers, name)
		}
	}
	if len(markers) == 0 {
		return nil
	}
	parentPath := filepath.Dir(filepath.Clean(path))
	var w resolve.Walk
	pfd, _, err := w.Dir(sys.AT_FDCWD, parentPath)
	if err != nil {
		return pathError("recover", parentPath, err)
	}
	parent, err := set.adopt(pfd)
	if err != nil {
		return pathError("recover", parentPath, err)
	}
	if len(names) > len(markers) {
		if err := settleMadeDir(set, parentPath, parent.fd, euid); err != nil {
			return err
		}
		for _, m := range markers {
			if err := sys.Unlinkat(fd, m, 0); err != nil && err != sys.ENOENT {
				return pathError("recover", path, err)
			}
		}
		return syncFD(fd)
	}
	// The name must still lead to this directory.
	var here, named sys.Stat_t
	if sys.Fstat(fd, &here) != nil || sys.Fstatat(parent.fd, base, &named, sys.AT_SYMLINK_NOFOLLOW) != nil ||
		here.Ino != named.Ino || here.Dev != named.Dev {
		return nil
	}
	for _, m := range markers[1:] {
		sys.Unlinkat(fd, m, 0) // two markers: not one write's; the first will do
	}
	dup, err := sys.Dup(fd)
	if err != nil {
		return pathError("recover", path, err)
	}
	set.release(fd)
	if err := removeNewDir(parent.fd, base, dup, markers[0]); err != nil {
		return pathError("recover", path, err)
	}
	if err := syncFD(parent.fd); err != nil {
		return pathError("recover", parentPath, err)
	}
	return settleMadeDir(set, parentPath, parent.fd, euid)
}

// sweepable returns the file type of the temp or backup name if a writer
// with Recover's effective uid left it (see writers), or 0: anything else
// in the directory is another user's, and stays.
func sweepable(dirfd int, name string, euid uint32) uint32 {
	var st sys.Stat_t
	if sys.Fstatat(dirfd, name, &st, sys.AT_SYMLINK_NOFOLLOW) != nil || !writers(dirfd, name, &st, euid) {
		return 0
	}
	return uint32(st.Mode) & sys.S_IFMT
}

// writers reports whether the temp or backup name, of metadata st, may be a
// file of a writer with Recover's effective uid: it belongs to that uid,
// or, once the writer gave it the old target's owner (as root does), to the
// owner of the target whose name it carries.
func writers(dirfd int, name string, st *sys.Stat_t, euid uint32) bool {
	return st.Uid == euid || euid == 0 && st.Uid == targetOwner(dirfd, name)
}

// targetOwner returns the owner of the target that the temp or backup name
// was made for, or an impossible uid if there is none.
func targetOwner(dirfd int, name string) uint32 {
	i := strings.LastIndexByte(name, '.') // before the suffix's own dot
	if i > 0 {
		i = strings.LastIndexByte(name[:i], '.') // before the random part
	}
	if i <= 1 {
		return ^uint32(0)
	}
	var st sys.Stat_t
	if sys.Fstatat(dirfd, name[1:i], &st, sys.AT_SYMLINK_NOFOLLOW) != nil {
		return ^uint32(0)
	}
	return st.Uid
}

// ours reports whether name is one of this library's files of a kind:
// ".<something>.<16 hex digits><suffix>".
func ours(name, suffix string) bool {
	rest, ok := strings.CutSuffix(name, suffix)
	if !ok || !strings.HasPrefix(rest, ".") || len(rest) < 18 || rest[len(rest)-17] != '.' {
		return false
	}
	for _, c := range rest[len(rest)-16:] {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// recoverJournal finishes (state commit) or undoes (state rollback) the
// transaction of the journal name in dir, then removes the journal. A
// journal that is not Recover's own (see readJournal) is left alone.
func recoverJournal(set *Dirs, dir *Dir, name string, euid uint32) error {
	data, err := readJournal(dir.fd, name, euid)
	if err == errNotOurs {
		return nil
	}
	if err != nil {
		return err
	}
	j, err := decodeJournal(data)
	if err == errTornJournal {
		// A journal is complete and durable before the first rename: one
		// that is not was never a commit point. Its temps are swept.
		return sys.Unlinkat(dir.fd, name, 0)
	}
	if err != nil {
		return err
	}
	// The writer may have died before its journal's name was durable (its
	// last fsync): then a power loss could take the journal back but keep
	// renames made below, and the next recovery would find a mixed set and
	// no journal. The journal is made durable before the first rename.
	if err := syncFD(dir.fd); err != nil {
		return err
	}
	// Lock every directory of the transaction, and check that each is
	// still the one recorded, before touching any.
	dirs := make([]*Dir, len(j.entries))
	for i, e := range j.entries {
		var w resolve.Walk
		fd, _, err := w.Dir(sys.AT_FDCWD, e.dir)
		if err != nil {
			return fmt.Errorf("directory %s: %w", e.dir, err)
		}
		if dirs[i], err = set.adopt(fd); err != nil {
			return fmt.Errorf("directory %s: %w", e.dir, err)
		}
		if !sameDir(&e, dirs[i]) {
			return fmt.Errorf("directory %s: %w", e.dir, errDirReplaced)
		}
	}
	for i, e := range j.entries {
		if err := checkTemp(dirs[i].fd, &e, euid); err != nil {
			return err
		}
	}
	if j.state == stateCommit && nameTaken(j, dirs) {
		// A create-only entry not yet renamed has lost its name to a file
		// made since, or a compare-and-swap entry its old target to
		// another write: the set cannot end new without replacing that
		// file, so it ends old. The turn is made durable first, as a
		// writer's.
		jf := journalFile{dir: dir, name: name, j: *j}
		if err := jf.turnBack(rand.Uint64); err != nil {
			return err
		}
		j.state = stateRollback
	}
	for i, e := range j.entries {
		d := dirs[i]
		if e.remove {
			err = multierr.Append(err, recoverRemoval(d, &e, j.state))
			continue
		}
		if e.swapped() {
			err = multierr.Append(err, recoverExchange(d, &e, j.state))
			continue
		}
		tempThere := exists(d.fd, e.temp)
		switch {
		case j.state == stateCommit && tempThere && e.noReplace:
			err = multierr.Append(err, moveNoReplace(d.fd, e.temp, e.name))
		case j.state == stateCommit && tempThere:
			err = multierr.Append(err, sys.Renameat(d.fd, e.temp, d.fd, e.name))
		case j.state == stateRollback && tempThere:
			// Never renamed: the target is still the old one.
			err = multierr.Append(err, sys.Unlinkat(d.fd, e.temp, 0))
		case j.state == stateRollback && e.backup != "":
			if exists(d.fd, e.backup) {
				err = multierr.Append(err, sys.Renameat(d.fd, e.backup, d.fd, e.name))
			}
		case j.state == stateRollback && e.oldIno != 0 && inode(d.fd, e.name) == e.oldIno:
			// Still the old target, never renamed over: a target with no
			// backup, the last of a batch, whose temp another process
			// removed before its rename failed.
		case j.state == stateRollback:
			// Renamed, and there was nothing before it: remove it.
			if uerr := sys.Unlinkat(d.fd, e.name, 0); uerr != sys.ENOENT {
				err = multierr.Append(err, uerr)
			}
		}
		if e.backup != "" && exists(d.fd, e.backup) {
			err = multierr.Append(err, sys.Unlinkat(d.fd, e.backup, 0))
		}
	}
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if err := syncFD(d.fd); err != nil {
			return err
		}
	}
	if err := sys.Unlinkat(dir.fd, name, 0); err != nil && err != sys.ENOENT {
		return err
	}
	return syncFD(dir.fd)
}

// sameDir reports whether d is the directory the journal entry recorded
// (versions 1 and 2 recorded none: any is). The inode must match. The
// device number must too, unless the filesystem's ID (statfs) does: device
// numbers are not stable across mounts (btrfs gives every mount a new one),
// and a recovery runs after a reboot.
func sameDir(e *journalEntry, d *Dir) bool {
	switch {
	case e.dirID == (fileID{}):
		return true
	case d.id.ino != e.dirID.ino:
		return false
	}
	return d.id.dev == e.dirID.dev || e.fsid != 0 && fsid(d.fd) == e.fsid
}

var (
	errNotOurs     = errors.New("not a journal of this user")
	errDirReplaced = errors.New("not the directory the journal recorded (renamed or replaced since): nothing in it touched")
	errForeignTemp = errors.New("is not a file the writer made: nothing touched")
)

// readJournal reads the journal name in dirfd, if it is Recover's own: a
// regular file owned by euid. It is opened without following a link and
// without blocking (a FIFO planted under the name would stall an open for
// reading), and read only if its size is within maxJournalSize.
func readJournal(dirfd int, name string, euid uint32) ([]byte, error) {
	fd, err := sys.Openat(dirfd, name, sys.O_RDONLY|sys.O_NOFOLLOW|sys.O_NONBLOCK|sys.O_CLOEXEC, 0)
	switch err {
	case nil:
	case sys.ELOOP, sys.ENOENT, sys.EACCES:
		return nil, errNotOurs // a link, gone already, or another user's
	default:
		return nil, err
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	var st sys.Stat_t
	if err := sys.Fstat(fd, &st); err != nil {
		return nil, err
	}
	if st.Mode&sys.S_IFMT != sys.S_IFREG || st.Uid != euid {
		return nil, errNotOurs
	}
	if st.Size > maxJournalSize {
		return nil, errJournalTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(f, maxJournalSize+1))
	if err == nil && len(data) > maxJournalSize {
		err = errJournalTooLarge
	}
	if err == nil {
		err = syncFD(fd) // its content too, for the same reason (recoverJournal)
	}
	return data, err
}

// checkTemp makes sure that what the entry's temp name holds, if anything,
// is what a writer with Recover's uid left there: a regular file of its own
// or of the target's owner (see writers); or, for an exchange, the old
// target (its inode) or a directory exchanged away (see recoverExchange).
// Recover renames temps over targets: a file planted under the temp's name
// must never be one of them.
func checkTemp(dirfd int, e *journalEntry, euid uint32) error {
	if e.remove {
		return nil // no temp; its backup is known by the target's inode
	}
	var st sys.Stat_t
	switch err := sys.Fstatat(dirfd, e.temp, &st, sys.AT_SYMLINK_NOFOLLOW); {
	case err == sys.ENOENT:
		return nil
	case err != nil:
		return err
	}
	switch {
	case e.swapped() && (st.Ino == e.oldIno || st.Mode&sys.S_IFMT == sys.S_IFDIR):
		return nil
	case st.Mode&sys.S_IFMT == sys.S_IFREG && writers(dirfd, e.temp, &st, euid):
		return nil
	}
	return fmt.Errorf("%s/%s %w", e.dir, e.temp, errForeignTemp)
}

// recoverExchange finishes or undoes one entry whose rename is an exchange.
// Its temp's name holds the new content until the exchange and the old
// content after it; the old content's inode number tells the two apart.
func recoverExchange(d *Dir, e *journalEntry, state string) error {
	var st sys.Stat_t
	switch err := sys.Fstatat(d.fd, e.temp, &st, sys.AT_SYMLINK_NOFOLLOW); {
	case err == sys.ENOENT:
		return nil // finished and cleaned up (or undone) already
	case err != nil:
		return err
	}
	if st.Mode&sys.S_IFMT == sys.S_IFDIR {
		// Not a temp of ours: a target that another process made a
		// directory after it was staged, exchanged away (see commitBatch).
		if state == stateCommit {
			return nil // the sweep reports it; never removed
		}
		if err := exchange(d.fd, e.temp, e.name); err != nil {
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

// nameTaken reports whether an entry of j not renamed yet finds its
// target's name taken: a create-only entry by any file, a compare-and-swap
// entry by a file other than its old target.
func nameTaken(j *journal, dirs []*Dir) bool {
	for i, e := range j.entries {
		fd := dirs[i].fd
		// Not renamed yet: the temp is there, and for an exchange it
		// still holds the new content, not the old target.
		pending := exists(fd, e.temp) && (!e.swapped() || inode(fd, e.temp) != e.oldIno)
		switch {
		case !pending:
		case e.noReplace && exists(fd, e.name):
			return true
		case e.unchanged && inode(fd, e.name) != e.oldIno:
			return true
		}
	}
	return false
}

// recoverRemoval finishes or undoes one removal. Its target is moved aside
// to the backup name in the renames, and the backup removed after them: the
// inode recorded tells whether either name still holds the target.
func recoverRemoval(d *Dir, e *journalEntry, state string) error {
	aside := inode(d.fd, e.backup) == e.oldIno
	switch {
	case state == stateCommit && aside:
		return sys.Unlinkat(d.fd, e.backup, 0)
	case state == stateCommit && inode(d.fd, e.name) == e.oldIno:
		return sys.Unlinkat(d.fd, e.name, 0) // not moved aside yet
	case state == stateRollback && aside:
		return sys.Renameat(d.fd, e.backup, d.fd, e.name)
	}
	return nil
}

func exists(dirfd int, name string) bool {
	var st sys.Stat_t
	return sys.Fstatat(dirfd, name, &st, sys.AT_SYMLINK_NOFOLLOW) == nil
}

// inode returns the inode number of name in dirfd, or 0 if it has none.
func inode(dirfd int, name string) uint64 {
	var st sys.Stat_t
	if sys.Fstatat(dirfd, name, &st, sys.AT_SYMLINK_NOFOLLOW) != nil {
		return 0
	}
	return st.Ino
}

func readDirNames(dirfd int) ([]string, error) {
	fd, err := sys.Openat(dirfd, ".", sys.O_RDONLY|sys.O_DIRECTORY|sys.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), ".")
	defer f.Close()
	return f.Readdirnames(-1)
}
