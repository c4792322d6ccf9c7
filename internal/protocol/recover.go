package protocol

import (
	"io"
	"os"
	"strings"

	"go.uber.org/multierr"
	"golang.org/x/sys/unix"
)

// Recover brings every directory in dirs back to a clean state after a
// crash: it finishes or undoes each transaction whose journal it finds
// there, then removes the temp files and backups that dead writers left.
//
// It locks each directory exclusively (see lock.go) while it works, so it
// never touches the files of a live writer: it waits for them to finish.
// It is idempotent, and safe to run concurrently with itself.
func Recover(dirs []string) error {
	var err error
	for _, dir := range dirs {
		err = multierr.Append(err, recoverDir(dir))
	}
	return err
}

func recoverDir(path string) error {
	set := Dirs{Exclusive: true}
	defer set.Close()
	fd, err := openDir(unix.AT_FDCWD, path)
	if err != nil {
		return pathError("recover", path, err)
	}
	dir, err := set.adopt(fd)
	if err != nil {
		return pathError("recover", path, err)
	}
	names, err := readDirNames(dir.fd)
	if err != nil {
		return pathError("recover", path, err)
	}
	for _, name := range names {
		if ours(name, journalSuffix) {
			if jerr := recoverJournal(&set, dir, name); jerr != nil {
				err = multierr.Append(err, pathError("recover", path+"/"+name, jerr))
			}
		}
	}
	if err != nil {
		return err // a journal could not be recovered: its temps are still needed
	}
	if names, err = readDirNames(dir.fd); err != nil {
		return pathError("recover", path, err)
	}
	removed := false
	for _, name := range names {
		if ours(name, tempSuffix) || ours(name, backupSuffix) {
			if uerr := unix.Unlinkat(dir.fd, name, 0); uerr != nil && uerr != unix.ENOENT {
				err = multierr.Append(err, pathError("remove", path+"/"+name, uerr))
			}
			removed = true
		}
	}
	if removed {
		err = multierr.Append(err, syncFD(dir.fd))
	}
	return err
}

// ours reports whether name is one of this library's files of a kind:
// ".<something>.<16 hex digits><suffix>".
func ours(name, suffix string) bool {
	rest, ok := strings.CutSuffix(name, suffix)
	if !ok || !strings.HasPrefix(rest, ".") || len(rest) < 18 || rest[len(rest)-17] != '.' {
		return false
	}
	for _, c := range rest[len(rest)-16:] {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// recoverJournal finishes (state commit) or undoes (state rollback) the
// transaction of the journal name in dir, then removes the journal.
func recoverJournal(set *Dirs, dir *Dir, name string) error {
	data, err := readFileAt(dir.fd, name)
	if err != nil {
		return err
	}
	j, err := decodeJournal(data)
	if err == errTornJournal {
		// A journal is complete and durable before the first rename: one
		// that is not was never a commit point. Its temps are swept.
		return unix.Unlinkat(dir.fd, name, 0)
	}
	if err != nil {
		return err
	}
	// Lock every directory of the transaction before touching any.
	dirs := make([]*Dir, len(j.entries))
	for i, e := range j.entries {
		fd, err := openDir(unix.AT_FDCWD, e.dir)
		if err != nil {
			return err
		}
		if dirs[i], err = set.adopt(fd); err != nil {
			return err
		}
	}
	for i, e := range j.entries {
		d := dirs[i]
		if e.swapped() {
			err = multierr.Append(err, recoverExchange(d, &e, j.state))
			continue
		}
		tempThere := exists(d.fd, e.temp)
		switch {
		case j.state == stateCommit && tempThere:
			err = multierr.Append(err, unix.Renameat(d.fd, e.temp, d.fd, e.name))
		case j.state == stateRollback && tempThere:
			// Never renamed: the target is still the old one.
			err = multierr.Append(err, unix.Unlinkat(d.fd, e.temp, 0))
		case j.state == stateRollback && e.backup != "":
			if exists(d.fd, e.backup) {
				err = multierr.Append(err, unix.Renameat(d.fd, e.backup, d.fd, e.name))
			}
		case j.state == stateRollback && e.oldIno != 0 && inode(d.fd, e.name) == e.oldIno:
			// Still the old target, never renamed over: a target with no
			// backup, the last of a batch, whose temp another process
			// removed before its rename failed.
		case j.state == stateRollback:
			// Renamed, and there was nothing before it: remove it.
			if uerr := unix.Unlinkat(d.fd, e.name, 0); uerr != unix.ENOENT {
				err = multierr.Append(err, uerr)
			}
		}
		if e.backup != "" && exists(d.fd, e.backup) {
			err = multierr.Append(err, unix.Unlinkat(d.fd, e.backup, 0))
		}
	}
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if err := syncFD(d.fd); err != nil {
			return err
		}
	}
	if err := unix.Unlinkat(dir.fd, name, 0); err != nil && err != unix.ENOENT {
		return err
	}
	return syncFD(dir.fd)
}

// recoverExchange finishes or undoes one entry whose rename is an exchange.
// Its temp's name holds the new content until the exchange and the old
// content after it; the old content's inode number tells the two apart.
func recoverExchange(d *Dir, e *journalEntry, state string) error {
	var st unix.Stat_t
	switch err := unix.Fstatat(d.fd, e.temp, &st, unix.AT_SYMLINK_NOFOLLOW); {
	case err == unix.ENOENT:
		return nil // finished and cleaned up (or undone) already
	case err != nil:
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		// Not a temp of ours: a target that another process made a
		// directory after it was staged, exchanged away (see Commit).
		if state == stateCommit {
			return nil // the sweep reports it; never removed
		}
		if err := exchange(d.fd, e.temp, e.name); err != nil {
			return err
		}
		return unix.Unlinkat(d.fd, e.temp, 0)
	}
	exchanged := st.Ino == e.oldIno
	if exchanged == (state == stateCommit) {
		// The temp holds what the target must not: the old content of a
		// finished exchange, or the new content of a rolled-back one.
		return unix.Unlinkat(d.fd, e.temp, 0)
	}
	// The temp holds what the target must: the new content of an exchange
	// not made yet, or the old content of one to undo.
	return unix.Renameat(d.fd, e.temp, d.fd, e.name)
}

func exists(dirfd int, name string) bool {
	var st unix.Stat_t
	return unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil
}

// inode returns the inode number of name in dirfd, or 0 if it has none.
func inode(dirfd int, name string) uint64 {
	var st unix.Stat_t
	if unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) != nil {
		return 0
	}
	return st.Ino
}

func readDirNames(dirfd int) ([]string, error) {
	fd, err := unix.Openat(dirfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), ".")
	defer f.Close()
	return f.Readdirnames(-1)
}

func readFileAt(dirfd int, name string) ([]byte, error) {
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	return io.ReadAll(f)
}
