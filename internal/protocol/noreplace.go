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
	err := moveNoReplace(e.Dir.fd, e.Dir.walked, e.temp, e.Base)
	switch {
	case err != sys.EEXIST:
		return err
	case e.settings.HasExpect:
		return fmt.Errorf("%w: %w", ErrChanged, err) // expected absent
	}
	return fs.ErrExist
}

// moveNoReplace renames from to to in dirfd, unless to exists. dir is a
// path that led to dirfd, or "" (see sys.Link).
func moveNoReplace(dirfd int, dir, from, to string) error {
	err := sys.RenameNoReplace(dirfd, from, to)
	if err != sys.ENOTSUP && err != sys.EINVAL {
		return err
	}
	if err := sys.Link(dirfd, dir, from, to); err != nil {
		return err
	}
	if err := sys.Unlinkat(dirfd, from, 0); err != nil && err != sys.ENOENT {
		return err
	}
	return nil
}

// moveNew renames from to to in dirfd (see moveNoReplace for dir) for a
// target that did not exist: unless to exists now, where that can be
// refused; where it cannot (AIX: no RENAME_NOREPLACE, and no link without
// the directory's path), as a plain rename.
func moveNew(dirfd int, dir, from, to string) error {
	err := moveNoReplace(dirfd, dir, from, to)
	if errors.Is(err, errors.ErrUnsupported) {
		err = sys.Renameat(dirfd, from, dirfd, to)
	}
	return err
}
