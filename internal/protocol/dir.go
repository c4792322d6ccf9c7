package protocol

import (
	"go.uber.org/multierr"
	"golang.org/x/sys/unix"
)

// A Dir is an open handle on a directory that holds targets.
type Dir struct {
	fd int
	id fileID
}

type fileID struct{ dev, ino uint64 }

// Key identifies a target: two names are the same target when they lead to
// the same directory entry, that is the same directory and the same final
// name. Hard links under different names are different keys.
type Key struct {
	dir  fileID
	base string
}

// Dirs is the set of directories one write or one transaction touches, each
// opened once however many targets it holds. The zero value is empty and
// ready to use.
type Dirs struct {
	list []*Dir
}

// adopt adds the directory open on fd, or closes fd and returns the handle
// already in the set for the same directory.
func (ds *Dirs) adopt(fd int, st *unix.Stat_t) *Dir {
	id := fileID{uint64(st.Dev), uint64(st.Ino)}
	for _, d := range ds.list {
		if d.id == id {
			unix.Close(fd)
			return d
		}
	}
	d := &Dir{fd: fd, id: id}
	ds.list = append(ds.list, d)
	return d
}

// Close closes every directory in the set.
func (ds *Dirs) Close() error {
	var err error
	for _, d := range ds.list {
		err = multierr.Append(err, unix.Close(d.fd))
	}
	ds.list = nil
	return err
}
