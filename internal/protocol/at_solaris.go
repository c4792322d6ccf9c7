//go:build solaris || illumos

package protocol

import "golang.org/x/sys/unix"

func link(from, to string) error { return unix.Link(from, to) }

func flock(fd, how int) error { return unix.Flock(fd, how) }
