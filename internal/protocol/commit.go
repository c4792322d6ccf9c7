package protocol

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"go.uber.org/multierr"
	"golang.org/x/sys/unix"
)

// maxParallelSyncs bounds the fsyncs a batch has in flight at once. Several
// fsyncs issued together let the filesystem group them into few journal
// commits; an unbounded number would only queue on the device.
const maxParallelSyncs = 16

var errTempReplaced = errors.New("temp file was replaced by another file")

// CommitOptions are a batch's choices.
type CommitOptions struct {
	JournalDir *Dir // where the journal goes; nil: the first entry's directory
	// PerFileSync makes a batch fsync each temp (several at a time) and
	// each directory, instead of one syncfs per filesystem.
	PerFileSync bool
	// Context, when not nil, is checked (with each entry's own) just
	// before the commit point: once it is done, nothing is replaced.
	Context context.Context
}

// cancelled reports the error of the first done context among the batch's
// and its entries', naming the entry it stops.
func cancelled(entries []*Entry, ctx context.Context) error {
	if ctx != nil && ctx.Err() != nil {
		return pathError("commit", entries[0].Name, ctx.Err())
	}
	for _, e := range entries {
		if c := e.settings.Context; c != nil && c.Err() != nil {
			return pathError("commit", e.Name, c.Err())
		}
	}
	return nil
}

// Commit makes every sealed entry's content its target's, in order.
//
// A single entry:
//
//  1. fsync the temp, so that the rename below can never expose a file
//     whose data has not reached the disk;
//
// a batch of more than one entry:
//
//  1. only where the filesystem cannot exchange two names (see
//     canExchange): hard-link each old target (but the last) to a backup
//     name, so that a failed rename can put back what earlier renames
//     replaced;
//  2. make every temp durable, data and name, and every backup's name: one
//     syncfs per filesystem, which lets the filesystem write everything in
//     one journal commit (the cost: it also flushes other processes' dirty
//     data there); or, with PerFileSync, an fsync of each temp (16 at a
//     time) and of each directory;
//  3. write and fsync the intent journal: the commit point;
//
// then:
//
//  4. rename each temp over its target, in the order given; where the
//     filesystem can, a batch exchanges temp and target instead, so that
//     the temp's name keeps the old content for the undo (the backup costs
//     no system call of its own; the last target needs none), and a new
//     target is renamed only if nothing took its name since it was staged;
//  5. remove the backups;
//  6. fsync each distinct directory once, so that the renames (and the
//     removals) survive a power loss; then remove the journal.
//
// On an error before the commit point no target is changed; on an error in
// the renames the journal is turned to "rollback" and the renames before it
// are undone. Either way no temp, backup or journal remains. An error in
// steps 5 or 6 wraps ErrNotDurable: every target already holds its new
// content (and a journal kept in place lets Recover finish the job).
//
// Commit consumes the entries: afterwards they hold no file or name.
func Commit(entries []*Entry, opts CommitOptions) error {
	for _, e := range entries {
		if e.err != nil || !e.sealed {
			err := e.err
			if err == nil {
				err = pathError("commit", e.Name, errors.New("content not finished"))
			}
			return multierr.Append(err, discardAll(entries))
		}
	}
	var jf *journalFile
	swap := false
	switch len(entries) {
	case 0:
		return nil
	case 1:
		// Open (a single write), or closed by a batch of one.
		sync := syncAll
		if !entries[0].file.open() && !opts.PerFileSync && haveSyncfs() {
			sync = syncFilesystems
		}
		err := sync(entries)
		if err == nil {
			err = cancelled(entries, opts.Context)
		}
		if err != nil {
			return multierr.Append(err, discardAll(entries))
		}
	default:
		var err error
		if jf, swap, err = prepare(entries, opts); err != nil {
			return multierr.Append(err, discardAll(entries))
		}
	}
	for i, e := range entries {
		err := e.settings.inject(StepRename)
		if err == nil {
			err = e.replace(swap, i == len(entries)-1)
		}
		if err != nil {
			return multierr.Append(pathError("rename", e.Name, err), turnBack(entries, i, jf))
		}
		e.temp = ""
	}
	err := multierr.Append(removeBackups(entries), syncDirs(entries))
	switch {
	case jf == nil:
	case err != nil:
		// The renames may not survive a power loss; the journal lets
		// Recover redo them if they do not.
		what := "new content is in place; journal " + jf.name + " kept for Recover"
		err = multierr.Append(err, pathError("commit", entries[0].Name, inPlace{what, errors.New("run Recover on its directory")}))
	default:
		if rerr := jf.remove(); rerr != nil {
			what := "new content is in place, but the journal is left behind as " + jf.name
			err = pathError("remove", entries[0].Name, inPlace{what, rerr})
		}
	}
	return err
}

// prepare takes a batch to its commit point: backups, durable names, and
// the journal. It reports whether the renames will exchange (see Commit).
func prepare(entries []*Entry, opts CommitOptions) (*journalFile, bool, error) {
	swap := !entries[0].settings.LinkBackups && exchangeable(entries)
	if !swap {
		if err := linkBackups(entries[:len(entries)-1]); err != nil {
			return nil, false, err
		}
	}
	if opts.PerFileSync || !haveSyncfs() {
		if err := syncAll(entries); err != nil {
			return nil, false, err
		}
		for _, e := range distinctDirs(entries) {
			err := e.settings.inject(StepSyncStaged)
			if err == nil {
				err = syncFD(e.Dir.fd)
			}
			if err != nil {
				return nil, false, pathError("syncdir", e.Name, err)
			}
		}
	} else if err := syncFilesystems(entries); err != nil {
		return nil, false, err
	}
	if err := cancelled(entries, opts.Context); err != nil {
		return nil, false, err
	}
	journalDir := opts.JournalDir
	if journalDir == nil {
		journalDir = entries[0].Dir
	}
	err := entries[0].settings.inject(StepJournal)
	if err != nil {
		return nil, false, pathError("journal", entries[0].Name, err)
	}
	jf, err := writeJournal(journalDir, entries, swap)
	if errors.Is(err, errors.ErrUnsupported) {
		return nil, swap, nil // no journal on this system: in-process undo only
	}
	if err != nil {
		return nil, false, pathError("journal", entries[0].Name, err)
	}
	return jf, swap, nil
}

// exchangeable reports whether every filesystem of the batch can exchange
// two names.
func exchangeable(entries []*Entry) bool {
	for _, e := range distinctFilesystems(entries) {
		if !canExchange(e.Dir.fd) {
			return false
		}
	}
	return true
}

// replace puts the temp in its target's place: a rename; or in a batch that
// swaps (see Commit), for an existing target, an exchange (see exchanges),
// and for a target that did not exist, a rename that refuses to replace a
// file that appeared since: that file would have no backup.
func (e *Entry) replace(swap, last bool) error {
	switch {
	case !swap:
		return unix.Renameat(e.Dir.fd, e.temp, e.Dir.fd, e.Base)
	case e.exchanges(swap, last):
		err := exchange(e.Dir.fd, e.temp, e.Base)
		if err == nil {
			e.backup = e.temp
			return nil
		}
		if err != unix.ENOENT {
			return err
		}
		// The old target is gone already: nothing to keep.
	case e.Exists:
		return unix.Renameat(e.Dir.fd, e.temp, e.Dir.fd, e.Base)
	}
	return renameNoReplace(e.Dir.fd, e.temp, e.Base)
}

// exchanges reports whether the entry's target is exchanged with its temp,
// after which the temp's name holds the old content: the backup, for undo
// and for Recover. Every existing target of a batch that swaps is, but the
// last: no rename after it can fail and turn the batch back, so its old
// content is never needed, and a plain rename spares the unlink.
func (e *Entry) exchanges(swap, last bool) bool { return swap && e.Exists && !last }

// turnBack undoes a commit whose rename of entries[failed] failed: it
// records the turn in the journal, puts back the targets replaced so far,
// removes the journal, and only then the remaining temps and backups, so
// that a crash at any point in between is recovered to the old targets.
func turnBack(entries []*Entry, failed int, jf *journalFile) error {
	var err error
	if jf != nil {
		if terr := jf.turnBack(entries[0].settings.random); terr != nil {
			err = pathError("journal", entries[0].Name, terr)
		}
	}
	if uerr := undo(entries[:failed]); uerr != nil {
		err = multierr.Append(err, uerr)
		if jf != nil && jf.j.state == stateRollback {
			// Leave the journal, and every temp it names, to Recover: it
			// will finish putting the old targets back.
			return multierr.Append(err, pathError("undo", entries[0].Name,
				fmt.Errorf("journal %s kept; run Recover on its directory", jf.name)))
		}
	}
	if jf != nil {
		if rerr := jf.remove(); rerr != nil {
			err = multierr.Append(err, pathError("remove", entries[0].Name, fmt.Errorf("journal %s: %w", jf.name, rerr)))
		}
	}
	return multierr.Append(err, discardAll(entries))
}

// removeBackups removes the backups once every rename is done. It comes
// before the directory fsyncs, so that those make the removals durable too.
// A backup that cannot be removed is left behind, and said so: the new
// content is in place all the same.
func removeBackups(entries []*Entry) error {
	var err error
	for _, e := range entries {
		if e.backup == "" {
			continue
		}
		if uerr := unix.Unlinkat(e.Dir.fd, e.backup, 0); uerr != nil && uerr != unix.ENOENT {
			what := "new content is in place, but the old content is left behind as " + e.backup
			err = multierr.Append(err, pathError("remove", e.Name, inPlace{what, uerr}))
		}
		e.backup = ""
	}
	return err
}

// syncFilesystems makes every temp durable, and every name in the entries'
// directories, with one syncfs per filesystem. The temps of a batch are
// closed, and an unnamed temp is named when closed, so there is nothing to
// do for them one by one.
func syncFilesystems(entries []*Entry) error {
	for _, e := range distinctFilesystems(entries) {
		err := e.settings.inject(StepSync)
		if err == nil {
			err = syncfs(e.Dir.fd)
		}
		if err != nil {
			return pathError("syncfs", e.Name, err)
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

// sync flushes the entry's temp to disk and closes it. A temp that was
// closed when sealed is reopened by name in its directory; the inode check
// makes sure it is still the file this entry wrote.
func (e *Entry) sync() error {
	if !e.file.open() {
		// O_NONBLOCK: a FIFO swapped in for the temp would block an open
		// for reading until a writer came; the inode check refuses it.
		fd, err := unix.Openat(e.Dir.fd, e.temp, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			return pathError("open", e.Name, err)
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			unix.Close(fd)
			return pathError("stat", e.Name, err)
		}
		// The type as well as the inode: a freed inode number may be
		// reused at once by whatever replaced the temp.
		if (fileID{uint64(st.Dev), uint64(st.Ino)}) != e.tempID || st.Mode&unix.S_IFMT != unix.S_IFREG {
			unix.Close(fd)
			e.temp = "" // not ours any more: never remove it
			return pathError("sync", e.Name, errTempReplaced)
		}
		err = e.settings.inject(StepSync)
		if err == nil {
			err = syncFD(fd)
		}
		unix.Close(fd)
		if err != nil {
			return pathError("sync", e.Name, err)
		}
		return nil
	}
	// The name comes before the fsync: btrfs makes a file linked after
	// its fsync durable only with another fsync.
	if err := e.name(); err != nil {
		return err
	}
	err := e.settings.inject(StepSync)
	if err == nil {
		err = syncFD(e.file.fd)
	}
	if err != nil {
		e.file.close()
		return pathError("sync", e.Name, err)
	}
	return e.closeFile()
}

// linkBackups keeps each existing target reachable under a backup name until
// the renames are done. A target that does not exist (any more) gets none:
// undoing its rename means removing it.
func linkBackups(entries []*Entry) error {
	for _, e := range entries {
		for try := 1; ; try++ {
			name := randomName(e.Base, backupSuffix, e.settings.random())
			err := e.settings.inject(StepLink)
			if err == nil {
				err = linkIn(e.Dir.fd, e.Base, name)
			}
			switch err {
			case nil:
				e.backup = name
			case unix.ENOENT:
			case unix.EEXIST, unix.EINTR:
				if try < maxNameTries {
					continue
				}
				return pathError("link", e.Name, gaveUp(err))
			default:
				return pathError("link", e.Name, err)
			}
			break
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
			if rerr := unix.Renameat(e.Dir.fd, e.backup, e.Dir.fd, e.Base); rerr != nil {
				// The backup is now the only copy of the old content: keep
				// it, and say where it is.
				err = multierr.Append(err, pathError("restore", e.Name, fmt.Errorf("%w (old content kept as %s)", rerr, e.backup)))
			}
			e.backup = ""
		} else if rerr := unix.Unlinkat(e.Dir.fd, e.Base, 0); rerr != nil && rerr != unix.ENOENT {
			err = multierr.Append(err, pathError("remove", e.Name, rerr))
		}
	}
	for _, e := range distinctDirs(done) {
		if serr := syncFD(e.Dir.fd); serr != nil {
			err = multierr.Append(err, pathError("syncdir", e.Name, serr))
		}
	}
	return err
}

// syncDirs fsyncs each distinct directory of entries once. Its errors name
// the first target in that directory and wrap ErrNotDurable.
func syncDirs(entries []*Entry) error {
	var err error
	for _, e := range distinctDirs(entries) {
		serr := e.settings.inject(StepSyncDir)
		if serr == nil {
			serr = syncFD(e.Dir.fd)
		}
		if serr != nil {
			err = multierr.Append(err, pathError("syncdir", e.Name, notDurable(serr)))
		}
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
	if len(entries) == 1 {
		return entries
	}
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

// discardAll removes what remains of every entry: temps and backups.
func discardAll(entries []*Entry) error {
	var err error
	for _, e := range entries {
		err = multierr.Append(err, e.Discard())
	}
	return err
}
