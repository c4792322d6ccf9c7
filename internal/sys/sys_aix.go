package sys

import "errors"

// AIX has no link(2) wrapper in x/sys (see link_path.go).
func link(from, to string) error { return errors.ErrUnsupported }

// Flock does nothing: AIX has no flock, and its callers go on without the
// lock, as on a filesystem without one.
func Flock(fd, how int) error { return nil }
