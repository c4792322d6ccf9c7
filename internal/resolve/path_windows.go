package resolve

import "github.com/atomicwrite/atomicwrite/internal/sys"

// PathOf returns the path of the directory open on fd now
// (GetFinalPathNameByHandle).
func PathOf(fd int) (string, error) { return sys.PathOf(fd) }
