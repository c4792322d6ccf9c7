//go:build solaris || aix

package sys

// x/sys/unix has no linkat here: Linkat goes through the directories'
// paths (PathOf), which a directory could be renamed away from in
// between. So the new name is checked after: if it is not, in tofd, a name
// of the file from names in fromfd, the link made elsewhere is removed and
// Linkat fails with EXDEV. Where the paths cannot be asked (AIX, which
// PathOf does not serve), it fails with ErrUnsupported, but for a from
// that does not exist (ENOENT).
func Linkat(fromfd int, from string, tofd int, to string, flags int) error {
	var src Stat_t
	if err := Fstatat(fromfd, from, &src, AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	fromDir, err := PathOf(fromfd)
	if err != nil {
		return err
	}
	toDir, err := PathOf(tofd)
	if err != nil {
		return err
	}
	if err := link(fromDir+"/"+from, toDir+"/"+to); err != nil {
		return err
	}
	var made Stat_t
	if err := Fstatat(tofd, to, &made, AT_SYMLINK_NOFOLLOW); err != nil || made.Ino != src.Ino || made.Dev != src.Dev {
		Unlinkat(AT_FDCWD, toDir+"/"+to, 0)
		return EXDEV
	}
	return nil
}
