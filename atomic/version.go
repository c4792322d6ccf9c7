package atomic

import (
	"os"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// A Version identifies a file as ReadFile read it, or its absence (the zero
// Version). Versions are comparable with ==; a file that changes in any way,
// content or metadata, or is replaced, gets a new one.
type Version struct{ v protocol.Version }

// Exists reports whether the file existed when it was read.
func (v Version) Exists() bool { return v.v.Exists }

// ReadFile reads the file name whole, following its symlinks as a write
// does, and returns its content and its version: pass the version to
// WithVersion to make a later write conditional on the file not having
// changed since. A missing file returns an error matching fs.ErrNotExist
// and the zero Version, which WithVersion accepts too (the file must still
// be absent).
func ReadFile(name string) ([]byte, Version, error) {
	data, v, err := protocol.ReadFile(name)
	return data, Version{v}, err
}

// WithVersion makes the write a compare-and-swap: it commits only if the
// target is still at version v, as ReadFile returned it, and otherwise
// fails with an error that wraps ErrChanged and names the file, having
// written nothing. In a txn.Tx, the whole transaction commits or none of
// it.
//
// The check is atomic with the commit against every other writer that uses
// WithVersion: each holds an exclusive lock from its check to its rename
// (a flock on the target; on Windows, whose rename cannot replace a file
// held open, a mutex named after the file), so two writers that read the
// same version can never both succeed. Against other writers it is best
// effort: every write of this library makes a new file, which the check
// sees, but a program that rewrites the file in place is seen only through
// its size and times, and one that replaces the file between the check and
// the rename (a few system calls) is not seen at all.
func WithVersion(v Version) Option {
	return option(func(s *protocol.Settings) {
		s.Expect = v.v
		s.HasExpect = true
	})
}

// Open opens the file name for reading, following its symlinks as a write
// does, and returns it with its version as it was opened: for reading a
// large file as a stream, where ReadFile would hold it whole. Pass the
// version to WithVersion: a later write then commits only if the file has
// not changed since it was opened, so the content read is what it
// replaces. The caller closes the file. A missing file returns an error
// matching fs.ErrNotExist and the zero Version, which WithVersion accepts
// too (the file must still be absent).
func Open(name string) (*os.File, Version, error) {
	f, v, err := protocol.Open(name)
	return f, Version{v}, err
}

// Stat returns the version of the file name, following its symlinks as a
// write does, without reading its content: for a compare-and-swap whose
// caller knows the content already, or checks it otherwise. The file is
// opened for reading (and closed) to take the version as the write's check
// will. A missing file returns an error matching fs.ErrNotExist and the
// zero Version, which WithVersion accepts too.
func Stat(name string) (Version, error) {
	v, err := protocol.Stat(name)
	return Version{v}, err
}
