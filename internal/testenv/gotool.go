package testenv

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
)

// ModuleRoot is the directory of this module's go.mod.
func ModuleRoot() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..")
}

// GoTool returns the go command: the one on PATH, as `go test` itself was
// found.
func GoTool() (string, error) {
	return exec.LookPath("go")
}

// BuildCLI builds the atomicwrite command into dir and returns its path:
// the CLI is tested as users run it.
func BuildCLI(dir string) (string, error) {
	gotool, err := GoTool()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "atomicwrite")
	cmd := exec.Command(gotool, "build", "-o", bin, "./cmd/atomicwrite")
	cmd.Dir = ModuleRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building atomicwrite: %v\n%s", err, out)
	}
	return bin, nil
}
