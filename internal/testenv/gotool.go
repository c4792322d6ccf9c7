package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModuleRoot is the directory of this module's go.mod, as the go command
// finds it from the test's working directory (its package's directory):
// unlike a source path recorded in the binary, it survives -trimpath.
func ModuleRoot() string {
	gotool, err := GoTool()
	if err != nil {
		panic(err)
	}
	out, err := exec.Command(gotool, "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		panic(fmt.Sprintf("no go.mod found from the working directory: %v", err))
	}
	return filepath.Dir(gomod)
}

// GoTool returns the go command: the one on PATH, as `go test` itself was
// found.
func GoTool() (string, error) {
	return exec.LookPath("go")
}

// BuildCLI builds the atomicwrite command into dir and returns its path:
// the CLI is tested as users run it. tags, if any, are build tags (such as
// the atomicwrite_bsd personality, which gives Linux the mechanisms of the
// BSDs); the binary's name then ends with them.
func BuildCLI(dir string, tags ...string) (string, error) {
	return Build(dir, "./cmd/atomicwrite", strings.Join(append([]string{"atomicwrite"}, tags...), "-"), tags...)
}

// Build builds the command pkg (a path from the module's root, such as
// ./cmd/atomicwrite) with the build tags tags into dir as name, and
// returns its path.
func Build(dir, pkg, name string, tags ...string) (string, error) {
	gotool, err := GoTool()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	cmd := exec.Command(gotool, "build", "-tags", strings.Join(tags, ","), "-o", bin, pkg)
	cmd.Dir = ModuleRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building %s: %v\n%s", pkg, err, out)
	}
	return bin, nil
}
