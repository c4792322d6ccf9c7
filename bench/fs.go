package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	{"ext4", "4G", []string{"mkfs.ext4", "-q", "-F"}},
	{"xfs", "4G", []string{"mkfs.xfs", "-q", "-f"}},
	{"btrfs", "4G", []string{"mkfs.btrfs", "-q", "-f"}},
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
