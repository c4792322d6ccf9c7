package protocol

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// A create-only write (Settings.NoReplace) fails if its target exists: when
// staged, which spares the work, and when committed, where the check and the
// rename are one system call, so that no file another process creates in
// between is ever replaced.

// renameNoReplace renames the temp to the target's name, unless that name
// exists (fs.ErrExist, as when staged). Where the filesystem cannot refuse
// in the rename itself, a hard link to the name does the same, and the
// temp's name is then removed.
func (e *Entry) renameNoReplace() error {
	err := moveNoReplace(e.Dir.fd, e.temp, e.Base)
	switch {
	case err != sys.EEXIST:
		return err
	case e.settings.HasExpect:
		return fmt.Errorf("%w: %w", ErrChanged, err) // expected absent
	}
	return fs.ErrExist
}

// moveNoReplace renames from to to in dirfd, unless to exists.
func moveNoReplace(dirfd int, from, to string) error {
	err := sys.RenameNoReplace(dirfd, from, to)
	if err != sys.ENOTSUP && err != sys.EINVAL {
		return err
	}
	if err := sys.Linkat(dirfd, from, dirfd, to, 0); err != nil {
		return err
	}
	if err := sys.Unlinkat(dirfd, from, 0); err != nil && err != sys.ENOENT {
		return err
	}
	return nil
}

// moveNew renames from to to in dirfd for a target that did not exist:
// unless to exists now, where that can be refused; where it cannot (AIX:
// no RENAME_NOREPLACE, no link), as a plain rename.
func moveNew(dirfd int, from, to string) error {
	err := moveNoReplace(dirfd, from, to)
	if errors.Is(err, errors.ErrUnsupported) {
		err = sys.Renameat(dirfd, from, dirfd, to)
	}
	return err
}
