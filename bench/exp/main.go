package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

const size = 1 << 30

func produce() {
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	for n := 0; n < size; n += len(buf) {
		if _, err := os.Stdout.Write(buf); err != nil {
			panic(err)
		}
	}
}

func consume(mode, path string) {
	dir, base := filepath.Split(path)
	dfd, _ := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if mode == "splice-big" || mode == "rw-big" {
		unix.FcntlInt(0, unix.F_SETPIPE_SZ, 1<<20)
	}
	fd, err := unix.Openat(dfd, ".", unix.O_WRONLY|unix.O_TMPFILE, 0o644)
	if err != nil {
		panic(err)
	}
	switch mode {
	case "splice", "splice-big":
		for {
			n, err := unix.Splice(0, nil, fd, nil, 1<<20, unix.SPLICE_F_MOVE|unix.SPLICE_F_MORE)
			if err != nil {
				panic(err)
			}
			if n == 0 {
				break
			}
		}
	case "rw", "rw-big":
		buf := make([]byte, 1<<20)
		for {
			n, err := unix.Read(0, buf)
			if err != nil {
				panic(err)
			}
			if n == 0 {
				break
			}
			if _, err := unix.Write(fd, buf[:n]); err != nil {
				panic(err)
			}
		}
	}
	tmp := "." + base + ".tmp"
	if err := unix.Linkat(unix.AT_FDCWD, fmt.Sprintf("/proc/self/fd/%d", fd), dfd, tmp, unix.AT_SYMLINK_FOLLOW); err != nil {
		panic(err)
	}
	unix.Fsync(fd)
	unix.Close(fd)
	unix.Renameat(dfd, tmp, dfd, base)
	unix.Fsync(dfd)
}

func main() {
	switch os.Args[1] {
	case "produce":
		produce()
		return
	case "consume":
		consume(os.Args[2], os.Args[3])
		return
	}
	path := os.Args[1]
	reps, _ := strconv.Atoi(os.Args[2])
	modes := []string{"dd", "splice", "splice-big", "rw", "rw-big"}
	res := map[string][]time.Duration{}
	exe, _ := os.Executable()
	dfd, _ := unix.Open(filepath.Dir(path), unix.O_RDONLY, 0)
	for range reps {
		for _, m := range modes {
			unix.Syncfs(dfd)
			var cons *exec.Cmd
			if m == "dd" {
				cons = exec.Command("dd", "of="+path, "bs=1M", "conv=fsync", "status=none")
			} else {
				cons = exec.Command(exe, "consume", m, path)
			}
			prod := exec.Command(exe, "produce")
			r, w, _ := os.Pipe()
			prod.Stdout, cons.Stdin = w, r
			cons.Stderr = os.Stderr
			start := time.Now()
			cons.Start()
			prod.Start()
			w.Close()
			r.Close()
			prod.Wait()
			if err := cons.Wait(); err != nil {
				panic(err)
			}
			res[m] = append(res[m], time.Since(start))
		}
	}
	for _, m := range modes {
		s := res[m]
		slices.Sort(s)
		fmt.Printf("%-11s median %v  %v\n", m, s[len(s)/2], s)
	}
}
