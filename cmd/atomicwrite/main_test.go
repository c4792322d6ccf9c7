//go:build unix

package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// binary is the atomicwrite command, built once by TestMain: the CLI is
// tested as users run it.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "atomicwrite-bin-")
	if err != nil {
		panic(err)
	}
	binary, err = testenv.BuildCLI(dir)
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
			dir := t.TempDir()
			copyTree(t, filepath.Join(fixture, "before"), dir)

			res := runCLI(t, dir, []byte(stdin), args...)

			if got := strings.TrimSpace(wantExit); got != strconv.Itoa(res.exit) {
				t.Errorf("exit %d, want %s (stderr %q)", res.exit, got, res.stderr)
			}
			if want, ok := read("stderr"); ok {
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

func TestModeFlag(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	tests := []struct {
		mode string
		want fs.FileMode
	}{
		{"644", 0o644},
		{"0600", 0o600},
		{"666", 0o666},
		{"4755", 0o755 | fs.ModeSetuid},
		{"2750", 0o750 | fs.ModeSetgid},
		{"1777", 0o777 | fs.ModeSticky},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		res := runCLI(t, dir, []byte("a\x00b"), "-m", tt.mode, "one", "two")
		if res.exit != 0 {
			t.Fatalf("-m %s: exit %d: %s", tt.mode, res.exit, res.stderr)
		}
		for _, name := range []string{"one", "two"} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != tt.want {
				t.Errorf("-m %s: %s has mode %v, want %v", tt.mode, name, fi.Mode(), tt.want)
			}
		}
	}
}

// A failed write exits 1, names the path and leaves nothing behind: a
// real full disk (a small tmpfs).
func TestDiskFull(t *testing.T) {
	mnt := testenv.Tmpfs(t, "64k")
	testenv.WriteFile(t, filepath.Join(mnt, "out"), []byte("old"), 0o644)
	big := bytes.Repeat([]byte("x"), 1<<20)
	res := runCLI(t, mnt, big, "out")
	if res.exit != 1 {
		t.Errorf("exit %d, want 1", res.exit)
	}
	checkOneLine(t, res.stderr, "write out: no space left on device")
	testenv.FileHolds(t, filepath.Join(mnt, "out"), []byte("old"))
	testenv.DirHolds(t, mnt, "out")

	// In a batch, the full disk hits the second chunk: nothing is written.
	res = runCLI(t, mnt, append([]byte("small\x00"), big...), "a", "out")
	if res.exit != 1 {
		t.Errorf("batch: exit %d, want 1", res.exit)
	}
	checkOneLine(t, res.stderr, "write out: no space left on device")
	testenv.DirHolds(t, mnt, "out")
}

// Paths with a newline keep the message on one line.
func TestErrorIsOneLine(t *testing.T) {
	dir := t.TempDir()
	res := runCLI(t, dir, []byte("x"), "no\ndir/file")
	if res.exit != 1 {
		t.Errorf("exit %d, want 1", res.exit)
	}
	checkOneLine(t, res.stderr, `open no\ndir/file: no such file or directory`)
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
func TestHostileNames(t *testing.T) {
	dir := t.TempDir()
	names := testenv.HostileNames
	var input []byte
	for i := range names {
		input = append(input, strconv.Itoa(i)...)
		input = append(input, 0)
	}
	res := runCLI(t, dir, input, append([]string{"--"}, names...)...)
	if res.exit != 0 {
		t.Fatalf("batch: exit %d: %s", res.exit, res.stderr)
	}
	for i, name := range names {
		testenv.FileHolds(t, filepath.Join(dir, name), []byte(strconv.Itoa(i)))
		res := runCLI(t, dir, []byte("single"), "--", name)
		if res.exit != 0 {
			t.Fatalf("%q: exit %d: %s", name, res.exit, res.stderr)
		}
		testenv.FileHolds(t, filepath.Join(dir, name), []byte("single"))
	}
	testenv.DirHolds(t, dir, names...)
}

// --help, the README and the man page name every flag and exit status,
// and the man page is clean under mandoc -T lint (where mandoc is
// installed; CI installs it).
func TestDocsSayAll(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	manPath := filepath.Join(root, "docs", "atomicwrite.1")
	man, err := os.ReadFile(manPath)
	if err != nil {
		t.Fatal(err)
	}
	help := runCLI(t, t.TempDir(), nil, "--help").stdout
	docs := map[string]string{"--help": help, "README.md": string(readme), "atomicwrite.1": strings.ReplaceAll(strings.ReplaceAll(string(man), `\-`, "-"), "Fl ", "-")}
	for _, word := range []string{"-e", "--no-empty", "-n", "--no-clobber", "-r", "--remove", "-c", "--if-sha256", "-p", "--parents", "-m", "-d", "--recover", "--", "SIGINT", "SIGTERM", "SIGHUP", "SIGPIPE", "128", "130"} {
		for name, text := range docs {
			if !strings.Contains(text, word) {
				t.Errorf("%s does not mention %s", name, word)
			}
		}
	}
	mandoc, err := exec.LookPath("mandoc")
	if err != nil {
		t.Skip("mandoc is not installed (Debian's mandoc package)")
	}
	out, _ := exec.Command(mandoc, "-T", "lint", manPath).CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "atomicwrite.1:") {
			t.Errorf("mandoc -T lint: %s", line)
		}
	}
}
