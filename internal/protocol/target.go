package protocol

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"golang.org/x/sys/unix"
)

// maxSymlinks is how many links a chain may have before it counts as a loop
// (ELOOP). It bounds the final name's chain in Resolve and, separately, each
// directory walk (see walk); the number is Linux's own limit for one path
// lookup, though the kernel counts every link of a lookup, nested ones too,
// against it.
const maxSymlinks = 40

// pathMax is the longest path (with its terminating NUL) Linux accepts.
// The walk resolves a component at a time and would accept longer ones, so
// the limit is checked up front, for the same answer on every path.
const pathMax = 4096

var errEmptyPath = fmt.Errorf("empty path: %w", fs.ErrInvalid)

// A Target is the directory entry a write finally replaces.
type Target struct {
	Name string // the path as the caller gave it; every error names it
	Dir  *Dir   // the directory that holds the entry
	Base string // the entry's name in Dir

	Exists bool        // whether the entry existed when resolved
	Stat   unix.Stat_t // the existing entry's metadata, when Exists
}

// Key identifies the target's directory entry.
func (t *Target) Key() Key { return Key{t.Dir.id, t.Base} }

// Resolve follows name's symlinks to the regular file (or absent entry) they
// finally name, and opens the directory that holds it, sharing handles
// through dirs. The directories it opens stay in dirs, even when it fails:
// closing dirs closes them.
//
// The links are followed one at a time, each relative to the open handle of
// the directory that holds it, rather than with a path-level realpath: that
// resolves a relative link against its own directory as the kernel does,
// works for a dangling link (it names the file to create), and leaves no
// window in which the directory part could be re-resolved differently.
func Resolve(name string, dirs *Dirs) (Target, error) {
	t := Target{Name: name}
	if name == "" {
		return t, pathError("open", name, errEmptyPath)
	}
	if len(name) >= pathMax {
		return t, pathError("open", name, unix.ENAMETOOLONG)
	}
	dir, base := split(name)
	if base == "" {
		return t, pathError("open", name, unix.EISDIR)
	}
	start := dirs.named(dir)
	if start == nil {
		sfd, exact, err := openNamedDir(dir)
		if err != nil {
			return t, pathError("open", name, err)
		}
		if start, err = dirs.adopt(sfd); err != nil {
			return t, pathError("lock", name, err)
		}
		if exact {
			start.path = dir
		}
		dirs.remember(dir, start)
	}
	// fd is the directory the search is in; owned says whether it must be
	// closed when the search moves on (it is not if it belongs to dirs).
	fd, owned := start.fd, false
	closeFD := func() {
		if owned {
			unix.Close(fd)
		}
	}
	for hops := 0; ; hops++ {
		if base == "" {
			closeFD()
			return t, pathError("open", name, unix.EISDIR)
		}
		err := unix.Fstatat(fd, base, &t.Stat, unix.AT_SYMLINK_NOFOLLOW)
		if errors.Is(err, unix.ENOENT) {
			break
		}
		if err != nil {
			closeFD()
			return t, pathError("open", name, err)
		}
		if t.Stat.Mode&unix.S_IFMT != unix.S_IFLNK {
			t.Exists = true
			break
		}
		if hops == maxSymlinks {
			closeFD()
			return t, pathError("open", name, unix.ELOOP)
		}
		link, err := readLink(fd, base, &t.Stat)
		if err == errNotLink || errors.Is(err, unix.ENOENT) {
			continue // changed since the fstatat above: look again
		}
		if err != nil {
			closeFD()
			return t, pathError("open", name, err)
		}
		dir, base = split(link)
		// openat ignores fd for an absolute link, and resolves a relative
		// one against the directory that holds the link.
		next, err := openDir(fd, dir)
		closeFD()
		if err != nil {
			return t, pathError("open", name, err)
		}
		fd, owned = next, true
	}
	if t.Exists {
		switch t.Stat.Mode & unix.S_IFMT {
		case unix.S_IFREG:
		case unix.S_IFDIR:
			closeFD()
			return t, pathError("open", name, unix.EISDIR)
		default:
			closeFD()
			return t, pathError("open", name, ErrNotRegular)
		}
		if err := checkPlanted(fd, &t.Stat); err != nil {
			closeFD()
			return t, pathError("open", name, err)
		}
	}
	t.Dir, t.Base = start, base
	if owned { // the search followed a link to another directory
		d, err := dirs.adopt(fd)
		if err != nil {
			return t, pathError("lock", name, err)
		}
		t.Dir = d
	}
	return t, nil
}

// split cuts a path into its directory and final name. A path that ends in a
// slash has no final name: it can only denote a directory.
func split(path string) (dir, base string) {
	i := strings.LastIndexByte(path, '/')
	switch {
	case i < 0:
		return ".", path
	case i == 0:
		return "/", path[1:]
	}
	return path[:i], path[i+1:]
}

var errPlanted = fmt.Errorf("%w: the file belongs to another user, in a sticky world-writable directory", fs.ErrPermission)

// checkPlanted refuses a target that another user may have planted to
// capture what is written: in a sticky, world-writable directory (such as
// /tmp), a file owned by neither the writer nor the directory's owner. It
// is the kernel's protected_regular rule, applied whatever the sysctl says.
func checkPlanted(dirfd int, st *unix.Stat_t) error {
	if st.Uid == uint32(unix.Geteuid()) {
		return nil
	}
	var ds unix.Stat_t
	if err := unix.Fstat(dirfd, &ds); err != nil {
		return err
	}
	if ds.Mode&unix.S_ISVTX != 0 && ds.Mode&unix.S_IWOTH != 0 && st.Uid != ds.Uid {
		return errPlanted
	}
	return nil
}
