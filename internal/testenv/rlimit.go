//go:build unix

package testenv

import "syscall"

// SetOpenFileLimit sets the process's limit of open files (soft and hard).
func SetOpenFileLimit(n uint64) error {
	var rl syscall.Rlimit
	setRlimit(&rl, n)
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
}
