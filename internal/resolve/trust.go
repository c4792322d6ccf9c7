package resolve

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// ErrUntrustedSymlink is wrapped when a path holds a symlink owned by a user
// other than root and the caller: it is not followed. It also matches
// fs.ErrPermission.
var ErrUntrustedSymlink = fmt.Errorf("symlink owned by another user not followed: %w", fs.ErrPermission)

var errNotLink = errors.New("not a symlink")

// trusted reports whether a symlink may be followed: only when it belongs to
// root or to the process's effective user. A link made by anyone else could
// have been planted to send a write elsewhere (a privileged writer into
// /etc, say); the kernel's protected_symlinks rule guards sticky
// directories alone, and this guards every directory.
func trusted(st *unix.Stat_t) bool {
	return st.Uid == 0 || int(st.Uid) == os.Geteuid()
}

// readlinkat returns the content of the symlink name in dirfd, however
// long.
func readlinkat(dirfd int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := readlinkatBuf(dirfd, name, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}
