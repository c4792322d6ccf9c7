package testenv

import "golang.org/x/sys/unix"

// Exchange swaps the names a and b in one step (renameat2
// RENAME_EXCHANGE), whatever build the test is: an attacker's fastest
// swap.
func Exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
