//go:build (unix && !linux) || (linux && atomicwrite_bsd)

package resolve

import (
	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// searchFlags open a directory on the walk. Without Linux's O_PATH that
// needs read permission on each directory, where the kernel's own lookup
// needs only search permission.
const searchFlags = sys.O_RDONLY | sys.O_DIRECTORY | sys.O_CLOEXEC

// searchReadable says whether a handle opened with searchFlags is readable.
const searchReadable = true

// readLink reads the symlink name in the directory dirfd, if trusted
// allows, and fills st with its metadata. It returns errNotLink (with st
// filled) if name is not a symlink.
//
// Without Linux's O_PATH the owner and the content are read by name, one
// after the other (the content by path where there is no readlinkat: see
// sys.Readlinkat, to which dir, dirfd's path as far as the walk knows it,
// goes). A link swapped for another between the two reads would have its
// content followed on the first's owner: so the name is looked at again
// after the read, and must still be the same link, unchanged
// (sys.SameLink), or readLink fails with errLinkChanged.
func readLink(dirfd int, dir, name string, st *sys.Stat_t) (string, error) {
	if err := sys.Fstatat(dirfd, name, st, sys.AT_SYMLINK_NOFOLLOW); err != nil {
		return "", err
	}
	if st.Mode&sys.S_IFMT != sys.S_IFLNK {
		return "", errNotLink
	}
	if !trusted(st) {
		return "", ErrUntrustedSymlink
	}
	link, err := readlinkat(dirfd, dir, name)
	if err != nil {
		return "", err
	}
	var after sys.Stat_t
	if err := sys.Fstatat(dirfd, name, &after, sys.AT_SYMLINK_NOFOLLOW); err != nil {
		return "", err
	}
	if !sys.SameLink(st, &after) {
		return "", errLinkChanged
	}
	return link, nil
}
