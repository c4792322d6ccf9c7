//go:build !(linux && amd64)

package tracer

import (
	"errors"
	"os/exec"
)

// Run needs Linux on amd64.
func Run(cmd *exec.Cmd, plan Plan) (Result, error) {
	return Result{}, errors.ErrUnsupported
}
