//go:build netbsd || solaris

package sys

import "golang.org/x/sys/unix"

// Fsid returns the ID of the filesystem that holds fd (statvfs's f_fsid),
// or 0 if there is none.
func Fsid(fd int) uint64 {
	var st unix.Statvfs_t
	if unix.Fstatvfs(fd, &st) != nil {
		return 0
	}
	return uint64(st.Fsid)
}
