//go:build unix

package resolve

import (
	"path/filepath"
	"strings"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// Dir opens the directory path, relative to the directory at (sys.AT_FDCWD:
// the working directory). The handle is readable, so that it can be fsynced
// and locked. exact reports that path is absolute and clean and has no
// symlink on it: it names the handle's directory itself, which a later stat
// of path can confirm without asking the kernel for the handle's path.
//
// Most paths hold no link, and the kernel can open them refusing every
// link in one call (openat2 on Linux): that is tried first, and the walk
// only when it finds a link (ELOOP), when the call is missing (ENOSYS:
// before Linux 5.6, or another system) or filtered (EPERM: a seccomp
// profile), or when it finds a directory missing that w.Make is to make.
func (w *Walk) Dir(at int, path string) (fd int, exact bool, err error) {
	fd, err = sys.OpenNoSymlinks(at, path, sys.O_RDONLY|sys.O_DIRECTORY|sys.O_CLOEXEC)
	walk := err == sys.ELOOP || err == sys.ENOSYS || err == sys.EPERM || (err == sys.ENOENT && w.Make != nil)
	if !walk {
		if err == nil && at == sys.AT_FDCWD {
			w.Path = path // no link on it: taken as written
		} else if err == nil {
			w.Path = joinKnown(w.Path, path)
		}
		return fd, err == nil && filepath.IsAbs(path) && filepath.Clean(path) == path, err
	}
	fd, _, _, err = w.walk(at, path, nil)
	return fd, false, err
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
//
// Most names are a single component and no symlink: one stat answers,
// as the walk's first step would, but without the times, which no caller
// needs of a file and which would make its next change dearer (see
// sys.FstatatUntimed). (A symlink is looked at again by the walk, which
// follows it, and reads its change time to tell whether it changed.)
func (w *Walk) Entry(at int, name string, st *sys.Stat_t) (Entry, error) {
	if strings.HasSuffix(name, "/") { // only a directory's name has one
		return Entry{Dir: -1}, sys.EISDIR
	}
	if name != "" && !strings.Contains(name, "/") {
		err := sys.FstatatUntimed(at, name, st, sys.AT_SYMLINK_NOFOLLOW)
		if err == sys.ENOENT || err == nil && st.Mode&sys.S_IFMT != sys.S_IFLNK {
			w.Path = w.start(at)
			return Entry{Dir: at, Base: name, Exists: err == nil}, nil
		}
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
func (w *Walk) walk(at int, path string, st *sys.Stat_t) (fd int, base string, exists bool, err error) {
	fd = at
	closeFD := func() {
		if fd != at {
			sys.Close(fd)
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
	var scratch sys.Stat_t
	if st == nil {
		st = &scratch
	}
	entry := st != &scratch
	cur := w.start(at) // the path of fd, as far as it is known
	defer func() {
		if err == nil {
			w.Path = cur
		}
	}()
	for {
		if path == "" {
			if entry { // "" or "/": a directory
				return fail(sys.EISDIR)
			}
			break
		}
		if path[0] == '/' {
			next, err := sys.IgnoringEINTR(func() (int, error) { return sys.Open("/", searchFlags, 0) })
			if err != nil {
				return fail(err)
			}
			move(next)
			cur = "/"
			path = strings.TrimLeft(path, "/")
			continue
		}
		name, rest, slash := strings.Cut(path, "/")
		path = strings.TrimLeft(rest, "/")
		if entry && !slash {
			err := sys.Fstatat(fd, name, st, sys.AT_SYMLINK_NOFOLLOW)
			switch {
			case err == sys.ENOENT:
				base = name
			case err != nil:
				return fail(err)
			case st.Mode&sys.S_IFMT != sys.S_IFLNK:
				base, exists = name, true
			default:
				link, err := w.follow(fd, cur, name, st)
				switch {
				case err == errNotLink || err == errLinkChanged:
					path = name // changed since the fstatat: look again
				case err != nil:
					return fail(err)
				case strings.HasSuffix(link, "/"):
					return fail(sys.EISDIR) // as for a name that ends in one
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
		next, err := sys.IgnoringEINTR(func() (int, error) { return sys.Openat(fd, name, searchFlags|sys.O_NOFOLLOW, 0) })
		if err == nil {
			move(next)
			cur = joinKnown(cur, name) // no link: a ".." is the parent's
			continue
		}
		if err == sys.ENOENT && !entry && w.Make != nil {
			next, err := w.Make(fd, name)
			switch {
			case err == nil:
				move(next)
				cur = joinKnown(cur, name)
				continue
			case err == sys.EEXIST && w.spend():
				path = name + "/" + path // made meanwhile by someone else: look again
				continue
			case err == sys.EEXIST:
				return fail(sys.ELOOP)
			}
			return fail(err)
		}
		if err != sys.ELOOP && err != sys.ENOTDIR {
			return fail(err)
		}
		link, err := w.follow(fd, cur, name, &scratch)
		switch {
		case err == errNotLink && scratch.Mode&sys.S_IFMT == sys.S_IFDIR, err == errLinkChanged:
			// A link a moment ago, a directory or another link now:
			// someone is changing the path under us. Look again (the
			// budget bounds how often).
			path = name + "/" + path
			continue
		case err == errNotLink:
			return fail(sys.ENOTDIR)
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
	readable, err := sys.IgnoringEINTR(func() (int, error) {
		return sys.Openat(fd, ".", sys.O_RDONLY|sys.O_DIRECTORY|sys.O_CLOEXEC, 0)
	})
	if err != nil {
		return fail(err)
	}
	move(readable)
	return fd, base, exists, nil
}

// start is the path of at, as far as it is known.
func (w *Walk) start(at int) string {
	if at == sys.AT_FDCWD {
		return "."
	}
	return w.Path
}

// joinKnown is name in dir, cleaned: name itself if absolute, "" if
// relative to an unknown dir ("").
func joinKnown(dir, name string) string {
	switch {
	case filepath.IsAbs(name):
		return filepath.Clean(name)
	case dir == "":
		return ""
	}
	return filepath.Join(dir, name)
}

// follow spends one link of the budget and reads the symlink name in the
// directory dirfd, whose path is dir as far as the walk knows it (see
// readLink).
func (w *Walk) follow(dirfd int, dir, name string, st *sys.Stat_t) (string, error) {
	if !w.spend() {
		return "", sys.ELOOP
	}
	return readLink(dirfd, dir, name, st)
}

// readlinkat returns the content of the symlink name in dirfd, however
// long; dir is dirfd's path, for systems that can read a link only by path
// (see sys.Readlinkat).
func readlinkat(dirfd int, dir, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := sys.Readlinkat(dirfd, dir, name, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}
