package protocol

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	marks, err := markDirs(entries)
	if err != nil {
		return multierr.Append(err, discardAll(entries))
	}
	jf, swap, err := prepare(entries, opts, cas, marks)
	if err != nil {
		return multierr.Combine(err, unmark(marks), discardAll(entries))
	}
	if cas {
		for _, e := range entries {
			e.beforeRename()
		}
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

// syncDirs fsyncs each distinct directory of entries once.
func syncDirs(entries []*Entry) error {
	var err error
	for _, e := range distinctDirs(entries) {
		err = multierr.Append(err, e.syncDir())
	}
	return err
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
