//go:build unix && !freebsd && !dragonfly

package testenv

import "syscall"

// setRlimit sets both limits of rl to n.
func setRlimit(rl *syscall.Rlimit, n uint64) { rl.Cur, rl.Max = n, n }
