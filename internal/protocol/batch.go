package protocol

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// CommitOptions are a batch's choices.
type CommitOptions struct {
	JournalDir *Dir // where the journal goes; nil: the first entry's directory
	// Context, when not nil, is checked (with each entry's own) just
	// before the commit point: once it is done, nothing is replaced.
	Context context.Context
	// Marks, when not nil, keeps the batch's idle marks for the writer's
	// next batches (see keptmarks.go).
	Marks *Marks
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

// discardAll removes what remains of every entry: temps and backups.
func discardAll(entries []*Entry) error {
	var err error
	for _, e := range entries {
		err = multierr.Append(err, e.Discard())
	}
	return err
}

// commitBatch makes the content of two or more sealed entries their
// targets', in order, all or nothing:
//
//  1. mark each directory where consistent reads are enabled, so that
//     readers wait (see commitmark.go); and, only where the filesystem
//     cannot exchange two names (see sys.CanExchange), hard-link each old
//     target (but the last) to a backup name, so that a failed rename can
//     put back what earlier renames replaced;
//  2. write the intent journal, which names every temp and its inode;
//  3. make every temp durable, data and name, every backup's name, and the
//     journal: one syncfs per filesystem (marks included), which lets the
//     filesystem write everything in one journal commit (the cost: it also
//     flushes other processes' dirty data there); or, for entries sealed
//     otherwise (per-file syncs, and Windows), and where no syncfs covers
//     the journal, an fsync of each temp (16 at a time) and of each
//     directory before the journal is written, then the journal's own;
//
// then:
//
//  4. tell readers that the renames begin (commitmark.go), then rename
//     each temp over its target, in the order given: the first rename is
//     the commit point, after which Recover finishes the set (before it,
//     it abandons the set: see recovery.journal); where the filesystem
//     can, a batch exchanges temp and target instead, so that the temp's
//     name keeps the old content for the undo (the backup costs no system
//     call of its own; the last target needs none), and a new target is
//     renamed only if nothing took its name since it was staged;
//  5. fsync each distinct directory once, so that the renames survive a
//     power loss;
//  6. end the marks, remove the backups, then the journal.
//
// On an error before the commit point no target is changed; on an error in
// the renames the journal is turned to "rollback" and the renames before it
// are undone. Either way no temp, backup or journal remains. An error in
// steps 5 or 6 wraps ErrNotDurable: every target already holds its new
// content (and a journal kept in place lets Recover finish the job).
func commitBatch(entries []*Entry, opts CommitOptions) error {
	cas := slices.ContainsFunc(entries, (*Entry).comparesVersion)
	if cas {
		defer unlockVersions(entries)
	}
	marks, err := markDirs(entries, opts.Marks)
	if err != nil {
		return multierr.Append(err, discardAll(entries))
	}
	jf, swap, err := prepare(entries, opts, cas, marks)
	if err != nil {
		return multierr.Combine(err, unmark(marks), discardAll(entries))
	}
	if err := beginRenames(marks); err != nil {
		return multierr.Append(err, turnBack(entries, 0, jf, marks))
	}
	for i, e := range entries {
		err := e.settings.inject(StepRename)
		switch {
		case err != nil:
		case e.remove:
			err = e.moveAside()
		default:
			err = e.replace(swap, i == len(entries)-1)
		}
		if err != nil {
			return multierr.Append(pathError("rename", e.Name, err), turnBack(entries, i, jf, marks))
		}
		e.temp = ""
	}
	endRenames(marks)
	// The marks go once the renames are durable: a flush of a marks
	// directory (another batch's, or Recover's) must never make a mark's
	// end durable before the renames it covers. The old contents go after
	// the directories' fsyncs too: their removal need not be durable (the
	// journal, still there, or else the sweep, finishes it after a crash),
	// and on btrfs each removal logged makes that fsync dearer
	// (docs/performance.md).
	err = multierr.Combine(syncDirs(entries), unmark(marks), removeBackups(entries))
	switch {
	case err != nil:
		// The renames may not survive a power loss; the journal lets
		// Recover redo them if they do not.
		jf.close()
		what := "new content is in place; journal " + jf.name + " kept for Recover"
		err = multierr.Append(err, pathError("commit", entries[0].Name, inPlace{what, errors.New("run Recover on its directory")}))
	default:
		if rerr := jf.remove(); rerr != nil {
			what := "new content is in place, but the journal " + jf.name + " could not be removed"
			err = pathError("remove", entries[0].Name, inPlace{what, rerr})
		}
	}
	return err
}

// prepare takes a batch to its commit point: backups, the journal, and
// durable names. It reports whether the renames will exchange (see
// commitBatch).
func prepare(entries []*Entry, opts CommitOptions, cas bool, marks []commitMark) (*journalFile, bool, error) {
	writes := entries // the entries with a temp
	if slices.ContainsFunc(entries, func(e *Entry) bool { return e.remove }) {
		writes = nil
		for _, e := range entries {
			if !e.remove {
				writes = append(writes, e)
			} else if err := e.prepareRemoval(); err != nil {
				return nil, false, err
			}
		}
	}
	// Compare-and-swap entries are checked, and locked to the renames (see
	// version.go), before anything links their targets: a link changes a
	// file's change time, which is part of its version.
	if cas {
		if err := lockVersions(entries); err != nil {
			return nil, false, err
		}
	}
	swap := !entries[0].settings.LinkBackups && exchangeable(entries)
	if !swap {
		if err := linkBackups(entries[:len(entries)-1]); err != nil {
			return nil, false, err
		}
	}
	// The journal records each temp's inode: read while a temp kept open
	// (KeepOpen) still is.
	for _, e := range writes {
		if _, err := e.tempInode(); err != nil {
			return nil, false, err
		}
	}
	journalDir := opts.JournalDir
	if journalDir == nil {
		journalDir = entries[0].Dir
	}
	// Where one syncfs covers the temps and the journal, the journal goes
	// first, and that syncfs makes both durable: no flush of its own. It
	// may then be durable beside a torn temp, but no rename happens before
	// the syncfs returns, and Recover renames only what a journal whose
	// renames began names (see recovery.journal).
	var jf *journalFile
	if entries[0].sealMode == CloseFile && slices.ContainsFunc(writes, func(e *Entry) bool { return e.Dir.id.dev == journalDir.id.dev }) {
		var err error
		if jf, err = newJournal(journalDir, entries, swap, false); err != nil {
			return nil, false, err
		}
	}
	if len(writes) > 0 {
		if err := syncTemps(writes); err != nil {
			return nil, false, multierr.Append(err, jf.remove())
		}
	}
	if entries[0].sealMode != CloseFile {
		// Without syncfs the names need their directories' fsyncs; the
		// journal's full flush follows, so barriers do (see sys.FsyncBarrier).
		for _, e := range distinctDirs(entries) {
			err := e.settings.inject(StepSyncStaged)
			if err == nil {
				err = sys.FsyncBarrier(e.Dir.fd)
			}
			if err != nil {
				return nil, false, pathError("syncdir", e.Name, err)
			}
		}
		if err := syncMarks(marks); err != nil {
			return nil, false, err
		}
	}
	for _, e := range entries {
		if err := e.cancelled(opts.Context); err != nil {
			return nil, false, multierr.Append(err, jf.remove())
		}
	}
	if jf == nil {
		var err error
		if jf, err = newJournal(journalDir, entries, swap, true); err != nil {
			return nil, false, err
		}
	}
	return jf, swap, nil
}

// Step 1: backups where no exchange can keep the old content, and the
// marks (see commitmark.go for what they tell readers).

// exchangeable reports whether every filesystem of the batch can exchange
// two names.
func exchangeable(entries []*Entry) bool {
	for _, e := range distinctFilesystems(entries) {
		if !sys.CanExchange(e.Dir.fd) {
			return false
		}
	}
	return true
}

// linkBackups keeps each existing target reachable under a backup name until
// the renames are done. A target that does not exist (any more) gets none:
// undoing its rename means removing it.
func linkBackups(entries []*Entry) error {
	for _, e := range entries {
		if e.remove {
			continue // moved aside in the rename phase: that is its backup
		}
		name, err := createUnique(e.Base, backupSuffix, e.settings.random, func(name string) error {
			if err := e.settings.inject(StepLink); err != nil {
				return err
			}
			return sys.Link(e.Dir.fd, e.Dir.walked, e.Base, name)
		})
		switch err {
		case nil:
			e.backup = name
		case sys.ENOENT:
		default:
			return pathError("link", e.Name, err)
		}
	}
	return nil
}

// A commitMark is a batch's mark in one directory.
type commitMark struct {
	e      *Entry // the first entry in the directory
	dirfd  int    // the marks directory
	dirID  fileID
	fd     int // the mark, locked
	fileID fileID
	name   string
	idle   string // the idle name it had, and takes back at the end
	byMode bool   // the mark is the idle file's mode, under its idle name
	kept   *Marks // where its handles are kept after the batch, if not nil
}

// markDirs marks each distinct directory of entries that has a marks
// directory. On an error it leaves no mark.
func markDirs(entries []*Entry, kept *Marks) ([]commitMark, error) {
	var marks []commitMark
	if entries[0].settings.NoMarks {
		return nil, nil
	}
	euid := -1 // asked once, where the first marks directory is found
	for _, e := range distinctDirs(entries) {
		m, err := markDirOf(e, &euid, kept)
		if err == sys.ENOENT {
			continue // no reader asked for consistent reads here
		}
		if err != nil {
			return nil, multierr.Append(pathError("mark", e.Name, err), unmark(marks))
		}
		marks = append(marks, m)
	}
	return marks, nil
}

// markDirOf makes and locks a mark in e's directory, with the idle mark
// kept keeps there if any, or fails with ENOENT if the directory has no
// marks directory. *euid is the process's effective uid, or -1 until it
// is asked.
func markDirOf(e *Entry, euid *int, kept *Marks) (commitMark, error) {
	m := commitMark{e: e, dirfd: -1, fd: -1, kept: kept}
	took, err := kept.take(&m, euid)
	if err != nil {
		return m, err
	}
	if !took {
		fd, st, err := openMarksDir(e.Dir.fd)
		if err != nil {
			return m, err
		}
		if *euid < 0 {
			*euid = sys.Geteuid()
		}
		if err := checkMarksDir(e.Dir.fd, &st, uint32(*euid)); err != nil {
			sys.Close(fd)
			return m, err
		}
		m.dirfd, m.dirID = fd, idOf(&st)
	}
	if m.name, err = newMark(&m, uint32(*euid), e.settings.random); err != nil {
		sys.Close(m.dirfd)
	}
	return m, err
}

// openMarksDir opens the marks directory of dirfd (never followed if a
// link), and returns its stat.
func openMarksDir(dirfd int) (int, sys.Stat_t, error) {
	var st sys.Stat_t
	fd, err := sys.Openat(dirfd, marksDir, sys.O_RDONLY|sys.O_DIRECTORY|sys.O_NOFOLLOW|sys.O_CLOEXEC, 0)
	if err != nil {
		return -1, st, err
	}
	if err := sys.FstatUntimed(fd, &st); err != nil {
		sys.Close(fd)
		return -1, st, err
	}
	return fd, st, nil
}

// checkMarksDir fails unless a writer of uid euid may use the marks
// directory of dirfd, whose stat is st. Anyone who can write to the
// directory can make a marks directory there, so a writer uses one only
// if the directory's writers can trust it (see trustedMarks).
func checkMarksDir(dirfd int, st *sys.Stat_t, euid uint32) error {
	if st.Uid == euid || st.Uid == 0 {
		return nil // the directory's owner does not matter: a stat spared
	}
	var dst sys.Stat_t
	if err := sys.FstatUntimed(dirfd, &dst); err != nil {
		return err
	}
	if !trustedMarks(st, &dst, euid) {
		return fmt.Errorf("%s belongs to uid %d: %w", marksDir, st.Uid, fs.ErrPermission)
	}
	return nil
}

// trustedMarks reports whether marks, a marks directory in dir, belongs to
// root, to dir's owner, or to uid: a marks directory another user owns
// could lose a live batch's mark to that user, and readers of the
// directory's files would see half a set.
func trustedMarks(marks, dir *sys.Stat_t, uid uint32) bool {
	return marks.Uid == 0 || marks.Uid == dir.Uid || marks.Uid == uid
}

// Step 2: the journal (see journal.go for its format).

// newJournal writes the batch's journal in dir (see writeJournal).
func newJournal(dir *Dir, entries []*Entry, swap, durable bool) (*journalFile, error) {
	err := entries[0].settings.inject(StepJournal)
	var jf *journalFile
	if err == nil {
		jf, err = writeJournal(dir, entries, swap, durable)
	}
	if err != nil {
		return nil, pathError("journal", entries[0].Name, err)
	}
	return jf, nil
}

// A journalFile is the journal of one commit, in the directory dir. It
// stays open until the commit ends, so that the end can tell whether
// another process gave the file a name of its own (see remove).
type journalFile struct {
	dir  *Dir
	name string
	fd   int
	j    journal
}

var errJournalMoved = errors.New("the journal was renamed or linked by another process")

// writeJournal writes the journal of entries in dir, and makes it durable
// if durable: otherwise the syncfs that follows makes the temps and the
// journal durable together (see prepare). swap says the renames will
// exchange.
func writeJournal(dir *Dir, entries []*Entry, swap, durable bool) (*journalFile, error) {
	jf := &journalFile{dir: dir, j: journal{state: stateCommit, entries: make([]journalEntry, 0, len(entries))}}
	// Every directory by the path that leads to it now (a recovery in
	// another process has only paths), the journal's own among them.
	fsids := make(map[*Dir]uint64)
	note := func(d *Dir) error {
		if _, ok := fsids[d]; ok {
			return nil
		}
		fsids[d] = sys.Fsid(d.fd)
		var err error
		d.path, err = d.pathNow()
		if err == errPathUnknown && d == dir && d.walked != "" {
			// Recover finds the journal in its own directory, and needs
			// no path to it (see openDirs).
			d.path, err = filepath.Abs(d.walked)
		}
		return err
	}
	err := note(dir)
	for _, e := range entries {
		if err == nil {
			err = note(e.Dir)
		}
	}
	if err != nil {
		return nil, err
	}
	jf.j.self = journalEntry{dir: dir.path, dirID: dir.id, fsid: fsids[dir]}
	for i, e := range entries {
		if e.remove {
			if e.Exists {
				jf.j.entries = append(jf.j.entries, journalEntry{dir: e.Dir.path, dirID: e.Dir.id, fsid: fsids[e.Dir],
					name: e.Base, backup: e.aside, oldIno: e.Stat.Ino, remove: true})
			}
			continue
		}
		ino, err := e.tempInode()
		if err != nil {
			return nil, err
		}
		je := journalEntry{dir: e.Dir.path, dirID: e.Dir.id, fsid: fsids[e.Dir], name: e.Base, temp: e.temp, backup: e.backup,
			newIno: ino, noReplace: e.settings.NoReplace, unchanged: e.settings.HasExpect && e.Exists}
		if e.Exists {
			je.oldIno = e.Stat.Ino
			if e.exchanges(swap, i == len(entries)-1) {
				je.backup = e.temp
			}
		}
		jf.j.entries = append(jf.j.entries, je)
	}
	jf.name, jf.fd, err = writeRecord(dir, journalSuffix, func(name string, ino uint64) []byte {
		jf.j.self.name, jf.j.self.oldIno = name, ino
		return jf.j.encode()
	}, entries[0].settings.random, durable)
	if err != nil {
		return nil, err
	}
	return jf, nil
}

// writeRecord creates in dir a new journal (or, with tempSuffix, a temp
// one) under a fresh name, holding what content returns for that name and
// the new file's inode, and if durable makes it and its name durable. It
// returns the name and a descriptor open on the file.
func writeRecord(dir *Dir, suffix string, content func(name string, ino uint64) []byte, random func() uint64, durable bool) (string, int, error) {
	fd := -1
	name, err := createUnique(journalBase, suffix, random, func(name string) (err error) {
		fd, err = sys.Openat(dir.fd, name, sys.O_WRONLY|sys.O_CREAT|sys.O_EXCL|sys.O_NOFOLLOW|sys.O_CLOEXEC, 0o600)
		return err
	})
	if err != nil {
		return "", -1, err
	}
	var st sys.Stat_t
	err = sys.FstatUntimed(fd, &st)
	if err == nil {
		data := content(name, uint64(st.Ino))
		if len(data) > maxJournalSize {
			err = errJournalTooLarge
		} else {
			_, err = sys.WriteAll(fd, data)
		}
	}
	if err == nil && durable {
		err = sys.Fsync(fd)
	}
	if err == nil && durable {
		err = sys.Fsync(dir.fd)
	}
	if err != nil {
		sys.Close(fd)
		sys.Unlinkat(dir.fd, name, 0)
		return "", -1, err
	}
	return name, fd, nil
}

func (j *journal) encode() []byte {
	b := make([]byte, 0, 64+len(j.entries)*128)
	b = append(b, journalMagic+"\nstate "...)
	b = append(b, j.state...)
	b = append(b, '\n')
	var dirs []fileID
	dirIndex := func(e *journalEntry) int {
		if i := slices.Index(dirs, e.dirID); i >= 0 {
			return i
		}
		dirs = append(dirs, e.dirID)
		b = append(b, "dir "...)
		b = appendQuote(b, e.dir)
		b = fmt.Appendf(b, " %d %d %d\n", e.dirID.dev, e.dirID.ino, e.fsid)
		return len(dirs) - 1
	}
	self := dirIndex(&j.self)
	index := make([]int, len(j.entries))
	for i := range j.entries {
		index[i] = dirIndex(&j.entries[i])
	}
	b = fmt.Appendf(b, "journal %d ", self)
	b = appendQuote(b, j.self.name)
	b = fmt.Appendf(b, " %d\n", j.self.oldIno)
	for i, e := range j.entries {
		if e.remove {
			b = append(b, "remove "...)
		} else {
			b = append(b, "entry "...)
		}
		b = strconv.AppendInt(b, int64(index[i]), 10)
		b = append(b, ' ')
		b = appendQuote(b, e.name)
		b = append(b, ' ')
		if !e.remove {
			b = appendQuote(b, e.temp)
			b = append(b, ' ')
		}
		b = appendQuote(b, e.backup)
		b = append(b, ' ')
		b = strconv.AppendUint(b, e.oldIno, 10)
		if !e.remove {
			b = append(b, ' ')
			b = strconv.AppendUint(b, e.newIno, 10)
		}
		if e.noReplace {
			b = append(b, " noreplace"...)
		}
		if e.unchanged {
			b = append(b, " unchanged"...)
		}
		b = append(b, '\n')
	}
	return fmt.Appendf(b, "end %08x\n", crc32.Checksum(b, crc32c))
}

// appendQuote appends s in Go's quoted form, as strconv.AppendQuote does,
// taking a shortcut for the common name that needs no escape.
func appendQuote(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// Step 3: durable temps, names and marks.

// maxParallelSyncs bounds the fsyncs a batch has in flight at once. Several
// fsyncs issued together let the filesystem group them into few journal
// commits; an unbounded number would only queue on the device.
const maxParallelSyncs = 16

// syncTemps makes every temp durable, data and name, as its entry was
// sealed for (see SealMode): entries sealed CloseFile with one syncfs per
// filesystem, which lets the filesystem write everything in one journal
// commit; the others with an fsync of each temp, several at a time.
func syncTemps(entries []*Entry) error {
	if entries[0].sealMode != CloseFile {
		return syncAll(entries)
	}
	for _, e := range distinctFilesystems(entries) {
		if err := e.sync(); err != nil {
			return err
		}
	}
	return nil
}

// syncAll fsyncs every entry's temp, several at a time.
func syncAll(entries []*Entry) error {
	workers := min(len(entries), maxParallelSyncs)
	if workers <= 1 {
		var err error
		for _, e := range entries {
			err = multierr.Append(err, e.sync())
		}
		return err
	}
	errs := make([]error, len(entries))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				errs[i] = entries[i].sync()
			}
		})
	}
	for i := range entries {
		next <- i
	}
	close(next)
	wg.Wait()
	return multierr.Combine(errs...)
}

// syncMarks makes the marks durable (for batches whose temps are not made
// durable by a syncfs): a mode with its file, a name with its directory.
func syncMarks(marks []commitMark) error {
	for _, m := range marks {
		if m.byMode {
			if err := sys.FsyncBarrier(m.fd); err != nil {
				return pathError("sync", filepath.Join(filepath.Dir(m.e.Name), marksDir, m.name), err)
			}
			continue
		}
		if err := sys.FsyncBarrier(m.dirfd); err != nil {
			return pathError("syncdir", filepath.Join(filepath.Dir(m.e.Name), marksDir), err)
		}
	}
	return nil
}

// Step 4: the renames.

// beginRenames tells readers that the batch's renames begin: it locks
// each marks directory, shared (batches may rename at once), or where it
// cannot, gives the mark its renaming mode or name.
func beginRenames(marks []commitMark) error {
	for i := range marks {
		m := &marks[i]
		if sys.FlocksDirs && sys.Flock(m.dirfd, sys.LOCK_SH|sys.LOCK_NB) == nil {
			continue
		}
		if m.byMode {
			if err := sys.Fchmod(m.fd, markedMode|renamingBit); err != nil {
				return pathError("mark", m.e.Name, err)
			}
			continue
		}
		renaming := strings.TrimSuffix(m.name, markSuffix) + renamingSuffix
		if err := sys.Renameat(m.dirfd, m.name, m.dirfd, renaming); err != nil {
			return pathError("mark", m.e.Name, err)
		}
		m.name = renaming
	}
	return nil
}

// replace puts the temp in its target's place: for an existing target, a
// rename, or in a batch that swaps (see commitBatch) an exchange (see
// exchanges); for a target that did not exist, a rename that refuses to
// replace a file that appeared since: that file would have no backup.
func (e *Entry) replace(swap, last bool) error {
	switch {
	case e.settings.NoReplace:
		return e.renameNoReplace()
	case !e.Exists:
		return moveNew(e.Dir.fd, e.Dir.walked, e.temp, e.Base)
	case e.exchanges(swap, last):
		err := sys.Exchange(e.Dir.fd, e.temp, e.Base)
		if err == nil {
			e.backup = e.temp
			return nil
		}
		if err != sys.ENOENT {
			return err
		}
		// The old target is gone already: nothing to keep, and a file that
		// appears there now is not the batch's to replace.
		return moveNew(e.Dir.fd, e.Dir.walked, e.temp, e.Base)
	}
	return sys.Renameat(e.Dir.fd, e.temp, e.Dir.fd, e.Base)
}

// exchanges reports whether the entry's target is exchanged with its temp,
// after which the temp's name holds the old content: the backup, for undo
// and for Recover. Every existing target of a batch that swaps is, but the
// last: no rename after it can fail and turn the batch back, so its old
// content is never needed, and a plain rename spares the unlink.
func (e *Entry) exchanges(swap, last bool) bool { return swap && e.Exists && !last && !e.remove }

// endRenames lets go of the marks directories' locks: the renames are
// done. A mark that has its renaming name keeps it to its end.
func endRenames(marks []commitMark) {
	if !sys.FlocksDirs {
		return
	}
	for _, m := range marks {
		sys.Flock(m.dirfd, sys.LOCK_UN)
	}
}

// Steps 5 and 6: durable renames, and the end.

// syncDirs fsyncs each distinct directory of entries once.
func syncDirs(entries []*Entry) error {
	var err error
	for _, e := range distinctDirs(entries) {
		err = multierr.Append(err, e.syncDir())
	}
	return err
}

// unmark ends the marks: each takes back its idle mode or name, or is
// removed if that name is taken. A mark loses its mark's mode or name
// before its lock is let go of, so a reader never finds a live batch's
// mark unlocked (but where a file open cannot be removed: see
// unlinkOpen).
func unmark(marks []commitMark) error {
	var err error
	for _, m := range marks {
		idle := false
		switch {
		case m.byMode:
			if cerr := sys.Fchmod(m.fd, markMode); cerr != nil {
				err = multierr.Append(err, pathError("unmark", m.e.Name, fmt.Errorf("commit mark %s: %w", filepath.Join(marksDir, m.name), cerr)))
				sys.Close(m.fd) // a dead batch's mark now, for Recover
				sys.Close(m.dirfd)
				continue
			}
			idle = true
		case m.idle != "":
			idle = moveNew(m.dirfd, "", m.name, m.idle) == nil
		}
		if idle {
			if !m.kept.keep(&m) {
				sys.Close(m.fd)
				sys.Close(m.dirfd)
			}
			continue
		}
		if !unlinkOpen {
			sys.Close(m.fd)
		}
		if uerr := sys.Unlinkat(m.dirfd, m.name, 0); uerr != nil && uerr != sys.ENOENT {
			err = multierr.Append(err, pathError("remove", m.e.Name, fmt.Errorf("commit mark %s: %w", filepath.Join(marksDir, m.name), uerr)))
		}
		if unlinkOpen {
			sys.Close(m.fd)
		}
		sys.Close(m.dirfd)
	}
	return err
}

// removeBackups removes the backups once every rename is done and durable.
// A backup that cannot be removed is left behind, and said so: the new
// content is in place all the same.
func removeBackups(entries []*Entry) error {
	var err error
	for _, e := range entries {
		if e.backup == "" {
			continue
		}
		if uerr := sys.Unlinkat(e.Dir.fd, e.backup, 0); uerr != nil && uerr != sys.ENOENT {
			what := "new content is in place, but the old content is left behind as " + e.backup
			err = multierr.Append(err, pathError("remove", e.Name, inPlace{what, uerr}))
		}
		e.backup = ""
	}
	return err
}

// remove ends the journal: the transaction is over. The name goes, without
// an fsync: a journal that comes back after a crash only makes Recover redo
// what is already done. And the file must go with it: a journal that
// another process renamed or linked meanwhile would live on under that
// name, the record of a transaction that has ended, which a Recover must
// never act on. So a file that keeps a name (see sys.UnlinkOpen), or whose
// name cannot be removed, is emptied, and the error says why.
func (jf *journalFile) remove() error {
	if jf == nil {
		return nil
	}
	kept, err := sys.UnlinkOpen(jf.dir.fd, jf.name, jf.fd)
	if kept {
		err = multierr.Append(errJournalMoved, err)
	}
	if err != nil {
		err = voidJournal(jf.fd, err)
	}
	jf.close()
	return err
}

// close lets go of the journal's descriptor: the journal stays for Recover.
func (jf *journalFile) close() {
	if jf != nil && jf.fd >= 0 {
		sys.Close(jf.fd)
		jf.fd = -1
	}
}

// voidJournal empties, durably, the journal open on fd, whose name could
// not be removed for cause (nil: as a precaution): an empty journal is
// taken for a torn one, and Recover only removes it.
func voidJournal(fd int, cause error) error {
	err := sys.Ftruncate(fd, 0)
	if err == nil {
		err = sys.Fsync(fd)
	}
	switch {
	case cause == nil:
		return err
	case err != nil:
		return fmt.Errorf("%w; emptying it failed too: %w", cause, err)
	}
	return fmt.Errorf("%w: emptied, so that it is never replayed", cause)
}

// A turn back, after a failed rename.

// turnBack undoes a commit whose rename of entries[failed] failed: it
// records the turn in the journal, puts back the targets replaced so far,
// removes the journal, and only then the remaining temps and backups, so
// that a crash at any point in between is recovered to the old targets.
func turnBack(entries []*Entry, failed int, jf *journalFile, marks []commitMark) error {
	var err error
	if terr := jf.turnBack(entries[0].settings.random); terr != nil {
		err = pathError("journal", entries[0].Name, terr)
	}
	if uerr := undo(entries[:failed]); uerr != nil {
		err = multierr.Append(err, uerr)
		if jf.j.state == stateRollback {
			// Leave the journal, and every temp it names, to Recover: it
			// will finish putting the old targets back. The marks stay
			// too: readers of the targets see that they await Recover.
			jf.close()
			closeMarks(marks)
			return multierr.Append(err, pathError("undo", entries[0].Name,
				fmt.Errorf("journal %s kept; run Recover on its directory", jf.name)))
		}
	}
	err = multierr.Append(err, unmark(marks))
	if rerr := jf.remove(); rerr != nil {
		err = multierr.Append(err, pathError("remove", entries[0].Name, fmt.Errorf("journal %s: %w", jf.name, rerr)))
	}
	return multierr.Append(err, discardAll(entries))
}

// turnBack records, durably, that the commit is being undone: a crash from
// now on must lead to the old targets, not the new. The new journal is
// written under a temp name and renamed over the old one, which must then
// be gone: a commit record that another process kept under a name of its
// own is emptied before anything is undone (see replaceRecord).
func (jf *journalFile) turnBack(random func() uint64) error {
	jf.j.state = stateRollback
	tmp, fd, err := writeRecord(jf.dir, tempSuffix, func(_ string, ino uint64) []byte {
		jf.j.self.oldIno = ino // renamed, it keeps its inode
		return jf.j.encode()
	}, random, true)
	if err != nil {
		return err
	}
	if err := jf.replaceRecord(tmp, fd); err != nil {
		sys.Unlinkat(jf.dir.fd, tmp, 0)
		sys.Close(fd)
		return err
	}
	return sys.Fsync(jf.dir.fd)
}

// undo puts back the targets that the renames of done replaced, last first,
// and fsyncs their directories so that the restored state is the durable one.
func undo(done []*Entry) error {
	var err error
	for i := len(done) - 1; i >= 0; i-- {
		e := done[i]
		if rerr := e.settings.inject(StepUndo); rerr != nil {
			err = multierr.Append(err, pathError("restore", e.Name, rerr))
			continue
		}
		if e.backup != "" {
			if rerr := sys.Renameat(e.Dir.fd, e.backup, e.Dir.fd, e.Base); rerr != nil {
				// The backup is now the only copy of the old content: keep
				// it, and say where it is.
				err = multierr.Append(err, pathError("restore", e.Name, fmt.Errorf("%w (old content kept as %s)", rerr, e.backup)))
			}
			e.backup = ""
		} else if e.remove {
			// Never moved aside: the target is where it was.
		} else if rerr := sys.Unlinkat(e.Dir.fd, e.Base, 0); rerr != nil && rerr != sys.ENOENT {
			err = multierr.Append(err, pathError("remove", e.Name, rerr))
		}
	}
	for _, e := range distinctDirs(done) {
		if serr := sys.Fsync(e.Dir.fd); serr != nil {
			err = multierr.Append(err, pathError("syncdir", e.Name, serr))
		}
	}
	return err
}

// closeMarks lets go of the marks, leaving them in place: for Recover,
// when a batch's journal is kept.
func closeMarks(marks []commitMark) {
	for _, m := range marks {
		sys.Close(m.fd)
		sys.Close(m.dirfd)
	}
}

// distinctFilesystems returns the first entry of each filesystem among
// entries.
func distinctFilesystems(entries []*Entry) []*Entry {
	var devs []uint64
	var firsts []*Entry
	for _, e := range entries {
		if !slices.Contains(devs, e.Dir.id.dev) {
			devs = append(devs, e.Dir.id.dev)
			firsts = append(firsts, e)
		}
	}
	return firsts
}

// distinctDirs returns the first entry of each directory among entries.
func distinctDirs(entries []*Entry) []*Entry {
	seen := make(map[*Dir]bool)
	var firsts []*Entry
	for _, e := range entries {
		if !seen[e.Dir] {
			seen[e.Dir] = true
			firsts = append(firsts, e)
		}
	}
	return firsts
}
