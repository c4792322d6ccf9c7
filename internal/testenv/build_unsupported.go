//go:build windows

package testenv

// The build stops in this import, with a message that says why (see
// package unsupported).
import _ "github.com/atomicwrite/atomicwrite/internal/unsupported"
