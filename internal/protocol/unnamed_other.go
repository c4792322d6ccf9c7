//go:build (unix && !linux) || windows

package protocol

// Outside Linux there is no O_TMPFILE: temp files are named from the start.
func openUnnamed(dirfd int, perm uint32) (int, error) { return -1, errNoUnnamed }

func linkUnnamed(fd, dirfd int, name string) error { return errNoUnnamed }
