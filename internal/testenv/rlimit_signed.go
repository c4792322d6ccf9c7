//go:build freebsd || dragonfly

package testenv

import "syscall"

// setRlimit sets both limits of rl to n: these systems' fields are signed.
func setRlimit(rl *syscall.Rlimit, n uint64) { rl.Cur, rl.Max = int64(n), int64(n) }
