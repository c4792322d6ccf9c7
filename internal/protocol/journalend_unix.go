//go:build unix

package protocol

import "github.com/atomicwrite/atomicwrite/internal/sys"

// replaceRecord renames the rollback record tmp, open on fd, over the
// journal's name, and empties the commit record it replaces if that file
// keeps a name all the same: another process renamed or linked it.
func (jf *journalFile) replaceRecord(tmp string, fd int) error {
	if err := sys.Renameat(jf.dir.fd, tmp, jf.dir.fd, jf.name); err != nil {
		return err
	}
	old := jf.fd
	jf.fd = fd
	defer sys.Close(old)
	n, err := sys.Links(old)
	switch {
	case err != nil:
		return voidJournal(old, err)
	case n > 0:
		return voidJournal(old, errJournalMoved)
	}
	return nil
}
