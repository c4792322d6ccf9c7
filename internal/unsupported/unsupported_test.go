//go:build unix

package unsupported_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// A build for a platform the module cannot serve fails with a message that
// says so, not with an undefined symbol deep inside.
func TestUnsupportedPlatformsSayWhy(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds: not in -short")
	}
	gotool, err := testenv.GoTool()
	if err != nil {
		t.Skip(err)
	}
	cannot := "atomicwrite_cannot_work_on_js_wasip1_or_plan9"
	for port, want := range map[string]string{
		"js/wasm": cannot, "wasip1/wasm": cannot, "plan9/amd64": cannot,
	} {
		goos, goarch, _ := strings.Cut(port, "/")
		cmd := exec.Command(gotool, "build", "./atomic", "./txn", "./cmd/atomicwrite")
		cmd.Dir = testenv.ModuleRoot()
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("%s: the build succeeded", port)
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) < 2 || !strings.Contains(lines[1], want) {
			t.Errorf("%s: the build says\n%s\nwant the reason first", port, out)
		}
	}
}
