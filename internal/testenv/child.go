package testenv

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Child processes are this test binary run again, with only the test
// function TestChild selected and the environment telling it what to do.
// Each package that uses them has:
//
//	func TestChild(t *testing.T) {
//		role, args := testenv.ChildRole()
//		switch role { ... }
//	}
const (
	roleEnv = "ATOMICWRITE_TEST_CHILD"
	argsEnv = "ATOMICWRITE_TEST_CHILD_ARGS"
)

// NobodyUID is the unprivileged uid (and gid) children can drop to.
const NobodyUID = 65534

// OtherUID is a second unprivileged uid (and gid), for tests where two
// users other than root meet.
const OtherUID = 65533

// ChildRole returns the role and arguments a child was started with, or ""
// in the ordinary test run.
func ChildRole() (string, []string) {
	role := os.Getenv(roleEnv)
	var args []string
	if role != "" {
		json.Unmarshal([]byte(os.Getenv(argsEnv)), &args)
	}
	return role, args
}

// Child returns a command that runs this test binary as a child in role.
func Child(t testing.TB, role string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return child(t, exe, role, args)
}

func child(t testing.TB, exe, role string, args []string) *exec.Cmd {
	encoded, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), roleEnv+"="+role, argsEnv+"="+string(encoded))
	return cmd
}

// StartReady starts cmd, a child that says ready (a line containing it)
// once it holds what the test needs, and returns its standard input:
// closing it tells the child to finish. The rest of its output is read
// and dropped, so that it never blocks on a full pipe.
func StartReady(t testing.TB, cmd *exec.Cmd, ready string) io.WriteCloser {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	if line, _ := r.ReadString('\n'); !strings.Contains(line, ready) {
		stdin.Close()
		cmd.Wait()
		t.Fatalf("child said %q, not %q", line, ready)
	}
	go io.Copy(io.Discard, r)
	return stdin
}
