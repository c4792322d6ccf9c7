package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

var (
	docs    = flag.String("docs", "", "write performance-results.md and performance.png into this directory")
	reps    = flag.Int("reps", 9, "interleaved repetitions of each measurement")
	only    = flag.String("fs", "", "comma-separated filesystems to run on (default: ext4,xfs,btrfs,tmpfs)")
	quick   = flag.Bool("quick", false, "skip the 1 GiB streaming and the N=1000 batches")
	childOp = flag.String("child", "", "internal: run one variant in a loop (for syscall counting)")
	keepRep = flag.Bool("keep-reporting", false, "leave the guest's free page reporting to its host on (see memory.go)")
	parts   = flag.String("only", "single,batch,steps,reads,ops,stream,cpu", "comma-separated workloads to run")
)

const nsEnv = "ATOMICWRITE_BENCH_NAMESPACE"

func main() {
	flag.Parse()
	if *childOp != "" {
		os.Exit(child(*childOp, flag.Args()))
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "bench: run as root: it mounts loop images and a tmpfs")
		os.Exit(2)
	}
	if os.Getenv(nsEnv) == "" {
		// In a private mount namespace, nothing stays mounted if we die.
		exe, _ := os.Executable()
		cmd := exec.Command(exe, os.Args[1:]...)
		cmd.Env = append(os.Environ(), nsEnv+"=1")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				os.Exit(ee.ExitCode())
			}
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := benchmark(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func benchmark() error {
	root, err := os.MkdirTemp("", "atomicwrite-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	restore, memNote := holdFreedMemory()
	defer restore()
	sel := map[string]bool{}
	if *only != "" {
		for _, name := range strings.Split(*only, ",") {
			sel[name] = true
		}
	}
	fss, err := mountAll(root, sel)
	if err != nil {
		return err
	}
	defer func() {
		for _, fs := range fss {
			unix.Unmount(fs.dir, 0)
		}
	}()
	cli := filepath.Join(root, "atomicwrite")
	if err := run("go", "build", "-o", cli, "../cmd/atomicwrite"); err != nil {
		return err
	}
	var uts unix.Utsname
	unix.Uname(&uts)
	r := &results{
		header: fmt.Sprintf("Measured %s on Linux %s, %d reps interleaved per figure, %d for single writes and %d for batches of 10 (median, [min–max], ×: the median over the reps of the time over the limit's time in the same rep). %s",
			time.Now().UTC().Format("2006-01-02"), unix.ByteSliceToString(uts.Release[:]), *reps, singleReps(), batchReps(10), memNote),
	}
	want := map[string]bool{}
	for _, p := range strings.Split(*parts, ",") {
		want[p] = true
	}
	for _, fs := range fss {
		fmt.Fprintf(os.Stderr, "== %s\n", fs.name)
		if want["single"] {
			if err := r.single(fs); err != nil {
				return err
			}
		}
		if want["batch"] {
			if err := r.batches(fs); err != nil {
				return err
			}
		}
		if want["steps"] {
			if err := r.steps(fs); err != nil {
				return err
			}
		}
		if want["reads"] {
			if err := r.reads(fs); err != nil {
				return err
			}
		}
		if want["ops"] {
			if err := r.ops(fs); err != nil {
				return err
			}
		}
		if want["stream"] && !*quick {
			if err := r.stream(fs, cli); err != nil {
				return err
			}
		}
		if want["cpu"] && fs.name == "tmpfs" {
			if err := r.cpu(fs); err != nil {
				return err
			}
		}
	}
	text := r.markdown()
	fmt.Print(text)
	if *docs != "" {
		if err := os.WriteFile(filepath.Join(*docs, "performance-results.md"), []byte(text), 0o644); err != nil {
			return err
		}
		if err := r.plot(filepath.Join(*docs, "performance.png")); err != nil {
			return err
		}
	}
	return nil
}
