//go:build !linux

package testenv

import "errors"

// Exchange is Linux's renameat2 RENAME_EXCHANGE: elsewhere it fails with
// errors.ErrUnsupported.
func Exchange(a, b string) error { return errors.ErrUnsupported }
