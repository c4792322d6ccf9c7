package protocol

import "github.com/atomicwrite/atomicwrite/internal/sys"

// linkIn makes to a second name of from, both in the directory dirfd
// (CreateHardLink).
func linkIn(dirfd int, from, to string) error { return sys.Linkat(dirfd, from, dirfd, to, 0) }

// flock locks a file with LockFileEx; a directory cannot be locked on
// Windows, and flock of one does nothing (see docs/platforms.md).
func flock(fd, how int) error { return sys.Flock(fd, how) }
