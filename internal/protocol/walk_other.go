//go:build unix && !linux

package protocol

import (
	"errors"

	"golang.org/x/sys/unix"
)

const searchFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC

var errLinkOnPath = errors.New("symlink on the path")

// openNoSymlinks has no one-call form outside Linux: walk decides.
func openNoSymlinks(at int, path string) (int, error) { return -1, errLinkOnPath }

// readLink reads the symlink name in the directory dirfd, if trustedLink
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
	if !trustedLink(st) {
		return "", ErrUntrustedSymlink
	}
	return readlinkat(dirfd, name)
}
