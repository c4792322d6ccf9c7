//go:build !unix

package main

import "os"

// checkStdin refuses a standard input that is a directory.
func checkStdin(f *os.File) error {
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return errStdinDir
	}
	return nil
}
