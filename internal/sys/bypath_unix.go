//go:build unix

package sys

import "errors"

// Where a system lacks a call relative to a directory's handle (linkat on
// illumos, Solaris and AIX; readlinkat on illumos, Solaris and AIX), the
// call goes through the directory's path (dirPath), and what it did is
// checked on the handle after.

// dirPath returns the path of the directory open on dirfd: the kernel's
// (pathOf) or, where the kernel cannot tell (AIX), dir, the path that led
// to the directory when it was opened, if a stat finds that it still does;
// with neither, it fails with ErrUnsupported. The directory could still be
// renamed away after that check: callers check what they did.
func dirPath(dirfd int, dir string, pathOf func(int) (string, error)) (string, error) {
	path, err := pathOf(dirfd)
	if errors.Is(err, errors.ErrUnsupported) && dir != "" && leadsTo(dir, dirfd) {
		return dir, nil
	}
	return path, err
}

// linkByPath makes to a second name of the file from, both in the directory
// open on dirfd, by path. If the new name is not, in dirfd, a name of the
// file from, the link made elsewhere is removed and linkByPath fails with
// EXDEV.
func linkByPath(dirfd int, dir, from, to string, pathOf func(int) (string, error), link func(from, to string) error) error {
	var src Stat_t
	if err := Fstatat(dirfd, from, &src, AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	path, err := dirPath(dirfd, dir, pathOf)
	if err != nil {
		return err
	}
	if err := link(path+"/"+from, path+"/"+to); err != nil {
		return err
	}
	var made Stat_t
	if err := Fstatat(dirfd, to, &made, AT_SYMLINK_NOFOLLOW); err != nil || !sameFile(&made, &src) {
		Unlinkat(AT_FDCWD, path+"/"+to, 0)
		return EXDEV
	}
	return nil
}

// readlinkByPath reads the symlink name in the directory open on dirfd, by
// path. If what the path named after the read was not the link that name
// is in dirfd, or that link is not the one it was before the read, it
// fails with EXDEV: the content read may be another link's. A link's
// content never changes, but its inode number can be a new link's (freed
// and reused): the change time, read the same way before and after, tells
// them apart.
func readlinkByPath(dirfd int, dir, name string, buf []byte, pathOf func(int) (string, error), readlink func(path string, buf []byte) (int, error)) (int, error) {
	var before Stat_t
	if err := Fstatat(dirfd, name, &before, AT_SYMLINK_NOFOLLOW); err != nil {
		return 0, err
	}
	path, err := dirPath(dirfd, dir, pathOf)
	if err != nil {
		return 0, err
	}
	n, err := readlink(path+"/"+name, buf)
	if err != nil {
		return 0, err
	}
	var after, named Stat_t
	if Lstat(path+"/"+name, &named) != nil || Fstatat(dirfd, name, &after, AT_SYMLINK_NOFOLLOW) != nil ||
		!sameFile(&named, &before) || !SameLink(&after, &before) {
		return 0, EXDEV
	}
	return n, nil
}

// leadsTo reports whether path leads to the directory open on fd now.
func leadsTo(path string, fd int) bool {
	var open, named Stat_t
	return Fstat(fd, &open) == nil && Lstat(path, &named) == nil && sameFile(&open, &named)
}

func sameFile(a, b *Stat_t) bool { return a.Dev == b.Dev && a.Ino == b.Ino }

// SameLink reports whether a and b, two lstats of a symlink's name, are of
// one link, unchanged in between: the same device and inode, and the same
// change time (which a rename of the link updates, and which a new link
// that reuses a freed inode number has anew).
func SameLink(a, b *Stat_t) bool {
	_, actime := StatTimes(a)
	_, bctime := StatTimes(b)
	return sameFile(a, b) && actime == bctime
}
