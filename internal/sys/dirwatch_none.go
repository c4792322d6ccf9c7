//go:build !linux

package sys

import "errors"

// A DirWatch tells of changes to the entries of directories: on Linux
// only (see dirwatch_linux.go); elsewhere its callers poll.
type DirWatch struct{}

// WatchDirs fails with ErrUnsupported.
func WatchDirs(fds []int) (*DirWatch, error) { return nil, errors.ErrUnsupported }

func (w *DirWatch) Wait(done <-chan struct{}) error { return errors.ErrUnsupported }
func (w *DirWatch) Close() error                    { return nil }
