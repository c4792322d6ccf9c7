//go:build unix && !linux && !darwin

package protocol

import "errors"

// dirPath has no portable form here: batches commit without a journal.
func dirPath(fd int) (string, error) { return "", errors.ErrUnsupported }
