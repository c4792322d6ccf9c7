package main

import (
	"io"

	"github.com/atomicwrite/atomicwrite/atomic"
)

func atomicWriteFrom(path string, r io.Reader) error { return atomic.WriteFrom(path, r) }
