package protocol

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

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
	name   string // its name there
	fd     int    // handle on it, for its marker (the Dirs set has a duplicate)
	marker string // the marker's name in it
}

// mkdirAll opens the directory path, making it and its missing parents
// with mode perm (less the umask, as os.MkdirAll), and records what it
// made in dirs.
func mkdirAll(w *resolve.Walk, target, path string, perm uint32, dirs *Dirs) (int, error) {
	fd, _, err := w.Dir(sys.AT_FDCWD, path)
	if err != sys.ENOENT {
		return fd, err
	}
	parentPath, base := split(trimSeparators(path))
	if base == "" || base == "." || base == ".." {
		return -1, sys.ENOENT
	}
	parent, err := mkdirAll(w, target, parentPath, perm, dirs)
	if err != nil {
		return -1, err
	}
	fd, err = makeDir(w, target, parent, base, perm, dirs)
	if err != nil {
		sys.Close(parent)
	}
	return fd, err
}

// makeDir makes the directory name in parent (see above) and returns a
// handle on it. It keeps parent open for the end of the write, or closes it
// if another process made the directory first.
func makeDir(w *resolve.Walk, target string, parent int, name string, perm uint32, dirs *Dirs) (int, error) {
	// The parent is locked as a writer locks its target's directory, so
	// that Recover leaves the temp directory alone while this writer
	// lives (see lock.go; without the lock it goes on all the same).
	lock(parent, false, time.Time{})
	tmp, err := tempDir(parent, name, perm)
	if err != nil {
		return -1, err
	}
	fd, marker, err := markDir(parent, tmp, name)
	if err == nil {
		err = syncFD(fd)
	}
	here := tmp // the directory's name in parent, as it goes
	if err == nil {
		err = renameDir(parent, tmp, name)
		if err == sys.EEXIST || err == sys.ENOTEMPTY { // made meanwhile by someone else: use it
			removeNewDir(parent, tmp, fd, marker)
			defer sys.Close(parent)
			fd, _, err := w.Dir(parent, name)
			return fd, err
		}
		if err == nil {
			here = name
			fd, err = reopenRenamed(parent, name, fd)
		}
	}
	if err == nil {
		err = syncFD(parent)
	}
	if err != nil {
		if fd >= 0 {
			removeNewDir(parent, here, fd, marker)
		}
		return -1, err
	}
	dirs.made = append(dirs.made, newDir{target: target, parent: parent, name: name, fd: fd, marker: marker})
	// The set adopts a duplicate: fd itself stays for the marker's removal.
	dup, err := sys.Dup(fd)
	if err != nil {
		return -1, err
	}
	sys.CloseOnExec(dup)
	return dup, nil
}

// tempDir makes a fresh temp directory for name in parent.
func tempDir(parent int, name string, perm uint32) (string, error) {
	for try := 1; ; try++ {
		tmp := randomName(name, tempSuffix, rand.Uint64())
		err := sys.Mkdirat(parent, tmp, perm)
		switch {
		case err == nil:
			return tmp, nil
		case (err == sys.EEXIST || err == sys.EINTR) && try < maxNameTries:
			continue
		case err == sys.EEXIST:
			return "", gaveUp(err)
		}
		return "", err
	}
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
	if !ours(name, tempSuffix) {
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
	err := renameNoReplace(dirfd, from, to)
	if err == sys.ENOTSUP || err == sys.EINVAL {
		err = sys.Renameat(dirfd, from, dirfd, to)
	}
	return err
}

// End ends the directories the set made, given the result of the write's
// commit (see settleMade), and returns that result with what went wrong.
func (ds *Dirs) End(commitErr error) error {
	switch {
	case len(ds.made) == 0:
		return commitErr
	case commitErr == nil || errors.Is(commitErr, ErrNotDurable):
		return multierr.Append(commitErr, ds.settleMade(true))
	}
	return multierr.Append(commitErr, ds.Close())
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
			} else if serr := syncFD(d.fd); serr != nil {
				err = multierr.Append(err, pathError("syncdir", d.target, notDurable(serr)))
			}
			sys.Close(d.fd)
		} else {
			if rerr := removeNewDir(d.parent, d.name, d.fd, d.marker); rerr != nil {
				err = multierr.Append(err, pathError("remove", d.target, fmt.Errorf("new directory %s: %w", d.name, rerr)))
			} else if serr := syncFD(d.parent); serr != nil {
				err = multierr.Append(err, pathError("syncdir", d.target, serr))
			}
		}
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
