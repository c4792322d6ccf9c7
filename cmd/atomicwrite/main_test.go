//go:build unix

package main

import (
	"bytes"
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
	for _, word := range []string{"-e", "--no-empty", "-n", "--no-clobber", "-r", "--remove", "-c", "--if-sha256", "-p", "--parents", "-m", "-d", "--recover", "--wait", "--run", "--read", "--watch", "--", "SIGINT", "SIGTERM", "SIGHUP", "SIGPIPE", "128", "130"} {
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
