//go:build freebsd || netbsd

package sys

import "errors"

// PathOf returns the path of the directory open on fd, as the kernel knows
// it now (kernelPath), if that path still leads to it. The kernel answers
// from its cache of names, which may have lost the name or hold a stale
// one, and older releases do not answer at all: then PathOf fails with
// ErrUnsupported, and the caller uses the path its walk resolved.
func PathOf(fd int) (string, error) {
	path, err := kernelPath(fd)
	if err != nil || len(path) == 0 || path[0] != '/' || !leadsTo(path, fd) {
		return "", errors.ErrUnsupported
	}
	return path, nil
}
