package testenv

import (
	"runtime"
	"testing"
)

// SkipOn skips the test on the operating system goos, saying why: for a
// test of what that system does differently, which a test of its own
// covers there.
func SkipOn(t testing.TB, goos, why string) {
	t.Helper()
	if runtime.GOOS == goos {
		t.Skipf("not on %s: %s", goos, why)
	}
}
