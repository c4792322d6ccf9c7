package testenv

import (
	"encoding/json"
	"os"
	"os/exec"
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
