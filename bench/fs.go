package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// A filesystem under test: loop-mounted images (direct I/O, so the host's
// page cache does not absorb the flushes) and a tmpfs.
type filesystem struct {
	name, dir string
}

var kinds = []struct {
	name, size string
	mkfs       []string
}{
	{"ext4", "8G", []string{"mkfs.ext4", "-q", "-F"}},
	{"xfs", "8G", []string{"mkfs.xfs", "-q", "-f"}},
	{"btrfs", "8G", []string{"mkfs.btrfs", "-q", "-f"}},
	{"tmpfs", "", nil},
}

func mountAll(root string, only map[string]bool) ([]filesystem, error) {
	var fss []filesystem
	for _, k := range kinds {
		if len(only) > 0 && !only[k.name] {
			continue
		}
		dir := filepath.Join(root, k.name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, err
		}
		if k.size == "" {
			if err := run("mount", "-t", "tmpfs", "-o", "size=3g", "tmpfs", dir); err != nil {
				return nil, err
			}
		} else {
			img := dir + ".img"
			if err := run("truncate", "-s", k.size, img); err != nil {
				return nil, err
			}
			if err := run(append(k.mkfs, img)...); err != nil {
				return nil, err
			}
			out, err := exec.Command("losetup", "--direct-io=on", "--show", "-f", img).Output()
			if err != nil {
				return nil, fmt.Errorf("losetup: %v", err)
			}
			dev := strings.TrimSpace(string(out))
			if err := run("mount", dev, dir); err != nil {
				return nil, err
			}
			defer exec.Command("losetup", "-d", dev).Run() // autoclear once unmounted
			if err := warm(dir); err != nil {
				return nil, fmt.Errorf("%s: %v", k.name, err)
			}
		}
		fss = append(fss, filesystem{k.name, dir})
	}
	return fss, nil
}

func run(args ...string) error {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// warm fills a fresh filesystem to ENOSPC once and empties it again. The
// image is sparse: the first write to each of its blocks makes the host
// allocate it, which costs several times a later write. A variant that writes
// a new file lands on blocks no one has written yet while a truncate reuses
// the old file's, so without this the comparison measured the host, not the
// variants (1 GiB streams at ×0.46 of truncate-and-rewrite on ext4, ×1.0
// once warm).
func warm(dir string) error {
	fill := filepath.Join(dir, "fill")
	f, err := os.Create(fill)
	if err != nil {
		return err
	}
	// Not zeros: a virtual disk may store a block of zeros as a hole.
	buf := newGen(0).buf
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				f.Close()
				return err
			}
			break
		}
	}
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.ENOSPC) {
		f.Close()
		return err
	}
	f.Close()
	if err := os.Remove(fill); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}

// settle lets the filesystem finish what the previous variant left behind
// before the next one is timed: dirty data, and on xfs the inactivation of
// the inodes it replaced, which runs in the background after the rename
// returns. A freeze waits for all of it; a thaw lets the next variant in.
// Without it, each variant paid for the one before it, and a variant that
// replaces a 1 GiB file paid for its predecessor's deletion, while a
// truncate frees the old blocks within its own call.
func settle(dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Syncfs(fd); err != nil {
		return err
	}
	if err := fsIoctl(fd, fifreeze); err != nil {
		if err == unix.EOPNOTSUPP || err == unix.ENOTTY || err == unix.EINVAL {
			return nil // tmpfs: nothing runs behind a call's back
		}
		return fmt.Errorf("freeze %s: %v", dir, err)
	}
	if err := fsIoctl(fd, fithaw); err != nil {
		return fmt.Errorf("thaw %s: %v", dir, err)
	}
	return nil
}

// The freeze and thaw ioctls (linux/fs.h: _IOWR('X', 119 and 120, int)).
const (
	fifreeze = 0xc0045877
	fithaw   = 0xc0045878
)

func fsIoctl(fd int, req uintptr) error {
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, 0); errno != 0 {
		return errno
	}
	return nil
}
