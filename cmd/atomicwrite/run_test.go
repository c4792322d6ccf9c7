//go:build unix

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// --run writes what a real command prints to PATH only if the command
// exits 0. A command that fails after printing part (or a megabyte) of its
// output, or that a signal kills, leaves PATH as it was and no temp, and
// its exit status is passed on; one that cannot be started exits as a
// shell's would (127).
func TestRun(t *testing.T) {
	for _, tt := range []struct {
		name  string
		args  []string
		stdin string
		exit  int
		want  string // x's content afterwards
	}{
		{"succeeds", []string{"--run", "x", "sh", "-c", "printf new"}, "", 0, "new"},
		{"after --", []string{"--run", "x", "--", "sh", "-c", "printf new"}, "", 0, "new"},
		{"reads standard input", []string{"--run", "x", "tr", "a-z", "A-Z"}, "from stdin", 0, "FROM STDIN"},
		{"its own dashed arguments", []string{"-m", "600", "--run", "x", "printf", "-%s", "-n"}, "", 0, "--n"},
		{"fails mid-output", []string{"--run", "x", "sh", "-c", "printf partial; exit 3"}, "", 3, "old"},
		{"fails after a megabyte", []string{"--run", "x", "sh", "-c", "head -c 1048576 /dev/zero; exit 1"}, "", 1, "old"},
		{"killed by a signal", []string{"--run", "x", "sh", "-c", "printf half; kill -TERM $$"}, "", 143, "old"},
		{"not found", []string{"--run", "x", "no-such-command-here"}, "", 127, "old"},
		{"prints nothing, with -e", []string{"-e", "--run", "x", "true"}, "", 1, "old"},
		{"prints nothing", []string{"--run", "x", "true"}, "", 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			x := filepath.Join(dir, "x")
			testenv.WriteFile(t, x, []byte("old"), 0o644)
			res := runCLI(t, dir, []byte(tt.stdin), tt.args...)
			if res.exit != tt.exit {
				t.Errorf("exit %d, want %d (stderr %q)", res.exit, tt.exit, res.stderr)
			}
			if tt.exit != 0 {
				checkOneLine(t, lastLine(res.stderr), "nothing written")
			}
			testenv.FileHolds(t, x, []byte(tt.want))
			testenv.DirHolds(t, dir, "x")
		})
	}
}

// lastLine is the last line of s, the command's own lines before it.
func lastLine(s string) string {
	for i := len(s) - 2; i >= 0; i-- {
		if s[i] == '\n' {
			return s[i+1:]
		}
	}
	return s
}

// The mode of --run applies as for any write.
func TestRunMode(t *testing.T) {
	dir := t.TempDir()
	res := runCLI(t, dir, nil, "-m600", "--run", "key.pem", "printf", "secret")
	if res.exit != 0 {
		t.Fatalf("exit %d: %s", res.exit, res.stderr)
	}
	fi, err := os.Stat(filepath.Join(dir, "key.pem"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key.pem: %v, %v, want mode 0600", fi.Mode(), err)
	}
}
