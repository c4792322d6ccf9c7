package protocol

import "github.com/atomicwrite/atomicwrite/internal/sys"

// Windows cannot rename over a file that a handle holds open (see
// lockTarget), and does not tell through a handle whether its file
// still has a name (wine reports a link, and no pending delete, after
// DeleteFile). So a turn-back lets go of the commit record before it
// replaces it, and whether another process kept that under a name of its
// own cannot be told; and a journal is emptied before its name goes (see
// sys.UnlinkOpen), so that a name another process gave it holds nothing
// to replay.

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
