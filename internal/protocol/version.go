package protocol

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// A compare-and-swap write (Settings.Expect) commits only if its target is
// still the file a caller read: the Version that ReadFile returned with the
// content. Every write of this library makes a new file (a new inode), so
// between two writers that use it a changed file is a different inode; the
// size and the modification and change times catch, as far as their
// resolution allows, a file that another program changed in place.
//
// The check must be atomic with the rename against every other writer that
// checks: each such writer takes an exclusive lock on the file it expects
// (lockTarget: a flock on the target's inode; on Windows a named mutex),
// checks that the name still leads to that file and that it is at the
// version expected, renames, and lets go. A second writer that read the
// same version waits for the lock, then finds the name leading elsewhere,
// and fails with ErrChanged. A transaction takes its targets' locks in one
// order (by device and inode), and all its waits together are bounded
// (casLockWait, see dir.go).

// ErrChanged is wrapped by a compare-and-swap write whose target is no
// longer at the version expected: nothing is written.
var ErrChanged = errors.New("file changed since it was read")

// casLockWait bounds the waits of one compare-and-swap write or Commit for
// other writers of its targets, each of which holds a lock only from its
// check to its rename: the waits for directory locks count too.
const casLockWait = 10 * time.Second

// A Version identifies a file as it was read, or its absence (the zero
// Version).
type Version struct {
	Dev, Ino           uint64
	Size, Mtime, Ctime int64 // times in nanoseconds
	Exists             bool
}

func versionOf(st *sys.Stat_t) Version {
	mtime, ctime := sys.StatTimes(st)
	return Version{Dev: uint64(st.Dev), Ino: uint64(st.Ino), Size: st.Size, Mtime: mtime, Ctime: ctime, Exists: true}
}

// maxReadTries bounds ReadFile's retries of a file that changes while it is
// read.
const maxReadTries = 10

// ReadFile reads the file name whole, through its symlinks as a write
// resolves them, and returns its content and its version. A missing file
// returns an error matching fs.ErrNotExist and the zero Version, which a
// write can expect as well (the file must still be absent).
func ReadFile(name string) ([]byte, Version, error) {
	f, fd, st, err := openRead(name)
	if err != nil {
		return nil, Version{}, err
	}
	defer f.Close()
	for range maxReadTries {
		before := versionOf(st)
		data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<62))
		if err != nil {
			return nil, Version{}, pathError("read", name, cause(err))
		}
		if err := sys.Fstat(fd, st); err != nil {
			return nil, Version{}, pathError("stat", name, err)
		}
		// Changed in place while it was read (another program's write):
		// read it again, so that the version is the content's.
		if v := versionOf(st); v == before {
			return data, v, nil
		}
	}
	return nil, Version{}, pathError("read", name, fmt.Errorf("%w while it was read, %d times", ErrChanged, maxReadTries))
}

// Open opens the file name for reading, through its symlinks as a write
// resolves them, and returns it with its version as it was opened: the
// content read from it is at that version for as long as a write that
// expects the version can commit (one changed since fails the check).
func Open(name string) (*os.File, Version, error) {
	f, _, st, err := openRead(name)
	if err != nil {
		return nil, Version{}, err
	}
	return f, versionOf(st), nil
}

// Stat returns the version of the file name, as Open would, without
// reading it.
func Stat(name string) (Version, error) {
	f, _, st, err := openRead(name)
	if err != nil {
		return Version{}, err
	}
	f.Close()
	return versionOf(st), nil
}

// openRead opens the regular file name for reading, through its symlinks
// as a write resolves them, and returns it, its descriptor, and its
// metadata (from fstat: the times as a compare-and-swap's check reads
// them, see checkVersion). A missing file is an error matching
// fs.ErrNotExist.
func openRead(name string) (*os.File, int, *sys.Stat_t, error) {
	dirs := Dirs{Single: true}
	defer dirs.Close()
	t, err := Resolve(name, &dirs, nil)
	if err != nil {
		return nil, -1, nil, err
	}
	if !t.Exists {
		return nil, -1, nil, pathError("open", name, sys.ENOENT)
	}
	fd, err := sys.Openat(t.Dir.fd, t.Base, sys.O_RDONLY|sys.O_NOFOLLOW|sys.O_NONBLOCK|sys.O_CLOEXEC, 0)
	if err != nil {
		return nil, -1, nil, pathError("open", name, err)
	}
	f := os.NewFile(uintptr(fd), name)
	var st sys.Stat_t
	if err := sys.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, -1, nil, pathError("stat", name, err)
	}
	if st.Mode&sys.S_IFMT != sys.S_IFREG {
		f.Close()
		return nil, -1, nil, pathError("open", name, ErrNotRegular)
	}
	return f, fd, &st, nil
}

// checkVersion refuses, at staging, a target that is plainly not the file
// expected (another file, another size, or present where it was absent):
// it spares the work of a write that cannot commit. The times are left to
// the check at the commit (lockVersion), which reads them as ReadFile did,
// from an fstat of the open file: an fstatat by name need not report them
// alike (qemu-user drops their nanoseconds in one and not the other).
func checkVersion(t *Target, s *Settings) error {
	var now Version
	if t.Exists {
		now = versionOf(&t.Stat)
	}
	e := s.Expect
	if now.Exists != e.Exists || now.Dev != e.Dev || now.Ino != e.Ino || now.Size != e.Size {
		return pathError("create", t.Name, ErrChanged)
	}
	return nil
}

// lockVersion takes the compare-and-swap lock on the entry's target and
// checks, holding it, that the name still leads to the file expected, at
// the version expected. The lock is kept until unlockVersion, after the
// rename; what the check held open that a rename cannot replace is let go
// of at once (beforeRename). A target expected absent needs no lock: its
// rename refuses to replace whatever appears (see renameNoReplace).
func (e *Entry) lockVersion() error {
	if !e.comparesVersion() {
		return nil
	}
	e.lockFD, e.locked = -1, true
	if err := e.lockTarget(); err != nil {
		return err
	}
	var held, named sys.Stat_t
	if err := sys.Fstat(e.lockFD, &held); err != nil {
		return pathError("stat", e.Name, err)
	}
	err := sys.Fstatat(e.Dir.fd, e.Base, &named, sys.AT_SYMLINK_NOFOLLOW)
	if err != nil || named.Ino != held.Ino || named.Dev != held.Dev ||
		held.Mode&sys.S_IFMT != sys.S_IFREG || versionOf(&held) != e.settings.Expect {
		return pathError("commit", e.Name, ErrChanged)
	}
	e.beforeRename()
	return nil
}

// openTarget opens the entry's target for its compare-and-swap check, in
// e.lockFD.
func (e *Entry) openTarget() error {
	// O_NONBLOCK: a FIFO swapped in would block the open; the check refuses
	// it.
	fd, err := sys.Openat(e.Dir.fd, e.Base, sys.O_RDONLY|sys.O_NOFOLLOW|sys.O_NONBLOCK|sys.O_CLOEXEC, 0)
	switch err {
	case nil:
		e.lockFD = fd
		return nil
	case sys.ENOENT, sys.ELOOP:
		return pathError("commit", e.Name, ErrChanged) // gone, or a link now
	default:
		return pathError("lock", e.Name, err)
	}
}

// unlockVersion lets go of the entry's compare-and-swap lock, if it holds
// one.
func (e *Entry) unlockVersion() {
	if e.locked {
		e.unlockTarget()
		e.locked = false
	}
}

// lockVersions takes the compare-and-swap locks of a batch, in the order of
// their targets' identities, so that two batches that share targets take
// them in the same order.
func lockVersions(entries []*Entry) error {
	cas := slices.DeleteFunc(slices.Clone(entries), func(e *Entry) bool { return !e.comparesVersion() })
	slices.SortFunc(cas, func(a, b *Entry) int {
		return cmp.Or(cmp.Compare(a.settings.Expect.Dev, b.settings.Expect.Dev), cmp.Compare(a.settings.Expect.Ino, b.settings.Expect.Ino))
	})
	for _, e := range cas {
		if err := e.lockVersion(); err != nil {
			return err
		}
	}
	return nil
}

// unlockVersions lets go of every compare-and-swap lock of entries.
func unlockVersions(entries []*Entry) {
	for _, e := range entries {
		e.unlockVersion()
	}
}
