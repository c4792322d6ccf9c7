//go:build unix

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// checkStdin refuses a standard input that can hold no content: a
// directory, or none at all. A Go program started with descriptor 0 closed
// finds /dev/null there, opened read-write by the runtime; a shell's
// </dev/null opens it read-only, and that is an empty input on purpose.
func checkStdin(f *os.File) error {
	var st unix.Stat_t
	var flags int
	var err error
	rc, cerr := f.SyscallConn()
	if cerr != nil {
		return cerr
	}
	rc.Control(func(fd uintptr) {
		if err = unix.Fstat(int(fd), &st); err == nil {
			flags, err = unix.FcntlInt(fd, unix.F_GETFL, 0)
		}
	})
	if err != nil {
		return err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return errStdinDir
	case unix.S_IFCHR:
		var null unix.Stat_t
		if flags&unix.O_ACCMODE == unix.O_RDWR && unix.Stat(os.DevNull, &null) == nil && st.Rdev == null.Rdev {
			return errStdinClosed
		}
	}
	return nil
}
