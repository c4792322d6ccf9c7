package protocol

import (
	"os"
	"strconv"
)

// dirPath returns the path of the directory open on fd, as the kernel knows
// it now, for the journal: a recovery in another process has only paths.
func dirPath(fd int) (string, error) {
	return os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
}
