//go:build unix && !linux

package sys

import "golang.org/x/sys/unix"

func Fstat(fd int, st *Stat_t) error { return unix.Fstat(fd, st) }
