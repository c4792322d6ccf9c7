// Package resolve finds the directory entry a path names, as the kernel's
// own lookup does, but one component at a time on directory handles. Each
// component is opened relative to the handle of the one before, with
// O_NOFOLLOW, so nothing renamed or swapped along the path meanwhile can
// send the caller elsewhere, and a symlink is followed only if its owner is
// trusted (see trusted).
//
// One resolution (a Walk) spends one budget of MaxSymlinks links, counting
// every link it meets: in directories, in the final name, nested in other
// links. That is Linux's own rule for one lookup.
package resolve

import (
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// MaxSymlinks is how many links one resolution may follow before it counts
// as a loop (ELOOP): Linux's MAXSYMLINKS.
const MaxSymlinks = 40

// A Walk is one resolution: the links followed by all of its calls spend
// one budget. The zero value is ready to use.
type Walk struct{ links int }

// Dir opens the directory path, relative to the directory at (unix.AT_FDCWD:
// the working directory). The handle is readable, so that it can be fsynced
// and locked. exact reports that path is absolute and clean and has no
// symlink on it: it names the handle's directory itself, which a later stat
// of path can confirm without asking the kernel for the handle's path.
//
// Most paths hold no link, and the kernel can open them refusing every link
// in one call (openat2 on Linux): that is tried first, and the walk only
// when it fails.
func (w *Walk) Dir(at int, path string) (fd int, exact bool, err error) {
	fd, err = openNoSymlinks(at, path)
	if err != errLinkOnPath {
		return fd, err == nil && filepath.IsAbs(path) && filepath.Clean(path) == path, err
	}
	fd, _, _, err = w.walk(at, path, nil)
	return fd, false, err
}

// An Entry is where a path leads: the directory entry Base in the directory
// open on Dir.
type Entry struct {
	Dir    int    // readable handle; the caller's own at if Owned is false
	Owned  bool   // Dir was opened by the walk: the caller closes it
	Base   string // the entry's name in Dir
	Exists bool   // whether the entry exists; then st holds its lstat
}

// Entry follows the path name, relative to the directory at, to the entry
// it finally names: through the symlinks of its directories and of its final
// name, to a file that is not a symlink, or to a name that does not exist
// (a dangling link names the file to create). st receives the entry's
// lstat.
//
// A relative link is resolved against the directory that holds it, as the
// kernel does, and the walk goes on from that directory's handle: there is
// no window in which the directory part could be looked up again
// differently.
func (w *Walk) Entry(at int, name string, st *unix.Stat_t) (Entry, error) {
	if strings.HasSuffix(name, "/") { // only a directory's name has one
		return Entry{Dir: -1}, unix.EISDIR
	}
	fd, base, exists, err := w.walk(at, name, st)
	return Entry{Dir: fd, Owned: fd != at, Base: base, Exists: exists}, err
}

// walk resolves path from at, one component at a time. With st nil every
// component is a directory and walk returns a readable handle on the last;
// with st set the final component is not opened but looked at (lstat into
// st), and followed while it is a symlink, and walk returns the handle of
// the directory that holds it. The handle is at itself if walk did not move
// from it; otherwise the caller must close it.
func (w *Walk) walk(at int, path string, st *unix.Stat_t) (fd int, base string, exists bool, err error) {
	fd = at
	closeFD := func() {
		if fd != at {
			unix.Close(fd)
		}
	}
	move := func(next int) {
		closeFD()
		fd = next
	}
	fail := func(err error) (int, string, bool, error) {
		closeFD()
		return -1, "", false, err
	}
	var scratch unix.Stat_t
	if st == nil {
		st = &scratch
	}
	entry := st != &scratch
	for {
		if path == "" {
			if entry { // "" or "/": a directory
				return fail(unix.EISDIR)
			}
			break
		}
		if path[0] == '/' {
			next, err := retry(func() (int, error) { return unix.Open("/", searchFlags, 0) })
			if err != nil {
				return fail(err)
			}
			move(next)
			path = strings.TrimLeft(path, "/")
			continue
		}
		name, rest, slash := strings.Cut(path, "/")
		path = strings.TrimLeft(rest, "/")
		if entry && !slash {
			err := unix.Fstatat(fd, name, st, unix.AT_SYMLINK_NOFOLLOW)
			switch {
			case err == unix.ENOENT:
				base = name
			case err != nil:
				return fail(err)
			case st.Mode&unix.S_IFMT != unix.S_IFLNK:
				base, exists = name, true
			default:
				link, err := w.follow(fd, name, st)
				switch {
				case err == errNotLink:
					path = name // changed since the fstatat: look again
				case err != nil:
					return fail(err)
				case strings.HasSuffix(link, "/"):
					return fail(unix.EISDIR) // as for a name that ends in one
				default:
					path = link
				}
				continue
			}
			break
		}
		if name == "." {
			continue
		}
		next, err := retry(func() (int, error) { return unix.Openat(fd, name, searchFlags|unix.O_NOFOLLOW, 0) })
		if err == nil {
			move(next)
			continue
		}
		if err != unix.ELOOP && err != unix.ENOTDIR {
			return fail(err)
		}
		link, err := w.follow(fd, name, &scratch)
		switch {
		case err == errNotLink && scratch.Mode&unix.S_IFMT == unix.S_IFDIR:
			// A link a moment ago, a directory now: someone is changing
			// the path under us. Look again (the budget bounds how often).
			path = name + "/" + path
			continue
		case err == errNotLink:
			return fail(unix.ENOTDIR)
		case err != nil:
			return fail(err)
		}
		if path != "" {
			link += "/" + path
		}
		path = link
	}
	switch {
	case entry && fd == at:
		return fd, base, exists, nil // the caller's own handle
	case fd != at && searchReadable:
		return fd, base, exists, nil
	}
	// The walk's handles may only search (O_PATH), and a directory walk
	// that ends where it began (".") holds none of its own: the caller's
	// handle must be readable, and its own.
	readable, err := retry(func() (int, error) {
		return unix.Openat(fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return fail(err)
	}
	move(readable)
	return fd, base, exists, nil
}

// follow spends one link of the budget and reads the symlink name in the
// directory dirfd (see readLink).
func (w *Walk) follow(dirfd int, name string, st *unix.Stat_t) (string, error) {
	if w.links++; w.links > MaxSymlinks {
		return "", unix.ELOOP
	}
	return readLink(dirfd, name, st)
}

func retry(open func() (int, error)) (int, error) {
	for {
		fd, err := open()
		if err != unix.EINTR {
			return fd, err
		}
	}
}
