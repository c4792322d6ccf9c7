//go:build !windows

package testenv

import "testing"

// TempDir is t.TempDir (see tempdir_windows.go for why Windows needs its
// own).
func TempDir(t testing.TB) string {
	t.Helper()
	return t.TempDir()
}
