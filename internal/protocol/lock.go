package protocol

import (
	"time"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// Every writer holds a shared flock on each directory it stages temp files
// in, from before it creates the first until it is done; a recovery holds an
// exclusive one on each directory it cleans. So a recovery never meets the
// temp file of a live writer (whose lock it would have to wait for), and the
// liveness check is sound across processes, unlike a guess from a file's age
// or a PID. The lock is released with the descriptor, so a killed writer
// leaves none behind.
//
// Anyone who can open a directory can flock it, so a lock held for good
// must not stop writers: a writer waits up to writerLockWait, then goes on
// without the lock, as it does where the filesystem has no flock. The worst
// a real recovery running then can do is sweep its temp, and the write
// fails cleanly on the rename. A recovery waits until its deadline, at most
// recoveryLockWait after it began, however many directories it locks, then
// reports the directory busy (ErrBusy) and leaves it alone. Locks are
// polled, never blocked on, so two that wait on each other cannot deadlock.
const (
	writerLockWait   = 2 * time.Second
	recoveryLockWait = 10 * time.Second
)

// lock takes the shared (writer) or exclusive (recovery) lock on fd,
// waiting until deadline at most; a zero deadline is writerLockWait from
// now.
func lock(fd int, exclusive bool, deadline time.Time) error {
	how := sys.LOCK_SH
	if exclusive {
		how = sys.LOCK_EX
	}
	if deadline.IsZero() {
		deadline = time.Now().Add(writerLockWait)
	}
	for pause := 50 * time.Microsecond; ; pause = min(2*pause, 20*time.Millisecond) {
		err := flock(fd, how|sys.LOCK_NB)
		switch err {
		case nil:
			return nil
		case sys.EINTR:
			continue
		case sys.EWOULDBLOCK:
		default:
			return err
		}
		if time.Now().After(deadline) {
			return ErrBusy
		}
		time.Sleep(pause)
	}
}
