//go:build js || wasip1 || plan9

package resolve

// The build stops in this import, with a message that says why.
import _ "github.com/atomicwrite/atomicwrite/internal/unsupported"
