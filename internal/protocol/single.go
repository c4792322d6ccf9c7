package protocol

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"unsafe"

	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// A Single is the atomic write of one file. Its steps follow in order
// below, numbered as docs/protocol.md numbers them; each is one call, and
// each policy (owner and mode, compare-and-swap, create-only, new
// directories) one call more. Package atomic runs it; a Tx of one entry
// commits through commitOne as well.
type Single struct {
	dirs  Dirs
	entry Entry
}

// WriteFile is a whole single write of data to name: Begin, write,
// Commit. The content is written without Write's lock and checks: no
// other goroutine has the entry. A failure is kept in the entry, and
// Commit reports it and cleans up.
func WriteFile(name string, data []byte, s Settings) error {
	var w Single
	if err := w.Begin(name, s, false); err != nil {
		return err
	}
	w.entry.write(data)
	return w.Commit(nil)
}

// WriteString is WriteFile with a string, not copied: write(2) only reads
// it.
func WriteString(name, data string, s Settings) error {
	return WriteFile(name, unsafe.Slice(unsafe.StringData(data), len(data)), s)
}

// Begin starts the write of name; stream says that the content will
// stream in (see Entry.Stage). Its steps:
//
//  1. open the directory that finally holds the target, following its
//     symlinks, and making the directories it lacks if asked (mkdir.go);
//  2. lock it, shared (dir.go), for Recover to leave the temp alone;
//  3. create the temp in that same directory: a rename is atomic only
//     within one filesystem, and only the directory's own fsync makes it
//     durable.
//
// Every step after the first works on the handle of the directory that it
// opens: a directory renamed or swapped along the path meanwhile cannot
// redirect the write.
func (w *Single) Begin(name string, s Settings, stream bool) error {
	if s.Context != nil && s.Context.Err() != nil {
		return pathError("create", name, s.Context.Err())
	}
	w.dirs = Dirs{Single: true}
	t, err := Resolve(name, &w.dirs, &s) // 1, 2
	if err == nil {
		err = w.entry.Stage(t, s, stream) // 3
	}
	if err != nil {
		w.dirs.Close()
	}
	return err
}

// Entry is where the content goes (4. write), between Begin and Commit.
func (w *Single) Entry() *Entry { return &w.entry }

// Commit makes the written content the target's. It ends the write. It
// first gives the temp its owner and mode (5: see Seal for why only now),
// keeping its descriptor open for the fsync.
func (w *Single) Commit(ctx context.Context) error {
	e := &w.entry
	e.Seal(KeepOpen) // a failure is kept in e, and commitOne reports it
	return w.dirs.End(commitOne(e, ctx))
}

// Discard abandons the write: the temp is removed, the target untouched.
func (w *Single) Discard() error {
	defer w.dirs.Close()
	return w.entry.Discard()
}

// commitOne puts one sealed entry in its target's place:
//
//  6. name an unnamed temp, 7. fsync it, 8. close it: the data must be
//     durable before its name can replace the target's, or a power loss
//     just after the rename could leave the target empty or torn; then
//     comes the last chance for a cancellation, and a compare-and-swap
//     checks the target's version, holding its lock to the rename
//     (version.go);
//  9. the commit point: rename(2) replaces the name in one step, so a
//     reader opens either the old file or the new one, never a mix (a
//     create-only write renames only if the name is free: noreplace.go);
//  10. the rename is an entry of the directory: durable once the directory
//     is fsynced.
func commitOne(e *Entry, ctx context.Context) error {
	err := e.committable()
	if err == nil {
		err = e.sync() // 6, 7, 8
	}
	if err == nil {
		err = e.cancelled(ctx)
	}
	if err == nil && e.comparesVersion() {
		defer e.unlockVersion()
		err = e.lockVersion()
	}
	if err != nil {
		return multierr.Append(err, e.Discard())
	}
	err = e.settings.inject(StepRename) // 9
	if err == nil && e.settings.NoReplace {
		err = e.renameNoReplace()
	} else if err == nil {
		err = sys.Renameat(e.Dir.fd, e.temp, e.Dir.fd, e.Base)
	}
	if err != nil {
		return multierr.Append(pathError("rename", e.Name, err), e.Discard())
	}
	e.temp = ""
	return e.syncDir() // 10
}

// inject calls the test seam Settings.Inject, if set, before step: its error
// stands for the step's system call failing.
func (s *Settings) inject(step Step) error {
	if s.Inject == nil {
		return nil
	}
	return s.Inject(step)
}

// An Entry is one staged write: a temp file next to its target that holds
// (or is receiving) the new content.
//
// Its content may be written from one goroutine while another seals or
// discards it (a Tx rolled back, a File closed, a context cancelled): mu
// makes each write finish before the temp's descriptor is closed, so that a
// late write can never reach a file that reuses the descriptor's number;
// after that, writes fail with fs.ErrClosed. Once sealed, an entry belongs
// to the goroutine that commits it.
type Entry struct {
	Target
	settings Settings
	temp     string   // the temp file's name in Target.Dir; "" while unnamed
	file     tempFile // open while content is written; closed once sealed (batches)
	unnamed  bool     // the temp has no name yet (O_TMPFILE)
	tempID   fileID   // the temp's inode, in a batch's journal; checked when it is reopened to sync
	backup   string   // batches: a hard link to the old target, for undo
	sealMode SealMode // how Seal left the temp, and so how Commit syncs it

	// A removal has no temp: Commit moves the target aside to this backup
	// name (chosen before the journal records it), and removes it once
	// every rename is done.
	remove bool
	aside  string

	// The compare-and-swap lock on the target (see version.go), held from
	// the check to the rename: the target, open; on Windows, a named lock
	// too (see lockTarget).
	lockFD   int
	lockName int
	locked   bool

	mu     sync.Mutex // held by each write, by Seal and by Discard
	err    error      // the first failure; a failed entry is never committed
	sealed bool
	ended  bool // discarded: writes fail
}

// Stage creates the temp file for t in e (step 3), with O_EXCL and
// O_NOFOLLOW: a file or symlink planted at its name is refused, never
// opened or followed.
//
// A new file without an explicit mode is created as os.WriteFile or a
// shell redirect would create it: 0666 (or the Perm asked for), from which
// the kernel removes the umask (or applies the directory's default ACL).
// That is already the final mode, so the temp grants nothing the final
// file will not. In every other case the temp starts with no group or
// other bits and gets its final mode in Seal, after the content is
// written.
//
// For content that streams in (stream), and where the filesystem can
// (O_TMPFILE, on Linux), the temp has no name while the content is written:
// a writer killed meanwhile leaves nothing behind. It is named (linked)
// only when it must be: before it is synced, or when a batch closes it.
// Content given whole is written at once, so its temp is named from the
// start: naming it later would only add a link(2) to the same window.
func (e *Entry) Stage(t Target, s Settings, stream bool) error {
	*e = Entry{Target: t, settings: s, file: tempFile{fd: -1}}
	if s.HasMode || s.HasPerm || s.HasExpect || s.NoReplace {
		if err := checkOptions(&e.Target, &e.settings); err != nil {
			return err
		}
	}
	perm := uint32(0o600)
	if !s.HasMode && !t.Exists {
		perm = 0o666
		if s.HasPerm {
			perm = uint32(s.Perm)
		}
	}
	if err := e.settings.inject(StepCreate); err != nil {
		return pathError("createtemp", t.Name, err)
	}
	if stream && !s.NamedTemps {
		if done, err := e.createUnnamed(perm); done {
			return err
		}
	}
	var err error
	e.temp, err = createUnique(t.Base, tempSuffix, e.settings.random, func(name string) (err error) {
		e.file.fd, err = sys.Openat(t.Dir.fd, name, sys.O_WRONLY|sys.O_CREAT|sys.O_EXCL|sys.O_NOFOLLOW|sys.O_CLOEXEC, perm)
		return err
	})
	if err != nil {
		e.file.fd = -1
		return pathError("createtemp", t.Name, err)
	}
	return nil
}

// checkOptions checks the options that concern the target, before
// anything is created: a valid mode or perm, the version expected
// (compare-and-swap), a target absent (create-only).
func checkOptions(t *Target, s *Settings) error {
	if s.HasExpect && !s.Expect.Exists {
		// Expected absent: create-only, and a name taken is a change.
		s.NoReplace = true
	}
	if s.HasMode {
		if _, err := unixMode(s.Mode); err != nil {
			return pathError("chmod", t.Name, err)
		}
	}
	if s.HasPerm && s.Perm&^fs.ModePerm != 0 {
		return pathError("create", t.Name, fmt.Errorf("perm %v: only permission bits: %w", s.Perm, fs.ErrInvalid))
	}
	if s.HasExpect {
		if err := checkVersion(t, s); err != nil {
			return err
		}
	}
	if s.NoReplace && t.Exists {
		return pathError("create", t.Name, fs.ErrExist)
	}
	return nil
}

// createUnnamed creates the temp without a name (O_TMPFILE), for content
// that streams in. done is false where the filesystem cannot: then the
// temp is named from the start.
func (e *Entry) createUnnamed(perm uint32) (done bool, err error) {
	fd, err := sys.OpenUnnamed(e.Dir.fd, perm)
	switch {
	case err == sys.ENOTSUP:
		return false, nil
	case err != nil:
		return true, pathError("createtemp", e.Name, err)
	}
	e.file.fd, e.unnamed = fd, true
	return true, nil
}

// StageRemove makes e the removal of t's entry (see ResolveName). It has
// no content: it is sealed at once, as mode says its batch's entries are.
func (e *Entry) StageRemove(t Target, s Settings, mode SealMode) {
	*e = Entry{Target: t, settings: s, file: tempFile{fd: -1}, remove: true, sealed: true, sealMode: mode}
}

// Write appends p to the staged content (step 4).
func (e *Entry) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.writable(); err != nil {
		return 0, err
	}
	return e.write(p)
}

// write is Write once the entry is held and checked (or, in WriteFile,
// not yet shared).
func (e *Entry) write(p []byte) (n int, err error) {
	if err = e.settings.inject(StepWrite); err == nil {
		n, err = e.file.write(p)
	}
	if err != nil {
		return n, e.fail(pathError("write", e.Name, err))
	}
	return n, nil
}

// WriteString is Write without copying s: write(2) only reads it.
func (e *Entry) WriteString(s string) (int, error) {
	return e.Write(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// ReadFrom appends everything r yields. It copies through the kernel
// (copy_file_range) where it can and a fixed buffer otherwise, so
// memory does not grow with the input. r is read without holding the
// entry, so that a reader that blocks cannot keep Discard waiting: each
// write into the temp is one write (or one bounded kernel copy) of Write's
// kind.
func (e *Entry) ReadFrom(r io.Reader) (int64, error) {
	e.mu.Lock()
	err := e.writable()
	if err == nil {
		if ierr := e.settings.inject(StepWrite); ierr != nil {
			err = e.fail(pathError("write", e.Name, ierr))
		}
	}
	e.mu.Unlock()
	if err != nil {
		return 0, err
	}
	n, err := readFrom(entryWriter{e}, r)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path == fileName {
			return n, e.failLocked(pathError("write", e.Name, pe.Err))
		}
		if errors.Is(err, errEntryWrite) {
			return n, e.check() // the write's own error, kept by the entry
		}
		// Anything else came from r.
		return n, e.failLocked(pathError("read", e.Name, err))
	}
	return n, nil
}

// check reports, holding the entry, whether content may still be written.
func (e *Entry) check() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.writable()
}

// failLocked is fail, holding the entry.
func (e *Entry) failLocked(err error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.fail(err)
}

// writable reports whether content may still be written. e.mu is held.
// Ended and sealed come first: once either is set, the entry's other
// fields belong to the goroutine that ended it.
func (e *Entry) writable() error {
	if e.ended || e.sealed {
		return pathError("write", e.Name, fs.ErrClosed)
	}
	if e.err != nil {
		return e.err
	}
	if !e.file.open() {
		return pathError("write", e.Name, fs.ErrClosed)
	}
	return nil
}

// fail records err as the entry's first failure and returns it.
func (e *Entry) fail(err error) error {
	if e.err == nil {
		e.err = err
	}
	return e.err
}

// Err reports the entry's first failure, if any.
func (e *Entry) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// A SealMode says what Seal does with the temp's descriptor.
type SealMode int

const (
	// KeepOpen keeps it for Commit to fsync: a single write.
	KeepOpen SealMode = iota
	// CloseFile closes it, so that a large batch does not hold one
	// descriptor per entry: a batch whose Commit syncs by syncfs.
	CloseFile
	// CloseForReopen closes it and notes which file it was: a batch whose
	// Commit reopens each temp by name to fsync it, and checks that the
	// name still leads to this file.
	CloseForReopen
)

// BatchSealMode is how a batch seals its entries: closed, and noted for
// reopening if its Commit will sync per file (perFileSync, or a system
// without syncfs); kept open where a temp cannot be reopened to be
// flushed (sealKeepsOpen).
func BatchSealMode(perFileSync bool) SealMode {
	switch {
	case sealKeepsOpen:
		return KeepOpen
	case perFileSync || !sys.HaveSyncfs():
		return CloseForReopen
	}
	return CloseFile
}

// Seal ends the content: it gives the temp its owner and final mode (step
// 5), and does with its descriptor what mode says.
//
// Owner and mode are set after the content is written because a write by a
// process without CAP_FSETID clears setuid and setgid, and owner before mode
// because fchown clears them too.
func (e *Entry) Seal(mode SealMode) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.ended:
		return pathError("seal", e.Name, fs.ErrClosed)
	case e.err != nil:
		return e.err
	case e.sealed:
		return nil
	}
	if e.Exists || e.settings.HasMode {
		if err := e.setOwnerAndMode(); err != nil {
			return e.fail(err)
		}
	}
	e.sealed, e.sealMode = true, mode
	if mode == KeepOpen {
		return nil
	}
	return e.closeSealed()
}

// setOwnerAndMode gives the temp the old target's owner and mode, or the
// mode asked for (WithMode).
func (e *Entry) setOwnerAndMode() error {
	perm := uint32(e.Stat.Mode) & 0o7777
	if e.Exists && !e.ownedLikeTarget() {
		var err error
		if perm, err = e.chownLikeTarget(perm); err != nil {
			return err
		}
	}
	if e.settings.HasMode {
		perm, _ = unixMode(e.settings.Mode) // checked in Stage
	}
	err := e.settings.inject(StepChmod)
	if err == nil {
		err = sys.Fchmod(e.file.fd, perm)
	}
	if err != nil {
		return pathError("chmod", e.Name, err)
	}
	return nil
}

// closeSealed names and closes a batch's sealed temp, noting which file it
// is: the journal records it, and a reopen (CloseForReopen) checks it.
func (e *Entry) closeSealed() error {
	if err := e.linkTemp(); err != nil {
		return err
	}
	if _, err := e.tempInode(); err != nil {
		return e.fail(err)
	}
	return e.closeFile()
}

// tempInode returns the temp's inode number, which a batch's journal
// records and a reopen checks: read from its open descriptor the first
// time it is statted.
func (e *Entry) tempInode() (uint64, error) {
	if e.tempID.ino == 0 {
		var st sys.Stat_t
		if err := e.statTemp(&st); err != nil {
			return 0, pathError("stat", e.Name, err)
		}
	}
	return e.tempID.ino, nil
}

// statTemp stats the open temp, and notes which file it is (tempInode).
func (e *Entry) statTemp(st *sys.Stat_t) error {
	if err := sys.FstatUntimed(e.file.fd, st); err != nil {
		return err
	}
	e.tempID = idOf(st)
	return nil
}

// ownedLikeTarget reports whether the temp already has the old target's
// owner and group, as it does in the common case of a process replacing
// its own file: then there is no fchown to make. Every temp this process
// makes in a directory gets the same owner, so one fstat per directory
// answers for all; if it fails, the answer is no, and the fchown is made.
func (e *Entry) ownedLikeTarget() bool {
	d := e.Dir
	if !d.knowsOwner {
		var st sys.Stat_t
		if e.statTemp(&st) != nil {
			return false
		}
		d.newOwner, d.knowsOwner = [2]uint32{st.Uid, st.Gid}, true
	}
	return e.Stat.Uid == d.newOwner[0] && e.Stat.Gid == d.newOwner[1]
}

// chownLikeTarget gives the temp the old target's owner and group as far
// as the process may (see fchownLikeTarget), and returns perm, the old
// target's mode, less what it may not keep: setuid and setgid belong to
// the owner and group they run as, kept only with them, as cp -p does, or
// another user's planted setuid file would become a setuid file of the
// writer.
func (e *Entry) chownLikeTarget(perm uint32) (uint32, error) {
	err := e.settings.inject(StepChown)
	kept := 0
	if err == nil {
		kept, err = fchownLikeTarget(e.file.fd, &e.Stat, e.Dir)
	}
	if err != nil {
		return 0, pathError("chown", e.Name, err)
	}
	if kept&keptUID == 0 {
		perm &^= sys.S_ISUID
	}
	if kept&keptGID == 0 {
		perm &^= sys.S_ISGID
	}
	return perm, nil
}

// What fchownLikeTarget kept of the old target's ownership.
const (
	keptUID = 1 << iota
	keptGID
)

// fchownLikeTarget gives the temp the old target's owner and group where the
// process may: root can, and an owner can keep a group it belongs to. Where
// it may not, the new file belongs to the writer, as with any editor. It
// reports which of the two the temp now has; d knows (see ownedLikeTarget)
// what the temp had before.
func fchownLikeTarget(fd int, st *sys.Stat_t, d *Dir) (kept int, err error) {
	if err = sys.Fchown(fd, int(st.Uid), int(st.Gid)); err == nil {
		return keptUID | keptGID, nil
	}
	if err != sys.EPERM {
		return 0, err
	}
	same := func(i int, id uint32) bool { return d.knowsOwner && d.newOwner[i] == id }
	if same(0, st.Uid) {
		kept |= keptUID
	}
	switch err = sys.Fchown(fd, -1, int(st.Gid)); {
	case err == nil:
		kept |= keptGID
	case err != sys.EPERM:
		return 0, err
	case same(1, st.Gid):
		kept |= keptGID
	}
	return kept, nil
}

// comparesVersion reports whether the entry is a compare-and-swap of a
// target expected to exist, which locks it to check its version (see
// version.go).
func (e *Entry) comparesVersion() bool {
	return e.settings.HasExpect && e.settings.Expect.Exists
}

// committable reports why the entry cannot be committed, if it cannot:
// its first failure, or content that was never sealed.
func (e *Entry) committable() error {
	if e.err != nil {
		return e.err
	}
	if !e.sealed {
		return pathError("commit", e.Name, errors.New("content not finished"))
	}
	return nil
}

// cancelled reports the error of ctx or of the entry's own context, if
// either is done, naming the entry's target.
func (e *Entry) cancelled(ctx context.Context) error {
	for _, c := range [...]context.Context{ctx, e.settings.Context} {
		if c != nil && c.Err() != nil {
			return pathError("commit", e.Name, c.Err())
		}
	}
	return nil
}

var errTempReplaced = errors.New("temp file was replaced by another file")

// linkTemp links an unnamed temp into its directory under a fresh temp name.
// As with a named one, a name already taken (or a link planted there) is
// refused and the next is tried.
func (e *Entry) linkTemp() error {
	if !e.unnamed {
		return nil
	}
	if err := e.settings.inject(StepName); err != nil {
		return e.fail(pathError("linktemp", e.Name, err))
	}
	name, err := createUnique(e.Base, tempSuffix, e.settings.random, func(name string) error {
		return sys.LinkUnnamed(e.file.fd, e.Dir.fd, name)
	})
	if err != nil {
		return e.fail(pathError("linktemp", e.Name, err))
	}
	e.temp, e.unnamed = name, false
	return nil
}

// sync makes the entry's temp durable, as Seal left it: open (a single
// write), closed for a syncfs, or closed to be reopened.
func (e *Entry) sync() error {
	switch {
	case e.file.open():
		return e.syncOpen()
	case e.sealMode == CloseFile:
		return e.syncFilesystem()
	}
	return e.syncReopened()
}

// syncOpen names the open temp if it has no name yet, fsyncs it and
// closes it (steps 6 to 8). The name comes before the fsync: btrfs makes
// a file linked after its fsync durable only with another fsync.
func (e *Entry) syncOpen() error {
	if e.unnamed {
		if err := e.linkTemp(); err != nil {
			return err
		}
	}
	err := e.settings.inject(StepSync)
	if err == nil {
		err = sys.Fsync(e.file.fd)
	}
	if err != nil {
		e.file.close()
		return pathError("sync", e.Name, err)
	}
	return e.closeFile()
}

// syncFilesystem makes the closed and named temp durable by one syncfs,
// with every other temp and name on its filesystem.
func (e *Entry) syncFilesystem() error {
	err := e.settings.inject(StepSync)
	if err == nil {
		err = sys.Syncfs(e.Dir.fd)
	}
	if err != nil {
		return pathError("syncfs", e.Name, err)
	}
	return nil
}

// syncReopened reopens the temp, closed when sealed, by name in its
// directory to fsync it; the inode check makes sure the name still leads
// to the file this entry wrote.
func (e *Entry) syncReopened() error {
	// O_NONBLOCK: a FIFO swapped in for the temp would block an open for
	// reading until a writer came; the check refuses it.
	fd, err := sys.Openat(e.Dir.fd, e.temp, sys.O_RDONLY|sys.O_NOFOLLOW|sys.O_NONBLOCK|sys.O_CLOEXEC, 0)
	if err != nil {
		return pathError("open", e.Name, err)
	}
	defer sys.Close(fd)
	var st sys.Stat_t
	if err := sys.FstatUntimed(fd, &st); err != nil {
		return pathError("stat", e.Name, err)
	}
	// The type as well as the inode: a freed inode number may be reused at
	// once by whatever replaced the temp.
	if idOf(&st) != e.tempID || st.Mode&sys.S_IFMT != sys.S_IFREG {
		e.temp = "" // not ours any more: never remove it
		return pathError("sync", e.Name, errTempReplaced)
	}
	// A temp closed when sealed is always followed by a full flush (the
	// journal's, or a single entry's directory fsync): a barrier is
	// enough where the two differ (macOS).
	err = e.settings.inject(StepSync)
	if err == nil {
		err = sys.FsyncBarrier(fd)
	}
	if err != nil {
		return pathError("sync", e.Name, err)
	}
	return nil
}

func (e *Entry) closeFile() error {
	if err := e.settings.inject(StepClose); err != nil {
		e.file.close()
		return e.fail(pathError("close", e.Name, err))
	}
	if err := e.file.close(); err != nil {
		return e.fail(pathError("close", e.Name, cause(err)))
	}
	return nil
}

// syncDir fsyncs the entry's directory, which makes the renames in it
// durable (step 10). Its error names the entry's target and wraps ErrNotDurable.
func (e *Entry) syncDir() error {
	err := e.settings.inject(StepSyncDir)
	if err == nil {
		err = sys.Fsync(e.Dir.fd)
	}
	if err != nil {
		return pathError("syncdir", e.Name, notDurable(err))
	}
	return nil
}

// Discard removes the temp file (and a backup link, if one was made).
// It only ever unlinks the names this entry created; unlink does not
// follow symlinks.
func (e *Entry) Discard() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ended = true
	e.unlockVersion()
	var err error
	if e.file.open() {
		e.file.close()
	}
	if e.temp != "" {
		err = e.unlink(e.temp)
		e.temp = ""
	}
	if e.backup != "" {
		err = multierr.Append(err, e.unlink(e.backup))
		e.backup = ""
	}
	return err
}

func (e *Entry) unlink(name string) error {
	err := sys.Unlinkat(e.Dir.fd, name, 0)
	if err != nil && err != sys.ENOENT {
		return pathError("remove", e.Name, fmt.Errorf("%s: %w", name, err))
	}
	return nil
}

// cause strips the *fs.PathError that os adds (naming the temp file) so that
// the error can name the target instead.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Sealed reports whether the entry's content has been ended by Seal.
func (e *Entry) Sealed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sealed
}

// A tempFile is the open descriptor of a temp file. Writes of bytes go
// straight to write(2); only copyFrom wraps it in an *os.File, for the
// kernel copy path (copy_file_range) that os implements, so that the common
// case allocates nothing.
type tempFile struct {
	fd   int      // -1 once closed
	file *os.File // set once ReadFrom has used it; it then owns fd
}

const fileName = "temp file"

func (f *tempFile) open() bool { return f.fd >= 0 }

func (f *tempFile) write(p []byte) (int, error) { return sys.WriteAll(f.fd, p) }

func (f *tempFile) close() error {
	fd, file := f.fd, f.file
	f.fd, f.file = -1, nil
	if file != nil {
		return file.Close()
	}
	return sys.Close(fd)
}
