//go:build linux || darwin || freebsd || dragonfly

package sys

import "golang.org/x/sys/unix"

// Fsid returns the ID of the filesystem that holds fd (statfs's f_fsid), or
// 0 if there is none. On btrfs and ext4 it comes from the filesystem's
// UUID, and so stays the same across mounts, where the device number may
// not.
func Fsid(fd int) uint64 {
	var st unix.Statfs_t
	if unix.Fstatfs(fd, &st) != nil {
		return 0
	}
	return uint64(uint32(st.Fsid.Val[0]))<<32 | uint64(uint32(st.Fsid.Val[1]))
}
