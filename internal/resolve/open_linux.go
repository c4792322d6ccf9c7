//go:build !atomicwrite_bsd

package resolve

import (
	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// searchFlags open a directory on the walk: O_PATH needs only the search
// permission that the kernel's own lookup needs, not read permission.
const searchFlags = sys.O_PATH | sys.O_DIRECTORY | sys.O_CLOEXEC

// searchReadable says whether a handle opened with searchFlags is readable.
const searchReadable = false

// readLink reads the symlink name in the directory dirfd, if trusted
// allows, and fills st with its metadata. It returns errNotLink (with st
// filled) if name is not a symlink.
//
// The link is opened itself (O_PATH|O_NOFOLLOW) and both its owner and its
// content are read through that one handle: a link swapped in between the
// check of the owner and the read of the content would otherwise be read.
func readLink(dirfd int, dir, name string, st *sys.Stat_t) (string, error) {
	fd, err := sys.IgnoringEINTR(func() (int, error) {
		return sys.Openat(dirfd, name, sys.O_PATH|sys.O_NOFOLLOW|sys.O_CLOEXEC, 0)
	})
	if err != nil {
		return "", err
	}
	defer sys.Close(fd)
	if err := sys.Fstat(fd, st); err != nil {
		return "", err
	}
	if st.Mode&sys.S_IFMT != sys.S_IFLNK {
		return "", errNotLink
	}
	if !trusted(st) {
		return "", ErrUntrustedSymlink
	}
	return readlinkat(fd, "", "")
}
