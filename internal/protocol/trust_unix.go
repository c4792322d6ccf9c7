//go:build unix

package protocol

import "github.com/atomicwrite/atomicwrite/internal/sys"

// trusted reports whether the file at name in dirfd, or its absence, can
// only be the work of Recover's own user (or root): the directory is theirs
// and lets no one else add, rename or remove names in it (group and other
// write bits show an ACL's grants too); or it is sticky, and the file
// there is that user's, which no one else can rename or remove.
func (r *recovery) trusted(dirfd int, name string) bool {
	var d, st sys.Stat_t
	if sys.Fstat(dirfd, &d) != nil || d.Uid != r.euid && d.Uid != 0 {
		return false
	}
	if d.Mode&0o022 == 0 {
		return true
	}
	return d.Mode&sys.S_ISVTX != 0 && sys.Fstatat(dirfd, name, &st, sys.AT_SYMLINK_NOFOLLOW) == nil && st.Uid == r.euid
}
