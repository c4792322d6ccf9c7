package protocol

import (
	"io"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A tempFile is the open descriptor of a temp file. Writes of bytes go
// straight to write(2); only ReadFrom wraps it in an *os.File, for the
// kernel copy paths (copy_file_range, splice) that os implements, so that
// the common case allocates nothing.
type tempFile struct {
	fd   int      // -1 once closed
	file *os.File // set once ReadFrom has used it; it then owns fd
}

const fileName = "temp file"

func (f *tempFile) open() bool { return f.fd >= 0 }

func (f *tempFile) write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := unix.Write(f.fd, p[written:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}

func (f *tempFile) writeString(s string) (int, error) {
	return f.write(unsafe.Slice(unsafe.StringData(s), len(s))) // write(2) does not keep it
}

// readFrom returns the error of a write as an *os.PathError naming
// fileName, and any other error (the reader's) as it is.
func (f *tempFile) readFrom(r io.Reader) (int64, error) {
	if src, ok := r.(*os.File); ok {
		if n, handled, err := spliceFrom(f.fd, src); handled {
			if err != nil {
				err = &os.PathError{Op: "splice", Path: fileName, Err: err}
			}
			return n, err
		}
	}
	if f.file == nil {
		f.file = os.NewFile(uintptr(f.fd), fileName)
	}
	return f.file.ReadFrom(r)
}

func (f *tempFile) close() error {
	fd, file := f.fd, f.file
	f.fd, f.file = -1, nil
	if file != nil {
		return file.Close()
	}
	return unix.Close(fd)
}
