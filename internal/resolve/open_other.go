//go:build unix && !linux

package resolve

import (
	"errors"

	"golang.org/x/sys/unix"
)

// searchFlags open a directory on the walk. Without Linux's O_PATH that
// needs read permission on each directory, where the kernel's own lookup
// needs only search permission.
const searchFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC

// searchReadable says whether a handle opened with searchFlags is readable.
const searchReadable = true

var errLinkOnPath = errors.New("symlink on the path")

// openNoSymlinks has no one-call form outside Linux: the walk decides.
func openNoSymlinks(at int, path string) (int, error) { return -1, errLinkOnPath }

// readLink reads the symlink name in the directory dirfd, if trusted
// allows, and fills st with its metadata. It returns errNotLink (with st
// filled) if name is not a symlink.
//
// Without Linux's O_PATH the owner and the content are read by name, one
// after the other: a link swapped between the two reads is not detected.
func readLink(dirfd int, name string, st *unix.Stat_t) (string, error) {
	if err := unix.Fstatat(dirfd, name, st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return "", err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		return "", errNotLink
	}
	if !trusted(st) {
		return "", ErrUntrustedSymlink
	}
	return readlinkat(dirfd, name)
}
