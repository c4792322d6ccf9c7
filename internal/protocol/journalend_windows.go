package protocol

import "github.com/atomicwrite/atomicwrite/internal/sys"

// Windows cannot rename over a file that a handle holds open (see
// lockTarget), and does not tell through a handle whether its file
// still has a name (wine reports a link, and no pending delete, after
// DeleteFile). So a turn-back lets go of the commit record before it
// replaces it, and whether another process kept that under a name of its
// own cannot be told; and a journal is emptied before its name goes, so
// that a name another process gave it holds nothing to replay. A move is
// known only when the name is gone already.

// replaceRecord renames the rollback record tmp, open on fd, over the
// journal's name.
func (jf *journalFile) replaceRecord(tmp string, fd int) error {
	jf.close()
	if err := sys.Renameat(jf.dir.fd, tmp, jf.dir.fd, jf.name); err != nil {
		return err
	}
	jf.fd = fd
	return nil
}

// unlinkJournal empties the journal open on fd (if it is), then removes
// its name, and reports whether the name was gone: another process renamed
// it.
func unlinkJournal(dirfd int, name string, fd int) (kept bool, err error) {
	if fd >= 0 {
		if err := sys.Ftruncate(fd, 0); err != nil {
			return false, err
		}
	}
	err = sys.Unlinkat(dirfd, name, 0)
	if err == sys.ENOENT {
		return true, nil
	}
	return false, err
}
