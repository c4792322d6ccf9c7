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
