package protocol

import "errors"

// AIX has no link(2) wrapper in x/sys: batches cannot keep backups.
func link(from, to string) error { return errors.ErrUnsupported }

// AIX has no flock: writers and Recover go on without the directory lock,
// as on a filesystem without flock (see lock.go and docs/platforms.md).
func flock(fd, how int) error { return nil }
