//go:build unix && !linux && !darwin && !solaris && !illumos && !aix

package protocol

import "errors"

// dirPath has no portable form here: batches commit without a journal.
func dirPath(fd int) (string, error) { return "", errors.ErrUnsupported }
