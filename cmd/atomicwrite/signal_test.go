//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/internal/tracer"
)

var interruptSignals = []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE}

// A stage is how far the input has come when the signal is sent: what the
// test has written to the command's standard input, which it then holds
// open. chunks are the PATHs' contents; one PATH is the single-file mode.
type stage struct {
	name  string
	input func(chunks []string) string
	// staged says the command has taken in all the input of this stage.
	staged func(t *testing.T, dir string, chunks []string) bool
}

var stages = []stage{
	{"before the first chunk", func([]string) string { return "" }, nil},
	{"in the middle of a chunk", func(chunks []string) string {
		return strings.Join(chunks[:len(chunks)-1], "\x00") + sep(chunks) + "partial "
	}, nil},
	{"between staging and the commit point", func(chunks []string) string {
		return strings.Join(chunks, "\x00") + sep(chunks)
	}, func(t *testing.T, dir string, chunks []string) bool {
		// A batch names each temp when its chunk ends; a single write's
		// temp stays unnamed until the commit, and the drained pipe says
		// all of it has been read.
		return len(chunks) == 1 || len(temps(t, dir)) == len(chunks)
	}},
}

// sep ends every chunk of a batch, the last too; a single write has none.
func sep(chunks []string) string {
	if len(chunks) == 1 {
		return ""
	}
	return "\x00"
}

// The command interrupted by SIGINT, SIGTERM, SIGHUP and SIGPIPE at each
// stage before its commit point, in both modes: exit 128+signal, one line
// on stderr, every target as it was, no temp or journal left.
func TestSignalBeforeCommitPoint(t *testing.T) {
	for _, mode := range [][]string{{"one"}, {"a", "b", "c"}} {
		for _, st := range stages {
			for _, sig := range interruptSignals {
				t.Run(fmt.Sprintf("%d paths/%s/%v", len(mode), st.name, sig), func(t *testing.T) {
					dir := t.TempDir()
					chunks := make([]string, len(mode))
					for i, p := range mode {
						testenv.WriteFile(t, filepath.Join(dir, p), []byte("old "+p), 0o644)
						chunks[i] = "new " + p
					}
					pr, pw := blockingPipe(t)
					defer pw.Close()
					cmd := exec.Command(binary, mode...)
					cmd.Dir, cmd.Stdin = dir, pr
					var stderr bytes.Buffer
					cmd.Stderr = &stderr
					if err := cmd.Start(); err != nil {
						t.Fatal(err)
					}
					pr.Close()
					pid := cmd.Process.Pid
					if _, err := pw.WriteString(st.input(chunks)); err != nil {
						t.Fatal(err)
					}
					// Blocked reading an empty pipe: everything written so
					// far has been taken in, and the signal handler, set
					// before the first read, is in place.
					waitFor(t, st.name, func() bool {
						return pipeEmpty(t, pw) && readingStdin(pid) && (st.staged == nil || st.staged(t, dir, chunks))
					})
					cmd.Process.Signal(sig)
					err := cmd.Wait()
					var exit *exec.ExitError
					if !errors.As(err, &exit) || exit.ExitCode() != 128+int(sig) {
						t.Errorf("exit: %v, want status %d", err, 128+int(sig))
					}
					checkOneLine(t, stderr.String(), "interrupted by "+signalName(sig)+": nothing written")
					for _, p := range mode {
						testenv.FileHolds(t, filepath.Join(dir, p), []byte("old "+p))
					}
					testenv.DirHolds(t, dir, mode...)
				})
			}
		}
	}
}

// The same signals while the command commits, sent by a tracer as a
// system call of Commit starts: at the first fsync or syncfs, before the
// commit point, the command stops there and writes nothing; at the first
// rename, past it, the command finishes the write, then exits 128+signal,
// and says so.
func TestSignalInCommit(t *testing.T) {
	testenv.RequireRoot(t) // ptrace of a child
	points := []struct {
		call    string
		written bool
		outcome string
	}{
		{"sync", false, "nothing written"},
		{"rename", true, "the write had passed its commit point and was finished"},
	}
	for _, mode := range [][]string{{"one"}, {"a", "b", "c"}} {
		for _, at := range points {
			for _, sig := range interruptSignals {
				t.Run(fmt.Sprintf("%d paths/%s/%v", len(mode), at.call, sig), func(t *testing.T) {
					dir := t.TempDir()
					var chunks []string
					for _, p := range mode {
						testenv.WriteFile(t, filepath.Join(dir, p), []byte("old "+p), 0o644)
						chunks = append(chunks, "new "+p)
					}
					cmd := exec.Command(binary, mode...)
					cmd.Dir = dir
					cmd.Stdin = strings.NewReader(strings.Join(chunks, "\x00"))
					var stderr bytes.Buffer
					cmd.Stderr = &stderr
					res, err := tracer.Run(cmd, tracer.Plan{
						Scope: dir, At: 1, Action: tracer.Signal, Signal: sig,
						// A target's call, not a commit mark's.
						Only: func(c tracer.Call) bool {
							return strings.Contains(c.Name, at.call) && !strings.Contains(c.Path, ".aw-commits")
						},
					})
					if errors.Is(err, errors.ErrUnsupported) {
						t.Skip("no tracer on this platform")
					}
					if err != nil {
						t.Fatal(err)
					}
					if !res.Acted {
						t.Fatalf("no %s call was traced: %v", at.call, res.Calls)
					}
					if !res.Status.Exited() || res.Status.ExitStatus() != 128+int(sig) {
						t.Errorf("status %v, want exit %d", res.Status, 128+int(sig))
					}
					checkOneLine(t, stderr.String(), "interrupted by "+signalName(sig)+": "+at.outcome)
					for i, p := range mode {
						want := "old " + p
						if at.written {
							want = chunks[i]
						}
						testenv.FileHolds(t, filepath.Join(dir, p), []byte(want))
					}
					testenv.DirHolds(t, dir, mode...)
				})
			}
		}
	}
}

// blockingPipe returns a pipe whose read end stays in blocking mode in the
// child (os.Pipe's would be non-blocking, and the child would wait in
// epoll rather than in read).
func blockingPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	return os.NewFile(uintptr(fds[0]), "pipe"), os.NewFile(uintptr(fds[1]), "pipe")
}

// readingStdin reports whether a thread of the process pid is blocked
// reading a pipe: its standard input, the only pipe the command reads. The
// kernel's wait channel says so (anon_pipe_read, or pipe_read on older
// kernels), natively and under user-mode emulation alike, where the system
// call numbers in /proc would be the host's.
func readingStdin(pid int) bool {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/wchan", pid))
	for _, task := range tasks {
		if b, err := os.ReadFile(task); err == nil && strings.Contains(string(b), "pipe_read") {
			return true
		}
	}
	return false
}

// pipeEmpty reports whether the reader has taken everything written to w.
func pipeEmpty(t *testing.T, w *os.File) bool {
	t.Helper()
	n, err := unix.IoctlGetInt(int(w.Fd()), unix.TIOCINQ) // FIONREAD
	if err != nil {
		t.Fatal(err)
	}
	return n == 0
}

// temps lists the temp files in dir.
func temps(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".aw-tmp") {
			names = append(names, e.Name())
		}
	}
	return names
}

// waitFor polls cond until it holds; the test fails if it never does.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// A signal ends --recover at once, with one line and 128+signal: Recover
// is crash-safe, and the next run finishes. Here it is waiting for a
// directory this test keeps locked.
func TestSignalDuringRecover(t *testing.T) {
	dir := t.TempDir()
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := unix.Flock(int(d.Fd()), unix.LOCK_SH); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "--recover", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Waiting for the lock: the directory is open in the process.
	waitFor(t, "the recovery to open the directory", func() bool {
		fds, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", cmd.Process.Pid))
		for _, fd := range fds {
			if target, _ := os.Readlink(fd); target == dir {
				return true
			}
		}
		return false
	})
	cmd.Process.Signal(syscall.SIGTERM)
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 128+int(syscall.SIGTERM) {
		t.Errorf("exit: %v, want status %d", err, 128+int(syscall.SIGTERM))
	}
	checkOneLine(t, stderr.String(), "interrupted by SIGTERM: recovery not finished; run it again")
	unix.Flock(int(d.Fd()), unix.LOCK_UN)
	if res := runCLI(t, dir, nil, "--recover", dir); res.exit != 0 {
		t.Errorf("second --recover: exit %d: %s", res.exit, res.stderr)
	}
}
