package protocol

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"

	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// A write may create the directories its target's path lacks
// (Settings.Mkdir). Each appears whole or not at all, as a file does: it is
// made under a temp name in its parent, given a marker file that says it is
// new (".<name>.<16 hex digits>.aw-dir"), made durable, and renamed into
// place (RENAME_NOREPLACE: a directory another process made meanwhile is
// used instead), and the parent is fsynced. The marker stays until the
// write ends: removed with the directory if the write is abandoned or fails
// before its commit point, alone once it has committed. After a crash,
// Recover given the directory (or, if it is missing, its path) finds the
// markers and temp directories, and removes the directories that hold
// nothing else: they were made for a write that never committed.
const markerSuffix = ".aw-dir"

// A newDir is a directory a write made.
type newDir struct {
	target string // the name of the write's target it was made for
	parent int    // handle on its parent, open until the write ends
	held   int    // the handle that holds the parent's lock, if not parent (see lockDir)
	name   string // its name there
	fd     int    // handle on it, for its marker (the Dirs set has a duplicate)
	marker string // the marker's name in it
}

// makeDir makes the directory name in the one open on at (see above) for
// the write of target, and returns a handle on it. It keeps its own handle
// on the parent for the end of the write. It returns EEXIST if another
// process made the name first: the caller's walk uses theirs.
func makeDir(at int, name string, perm uint32, target string, dirs *Dirs) (int, error) {
	// The walk's handle may only search, and is the walk's.
	parent, err := sys.Openat(at, ".", sys.O_RDONLY|sys.O_DIRECTORY|sys.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	// The parent is locked as a writer locks its target's directory, so
	// that Recover leaves the temp directory alone while this writer
	// lives (see lockDir; without the lock it goes on all the same).
	held, _ := lockDir(parent, false, dirs.waits(), writerLockWait)
	fd, marker, err := makeDirIn(parent, name, perm)
	if err != nil {
		unlockDir(held)
		sys.Close(parent)
		return -1, err
	}
	dirs.made = append(dirs.made, newDir{target: target, parent: parent, held: held, name: name, fd: fd, marker: marker})
	// The walk takes a duplicate: fd itself stays for the marker's removal.
	dup, err := sys.Dup(fd)
	if err != nil {
		return -1, err
	}
	sys.CloseOnExec(dup)
	return dup, nil
}

// makeDirIn makes the directory name in parent and its marker, and
// returns a handle on it.
func makeDirIn(parent int, name string, perm uint32) (fd int, marker string, err error) {
	tmp, err := tempDir(parent, name, perm)
	if err != nil {
		return -1, "", err
	}
	fd, marker, err = markDir(parent, tmp, name)
	if err == nil {
		err = sys.Fsync(fd)
	}
	here := tmp // the directory's name in parent, as it goes
	if err == nil {
		err = renameDir(parent, tmp, name)
		if err == sys.EEXIST || err == sys.ENOTEMPTY { // made meanwhile by someone else
			removeNewDir(parent, tmp, fd, marker)
			return -1, "", sys.EEXIST
		}
		if err == nil {
			here = name
			fd, err = reopenRenamed(parent, name, fd)
		}
	}
	if err == nil {
		err = sys.Fsync(parent)
	}
	if err != nil {
		if fd >= 0 {
			removeNewDir(parent, here, fd, marker)
		}
		return -1, "", err
	}
	return fd, marker, nil
}

// tempDir makes a fresh temp directory for name in parent.
func tempDir(parent int, name string, perm uint32) (string, error) {
	return createUnique(name, tempSuffix, rand.Uint64, func(tmp string) error {
		return sys.Mkdirat(parent, tmp, perm)
	})
}

// markDir opens the new directory tmp in parent and makes its marker.
func markDir(parent int, tmp, name string) (fd int, marker string, err error) {
	fd, err = sys.Openat(parent, tmp, sys.O_RDONLY|sys.O_DIRECTORY|sys.O_NOFOLLOW|sys.O_CLOEXEC, 0)
	if err != nil {
		sys.Unlinkat(parent, tmp, sys.AT_REMOVEDIR)
		return -1, "", err
	}
	marker = randomName(name, markerSuffix, rand.Uint64())
	mfd, err := sys.Openat(fd, marker, sys.O_WRONLY|sys.O_CREAT|sys.O_EXCL|sys.O_NOFOLLOW|sys.O_CLOEXEC, 0o600)
	if err != nil {
		sys.Close(fd)
		sys.Unlinkat(parent, tmp, sys.AT_REMOVEDIR)
		return -1, "", err
	}
	sys.Close(mfd)
	return fd, marker, nil
}

// removeNewDir removes the directory name in parent (open on fd, which it
// closes), made by a write, if it holds nothing but its marker; if it holds
// more, only the marker goes.
//
// A crash at any point must leave what Recover finishes: so the directory
// is first renamed to a temp name, unless it has one already, and only
// then loses its marker and goes. A temp directory that holds nothing, or
// nothing but its marker, is a dead write's (see removeMadeDir).
func removeNewDir(parent int, name string, fd int, marker string) error {
	defer func() {
		if fd >= 0 {
			sys.Close(fd)
		}
	}()
	names, err := readDirNames(fd)
	if err != nil {
		return err
	}
	if len(names) != 1 || names[0] != marker {
		// Someone else's files are in it: the directory stays theirs.
		if err := sys.Unlinkat(fd, marker, 0); err != nil && err != sys.ENOENT {
			return err
		}
		return nil
	}
	if parseName(name, tempSuffix) == "" {
		tmp := randomName(name, tempSuffix, rand.Uint64())
		if err := renameDir(parent, name, tmp); err != nil {
			return err
		}
		name = tmp
		if fd, err = reopenRenamed(parent, name, fd); err != nil {
			return err
		}
	}
	if err := sys.Unlinkat(fd, marker, 0); err != nil && err != sys.ENOENT {
		return err
	}
	// Closed before the directory goes: Windows keeps a removed directory,
	// and so its parent, while a handle on it is open.
	sys.Close(fd)
	fd = -1
	err = sys.Unlinkat(parent, name, sys.AT_REMOVEDIR)
	if err == sys.ENOTEMPTY || err == sys.EEXIST {
		return nil // someone put a file in it meanwhile: it stays, under the temp name
	}
	return err
}

// renameDir renames the directory from to to in dirfd, refusing to replace
// an existing to where the filesystem can; elsewhere to, a fresh random
// name, is taken to be free.
func renameDir(dirfd int, from, to string) error {
	err := sys.RenameNoReplace(dirfd, from, to)
	if err == sys.ENOTSUP || err == sys.EINVAL {
		err = sys.Renameat(dirfd, from, dirfd, to)
	}
	return err
}

// endMade ends the directories the set made, given the result of the
// write's commit (see settleMade), and returns that result with what went
// wrong.
func (ds *Dirs) endMade(commitErr error) error {
	switch {
	case commitErr == nil || errors.Is(commitErr, ErrNotDurable):
		// The set's handles first: Windows keeps a removed directory, and
		// so its parent, while a handle on it is open.
		ds.closeHandles()
		return multierr.Append(commitErr, multierr.Append(ds.removeUnused(), ds.settleMade(true)))
	}
	return multierr.Append(commitErr, ds.Close())
}

// removeUnused removes, deepest first, the directories the set made that
// hold nothing but their marker once the write has committed: made for
// entries that were abandoned (see txn's Writer.Abort), they are as a
// failed write leaves them.
func (ds *Dirs) removeUnused() error {
	var err error
	for i := len(ds.made) - 1; i >= 0; i-- {
		d := ds.made[i]
		if names, rerr := readDirNames(d.fd); rerr != nil || len(names) != 1 || names[0] != d.marker {
			continue
		}
		if rerr := removeNewDir(d.parent, d.name, d.fd, d.marker); rerr != nil {
			err = multierr.Append(err, pathError("remove", d.target, fmt.Errorf("new directory %s: %w", d.name, rerr)))
		} else if serr := sys.Fsync(d.parent); serr != nil {
			err = multierr.Append(err, pathError("syncdir", d.target, serr))
		}
		unlockDir(d.held)
		sys.Close(d.parent)
		ds.made = slices.Delete(ds.made, i, i+1)
	}
	return err
}

// settleMade ends the directories the set made: once the write committed,
// their markers go (they are the write's directories now), outermost
// first; otherwise the directories go, deepest first, each with its parent
// fsynced. Either order leaves, at any instant, what Recover can finish
// from the deepest directory up (see settleMadeDir).
func (ds *Dirs) settleMade(committed bool) error {
	var err error
	for k := range ds.made {
		i := len(ds.made) - 1 - k
		if committed {
			i = k
		}
		d := ds.made[i]
		if committed {
			// A marker left behind takes nothing from the write; Recover
			// removes it.
			if uerr := sys.Unlinkat(d.fd, d.marker, 0); uerr != nil && uerr != sys.ENOENT {
				what := "new content is in place, but the marker " + d.marker + " of a new directory is left behind; run Recover on it"
				err = multierr.Append(err, pathError("remove", d.target, inPlace{what, uerr}))
			} else if serr := sys.Fsync(d.fd); serr != nil {
				err = multierr.Append(err, pathError("syncdir", d.target, notDurable(serr)))
			}
			sys.Close(d.fd)
		} else {
			if rerr := removeNewDir(d.parent, d.name, d.fd, d.marker); rerr != nil {
				err = multierr.Append(err, pathError("remove", d.target, fmt.Errorf("new directory %s: %w", d.name, rerr)))
			} else if serr := sys.Fsync(d.parent); serr != nil {
				err = multierr.Append(err, pathError("syncdir", d.target, serr))
			}
		}
		unlockDir(d.held)
		sys.Close(d.parent)
	}
	ds.made = nil
	return err
}

// isMarker reports whether name, in the directory dirfd of base name dir,
// is a marker of a directory that a writer with Recover's effective uid
// made.
func isMarker(dirfd int, dir, name string, euid uint32) bool {
	if !isNameOf(name, dir, markerSuffix) {
		return false
	}
	var st sys.Stat_t
	return sys.Fstatat(dirfd, name, &st, sys.AT_SYMLINK_NOFOLLOW) == nil &&
		st.Mode&sys.S_IFMT == sys.S_IFREG && st.Uid == euid
}

// After a crash (see Recover).

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
	parent, err := set.open(&w, parentPath)
	if err == sys.ENOENT {
		return recoverMissing(set, parentPath, euid)
	}
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
		if err := sys.Fsync(parent.fd); err != nil {
			return pathError("recover", parentPath, err)
		}
	}
	return settleMadeDir(set, parentPath, parent.fd, euid)
}

// removeMadeDir removes the temp directory name in dirfd if a writer with
// Recover's uid was making it (or removing it) when it died: it holds
// nothing, or nothing but its marker (see markDir). It reports whether it
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
		if !isMarker(fd, cmp.Or(parseName(name, tempSuffix), name), names[0], euid) || sys.Unlinkat(fd, names[0], 0) != nil {
			return false
		}
	}
	return sys.Unlinkat(dirfd, name, sys.AT_REMOVEDIR) == nil
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
	parent, err := set.open(&w, parentPath)
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
		return sys.Fsync(fd)
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
	if err := sys.Fsync(parent.fd); err != nil {
		return pathError("recover", parentPath, err)
	}
	return settleMadeDir(set, parentPath, parent.fd, euid)
}
