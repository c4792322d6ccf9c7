package sys

import (
	"errors"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// A DirWatch tells of changes to the entries of directories: on Linux,
// through inotify.
type DirWatch struct{ f *os.File }

// dirEvents are the changes a DirWatch wakes for: entries made, removed,
// renamed, written or changed in mode or owner.
const dirEvents = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO |
	unix.IN_CLOSE_WRITE | unix.IN_MODIFY | unix.IN_ATTRIB | unix.IN_ONLYDIR

// WatchDirs watches the directories open on fds (named through
// /proc/self/fd, so that the handles' directories are the ones watched,
// whatever path leads to them now).
func WatchDirs(fds []int) (*DirWatch, error) {
	ifd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, err
	}
	for _, fd := range fds {
		if _, err := unix.InotifyAddWatch(ifd, "/proc/self/fd/"+strconv.Itoa(fd), dirEvents); err != nil {
			unix.Close(ifd)
			return nil, err
		}
	}
	return &DirWatch{os.NewFile(uintptr(ifd), "inotify")}, nil
}

// Wait returns once something changed in the directories since the last
// Wait (taking every change queued so far), or once done is closed (it
// then looks at done every 100 ms at most).
func (w *DirWatch) Wait(done <-chan struct{}) error {
	buf := make([]byte, 64<<10)
	for {
		w.f.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		_, err := w.f.Read(buf)
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
		select {
		case <-done:
			return nil
		default:
		}
	}
}

// Close stops the watch.
func (w *DirWatch) Close() error { return w.f.Close() }
