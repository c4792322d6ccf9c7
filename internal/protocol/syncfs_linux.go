package protocol

import "golang.org/x/sys/unix"

const haveSyncfs = true

// syncfs flushes the whole filesystem that holds fd. Since Linux 5.8 it
// reports write-back errors of any file there since fd was opened.
func syncfs(fd int) error {
	for {
		err := unix.Syncfs(fd)
		if err != unix.EINTR {
			return err
		}
	}
}
