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
// leaves none behind. (Windows cannot flock a directory: there the lock is
// a second handle whose share mode stands for it, closed with the
// directory's; see sys.LockDir.)
//
// Anyone who can open a directory can flock it, so a lock held for good
// must not stop writers: a writer waits for directory locks writerLockWait
// at most in all, then goes on without them, as it does where the
// filesystem has no flock. The worst a real recovery running then can do
// is sweep its temp, and the write fails cleanly on the rename.
//
// Every wait of one write, one Commit or one Recover counts against one
// budget (Waits), however many directories and files it locks: a recovery
// waits recoveryLockWait in all, then reports the directory busy (ErrBusy)
// and leaves it alone; a compare-and-swap waits casLockWait in all, its
// directories' waits included (see version.go). So whoever holds locks and
// hands each back just before its wait runs out stalls a call once, not once
// per lock. Locks are polled, never blocked on, so two that wait on each
// other cannot deadlock.
const (
	writerLockWait   = 2 * time.Second
	recoveryLockWait = 10 * time.Second
)

// Waits is the time one write, Commit or Recover has spent waiting for
// locks. The zero value has waited for nothing.
type Waits struct {
	spent time.Duration
	// A Recover's caller may choose its bound (see Recover): limit,
	// when not zero, replaces that of each lock, and done, once closed,
	// ends every wait.
	limit time.Duration
	done  <-chan struct{}
}

// lock takes the shared (writer) or exclusive lock on the file open on fd,
// as long as w has spent less than limit waiting, all its waits together.
func lock(fd int, exclusive bool, w *Waits, limit time.Duration) error {
	how := sys.LOCK_SH
	if exclusive {
		how = sys.LOCK_EX
	}
	return w.wait(limit, "file", func() error { return sys.Flock(fd, how|sys.LOCK_NB) })
}

// lockDir takes the lock on the directory open on fd, as lock does, and
// returns the handle that holds it where that is not fd itself (Windows,
// see sys.LockDir), else -1.
func lockDir(fd int, exclusive bool, w *Waits, limit time.Duration) (held int, err error) {
	held = -1
	err = w.wait(limit, "directory", func() (err error) {
		held, err = sys.LockDir(fd, exclusive)
		return err
	})
	return held, err
}

// unlockDir lets go of the lock that lockDir returned held for.
func unlockDir(held int) {
	if held >= 0 {
		sys.Close(held)
	}
}

// wait tries try until it succeeds, fails otherwise than with
// EWOULDBLOCK, or w has spent limit waiting. what names the kind of file
// locked in the error: "file" or "directory".
func (w *Waits) wait(limit time.Duration, what string, try func() error) error {
	if w.limit != 0 {
		limit = w.limit
	}
	spent, err := sys.Retry(50*time.Microsecond, 20*time.Millisecond, limit-w.spent, w.done, func(err error) bool { return err == sys.EWOULDBLOCK }, try)
	w.spent += spent
	if err != sys.EWOULDBLOCK {
		return err
	}
	select {
	case <-w.done:
		return busyError{what, w.spent}
	default:
		return busyError{what, limit}
	}
}
