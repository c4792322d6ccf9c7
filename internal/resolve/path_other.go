//go:build unix && !linux && !darwin && !solaris && !illumos

package resolve

import "errors"

// PathOf has no portable form here (nor on AIX): batches commit without a
// journal.
func PathOf(fd int) (string, error) { return "", errors.ErrUnsupported }
