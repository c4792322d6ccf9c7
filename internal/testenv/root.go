package testenv

import (
	"os"
	"testing"
)

// RequireRoot skips the test unless it runs as root. CI runs as root, so
// there every such test runs.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (mounts, chattr, or a second uid); CI runs it as root")
	}
}
