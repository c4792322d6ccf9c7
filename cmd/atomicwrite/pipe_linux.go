package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// pipeSize is how large the CLI asks its input pipe to be: the library
// copies from a pipe up to 1 MiB at a time, and with the default 64 KiB a
// fast producer and this process spend their time waking each other up.
const pipeSize = 1 << 20

// enlargePipe asks for a larger pipe: a hint, which fails harmlessly on
// anything but a pipe (or past the system's pipe-max-size).
func enlargePipe(f *os.File) {
	unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, pipeSize)
}
