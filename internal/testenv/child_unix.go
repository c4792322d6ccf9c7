//go:build unix

package testenv

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

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
