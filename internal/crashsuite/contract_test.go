//go:build linux && amd64

package crashsuite

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// skipOnEachFilesystem are the tests TestContractOnEachFilesystem leaves to
// the main run (see there).
const skipOnEachFilesystem = "^(TestReadSetNeverMixed|TestRecoverBusy|TestVersionLockWaitsAddUp|TestDirectoryLockWaitsAddUp|TestRecoverContextBoundsWaits|TestLockedDirectoryDoesNotStopWriters)$"

// TestContractOnEachFilesystem runs the contract tests of atomic and txn
// (errors, modes, symlinks, concurrency under load, the attacker tests)
// with their temp directories on each filesystem, not only on the
// machine's root filesystem.
func TestContractOnEachFilesystem(t *testing.T) {
	requireSuite(t)
	gotool, err := testenv.GoTool()
	if err != nil {
		t.Fatal(err)
	}
	for _, fs := range suite.fss {
		t.Run(fs.name, func(t *testing.T) {
			tmp := filepath.Join(fs.dir, "contract")
			if err := os.MkdirAll(tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(tmp)
			// The million-read proof of consistent reads mounts its own
			// tmpfs and ext4, whatever TMPDIR is: run once (CI's own
			// step), not once per filesystem here (3 minutes each). The
			// tests of lock waits' budgets wait out seconds whatever the
			// filesystem: the main run has them.
			cmd := exec.Command(gotool, "test", "-count=1", "-v", "-skip", skipOnEachFilesystem, "./atomic", "./txn")
			cmd.Dir = testenv.ModuleRoot()
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			out, err := cmd.CombinedOutput()
			x := row{fs: fs.name, scenario: "atomic, txn", mode: "contract tests", states: 1}
			if err != nil {
				x.violations = 1
				t.Errorf("contract tests on %s: %v\n%s", fs.name, err, out)
			}
			passed, skipped := 0, []string{}
			for _, line := range strings.Split(string(out), "\n") {
				line = strings.TrimSpace(line)
				switch {
				case strings.HasPrefix(line, "--- PASS"):
					passed++
				case strings.HasPrefix(line, "--- SKIP"):
					skipped = append(skipped, strings.Fields(line)[2])
				}
			}
			x.notes = fmt.Sprintf("%d passed, %d skipped %v", passed, len(skipped), skipped)
			suite.report.add(x)
		})
	}
}
