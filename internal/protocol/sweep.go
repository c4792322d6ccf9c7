package protocol

import (
	"cmp"
	"path/filepath"

	"go.uber.org/multierr"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// sweep removes from the directory path the temps and backups that dead
// writers left, but for those a journal that could not be finished still
// needs, then settles the directory if a write made it (see settleMadeDir).
// What another user left there is theirs, and stays, unmentioned.
func (r *recovery) sweep(path string) error {
	set := Dirs{Exclusive: true, Waits: &r.waits}
	defer set.Close()
	dir, err := openRecovered(&set, path)
	if err != nil {
		return err
	}
	if dir == nil {
		// Nothing to sweep in it; but a write may have been making it
		// when it died (see mkdir.go).
		return recoverMissing(&set, path, r.euid)
	}
	keep := r.keep[dir.id]
	if keep[keepAll] {
		return nil
	}
	names, err := readDirNames(dir.fd)
	if err != nil {
		return pathError("recover", path, err)
	}
	removed := false
	if len(keep) == 0 {
		// No set here awaits a journal any more: dead batches' marks
		// (see commitmark.go) would only make readers wait.
		err = sweepMarks(dir.fd, path, r.euid)
	}
	for _, name := range names {
		if keep[name] || parseName(name, tempSuffix) == "" && parseName(name, backupSuffix) == "" {
			continue
		}
		switch sweepable(dir.fd, name, r.euid) {
		case sys.S_IFDIR:
			if removeMadeDir(dir.fd, name, r.euid) {
				removed = true
				continue
			}
			// A target made a directory after it was staged, exchanged
			// away (see commitBatch): never removed, but said.
			err = multierr.Append(err, pathError("remove", filepath.Join(path, name), sys.EISDIR))
		case sys.S_IFREG, sys.S_IFLNK:
			if uerr := sys.Unlinkat(dir.fd, name, 0); uerr != nil && uerr != sys.ENOENT {
				err = multierr.Append(err, pathError("remove", filepath.Join(path, name), uerr))
			}
			removed = true
		}
	}
	if removed {
		err = multierr.Append(err, sys.Fsync(dir.fd))
	}
	if err != nil {
		return err
	}
	return settleMadeDir(&set, path, dir.fd, r.euid)
}

// sweepable returns the file type of the temp or backup name in dirfd if a
// writer with Recover's effective uid may have left it, or 0. That is a
// file or directory of that uid; or, for root, a file of the owner of the
// target whose name it carries, which root gives a temp that replaces that
// owner's file. A directory is never a target owner's: a writer makes its
// own.
func sweepable(dirfd int, name string, euid uint32) uint32 {
	var st sys.Stat_t
	if sys.Fstatat(dirfd, name, &st, sys.AT_SYMLINK_NOFOLLOW) != nil {
		return 0
	}
	kind := uint32(st.Mode) & sys.S_IFMT
	switch {
	case st.Uid == euid:
	case euid == 0 && kind != sys.S_IFDIR && st.Uid == ownerOf(dirfd, cmp.Or(parseName(name, tempSuffix), parseName(name, backupSuffix))):
	default:
		return 0
	}
	return kind
}

// sweepMarks ends, in the marks directory of dirfd (path), the commit
// marks of Recover's user whose batches are dead (their locks are free):
// an idle file takes back its idle mode, a mark file is removed. The
// marks directory stays: consistent reads stay enabled there.
func sweepMarks(dirfd int, path string, euid uint32) error {
	fd, st, err := openMarksDir(dirfd)
	if err == sys.ENOENT {
		return nil
	}
	if err != nil {
		return pathError("recover", filepath.Join(path, marksDir), err)
	}
	defer sys.Close(fd)
	if st.Uid != euid {
		return nil // another user's marks: theirs to recover
	}
	names, err := sys.ReadDirNames(fd)
	if err != nil {
		return pathError("recover", filepath.Join(path, marksDir), err)
	}
	removed := false
	for _, name := range names {
		if modeMarks && isIdleName(name) {
			_, _, _, ierr := idleMark(fd, name, func(mfd int, mst *sys.Stat_t) error {
				if mst.Uid != euid {
					return nil
				}
				if err := sys.Fchmod(mfd, markMode); err != nil {
					return err
				}
				return sys.Fsync(mfd)
			})
			if ierr != nil && ierr != sys.ENOENT {
				err = multierr.Append(err, pathError("recover", filepath.Join(path, marksDir, name), ierr))
			}
			continue
		}
		if parseName(name, markSuffix) != markBase && parseName(name, renamingSuffix) != markBase && parseName(name, tempSuffix) != markBase {
			continue
		}
		var mst sys.Stat_t
		if sys.Fstatat(fd, name, &mst, sys.AT_SYMLINK_NOFOLLOW) != nil || mst.Uid != euid {
			continue
		}
		if live, lerr := markLive(fd, name); lerr == nil && !live {
			if uerr := sys.Unlinkat(fd, name, 0); uerr != nil && uerr != sys.ENOENT {
				err = multierr.Append(err, pathError("remove", filepath.Join(path, marksDir, name), uerr))
			}
			removed = true
		}
	}
	if removed {
		err = multierr.Append(err, sys.Fsync(fd))
	}
	return err
}
