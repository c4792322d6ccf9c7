//go:build (unix && !linux && !darwin && !solaris) || (linux && atomicwrite_bsd)

package sys

import "errors"

// PathOf has no portable form here (the BSDs, AIX): it fails with
// ErrUnsupported.
func PathOf(fd int) (string, error) { return "", errors.ErrUnsupported }
