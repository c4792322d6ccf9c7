//go:build !(linux || aix || solaris || illumos || darwin || freebsd || openbsd || netbsd || dragonfly)

package main

import "os"

// isTerminal gives no answer here: there is no hint to print.
func isTerminal(f *os.File) bool { return false }
