package main

import (
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/atomicwrite/atomicwrite/atomic"
	"golang.org/x/sys/unix"
)

// pipeBuffer is how much a read from a pipe may bring at once: the pipe is
// enlarged to it, and the copy reads through a buffer of that size. With
// the default 64 KiB pipe and 32 KiB buffer, a fast producer and this
// process spend their time waking each other up.
const pipeBuffer = 1 << 20

// writeOne writes all of r to path. A regular file is copied by the kernel
// (copy_file_range, reflinks where the filesystem has them); a pipe through
// one large, fixed buffer: memory does not grow with the input either way.
func writeOne(path string, r io.Reader, opts []atomic.Option) error {
	in, ok := r.(*os.File)
	if !ok || !isPipe(in) {
		return atomic.WriteFrom(path, r, opts...)
	}
	unix.FcntlInt(in.Fd(), unix.F_SETPIPE_SZ, pipeBuffer) // a hint: the pipe may stay as it is
	f, err := atomic.Create(path, opts...)
	if err != nil {
		return err
	}
	defer f.Close()
	// Plain Reader and Writer views, so that CopyBuffer uses the buffer
	// rather than either side's ReadFrom or WriteTo.
	_, err = io.CopyBuffer(struct{ io.Writer }{f}, struct{ io.Reader }{in}, make([]byte, pipeBuffer))
	var pe *fs.PathError
	if err != nil && !(errors.As(err, &pe) && pe.Path == path) {
		err = &fs.PathError{Op: "read content for", Path: path, Err: err} // the pipe's error
	}
	if err != nil {
		return err
	}
	return f.Commit()
}

func isPipe(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeNamedPipe != 0
}
