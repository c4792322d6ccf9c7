//go:build linux && amd64

package crashsuite

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// suite is what TestMain set up for the tests: the CLI binary and the
// mounted filesystems. skip, when not empty, is why there is none.
var suite struct {
	skip    string
	bin     string // the atomicwrite command, built for this run
	bsdBin  string // the same with the atomicwrite_bsd personality
	keptBin string // the writer that keeps its marks (testdata/keptwriter)
	fss     []*filesystem
	report  *report
}

const nsEnv = "ATOMICWRITE_CRASH_NAMESPACE"

func TestMain(m *testing.M) {
	flag.Parse()
	suite.skip = whySkip()
	if suite.skip == "" && os.Getenv(nsEnv) == "" {
		// Everything is mounted in a private mount namespace of a child
		// (Go makes / private there), so that nothing stays mounted if the
		// run dies.
		os.Exit(inNamespace())
	}
	if suite.skip == "" {
		if err := setUp(); err != nil {
			fmt.Fprintln(os.Stderr, "crash suite set-up:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	if suite.report != nil {
		if err := suite.report.write(); err != nil {
			fmt.Fprintln(os.Stderr, "crash suite report:", err)
			code = 1
		}
	}
	tearDown()
	os.Exit(code)
}

func whySkip() string {
	switch {
	case testing.Short():
		return "-short"
	case os.Geteuid() != 0:
		return "not root: the crash suite mounts filesystems (CI runs it as root)"
	}
	for _, tool := range []string{"mkfs.ext4", "mkfs.xfs", "mkfs.btrfs", "mount", "umount", "cp"} {
		if _, err := exec.LookPath(tool); err != nil {
			return tool + " is missing (Debian: e2fsprogs, xfsprogs, btrfs-progs)"
		}
	}
	return ""
}

func inNamespace() int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), nsEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Run(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "crash suite namespace:", err)
		return 1
	}
	return 0
}

// requireSuite skips a test when the suite cannot run here.
func requireSuite(t *testing.T) {
	t.Helper()
	if suite.skip != "" {
		t.Skip("crash suite skipped: " + suite.skip)
	}
}

var workRoot string

func setUp() error {
	var err error
	workRoot, err = os.MkdirTemp("", "atomicwrite-crash-")
	if err != nil {
		return err
	}
	// The images live in memory: on the machine's disk every flush and
	// discard of the filesystems under test reaches the host's disk, and
	// the suite runs only as fast as that disk. What reaches an image, and
	// so what a power cut leaves, is the same. Its mode lets in the
	// unprivileged uid of the contract tests.
	if err := run("mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", workRoot); err != nil {
		os.Remove(workRoot)
		workRoot = ""
		return err
	}
	if suite.bin, err = testenv.BuildCLI(workRoot); err != nil {
		return err
	}
	if suite.bsdBin, err = testenv.BuildCLI(workRoot, "atomicwrite_bsd"); err != nil {
		return err
	}
	if suite.keptBin, err = testenv.Build(workRoot, "./internal/crashsuite/testdata/keptwriter", "keptwriter"); err != nil {
		return err
	}
	for _, kind := range fsKinds {
		fs, err := mkfs(kind, workRoot)
		if err != nil {
			return fmt.Errorf("%s: %w", kind.name, err)
		}
		suite.fss = append(suite.fss, fs)
	}
	suite.report = newReport()
	return nil
}

func tearDown() {
	for _, fs := range suite.fss {
		fs.unmount()
	}
	if workRoot != "" {
		// Lazily: the loop devices let go of their images only once their
		// filesystems are gone.
		run("umount", "-l", workRoot)
		os.RemoveAll(workRoot)
	}
}
