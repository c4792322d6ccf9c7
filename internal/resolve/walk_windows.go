package resolve

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// Win32 has no lookup relative to a directory's handle: on Windows the walk
// goes by paths, one component at a time from the volume's root, and
// follows each symlink or junction it meets itself, on the same budget;
// the directory it ends in is then opened by the path it resolved to.
// Between the walk and the open, a directory renamed or replaced along that
// path is not seen (see docs/platforms.md).

// Dir opens the directory path, relative to the directory at
// (sys.AT_FDCWD: the working directory). exact reports that path is
// absolute and clean and has no link on it.
func (w *Walk) Dir(at int, path string) (fd int, exact bool, err error) {
	abs, err := absolute(at, path)
	if err != nil {
		return -1, false, err
	}
	real, err := w.eval(abs, w.Make)
	if err != nil {
		return -1, false, err
	}
	fd, err = sys.Open(real, sys.O_RDONLY|sys.O_DIRECTORY|sys.O_NOFOLLOW, 0)
	if err == nil {
		w.Path = real
	}
	return fd, err == nil && real == path, err
}

// Entry follows the path name, relative to the directory at, to the entry
// it finally names, as on Unix: through the links of its directories and
// of its final name, to a file that is not a link, or to a name that does
// not exist. st receives the entry's lstat. The handle returned is always
// the walk's own.
func (w *Walk) Entry(at int, name string, st *sys.Stat_t) (Entry, error) {
	if name == "" || os.IsPathSeparator(name[len(name)-1]) {
		return Entry{Dir: -1}, sys.EISDIR
	}
	path, err := absolute(at, name)
	if err != nil {
		return Entry{Dir: -1}, err
	}
	for {
		dir, base := filepath.Split(path)
		real, err := w.eval(dir, nil)
		if err != nil {
			return Entry{Dir: -1}, err
		}
		full := filepath.Join(real, base)
		exists := true
		err = sys.Lstat(full, st)
		switch {
		case err == sys.ENOENT:
			exists = false
		case err != nil:
			return Entry{Dir: -1}, err
		case st.Mode&sys.S_IFMT == sys.S_IFLNK:
			link, err := w.follow(full, st)
			if err != nil {
				return Entry{Dir: -1}, err
			}
			if os.IsPathSeparator(link[len(link)-1]) {
				return Entry{Dir: -1}, sys.EISDIR
			}
			path = under(real, link)
			continue
		}
		fd, err := sys.Open(real, sys.O_RDONLY|sys.O_DIRECTORY|sys.O_NOFOLLOW, 0)
		if err != nil {
			return Entry{Dir: -1}, err
		}
		w.Path = real
		return Entry{Dir: fd, Owned: true, Base: base, Exists: exists}, nil
	}
}

// eval resolves the directory path, absolute, to one with no link on it.
// A ".." is taken after the link before it is followed, as the kernel
// does on Unix, not lexically. With mkdir set, a missing directory is made
// (see Walk.Make).
func (w *Walk) eval(path string, mkdir func(parent int, name string) (int, error)) (string, error) {
	vol := filepath.VolumeName(path)
	cur, rest := vol+`\`, path[len(vol):]
	for {
		rest = strings.TrimLeft(rest, `\/`)
		if rest == "" {
			return cur, nil
		}
		name := rest
		if i := strings.IndexAny(rest, `\/`); i >= 0 {
			name, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		switch name {
		case ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, name)
		var st sys.Stat_t
		err := sys.Lstat(next, &st)
		if err == sys.ENOENT && mkdir != nil {
			switch err := makeIn(cur, name, mkdir); {
			case err == nil:
				cur = next
				continue
			case err == sys.EEXIST && w.spend():
				rest = name + `\` + rest // made meanwhile by someone else: look again
				continue
			case err == sys.EEXIST:
				return "", sys.ELOOP
			default:
				return "", err
			}
		}
		if err != nil {
			return "", err
		}
		switch st.Mode & sys.S_IFMT {
		case sys.S_IFDIR:
			cur = next
		case sys.S_IFLNK:
			link, err := w.follow(next, &st)
			if err != nil {
				return "", err
			}
			path = under(cur, link) + `\` + rest
			vol = filepath.VolumeName(path)
			cur, rest = vol+`\`, path[len(vol):]
		default:
			return "", sys.ENOTDIR
		}
	}
}

// makeIn makes the directory name in the directory dir through mkdir.
func makeIn(dir, name string, mkdir func(parent int, name string) (int, error)) error {
	parent, err := sys.Open(dir, sys.O_RDONLY|sys.O_DIRECTORY|sys.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	defer sys.Close(parent)
	fd, err := mkdir(parent, name)
	if err == nil {
		sys.Close(fd) // the walk goes on by path
	}
	return err
}

// follow spends one link of the budget and reads the link path, whose
// lstat is st.
func (w *Walk) follow(path string, st *sys.Stat_t) (string, error) {
	if !w.spend() {
		return "", sys.ELOOP
	}
	if !trusted(st) {
		return "", ErrUntrustedSymlink
	}
	link, err := os.Readlink(path)
	if err != nil {
		return "", err
	}
	if link == "" {
		return "", sys.ENOENT
	}
	return link, nil
}

// under is where link leads, read in the directory dir: itself if absolute,
// on dir's volume if rooted (\x), else below dir.
func under(dir, link string) string {
	switch {
	case filepath.IsAbs(link):
		return link
	case os.IsPathSeparator(link[0]):
		return filepath.VolumeName(dir) + link
	}
	return dir + `\` + link
}

// absolute makes path absolute against the directory at, without
// cleaning it: a ".." must be taken after the links before it.
func absolute(at int, path string) (string, error) {
	if filepath.IsAbs(path) {
		return path, nil
	}
	var base string
	var err error
	if at == sys.AT_FDCWD {
		base, err = os.Getwd()
	} else {
		base, err = sys.PathOf(at)
	}
	if err != nil {
		return "", err
	}
	if filepath.VolumeName(path) != "" { // C:x, relative to a drive's own directory
		return filepath.Abs(path)
	}
	return under(base, path), nil
}
