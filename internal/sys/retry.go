package sys

import (
	"math/rand/v2"
	"time"
)

// IgnoringEINTR calls f until it fails with anything but EINTR: a signal
// delivered during a call that can block (Go's runtime sends them to
// preempt goroutines) interrupts it without meaning anything.
func IgnoringEINTR[T any](f func() (T, error)) (T, error) {
	for {
		v, err := f()
		if err != EINTR {
			return v, err
		}
	}
}

// WriteAll writes all of p to fd, as many write(2)s as it takes, and
// returns how much was written.
func WriteAll(fd int, p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := Write(fd, p[written:])
		if err == EINTR {
			continue
		}
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}

// Retry calls f until it succeeds or fails with an error that transient
// does not accept, pausing between tries (from first, doubling up to most,
// jittered: callers that met the same obstacle do not all come back at
// once), for budget at most, or until done is closed. It returns f's last
// error and the time it spent waiting; a call that succeeds at once reads
// no clock.
func Retry(first, most, budget time.Duration, done <-chan struct{}, transient func(error) bool, f func() error) (time.Duration, error) {
	var start time.Time
	for pause := first; ; pause = min(2*pause, most) {
		err := f()
		if err == nil || !transient(err) {
			return waited(start), err
		}
		if start.IsZero() {
			start = time.Now()
		}
		left := budget - time.Since(start)
		if left <= 0 {
			return waited(start), err
		}
		select {
		case <-done:
			return waited(start), err
		case <-time.After(min(pause/2+rand.N(pause), left)):
		}
	}
}

// waited is the time since start, or 0 if there was no wait.
func waited(start time.Time) time.Duration {
	if start.IsZero() {
		return 0
	}
	return time.Since(start)
}
