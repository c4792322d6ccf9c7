package protocol

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// openDir opens the directory path (relative to the directory at, or to the
// working directory when at is unix.AT_FDCWD), following only trusted
// symlinks. The handle is readable, so that it can be fsynced.
//
// Where the kernel can open the whole path refusing every symlink in one
// call (openat2 on Linux), that is tried first: most paths hold no link, and
// then the walk below costs nothing.
func openDir(at int, path string) (int, error) {
	fd, err := openNoSymlinks(at, path)
	if err != errLinkOnPath {
		return fd, err
	}
	return openDirWalking(at, path)
}

// openNamedDir opens the directory path, relative to the working directory,
// as openDir does. It also reports whether path is the handle's own path
// (absolute, clean, and opened with no symlink on it), which the journal
// can then use instead of asking the kernel (see Dir.pathNow).
func openNamedDir(path string) (fd int, exact bool, err error) {
	fd, err = openNoSymlinks(unix.AT_FDCWD, path)
	if err == errLinkOnPath {
		fd, err = openDirWalking(unix.AT_FDCWD, path)
		return fd, false, err
	}
	return fd, err == nil && filepath.IsAbs(path) && filepath.Clean(path) == path, err
}

// openDirWalking opens the directory path with walk.
func openDirWalking(at int, path string) (int, error) {
	search, owned, err := walk(at, path)
	if err != nil {
		return -1, err
	}
	fd, err := retry(func() (int, error) {
		return unix.Openat(search, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	})
	if owned {
		unix.Close(search)
	}
	return fd, err
}

// walk resolves path one component at a time, each opened relative to the
// handle of the one before with O_NOFOLLOW, so that no component can be
// swapped for a symlink between being checked and being used. A symlink on
// the way is followed only if trustedLink says so. It returns a handle
// usable as the directory argument of the *at calls, and whether the caller
// must close it (it does not when path named at itself).
func walk(at int, path string) (fd int, owned bool, err error) {
	fd = at
	closeFD := func() {
		if owned {
			unix.Close(fd)
		}
	}
	move := func(next int) {
		closeFD()
		fd, owned = next, true
	}
	links := 0
	for path != "" {
		if path[0] == '/' {
			next, err := retry(func() (int, error) { return unix.Open("/", searchFlags, 0) })
			if err != nil {
				closeFD()
				return -1, false, err
			}
			move(next)
			path = strings.TrimLeft(path, "/")
			continue
		}
		name, rest, _ := strings.Cut(path, "/")
		path = strings.TrimLeft(rest, "/")
		if name == "." {
			continue
		}
		next, err := retry(func() (int, error) { return unix.Openat(fd, name, searchFlags|unix.O_NOFOLLOW, 0) })
		if err == nil {
			move(next)
			continue
		}
		if err != unix.ELOOP && err != unix.ENOTDIR {
			closeFD()
			return -1, false, err
		}
		if links++; links > maxSymlinks {
			closeFD()
			return -1, false, unix.ELOOP
		}
		var st unix.Stat_t
		link, err := readLink(fd, name, &st)
		switch {
		case err == errNotLink && st.Mode&unix.S_IFMT == unix.S_IFDIR:
			// It was a link a moment ago and is a directory now: someone
			// is changing the path under us. Look again (the count above
			// bounds how often).
			path = name + "/" + path
			continue
		case err == errNotLink:
			closeFD()
			return -1, false, unix.ENOTDIR
		case err != nil:
			closeFD()
			return -1, false, err
		}
		if path != "" {
			link += "/" + path
		}
		path = link
	}
	return fd, owned, nil
}

var errNotLink = errors.New("not a symlink")

// trustedLink reports whether a symlink may be followed: only when it
// belongs to root or to the writing process's effective user. A link made
// by anyone else could have been planted to send the write elsewhere (a
// privileged writer into /etc, say); the kernel's protected_symlinks rule
// guards sticky directories alone, and this guards every directory.
func trustedLink(st *unix.Stat_t) bool {
	return st.Uid == 0 || int(st.Uid) == os.Geteuid()
}

func retry(open func() (int, error)) (int, error) {
	for {
		fd, err := open()
		if err != unix.EINTR {
			return fd, err
		}
	}
}
