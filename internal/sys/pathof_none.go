//go:build (unix && !linux && !darwin && !solaris && !freebsd && !netbsd) || (linux && atomicwrite_bsd)

package sys

import "errors"

// PathOf has no portable form here (OpenBSD, DragonFly, AIX): it fails with
// ErrUnsupported.
func PathOf(fd int) (string, error) { return "", errors.ErrUnsupported }
