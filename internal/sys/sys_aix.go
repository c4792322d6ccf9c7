package sys

import "syscall"

// link is the standard library's: x/sys has no link(2) wrapper on AIX.
func link(from, to string) error { return syscall.Link(from, to) }

// Flock does nothing: AIX has no flock, and its fcntl locks cannot stand
// in (an exclusive one needs a descriptor open for writing, which a
// directory cannot have). Its callers go on without the lock, as on a
// filesystem without one.
func Flock(fd, how int) error { return nil }

// FlocksDirs is false: nothing flocks on AIX.
const FlocksDirs = false
