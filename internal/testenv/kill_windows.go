package testenv

import (
	"errors"
	"os"
	"os/exec"
	"time"

	"golang.org/x/sys/windows"
)

// killedCode is the exit code KillSelf gives: 128+SIGKILL, as a shell
// reports a killed process.
const killedCode = 137

// KillSelf kills the process at once (TerminateProcess): no deferred call,
// no cleanup of any kind runs.
func KillSelf() {
	windows.TerminateProcess(windows.CurrentProcess(), killedCode)
	// Not reached on Windows. Under wine a process has been seen to outlive
	// its own TerminateProcess: it then exits all the same, with the same
	// code, still running no deferred call.
	time.Sleep(time.Second)
	os.Exit(killedCode)
}

// Killed reports whether err, from a child's Wait or Run, says the child
// was killed as KillSelf kills.
func Killed(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == killedCode
}
