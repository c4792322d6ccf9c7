package main

import (
	"io"
	"os"

	"github.com/atomicwrite/atomicwrite/atomic"
)

// writeOne writes all of r to path.
func writeOne(path string, r io.Reader, opts []atomic.Option) error {
	if in, ok := r.(*os.File); ok {
		enlargePipe(in)
	}
	return atomic.WriteFrom(path, r, opts...)
}
