package tracer

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The file system calls that can be counted, by amd64 number, with the
// registers that hold their descriptor and path arguments.
type callKind struct {
	name string
	// fd: the register index (0 = rdi, 1 = rsi, 2 = rdx, 3 = r10) of a
	// descriptor argument, or -1. at/path: a directory descriptor and a
	// path argument, or -1. to: a second (dirfd, path) pair, for renames
	// and links.
	fd, at, path, toAt, toPath int
}

var kinds = map[uint64]callKind{
	1:   {"write", 0, -1, -1, -1, -1},
	18:  {"pwrite64", 0, -1, -1, -1, -1},
	3:   {"close", 0, -1, -1, -1, -1},
	74:  {"fsync", 0, -1, -1, -1, -1},
	75:  {"fdatasync", 0, -1, -1, -1, -1},
	77:  {"ftruncate", 0, -1, -1, -1, -1},
	91:  {"fchmod", 0, -1, -1, -1, -1},
	93:  {"fchown", 0, -1, -1, -1, -1},
	73:  {"flock", 0, -1, -1, -1, -1},
	275: {"splice", 2, -1, -1, -1, -1},
	326: {"copy_file_range", 2, -1, -1, -1, -1},
	285: {"fallocate", 0, -1, -1, -1, -1},
	277: {"sync_file_range", 0, -1, -1, -1, -1},
	306: {"syncfs", 0, -1, -1, -1, -1},
	257: {"openat", -1, 0, 1, -1, -1},
	437: {"openat2", -1, 0, 1, -1, -1},
	263: {"unlinkat", -1, 0, 1, -1, -1},
	258: {"mkdirat", -1, 0, 1, -1, -1},
	264: {"renameat", -1, 0, 1, 2, 3},
	316: {"renameat2", -1, 0, 1, 2, 3},
	265: {"linkat", -1, 0, 1, 2, 3},
}

const atFDCWD = -100

// Run starts cmd under the tracer and follows it to its end.
func Run(cmd *exec.Cmd, plan Plan) (Result, error) {
	// Every ptrace request must come from the thread that is the tracer:
	// the one that started the program.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Ptrace = true
	if err := cmd.Start(); err != nil {
		return Result{}, err
	}
	pid := cmd.Process.Pid
	t := &trace{pid: pid, plan: plan, threads: map[int]*thread{pid: {call: -1}}}
	var ws syscall.WaitStatus
	// The program stops at its exec.
	if _, err := syscall.Wait4(pid, &ws, syscall.WALL, nil); err != nil {
		return Result{}, err
	}
	const exitKill = 0x100000 // PTRACE_O_EXITKILL: the program dies with us
	opts := syscall.PTRACE_O_TRACESYSGOOD | syscall.PTRACE_O_TRACECLONE | exitKill
	if err := syscall.PtraceSetOptions(pid, opts); err != nil {
		cmd.Process.Kill()
		return Result{}, fmt.Errorf("ptrace options: %w", err)
	}
	err := t.loop()
	// The program is reaped already (Wait4 above), so Wait only reports
	// that; what it is for here is to finish copying the program's output.
	cmd.Wait()
	return t.result, err
}

type thread struct {
	inCall bool
	call   int // index in result.Calls of the call it is in, or -1
	failIt bool
}

type trace struct {
	pid     int
	plan    Plan
	threads map[int]*thread
	counted int
	killed  bool
	result  Result
	held    int       // a thread kept stopped at its call's entry (Signal)
	release time.Time // when the held thread goes on
}

// signalHold is how long Signal keeps the thread that made the call
// stopped at its entry, while the signal is handled elsewhere in the
// program: a program's own reaction to a signal (a Go program's is on
// another goroutine) then comes before the call, as a signal sent by hand
// at that moment would.
const signalHold = 200 * time.Millisecond

func (t *trace) loop() error {
	if err := syscall.PtraceSyscall(t.pid, 0); err != nil {
		return err
	}
	for {
		var ws syscall.WaitStatus
		flags := syscall.WALL
		if t.held != 0 {
			flags |= syscall.WNOHANG
		}
		tid, err := syscall.Wait4(-1, &ws, flags, nil)
		if tid == 0 && err == nil { // WNOHANG: nothing to report yet
			if time.Now().After(t.release) {
				err = syscall.PtraceSyscall(t.held, 0)
				t.held = 0
				if err != nil && err != syscall.ESRCH {
					return err
				}
			}
			time.Sleep(time.Millisecond)
			continue
		}
		if err == syscall.ECHILD {
			return nil
		}
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if ws.Exited() || ws.Signaled() {
			if tid == t.pid {
				t.result.Status = ws
			}
			delete(t.threads, tid)
			continue
		}
		if !ws.Stopped() {
			continue
		}
		th, known := t.threads[tid]
		if !known {
			th = &thread{call: -1}
			t.threads[tid] = th
		}
		deliver := 0
		switch sig := ws.StopSignal(); {
		case sig == syscall.SIGTRAP|0x80:
			t.syscallStop(tid, th)
		case sig == syscall.SIGTRAP && ws.TrapCause() != 0:
			// A clone event: the new thread reports itself separately.
		case sig == syscall.SIGSTOP && !known:
			// A new thread's first stop: it was attached by the clone.
		default:
			deliver = int(sig)
		}
		if t.killed || tid == t.held {
			continue // it is dying, or held (see Signal): nothing to resume
		}
		if err := syscall.PtraceSyscall(tid, deliver); err != nil && err != syscall.ESRCH {
			return err
		}
	}
}

func (t *trace) syscallStop(tid int, th *thread) {
	var regs syscall.PtraceRegs
	if err := syscall.PtraceGetRegs(tid, &regs); err != nil {
		return
	}
	if th.inCall { // exit
		th.inCall = false
		if th.call >= 0 {
			c := &t.result.Calls[th.call]
			c.Done = true
			if th.failIt {
				regs.Rax = uint64(-int64(t.plan.Errno))
				syscall.PtraceSetRegs(tid, &regs)
				th.failIt = false
			}
			if ret := int64(regs.Rax); ret < 0 && ret > -4096 {
				c.Err = syscall.Errno(-ret)
			}
		}
		th.call = -1
		return
	}
	th.inCall = true
	th.call = -1
	kind, ok := kinds[regs.Orig_rax]
	if !ok {
		return
	}
	path := t.describe(tid, kind, &regs)
	if !strings.Contains(path, t.plan.Scope) || (t.plan.Only != nil && !t.plan.Only(Call{Name: kind.name, Path: path})) {
		return
	}
	t.result.Calls = append(t.result.Calls, Call{Name: kind.name, Path: path})
	th.call = len(t.result.Calls) - 1
	t.counted++
	if t.counted != t.plan.At {
		return
	}
	switch t.plan.Action {
	case Kill:
		t.result.Acted = true
		t.killed = true
		syscall.Kill(t.pid, syscall.SIGKILL)
	case Signal:
		t.result.Acted = true
		syscall.Kill(t.pid, t.plan.Signal)
		t.held, t.release = tid, time.Now().Add(signalHold)
	case Fail:
		t.result.Acted = true
		// An invalid call number makes the kernel skip the call; its
		// return value is set at the exit stop.
		regs.Orig_rax = ^uint64(0)
		syscall.PtraceSetRegs(tid, &regs)
		th.failIt = true
	}
}

// describe names what a call acts on.
func (t *trace) describe(tid int, k callKind, regs *syscall.PtraceRegs) string {
	args := [4]uint64{regs.Rdi, regs.Rsi, regs.Rdx, regs.R10}
	if k.fd >= 0 {
		return t.fdPath(int(int32(args[k.fd])))
	}
	p := t.atPath(tid, int(int32(args[k.at])), uintptr(args[k.path]))
	if k.toPath >= 0 {
		p += " -> " + t.atPath(tid, int(int32(args[k.toAt])), uintptr(args[k.toPath]))
	}
	return p
}

func (t *trace) fdPath(fd int) string {
	p, err := os.Readlink("/proc/" + strconv.Itoa(t.pid) + "/fd/" + strconv.Itoa(fd))
	if err != nil {
		return "fd " + strconv.Itoa(fd)
	}
	return p
}

func (t *trace) atPath(tid, dirfd int, addr uintptr) string {
	name := readString(tid, addr)
	if strings.HasPrefix(name, "/") {
		return name
	}
	var dir string
	if dirfd == atFDCWD {
		dir, _ = os.Readlink("/proc/" + strconv.Itoa(t.pid) + "/cwd")
	} else {
		dir = t.fdPath(dirfd)
	}
	if name == "" {
		return dir
	}
	return dir + "/" + name
}

// readString reads a NUL-terminated string from the tracee's memory.
func readString(tid int, addr uintptr) string {
	var out []byte
	buf := make([]byte, 64)
	for len(out) < 8192 {
		n, err := syscall.PtracePeekData(tid, addr, buf)
		if err != nil || n == 0 {
			break
		}
		if i := indexByte(buf[:n], 0); i >= 0 {
			return string(append(out, buf[:i]...))
		}
		out = append(out, buf[:n]...)
		addr += uintptr(n)
	}
	return string(out)
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
