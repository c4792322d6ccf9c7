//go:build !linux

package testenv

import "testing"

// Tmpfs needs Linux; elsewhere the test is skipped.
func Tmpfs(t testing.TB, size string) string {
	t.Helper()
	t.Skip("tmpfs mounts are a Linux test fixture")
	return ""
}

// SetImmutable needs Linux; elsewhere the test is skipped.
func SetImmutable(t testing.TB, path string) {
	t.Helper()
	t.Skip("chattr +i is a Linux test fixture")
}

// ClearImmutable needs Linux; elsewhere it does nothing.
func ClearImmutable(t testing.TB, path string) {}
