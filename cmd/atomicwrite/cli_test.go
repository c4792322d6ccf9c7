package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// asCLI, set in a child's environment, makes the test binary run as the
// command itself (see buildCLI).
const asCLI = "ATOMICWRITE_TEST_AS_CLI"

// binary is the atomicwrite command, built once by TestMain: the CLI is
// tested as users run it.
var binary string

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) != "" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	dir, err := os.MkdirTemp("", "atomicwrite-bin-")
	if err != nil {
		panic(err)
	}
	binary, err = buildCLI(dir)
	if err != nil {
		os.RemoveAll(dir)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	exit           int
	stdout, stderr string
}

// runCLI runs the built binary in dir.
func runCLI(t *testing.T, dir string, stdin []byte, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	return runCmd(t, cmd)
}

// runCmd runs cmd to its end and returns its exit status and output.
func runCmd(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatal(err)
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// TestFixtures runs every case under testdata/cli (see its README.md).
func TestFixtures(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "cli")
	cases, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		ran++
		t.Run(c.Name(), func(t *testing.T) {
			fixture := filepath.Join(root, c.Name())
			read := func(name string) (string, bool) {
				b, err := os.ReadFile(filepath.Join(fixture, name))
				return string(b), err == nil
			}
			var args []string
			if s, _ := read("args"); s != "" {
				args = strings.Split(strings.TrimSuffix(s, "\n"), "\n")
			}
			stdin, _ := read("stdin")
			wantExit, _ := read("exit")
			dir := testenv.TempDir(t)
			copyTree(t, filepath.Join(fixture, "before"), dir)

			res := runCLI(t, dir, []byte(stdin), args...)

			if got := strings.TrimSpace(wantExit); got != strconv.Itoa(res.exit) {
				t.Errorf("exit %d, want %s (stderr %q)", res.exit, got, res.stderr)
			}
			want, ok := read("stderr." + runtime.GOOS)
			if !ok {
				want, ok = read("stderr")
			}
			if ok {
				checkOneLine(t, res.stderr, strings.TrimSpace(want))
			} else if res.stderr != "" {
				t.Errorf("unexpected stderr %q", res.stderr)
			}
			if want, ok := read("stdout"); ok && !strings.Contains(res.stdout, strings.TrimSpace(want)) {
				t.Errorf("stdout %q, want it to contain %q", res.stdout, want)
			}
			after := filepath.Join(fixture, "after")
			if _, err := os.Stat(after); err != nil {
				after = filepath.Join(fixture, "before")
			}
			if got, want := treeOf(t, dir), treeOf(t, after); got != want {
				t.Errorf("directory holds\n%s\nwant\n%s", got, want)
			}
		})
	}
	if ran < 20 {
		t.Fatalf("only %d fixtures found under %s", ran, root)
	}
}

// checkOneLine checks that a failure printed one line on stderr, starting
// "atomicwrite: " and containing want.
func checkOneLine(t *testing.T, stderr, want string) {
	t.Helper()
	if !strings.HasPrefix(stderr, "atomicwrite: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
		t.Errorf("stderr %q, want one line starting %q containing %q", stderr, "atomicwrite: ", want)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		switch {
		case d.IsDir():
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		case d.Name() == ".keep":
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
}

// treeOf describes every file and directory below root, with contents.
func treeOf(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		switch {
		case rel == "." || d.Name() == ".keep":
		case d.IsDir():
			b.WriteString(rel + "/\n")
		default:
			content, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			b.WriteString(rel + ": " + strings.ReplaceAll(string(content), "\x00", `\0`) + "\n")
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return b.String()
}

// Every argument after -- is a path, whatever it looks like, in both modes.
