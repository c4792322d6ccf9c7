//go:build unix

package testenv

import "golang.org/x/sys/unix"

// Mkfifo makes a named pipe at path.
func Mkfifo(path string) error { return unix.Mkfifo(path, 0o600) }
