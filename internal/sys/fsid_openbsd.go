package sys

import "golang.org/x/sys/unix"

// Fsid returns the ID of the filesystem that holds fd (statfs's f_fsid), or
// 0 if there is none.
func Fsid(fd int) uint64 {
	var st unix.Statfs_t
	if unix.Fstatfs(fd, &st) != nil {
		return 0
	}
	return uint64(uint32(st.F_fsid.Val[0]))<<32 | uint64(uint32(st.F_fsid.Val[1]))
}
