//go:build !atomicwrite_bsd

package sys

import (
	"os"
	"strconv"
)

// PathOf returns the path of the directory open on fd, as the kernel knows
// it now: for a journal, since a recovery in another process has only
// paths.
func PathOf(fd int) (string, error) {
	return os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
}
