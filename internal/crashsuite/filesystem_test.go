//go:build linux && amd64

package crashsuite

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// A fsKind is a filesystem the suite runs on.
type fsKind struct {
	name  string
	size  string   // image size (sparse); "" for tmpfs
	mkfs  []string // the command, before the image path
	cutBy string   // how a power cut is made: "shutdown", "copy", or "" (none: tmpfs)
}

var fsKinds = []fsKind{
	{"ext4", "512M", []string{"mkfs.ext4", "-q", "-F"}, "shutdown"},
	// xfs refuses images under 300 MB; under load its deferred freeing of
	// replaced files needs room to spare.
	{"xfs", "1G", []string{"mkfs.xfs", "-q", "-f"}, "shutdown"},
	{"btrfs", "512M", []string{"mkfs.btrfs", "-q", "-f"}, "copy"},
	{"tmpfs", "", nil, ""},
}

// A filesystem is one mounted instance of a kind.
type filesystem struct {
	fsKind
	image string // the image file, for loop-mounted kinds
	dir   string // where it is mounted
}

func mkfs(kind fsKind, root string) (*filesystem, error) {
	fs := &filesystem{fsKind: kind, dir: filepath.Join(root, kind.name)}
	if err := os.Mkdir(fs.dir, 0o755); err != nil {
		return nil, err
	}
	if kind.size == "" {
		return fs, run("mount", "-t", "tmpfs", "-o", "size=512m,mode=0755", "tmpfs", fs.dir)
	}
	fs.image = fs.dir + ".img"
	if err := run("truncate", "-s", kind.size, fs.image); err != nil {
		return nil, err
	}
	if err := run(append(kind.mkfs, fs.image)...); err != nil {
		return nil, err
	}
	return fs, fs.mount()
}

func (fs *filesystem) mount() error {
	if err := run("mount", "-o", "loop", fs.image, fs.dir); err != nil {
		return err
	}
	return os.Chmod(fs.dir, 0o755)
}

func (fs *filesystem) unmount() {
	run("umount", "-l", fs.dir)
}

// canCut reports whether a power cut can be simulated on this filesystem.
func (fs *filesystem) canCut() bool { return fs.cutBy != "" }

// powerCut simulates a power loss at this instant: afterwards the
// filesystem is mounted where it was, as the disk then held it. done puts
// back the filesystem the suite goes on with.
//
// ext4 and xfs: the shutdown ioctl without a log flush drops everything the
// journal had not committed; the image is then unmounted and mounted again.
// btrfs has no such ioctl: a copy of the image, taken now, is what the disk
// holds; it is mounted in the original's place (journals name directories
// by path) until done.
func (fs *filesystem) powerCut() (done func() error, err error) {
	switch fs.cutBy {
	case "shutdown":
		if err := shutdown(fs.dir); err != nil {
			return nil, err
		}
		if err := run("umount", fs.dir); err != nil {
			return nil, err
		}
		return func() error { return nil }, fs.mount()
	case "copy":
		crash := fs.image + ".crash"
		os.Remove(crash)
		if err := run("cp", "--sparse=always", fs.image, crash); err != nil {
			return nil, err
		}
		if err := run("umount", fs.dir); err != nil {
			return nil, err
		}
		if err := run("mount", "-o", "loop", crash, fs.dir); err != nil {
			return nil, err
		}
		return func() error {
			defer os.Remove(crash)
			if err := run("umount", fs.dir); err != nil {
				return err
			}
			return fs.mount()
		}, nil
	}
	return nil, fmt.Errorf("%s: no power cut", fs.name)
}

// shutdown is xfs_io's "shutdown" (no -f): FS_IOC_GOINGDOWN with
// NOLOGFLUSH, which ext4 also implements.
func shutdown(dir string) error {
	const goingDown = 0x8004587d // _IOR('X', 125, __u32)
	const noLogFlush = 2
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.IoctlSetPointerInt(fd, goingDown, noLogFlush)
}

// syncFS makes everything written so far on the filesystem durable, so that
// a scenario's starting state survives the power cut it is about to meet.
func syncFS(dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Syncfs(fd)
}

func run(args ...string) error {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}
