package protocol

import (
	"errors"
	"path/filepath"

	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
	"github.com/atomicwrite/atomicwrite/internal/sys"
)

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

// Key identifies a target: two names are the same target when they lead to
// the same directory entry, that is the same directory and the same final
// name. Hard links under different names are different keys.
type Key struct {
	dir  fileID
	base string
}

// Dirs is the set of directories one write, one transaction or one recovery
// touches, each opened once however many targets it holds, and locked while
// it is in the set (see lock.go). The zero value is an empty set of a
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
func (ds *Dirs) adopt(fd int) (*Dir, error) {
	var id fileID
	if !ds.Single {
		var st sys.Stat_t
		if err := sys.Fstat(fd, &st); err != nil {
			sys.Close(fd)
			return nil, err
		}
		id = fileID{uint64(st.Dev), uint64(st.Ino)}
		for i := range ds.n {
			if d := ds.at(i); d.id == id && d.fd >= 0 {
				sys.Close(fd)
				return d, nil
			}
		}
	}
	// A writer goes on without the lock if it cannot have it (held for good
	// by someone else, or no flock on this filesystem): the lock only
	// protects its temps from a concurrent Recover. A recovery without its
	// lock must not sweep.
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

// leadsHere reports whether path leads to the directory d now.
func (d *Dir) leadsHere(path string) bool {
	var st sys.Stat_t
	return sys.Lstat(path, &st) == nil && (fileID{uint64(st.Dev), uint64(st.Ino)}) == d.id
}

// End ends the set's write, given the result of its commit, and returns
// that result with what went wrong: the directories the write made stay,
// or go (see mkdir.go).
func (ds *Dirs) End(commitErr error) error {
	if len(ds.made) == 0 {
		return commitErr
	}
	return ds.endMade(commitErr)
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
