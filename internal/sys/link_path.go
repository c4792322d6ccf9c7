//go:build solaris || aix

package sys

// x/sys/unix has no linkat here: Linkat goes through the directories'
// paths (PathOf), which a directory could be renamed away from in between;
// and where even those are missing (AIX), it fails with ErrUnsupported,
// but for a from that does not exist (ENOENT).
func Linkat(fromfd int, from string, tofd int, to string, flags int) error {
	var st Stat_t
	if err := Fstatat(fromfd, from, &st, AT_SYMLINK_NOFOLLOW); err != nil {
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
	return link(fromDir+"/"+from, toDir+"/"+to)
}
