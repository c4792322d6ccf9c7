//go:build unix

package testenv

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// KillSelf kills the process at once (SIGKILL): no deferred call, no
// cleanup of any kind runs.
func KillSelf() {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // until the signal lands
}

// Killed reports whether err, from a child's Wait or Run, says the child
// was killed as KillSelf kills.
func Killed(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
