package atomic

import "github.com/atomicwrite/atomicwrite/internal/protocol"

// WithSeam makes an Option of a function that sets any of the Settings,
// the test seams included. It exists only in this package's test binary.
func WithSeam(f func(*protocol.Settings)) Option { return option(f) }
