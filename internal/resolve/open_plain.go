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
// after the other: a link swapped between the two reads is not detected
// (where the content is read by path, a swap during that read is: see
// sys.Readlinkat, to which dir, dirfd's path as far as the walk knows it,
// goes).
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
	return readlinkat(dirfd, dir, name)
}
