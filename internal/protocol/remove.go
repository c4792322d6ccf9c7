package protocol

import (
	"context"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// A removal is an entry with no content. Alone, unlink(2) is atomic by
// itself, and the directory's fsync makes it durable (removeOne). In a
// batch, the rename phase moves the target aside to a backup name, which
// the undo renames back and which is removed with the other backups once
// every rename is done (see commitBatch); the journal records both names
// and the target's inode, by which Recover tells how far it got.

// removeOne commits a transaction whose only entry is a removal.
func removeOne(e *Entry, ctx context.Context) error {
	err := e.committable()
	if err == nil {
		err = e.cancelled(ctx)
	}
	if err != nil {
		return err
	}
	err = e.settings.inject(StepRename)
	if err == nil {
		err = sys.Unlinkat(e.Dir.fd, e.Base, 0)
	}
	switch err {
	case nil:
	case sys.ENOENT:
		return nil // removed already: the set is as asked
	default:
		return pathError("remove", e.Name, err)
	}
	return e.syncDir()
}

// prepareRemoval looks at the removal's target as the commit finds it
// (its times unread: it is moved aside next), and names its backup. A
// target that is gone needs nothing more.
func (e *Entry) prepareRemoval() error {
	err := sys.FstatatUntimed(e.Dir.fd, e.Base, &e.Stat, sys.AT_SYMLINK_NOFOLLOW)
	switch {
	case err == sys.ENOENT:
		e.Exists = false
		return nil
	case err != nil:
		return pathError("stat", e.Name, err)
	case e.Stat.Mode&sys.S_IFMT == sys.S_IFDIR:
		return pathError("remove", e.Name, sys.EISDIR)
	}
	e.Exists = true
	e.aside = randomName(e.Base, backupSuffix, e.settings.random())
	return nil
}

// moveAside renames the removal's target to its backup name, refusing to
// replace a file that holds that name already.
func (e *Entry) moveAside() error {
	if !e.Exists {
		return nil
	}
	err := moveNoReplace(e.Dir.fd, e.Dir.walked, e.Base, e.aside)
	switch err {
	case nil:
		e.backup = e.aside
	case sys.ENOENT:
		err = nil // gone already
	}
	return err
}
