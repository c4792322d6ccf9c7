package testenv

import "errors"

// Mkfifo fails: Windows has no named pipes in the file system.
func Mkfifo(path string) error { return errors.ErrUnsupported }
