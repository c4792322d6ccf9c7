//go:build linux

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
	"time"

	"golang.org/x/sys/unix"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// runShell runs the built binary through sh -c, for redirections that
// exec.Cmd cannot make (a closed descriptor, a directory as input).
func runShell(t *testing.T, dir, script string) result {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AW="+binary)
	return runCmd(t, cmd)
}

// Standard input that cannot be content: a directory, or closed. Each is
// one line naming the target, exit 1, the target untouched; a shell's
// </dev/null is an empty input on purpose, and writes an empty file.
func TestStdinNotContent(t *testing.T) {
	tests := []struct {
		name, script string
		exit         int
		stderr       string
		after        string
	}{
		{"directory", `"$AW" e.txt < .`, 1, "write e.txt: standard input is a directory", "keep"},
		{"directory, batch", `"$AW" e.txt f.txt < .`, 1, "write e.txt: standard input is a directory", "keep"},
		{"closed", `"$AW" e.txt <&-`, 1, "write e.txt: standard input is closed", "keep"},
		{"closed, batch", `"$AW" e.txt f.txt <&-`, 1, "write e.txt: standard input is closed", "keep"},
		{"/dev/null", `"$AW" e.txt </dev/null`, 0, "", ""},
		{"/dev/null with -e", `"$AW" -e e.txt </dev/null`, 1, "write e.txt: standard input is empty (-e)", "keep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			testenv.WriteFile(t, filepath.Join(dir, "e.txt"), []byte("keep"), 0o644)
			res := runShell(t, dir, tt.script)
			if res.exit != tt.exit {
				t.Errorf("exit %d, want %d (stderr %q)", res.exit, tt.exit, res.stderr)
			}
			if tt.stderr != "" {
				checkOneLine(t, res.stderr, tt.stderr)
			} else if res.stderr != "" {
				t.Errorf("stderr %q, want none", res.stderr)
			}
			testenv.FileHolds(t, filepath.Join(dir, "e.txt"), []byte(tt.after))
			testenv.DirHolds(t, dir, "e.txt")
		})
	}
}

// A terminal on standard input gets a hint on stderr; what is typed, up
// to Ctrl-D, is the content.
func TestStdinTerminal(t *testing.T) {
	master, slave := openPTY(t)
	dir := t.TempDir()
	cmd := exec.Command(binary, "typed.txt")
	cmd.Dir, cmd.Stdin = dir, slave
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	master.WriteString("typed line\n\x04")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%v (stderr %q)", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("Ctrl-D did not end the input")
	}
	if !strings.Contains(stderr.String(), "end it with Ctrl-D") {
		t.Errorf("stderr %q, want the Ctrl-D hint", stderr.String())
	}
	testenv.FileHolds(t, filepath.Join(dir, "typed.txt"), []byte("typed line\n"))
}

// openPTY opens a pseudo-terminal pair.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

// Per-PATH modes: a certificate 0644 and its key 0600 in one transaction.
func TestModePerPath(t *testing.T) {
	dir := t.TempDir()
	res := runCLI(t, dir, []byte("CERT\x00KEY"), "-m", "644,600", "cert.pem", "key.pem")
	if res.exit != 0 {
		t.Fatalf("exit %d: %s", res.exit, res.stderr)
	}
	for name, want := range map[string]fs.FileMode{"cert.pem": 0o644, "key.pem": 0o600} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode(), want)
		}
	}
}

// A file another user planted in a sticky, world-writable directory is
// not written through: exit 1, one line, the file as planted. The planter
// is a real shell of uid 65534.
func TestPlantedNameRefused(t *testing.T) {
	testenv.RequireRoot(t)
	root := t.TempDir()
	os.Chmod(filepath.Dir(root), 0o755)
	os.Chmod(root, 0o755)
	dir := filepath.Join(root, "tmp")
	os.Mkdir(dir, 0o755)
	if err := os.Chmod(dir, 0o777|fs.ModeSticky); err != nil {
		t.Fatal(err)
	}
	planter := exec.Command("sh", "-c", "echo planted > secret")
	planter.Dir = dir
	planter.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: testenv.NobodyUID, Gid: testenv.NobodyUID}}
	if out, err := planter.CombinedOutput(); err != nil {
		t.Fatalf("planter: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"-m", "600", "secret"}, {"-m", "600", "secret", "other"}} {
		res := runCLI(t, dir, []byte("root's secret\x00x"), args...)
		if res.exit != 1 {
			t.Errorf("%v: exit %d, want 1", args, res.exit)
		}
		checkOneLine(t, res.stderr, "secret: permission denied")
		testenv.FileHolds(t, filepath.Join(dir, "secret"), []byte("planted\n"))
		testenv.DirHolds(t, dir, "secret")
	}
}
