//go:build !linux

package sys

// FstatatUntimed is Fstatat: only Linux makes a file's next change cost
// more once its times are read (see stat_untimed_linux.go).
func FstatatUntimed(dirfd int, name string, st *Stat_t, flags int) error {
	return Fstatat(dirfd, name, st, flags)
}

// FstatUntimed is Fstat.
func FstatUntimed(fd int, st *Stat_t) error { return Fstat(fd, st) }

// LstatUntimed is Lstat.
func LstatUntimed(path string, st *Stat_t) error { return Lstat(path, st) }
