package protocol

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/atomicwrite/atomicwrite/internal/resolve"
	"github.com/atomicwrite/atomicwrite/internal/sys"
)

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

	Exists bool       // whether the entry existed when resolved
	Stat   sys.Stat_t // the existing entry's metadata, when Exists
}

// Key identifies the target's directory entry.
func (t *Target) Key() Key { return Key{t.Dir.id, t.Base} }

// Resolve follows name's symlinks to the regular file (or absent entry) they
// finally name, and opens the directory that holds it, sharing handles
// through dirs. The directories it opens stay in dirs, even when it fails:
// closing dirs closes them.
//
// The directory part is opened once per set (a Tx with many files in one
// directory opens it once, and every entry lands in the directory the
// first resolved, whatever is renamed along the path meanwhile); the final
// name is then looked up on that handle, and its links followed from
// there (see package resolve).
func Resolve(name string, dirs *Dirs) (Target, error) {
	return resolveTarget(name, dirs, true, nil)
}

// ResolveFor is Resolve for a write with settings s: with s.Mkdir, the
// directories name lacks are made (see mkdir.go).
func ResolveFor(name string, dirs *Dirs, s *Settings) (Target, error) {
	if !s.Mkdir {
		return resolveTarget(name, dirs, true, nil)
	}
	perm := uint32(s.MkdirPerm)
	return resolveTarget(name, dirs, true, &perm)
}

// ResolveName is Resolve for a removal: it follows the symlinks of the
// directories, but not a final symlink, which is the entry removed (as
// rm and os.Remove remove a link, not what it names). The entry may be a
// regular file or a symlink.
func ResolveName(name string, dirs *Dirs) (Target, error) {
	return resolveTarget(name, dirs, false, nil)
}

// resolveTarget is Resolve, ResolveName and ResolveFor; mkdir, when not
// nil, is the mode of the directories to make.
func resolveTarget(name string, dirs *Dirs, followFinal bool, mkdir *uint32) (Target, error) {
	t := Target{Name: name}
	if name == "" {
		return t, pathError("open", name, errEmptyPath)
	}
	if len(name) >= pathMax {
		return t, pathError("open", name, sys.ENAMETOOLONG)
	}
	dir, base := split(name)
	if base == "" {
		return t, pathError("open", name, sys.EISDIR)
	}
	var w resolve.Walk
	start := dirs.named(dir)
	if start == nil {
		if mkdir != nil {
			w.Make = func(parent int, base string) (int, error) {
				return makeDir(parent, base, *mkdir, name, dirs)
			}
		}
		var err error
		if start, err = dirs.open(&w, dir); err != nil {
			return t, pathError("open", name, err)
		}
		dirs.remember(dir, start)
	}
	found := resolve.Entry{Dir: start.fd, Base: base}
	var err error
	if followFinal {
		w.Path = start.walked
		found, err = w.Entry(start.fd, base, &t.Stat)
	} else if err = sys.Fstatat(start.fd, base, &t.Stat, sys.AT_SYMLINK_NOFOLLOW); err == nil {
		found.Exists = true
	} else if err == sys.ENOENT {
		err = nil
	}
	if err != nil {
		return t, pathError("open", name, err)
	}
	if found.Exists {
		err := ErrNotRegular
		switch t.Stat.Mode & sys.S_IFMT {
		case sys.S_IFREG:
			err = checkPlanted(found.Dir, &t.Stat, dirs.euid())
		case sys.S_IFLNK:
			err = nil // only ResolveName stops at a link
		case sys.S_IFDIR:
			err = sys.EISDIR
		}
		if err != nil {
			if found.Owned {
				sys.Close(found.Dir)
			}
			return t, pathError("open", name, err)
		}
	}
	t.Dir, t.Base, t.Exists = start, found.Base, found.Exists
	if found.Owned { // the search followed a link to another directory
		if t.Dir, err = dirs.adopt(found.Dir); err != nil {
			return t, pathError("open", name, err)
		}
		if t.Dir.walked == "" {
			t.Dir.walked = w.Path
		}
	}
	return t, nil
}

// split cuts a path into its directory and final name, at the last
// separator after the volume name (Windows has two separators and volume
// names; Unix, '/' and none). A path that ends in a separator has no final
// name: it can only denote a directory.
func split(path string) (dir, base string) {
	vol := len(filepath.VolumeName(path))
	i := len(path) - 1
	for i >= vol && !os.IsPathSeparator(path[i]) {
		i--
	}
	switch {
	case i < vol && vol == 0:
		return ".", path
	case i < vol:
		return path[:vol], path[vol:]
	case i == vol:
		return path[:i+1], path[i+1:]
	}
	return path[:i], path[i+1:]
}

// trimSeparators drops the separators a path ends with.
func trimSeparators(path string) string {
	return strings.TrimRight(path, "/"+string(filepath.Separator))
}

var errPlanted = fmt.Errorf("%w: the file belongs to another user, in a sticky world-writable directory", fs.ErrPermission)

// checkPlanted refuses a target that another user may have planted to
// capture what is written: in a sticky, world-writable directory (such as
// /tmp), a file owned by neither the writer nor the directory's owner. It
// is the kernel's protected_regular rule, applied whatever the sysctl says.
func checkPlanted(dirfd int, st *sys.Stat_t, euid uint32) error {
	if st.Uid == euid {
		return nil
	}
	var ds sys.Stat_t
	if err := sys.Fstat(dirfd, &ds); err != nil {
		return err
	}
	if ds.Mode&sys.S_ISVTX != 0 && ds.Mode&sys.S_IWOTH != 0 && st.Uid != ds.Uid {
		return errPlanted
	}
	return nil
}
