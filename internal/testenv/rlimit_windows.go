package testenv

import "errors"

// SetOpenFileLimit fails: Windows has no limit of open handles to lower.
func SetOpenFileLimit(n uint64) error { return errors.ErrUnsupported }
