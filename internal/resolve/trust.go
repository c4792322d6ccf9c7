package resolve

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// ErrUntrustedSymlink is wrapped when a path holds a symlink owned by a user
// other than root and the caller: it is not followed. It also matches
// fs.ErrPermission.
var ErrUntrustedSymlink = fmt.Errorf("symlink owned by another user not followed: %w", fs.ErrPermission)

var errNotLink = errors.New("not a symlink")

// errLinkChanged says that a link read by name was another, or changed,
// by the time its content was read (see readLink): the walk looks at the
// name again, spending the link against its budget.
var errLinkChanged = errors.New("symlink changed while it was read")

// trusted reports whether a symlink may be followed: only when it belongs to
// root or to the process's effective user. A link made by anyone else could
// have been planted to send a write elsewhere (a privileged writer into
// /etc, say); the kernel's protected_symlinks rule guards sticky
// directories alone, and this guards every directory.
func trusted(st *sys.Stat_t) bool {
	return st.Uid == 0 || int(st.Uid) == sys.Geteuid()
}
