package atomic

import (
	"context"
	"io/fs"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// An Option configures a write. The With functions of this package make
// them, and only they can: the interface's method is unexported. A nil
// Option configures nothing.
type Option interface{ isOption() }

// option is every Option: a change to the write's settings. Its Apply
// method is exported for package txn, which applies these options to its
// entries (through protocol.Option); the type itself is not, so Apply is
// in no documentation, and no code outside this module can call it.
type option func(*protocol.Settings)

func (option) isOption() {}

func (o option) Apply(s *protocol.Settings) { o(s) }

// WithMode gives the written file exactly the mode perm: permission bits
// plus, optionally, fs.ModeSetuid, fs.ModeSetgid and fs.ModeSticky. The
// umask does not apply.
//
// Without WithMode, a file that replaces an existing one keeps its mode, and
// a new file gets 0666 minus the umask, as with os.WriteFile.
func WithMode(perm fs.FileMode) Option {
	return option(func(s *protocol.Settings) {
		s.Mode = perm
		s.HasMode = true
	})
}

// WithPerm gives a new file the permission bits perm minus the umask, and
// leaves an existing file's mode as it is: the semantics of
// os.WriteFile(name, data, perm), and of renameio's WithPermissions with
// WithExistingPermissions. Only permission bits are allowed. Without it a
// new file gets 0666 minus the umask; WithMode, if given too, wins.
func WithPerm(perm fs.FileMode) Option {
	return option(func(s *protocol.Settings) {
		s.Perm = perm
		s.HasPerm = true
	})
}

// WithMkdirAll makes the directories the target's path lacks, as
// os.MkdirAll(dir, perm) would (perm less the umask), but as part of the
// write: each new directory appears whole (made under a temp name, then
// renamed into place) and durably (it and its parent fsynced), and if the
// write does not commit, the directories it made are removed again. After
// a crash, Recover given the target's directory removes those that a
// write made and never committed to.
func WithMkdirAll(perm fs.FileMode) Option {
	return option(func(s *protocol.Settings) {
		s.Mkdir = true
		s.MkdirPerm = perm & fs.ModePerm
	})
}

// WithContext binds the write to ctx. Once ctx is done before the write's
// commit point (the rename), the write is abandoned: the temp file is
// removed at once, even while content is still streaming in, the target is
// untouched, and the call returns an error that wraps ctx.Err(). A write
// that has passed its commit point finishes.
//
// Given to one entry of a txn.Tx, it binds that entry: a done context of
// any entry makes Commit refuse the whole transaction. To bind a whole
// Tx, staging and Commit, use txn.WithContext.
func WithContext(ctx context.Context) Option {
	return option(func(s *protocol.Settings) { s.Context = ctx })
}

// WithNoReplace makes the write create-only: it fails with an error that
// matches fs.ErrExist if the target exists, as os.OpenFile with O_EXCL
// does, and writes nothing. The target is checked when the write begins,
// and again in the commit's rename itself (RENAME_NOREPLACE, or a hard
// link where the filesystem lacks it), so that a file another process
// creates in between is never replaced. A dangling symlink names a file
// that does not exist: the write creates it (where O_EXCL would refuse the
// link).
func WithNoReplace() Option {
	return option(func(s *protocol.Settings) { s.NoReplace = true })
}
