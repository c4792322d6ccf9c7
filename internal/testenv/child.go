package testenv

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
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

// ChildAsNobody is Child, with the child's credentials dropped to the
// unprivileged uid and gid NobodyUID. The binary is copied where that uid
// can run it first (go test builds into a directory only root can enter).
func ChildAsNobody(t testing.TB, role string, args ...string) *exec.Cmd {
	t.Helper()
	return ChildAs(t, NobodyUID, role, args...)
}

// ChildAs is Child, with the child's uid and gid dropped to uid.
func ChildAs(t testing.TB, uid int, role string, args ...string) *exec.Cmd {
	t.Helper()
	RequireRoot(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "atomicwrite-child-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyExe := filepath.Join(dir, filepath.Base(exe))
	if err := copyFile(exe, copyExe); err != nil {
		t.Fatal(err)
	}
	cmd := child(t, copyExe, role, args)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)},
	}
	cmd.Dir = dir
	return cmd
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

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
