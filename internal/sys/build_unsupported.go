//go:build js || wasip1 || plan9

package sys

// The build stops in this import, with a message that says why, before
// this package's own undefined names could be reported first.
import _ "github.com/atomicwrite/atomicwrite/internal/unsupported"
