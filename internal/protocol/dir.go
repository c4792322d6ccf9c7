package protocol

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// pathMax is the longest path (with its terminating NUL) Linux accepts.
// The walk resolves a component at a time and would accept longer ones, so
// the limit is checked up front, for the same answer on every path.
const pathMax = 4096

var errEmptyPath = fmt.Errorf("empty path: %w", fs.ErrInvalid)

// A Target is the directory entry a write finally replaces.
type Target struct {
	Name string // the path as the caller gave it; every error names it
	Dir  *Dir   // the directory that holds the entry
	Base string // the entry's name in Dir

	Exists bool       // whether the entry existed when resolved
	Stat   sys.Stat_t // the existing entry's metadata, when Exists
}

// Key identifies the target's directory entry.
func (t *Target) Key() Key { return Key{t.Dir.id, t.Base} }

// Resolve follows name's symlinks to the regular file (or absent entry) they
// finally name, and opens the directory that holds it, sharing handles
// through dirs. The directories it opens stay in dirs, even when it fails:
// closing dirs closes them. With s (the settings of a write, or nil) and
// s.Mkdir, the directories name lacks are made as the walk meets them (see
// mkdir.go).
//
// The directory part is opened once per set (a Tx with many files in one
// directory opens it once, and every entry lands in the directory the
// first resolved, whatever is renamed along the path meanwhile); the final
// name is then looked up on that handle, and its links followed from
// there (see package resolve).
func Resolve(name string, dirs *Dirs, s *Settings) (Target, error) {
	return resolveTarget(name, dirs, true, s)
}

// ResolveName is Resolve for a removal: it follows the symlinks of the
// directories, but not a final symlink, which is the entry removed (as
// rm and os.Remove remove a link, not what it names). The entry may be a
// regular file or a symlink.
func ResolveName(name string, dirs *Dirs) (Target, error) {
	return resolveTarget(name, dirs, false, nil)
}

// resolveTarget is Resolve and ResolveName.
func resolveTarget(name string, dirs *Dirs, followFinal bool, s *Settings) (Target, error) {
	t := Target{Name: name}
	if name == "" {
		return t, pathError("open", name, errEmptyPath)
	}
	if len(name) >= pathMax {
		return t, pathError("open", name, sys.ENAMETOOLONG)
	}
	dir, base := split(name)
	if base == "" {
		return t, pathError("open", name, sys.EISDIR)
	}
	var w resolve.Walk
	var err error
	start := dirs.named(dir)
	if start == nil {
		if s != nil && s.Mkdir {
			w.Make = dirs.maker(name, uint32(s.MkdirPerm))
		}
		if start, err = dirs.open(&w, dir); err != nil {
			return t, pathError("open", name, err)
		}
		dirs.remember(dir, start)
	}
	var found resolve.Entry
	if followFinal {
		w.Path = start.walked
		found, err = w.Entry(start.fd, base, &t.Stat)
	} else {
		found, err = entryNamed(start.fd, base, &t.Stat)
	}
	if err == nil && found.Owned { // the walk followed a link to another directory
		start, err = dirs.adoptWalked(found.Dir, w.Path)
	}
	if err == nil && found.Exists {
		err = checkFound(start.fd, &t.Stat, dirs.euid())
	}
	if err != nil {
		return t, pathError("open", name, err)
	}
	t.Dir, t.Base, t.Exists = start, found.Base, found.Exists
	return t, nil
}

// adoptWalked adopts the directory open on fd that a walk reached by the
// path walked (see Dir.walked).
func (ds *Dirs) adoptWalked(fd int, walked string) (*Dir, error) {
	d, err := ds.adopt(fd)
	if err == nil && d.walked == "" {
		d.walked = walked
	}
	return d, err
}

// maker makes a missing directory of the path name, as the walk meets it
// (see mkdir.go).
func (ds *Dirs) maker(name string, perm uint32) func(parent int, base string) (int, error) {
	return func(parent int, base string) (int, error) {
		return makeDir(parent, base, perm, name, ds)
	}
}

// entryNamed looks base up in dirfd without following a final symlink
// (ResolveName): a name that does not exist is no error. Like the walk, it
// leaves the times unread.
func entryNamed(dirfd int, base string, st *sys.Stat_t) (resolve.Entry, error) {
	found := resolve.Entry{Dir: dirfd, Base: base}
	err := sys.FstatatUntimed(dirfd, base, st, sys.AT_SYMLINK_NOFOLLOW)
	switch {
	case err == nil:
		found.Exists = true
	case err == sys.ENOENT:
		err = nil
	}
	return found, err
}

// split cuts a path into its directory and final name, at the last
// separator after the volume name (Windows has two separators and volume
// names; Unix, '/' and none). A path that ends in a separator has no final
// name: it can only denote a directory.
func split(path string) (dir, base string) {
	dir, base = filepath.Split(path)
	if dir == "" {
		return ".", base
	}
	if len(dir) > len(filepath.VolumeName(path))+1 {
		dir = dir[:len(dir)-1] // the separator, unless it is the root
	}
	return dir, base
}

// trimSeparators drops the separators a path ends with.
func trimSeparators(path string) string {
	return strings.TrimRight(path, "/"+string(filepath.Separator))
}

var errPlanted = fmt.Errorf("%w: the file belongs to another user, in a sticky world-writable directory", fs.ErrPermission)

// checkFound refuses an entry, found in dirfd, that a write may not
// replace: a directory, or anything but a regular file or (for
// ResolveName, which alone stops at one) a symlink; or a file another user
// may have planted to capture what is written: in a sticky, world-writable
// directory (such as /tmp), a file owned by neither the writer nor the
// directory's owner. That is the kernel's protected_regular rule, applied
// whatever the sysctl says.
func checkFound(dirfd int, st *sys.Stat_t, euid uint32) error {
	switch st.Mode & sys.S_IFMT {
	case sys.S_IFREG:
		if st.Uid != euid {
			return checkPlanted(dirfd, st)
		}
		return nil
	case sys.S_IFLNK:
		return nil
	case sys.S_IFDIR:
		return sys.EISDIR
	}
	return ErrNotRegular
}

// checkPlanted refuses the file st of another user in dirfd if dirfd is
// sticky and world-writable and not that user's. The directory's times
// are left unread: the write renames in it next (see sys.FstatatUntimed).
func checkPlanted(dirfd int, st *sys.Stat_t) error {
	var ds sys.Stat_t
	if err := sys.FstatUntimed(dirfd, &ds); err != nil {
		return err
	}
	if ds.Mode&sys.S_ISVTX != 0 && ds.Mode&sys.S_IWOTH != 0 && st.Uid != ds.Uid {
		return errPlanted
	}
	return nil
}

// A Dir is an open handle on a directory that holds targets.
type Dir struct {
	fd   int
	held int    // the handle that holds its lock where that is not fd (see lockDir)
	id   fileID // zero in a Single set, where nothing is compared with it
	// The path the directory was opened by, when that is exactly where
	// the handle is (see resolve.Walk.Dir); for the journal, see pathNow.
	path string
	// The path the walk that opened it resolved (resolve.Walk.Path),
	// where the kernel cannot be asked (see pathNow).
	walked string
	// Who a file this process creates here belongs to (the directory's
	// group if it is setgid, else the creator's), learnt from the first
	// temp made here: see Entry.ownedLikeTarget.
	newOwner   [2]uint32
	knowsOwner bool
	waits      *Waits // the set's: the lock waits of the write or Commit
}

type fileID struct{ dev, ino uint64 }

// idOf is the identity of the file whose stat is st.
func idOf(st *sys.Stat_t) fileID { return fileID{uint64(st.Dev), uint64(st.Ino)} }

// Key identifies a target: two names are the same target when they lead to
// the same directory entry, that is the same directory and the same final
// name. Hard links under different names are different keys.
type Key struct {
	dir  fileID
	base string
}

// Dirs is the set of directories one write, one transaction or one recovery
// touches, each opened once however many targets it holds, and locked while
// it is in the set (see lockDir). The zero value is an empty set of a
// writer, ready to use.
type Dirs struct {
	first Dir // kept inline: a single write allocates nothing for its directory
	more  []*Dir
	n     int
	// The directories as the caller named them, each resolved once: a Tx
	// with many files in one directory opens it once, and every entry
	// lands in the directory that the first resolved, whatever is renamed
	// along the path meanwhile.
	firstPath string
	byPath    map[string]*Dir
	// Exclusive marks the set of a recovery, which locks its directories
	// exclusively, waiting recoveryLockWait at most in all (Waits, which
	// the sets of one Recover share); writers lock theirs shared, waiting
	// writerLockWait at most in all.
	Exclusive bool
	Waits     *Waits
	own       Waits // Waits, when the caller gives none
	// Single marks the set of a single write, which compares its
	// directories with nothing (no Key, one filesystem to sync): they are
	// not told apart, which spares an fstat per write.
	Single bool

	made []newDir // directories the write made (see mkdir.go)

	// The process's effective uid, asked once per set: a batch of many
	// files compares every target's owner with it.
	uid      uint32
	knowsUID bool
}

// euid returns the process's effective uid.
func (ds *Dirs) euid() uint32 {
	if !ds.knowsUID {
		ds.uid, ds.knowsUID = uint32(sys.Geteuid()), true
	}
	return ds.uid
}

func (ds *Dirs) at(i int) *Dir {
	if i == 0 {
		return &ds.first
	}
	return ds.more[i-1]
}

// adopt adds the directory open on fd, locking it, or closes fd and returns
// the handle already in the set for the same directory.
//
// A writer goes on without the lock if it cannot have it (held for good by
// someone else, or no flock on this filesystem): the lock only protects its
// temps from a concurrent Recover. A recovery without its lock must not
// sweep.
func (ds *Dirs) adopt(fd int) (*Dir, error) {
	var id fileID
	if !ds.Single {
		known, err := ds.identify(fd, &id)
		if known != nil || err != nil {
			sys.Close(fd)
			return known, err
		}
	}
	limit := writerLockWait
	if ds.Exclusive {
		limit = recoveryLockWait
	}
	held, err := lockDir(fd, ds.Exclusive, ds.waits(), limit)
	if err != nil && ds.Exclusive {
		sys.Close(fd)
		return nil, err
	}
	d := &ds.first
	if ds.n > 0 {
		d = &Dir{}
		ds.more = append(ds.more, d)
	}
	*d = Dir{fd: fd, held: held, id: id, waits: ds.waits()}
	ds.n++
	return d, nil
}

// identify sets id to the identity of the directory open on fd, and
// returns the handle already in the set for it, if any.
func (ds *Dirs) identify(fd int, id *fileID) (*Dir, error) {
	var st sys.Stat_t
	if err := sys.FstatUntimed(fd, &st); err != nil {
		return nil, err
	}
	*id = idOf(&st)
	for i := range ds.n {
		if d := ds.at(i); d.id == *id && d.fd >= 0 {
			return d, nil
		}
	}
	return nil, nil
}

// waits returns the set's lock waits.
func (ds *Dirs) waits() *Waits {
	if ds.Waits == nil {
		return &ds.own
	}
	return ds.Waits
}

// named returns the directory already opened for the path dir, if any.
func (ds *Dirs) named(dir string) *Dir {
	if ds.n > 0 && ds.firstPath == dir {
		return &ds.first
	}
	return ds.byPath[dir]
}

// remember notes that the path dir leads to d.
func (ds *Dirs) remember(dir string, d *Dir) {
	if d == &ds.first && ds.firstPath == "" {
		ds.firstPath = dir
		return
	}
	if ds.byPath == nil {
		ds.byPath = make(map[string]*Dir)
	}
	ds.byPath[dir] = d
}

// pathNow returns the absolute path that leads to the directory now, for
// the journal: a recovery in another process has only paths. The path it
// was opened by serves if it still leads here, which a stat tells; if the
// directory was renamed since (or was reached through a symlink or a
// relative path), the kernel is asked, which costs more (sys.PathOf).
//
// Where the kernel cannot be asked (the BSDs, AIX), the path the walk
// resolved serves, if it still leads here; if it does not (the directory
// was renamed since), the journal cannot be written.
func (d *Dir) pathNow() (string, error) {
	if d.path != "" && d.leadsHere(d.path) {
		return d.path, nil
	}
	path, err := sys.PathOf(d.fd)
	if !errors.Is(err, errors.ErrUnsupported) {
		return path, err
	}
	if d.walked != "" {
		if path, err := filepath.Abs(d.walked); err == nil && d.leadsHere(path) {
			return path, nil
		}
	}
	return "", errPathUnknown
}

var errPathUnknown = errors.New("the directory's path cannot be asked of the system here, and the path it was opened by leads elsewhere now")

// leadsHere reports whether path leads to the directory d now. The stat
// leaves the times unread: the renames to come change the directory.
func (d *Dir) leadsHere(path string) bool {
	var st sys.Stat_t
	return sys.LstatUntimed(path, &st) == nil && idOf(&st) == d.id
}

// End ends the set's write, given the result of its commit, and closes
// the set (see Close). It returns that result with what went wrong: the
// directories the write made stay, or go (see mkdir.go).
func (ds *Dirs) End(commitErr error) error {
	if len(ds.made) > 0 {
		commitErr = ds.endMade(commitErr)
	}
	ds.Close()
	return commitErr
}

// Close closes every directory in the set, which releases their locks. The
// directories a write made and did not End go: it made nothing. They go
// after the set's handles are closed: Windows keeps a removed directory,
// and so its parent, while a handle on it is open.
func (ds *Dirs) Close() error {
	err := ds.closeHandles()
	if len(ds.made) > 0 {
		err = multierr.Append(ds.settleMade(false), err)
	}
	*ds = Dirs{Exclusive: ds.Exclusive, Waits: ds.Waits, Single: ds.Single}
	return err
}

// closeHandles closes every directory in the set.
func (ds *Dirs) closeHandles() error {
	var err error
	for i := range ds.n {
		if d := ds.at(i); d.fd >= 0 {
			unlockDir(d.held)
			err = multierr.Append(err, sys.Close(d.fd))
			d.fd = -1
		}
	}
	return err
}

// release closes the set's handle fd on a directory before the set ends:
// a directory about to be removed, which Windows keeps, and so its parent,
// while a handle on it is open.
func (ds *Dirs) release(fd int) {
	for i := range ds.n {
		if d := ds.at(i); d.fd == fd {
			unlockDir(d.held)
			sys.Close(fd)
			d.fd = -1
			return
		}
	}
}

// OpenDir opens the directory path into the set, as Resolve opens a
// target's directory.
func OpenDir(path string, dirs *Dirs) (*Dir, error) {
	var w resolve.Walk
	d, err := dirs.open(&w, path)
	if err != nil {
		return nil, pathError("open", path, err)
	}
	return d, nil
}

// open opens the directory path on the walk w and adds it to the set (see
// adopt).
func (ds *Dirs) open(w *resolve.Walk, path string) (*Dir, error) {
	fd, exact, err := w.Dir(sys.AT_FDCWD, path)
	if err != nil {
		return nil, err
	}
	d, err := ds.adopt(fd)
	if err != nil {
		return nil, err
	}
	if exact {
		d.path = path
	}
	if d.walked == "" {
		d.walked = w.Path
	}
	return d, nil
}

// Every writer holds a shared flock on each directory it stages temp files
// in, from before it creates the first until it is done; a recovery holds an
// exclusive one on each directory it cleans. So a recovery never meets the
// temp file of a live writer (whose lock it would have to wait for), and the
// liveness check is sound across processes, unlike a guess from a file's age
// or a PID. The lock is released with the descriptor, so a killed writer
// leaves none behind. (Windows cannot flock a directory: there the lock is
// a second handle whose share mode stands for it, closed with the
// directory's; see sys.LockDir.)
//
// Anyone who can open a directory can flock it, so a lock held for good
// must not stop writers: a writer waits for directory locks writerLockWait
// at most in all, then goes on without them, as it does where the
// filesystem has no flock. The worst a real recovery running then can do
// is sweep its temp, and the write fails cleanly on the rename.
//
// Every wait of one write, one Commit or one Recover counts against one
// budget (Waits), however many directories and files it locks: a recovery
// waits recoveryLockWait in all, then reports the directory busy (ErrBusy)
// and leaves it alone; a compare-and-swap waits casLockWait in all, its
// directories' waits included (see version.go). So whoever holds locks and
// hands each back just before its wait runs out stalls a call once, not once
// per lock. Locks are polled, never blocked on, so two that wait on each
// other cannot deadlock.
const (
	writerLockWait   = 2 * time.Second
	recoveryLockWait = 10 * time.Second
)

// Waits is the time one write, Commit or Recover has spent waiting for
// locks. The zero value has waited for nothing.
type Waits struct {
	spent time.Duration
	// A Recover's caller may choose its bound (see Recover): limit,
	// when not zero, replaces that of each lock, and done, once closed,
	// ends every wait.
	limit time.Duration
	done  <-chan struct{}
}

// lock takes the shared (writer) or exclusive lock on the file open on fd,
// as long as w has spent less than limit waiting, all its waits together.
func lock(fd int, exclusive bool, w *Waits, limit time.Duration) error {
	how := sys.LOCK_SH
	if exclusive {
		how = sys.LOCK_EX
	}
	return w.take(limit, "file", func() error { return sys.Flock(fd, how|sys.LOCK_NB) })
}

// lockDir takes the lock on the directory open on fd, as lock does, and
// returns the handle that holds it where that is not fd itself (Windows,
// see sys.LockDir), else -1.
func lockDir(fd int, exclusive bool, w *Waits, limit time.Duration) (held int, err error) {
	err = w.take(limit, "directory", func() (err error) {
		held, err = sys.LockDir(fd, exclusive)
		return err
	})
	return held, err
}

// unlockDir lets go of the lock that lockDir returned held for.
func unlockDir(held int) {
	if held >= 0 {
		sys.Close(held)
	}
}

// take takes a lock by try: at once, the common case, which reads no
// clock, or else by waiting for it (wait).
func (w *Waits) take(limit time.Duration, what string, try func() error) error {
	if err := try(); err != sys.EWOULDBLOCK {
		return err
	}
	return w.wait(limit, what, try)
}

// wait tries try until it succeeds, fails otherwise than with
// EWOULDBLOCK, or w has spent limit waiting. what names the kind of file
// locked in the error: "file" or "directory".
func (w *Waits) wait(limit time.Duration, what string, try func() error) error {
	if w.limit != 0 {
		limit = w.limit
	}
	spent, err := sys.Retry(50*time.Microsecond, 20*time.Millisecond, limit-w.spent, w.done, func(err error) bool { return err == sys.EWOULDBLOCK }, try)
	w.spent += spent
	if err != sys.EWOULDBLOCK {
		return err
	}
	select {
	case <-w.done:
		return busyError{what, w.spent}
	default:
		return busyError{what, limit}
	}
}
