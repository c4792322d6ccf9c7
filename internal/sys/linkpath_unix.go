//go:build unix

package sys

import "errors"

// linkByPath makes to a second name of the file from, both in the directory
// open on dirfd, by path, for systems without linkat. The directory's path
// is the kernel's (pathOf) or, where the kernel cannot tell (AIX), dir, the
// path that led to the directory when it was opened, if a stat finds that
// it still does; with neither, it fails with ErrUnsupported. The directory
// could still be renamed away between that check and the link, so the new
// name is checked after: if it is not, in dirfd, a name of the file from,
// the link made elsewhere is removed and linkByPath fails with EXDEV.
func linkByPath(dirfd int, dir, from, to string, pathOf func(int) (string, error), link func(from, to string) error) error {
	var src Stat_t
	if err := Fstatat(dirfd, from, &src, AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	path, err := pathOf(dirfd)
	if errors.Is(err, errors.ErrUnsupported) && dir != "" && leadsTo(dir, dirfd) {
		path, err = dir, nil
	}
	if err != nil {
		return err
	}
	if err := link(path+"/"+from, path+"/"+to); err != nil {
		return err
	}
	var made Stat_t
	if err := Fstatat(dirfd, to, &made, AT_SYMLINK_NOFOLLOW); err != nil || made.Ino != src.Ino || made.Dev != src.Dev {
		Unlinkat(AT_FDCWD, path+"/"+to, 0)
		return EXDEV
	}
	return nil
}

// leadsTo reports whether path leads to the directory open on fd now.
func leadsTo(path string, fd int) bool {
	var open, named Stat_t
	return Fstat(fd, &open) == nil && Lstat(path, &named) == nil && open.Dev == named.Dev && open.Ino == named.Ino
}
